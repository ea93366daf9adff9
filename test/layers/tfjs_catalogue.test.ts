/**
 * The layer catalogue against @tensorflow/tfjs 4.22 (the devDependency oracle, run live): each layer made with the
 * same options in both, tfjs's freshly initialised weights copied into rnnlab's with setWeights, then the forward
 * output, computeOutputShape and countParams compared. Options whose defaults differ on purpose (LSTM/GRU
 * recurrentActivation, GRU resetAfter, Softmax's axis; docs/API.md "Deliberate differences") are passed explicitly.
 * Then the defects this comparison found: recurrent computeOutputShape with returnState, unroll/implementation lost
 * from the config, inputDim/inputLength on recurrent layers, and tfjs's saved Reshape(-1).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Reshape } from '../../src/layers/reshape.js';
import { folderArtifacts, removeDir, tempDir } from '../compat/functional_helpers.js';
import { checkLayerGradients, fromTfjs, maxDiff, roundTrip } from './helpers.js';
import { randomF32, tfjsReady, toTf } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Factory = (args: Record<string, unknown>) => unknown;
const ours = (name: string, args: Record<string, unknown>) => (rl.layers as unknown as Record<string, Factory>)[name](args) as Layer;
const theirs = (name: string, args: Record<string, unknown>) => (tf.layers as unknown as Record<string, Factory>)[name](args) as tf.layers.Layer;
/** tfjs mutates some option objects (Reshape's -1 becomes null): each side gets its own copy. */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Integer ids in [0, vocab) as floats, for the layers that take ids. */
function ids(shape: number[], seed: number, vocab: number): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(r.uniform(0, vocab))), shape);
}

const HS = { recurrentActivation: 'hardSigmoid' };
// [factory, options, per-sample input shape(s), 'ids' for integer inputs]
const CASES: [string, Record<string, unknown>, number[] | number[][], 'ids'?][] = [
  ['dense', { units: 3 }, [4]],
  ['dense', { units: 3, activation: 'relu', useBias: false }, [5, 4]],
  ['dense', { units: 3, inputDim: 4, activation: 'softmax' }, [4]],
  ['embedding', { inputDim: 7, outputDim: 3 }, [5], 'ids'],
  ['embedding', { inputDim: 7, outputDim: 3, inputLength: 5, maskZero: true }, [5], 'ids'],
  ['simpleRNN', { units: 3 }, [5, 4]],
  ['simpleRNN', { units: 3, returnSequences: true, goBackwards: true, useBias: false, unroll: true }, [5, 4]],
  ['simpleRNN', { units: 3, returnState: true, activation: 'relu' }, [5, 4]],
  ['lstm', { units: 3, ...HS }, [5, 4]],
  ['lstm', { units: 3, ...HS, returnSequences: true, returnState: true }, [5, 4]],
  ['lstm', { units: 3, ...HS, unitForgetBias: false, implementation: 1, unroll: true }, [5, 4]],
  ['lstm', { units: 3, ...HS, useBias: false, activation: 'relu', goBackwards: true }, [5, 4]],
  ['gru', { units: 3, ...HS, resetAfter: false }, [5, 4]],
  ['gru', { units: 3, ...HS, resetAfter: false, returnSequences: true, returnState: true, implementation: 1 }, [5, 4]],
  ['conv1d', { filters: 3, kernelSize: 2 }, [6, 4]],
  ['conv1d', { filters: 3, kernelSize: 3, padding: 'same', strides: 2, activation: 'tanh' }, [6, 4]],
  ['conv1d', { filters: 3, kernelSize: [2], dilationRate: [2], useBias: false, dataFormat: 'channelsLast' }, [6, 4]],
  ['maxPooling1d', { poolSize: 2 }, [6, 4]],
  ['maxPooling1d', { poolSize: 3, strides: 1, padding: 'same' }, [6, 4]],
  ['averagePooling1d', { poolSize: 3, strides: 2, padding: 'same' }, [7, 4]],
  ['globalMaxPooling1d', {}, [6, 4]],
  ['globalAveragePooling1d', {}, [6, 4]],
  ['flatten', {}, [2, 3, 4]],
  ['dropout', { rate: 0.3, noiseShape: [2, 1, 4], seed: 3 }, [3, 4]],
  ['spatialDropout1d', { rate: 0.3 }, [3, 4]],
  ['gaussianNoise', { stddev: 0.3 }, [3, 4]],
  ['gaussianDropout', { rate: 0.3 }, [3, 4]],
  ['alphaDropout', { rate: 0.3 }, [3, 4]],
  ['activation', { activation: 'hardSigmoid' }, [3, 4]],
  ['activation', { activation: 'logSoftmax' }, [3, 4]],
  ['activation', { activation: 'gelu' }, [3, 4]],
  ['activation', { activation: 'swish' }, [3, 4]],
  ['activation', { activation: 'mish' }, [3, 4]],
  ['repeatVector', { n: 3 }, [4]],
  ['reshape', { targetShape: [12] }, [3, 4]],
  ['permute', { dims: [3, 1, 2] }, [2, 3, 4]],
  ['masking', { maskValue: 0.5 }, [3, 4]],
  ['batchNormalization', { momentum: 0.9, epsilon: 0.01, gammaInitializer: 'randomNormal', movingMeanInitializer: 'randomNormal' }, [3, 4]],
  ['batchNormalization', { center: false, scale: false }, [3, 4]],
  ['layerNormalization', { betaInitializer: 'randomNormal', gammaInitializer: 'randomNormal' }, [3, 4]],
  ['layerNormalization', { axis: [1, 2], epsilon: 0.1 }, [3, 4]],
  ['layerNormalization', { center: false, scale: false }, [4]],
  ['reLU', { maxValue: 0.5 }, [3, 4]],
  ['leakyReLU', { alpha: 0.1 }, [3, 4]],
  ['prelu', { sharedAxes: [1], alphaInitializer: 'randomNormal' }, [3, 4]],
  ['elu', {}, [3, 4]],
  ['thresholdedReLU', { theta: 0.2 }, [3, 4]],
  ['softmax', { axis: -1 }, [3, 4]],
  ['rescaling', { scale: 2, offset: 0.5 }, [3, 4]],
  ['categoryEncoding', { numTokens: 7, outputMode: 'count' }, [3], 'ids'],
  ['add', {}, [[3, 4], [3, 4]]],
  ['average', {}, [[3, 4], [3, 4]]],
  ['maximum', {}, [[3, 4], [3, 4]]],
  ['minimum', {}, [[3, 4], [3, 4]]],
  ['multiply', {}, [[3, 4], [3, 4]]],
  ['concatenate', { axis: 1 }, [[3, 4], [2, 4]]],
  ['dot', { axes: [2, 2] }, [[3, 4], [5, 4]]],
  ['dot', { axes: 2, normalize: true }, [[3, 4], [5, 4]]],
];

describe('forward, output shape and parameter count as tfjs on tfjs-initialised weights', () => {
  CASES.forEach(([name, args, shape, kind], n) => {
    it(`${name}(${JSON.stringify(args)})`, () => {
      const multi = Array.isArray(shape[0]);
      const shapes = (multi ? shape : [shape]) as number[][];
      const xs = shapes.map((s, i) => (kind === 'ids' ? ids([2, ...s], n * 10 + i, 7) : randomF32([2, ...s], n * 10 + i)));
      const tl = theirs(name, copy(args));
      const tIn = xs.map((x) => tf.tensor(Array.from(x.dataSync()), x.shape, kind === 'ids' ? 'int32' : 'float32'));
      const tOut = [tl.apply(multi ? tIn : tIn[0])].flat() as tf.Tensor[];
      const layer = ours(name, copy(args));
      layer.apply(multi ? xs : xs[0]);
      layer.setWeights(tl.getWeights().map((w) => rl.tensor(Array.from(w.dataSync()), w.shape)));
      const out = [layer.apply(multi ? xs : xs[0])].flat() as rl.Tensor[];
      expect(out.length).toBe(tOut.length);
      out.forEach((o, i) => {
        expect(o.shape).toEqual(tOut[i].shape);
        expect(maxDiff(o.dataSync(), tOut[i].dataSync())).toBeLessThan(1e-5);
      });
      const symbolic = () => shapes.map((s) => [null, ...s]);
      expect(layer.computeOutputShape((multi ? symbolic() : symbolic()[0]) as never)).toEqual(tl.computeOutputShape((multi ? symbolic() : symbolic()[0]) as never));
      expect(layer.countParams()).toBe(tl.countParams());
    });
  });
});

describe('recurrent computeOutputShape with returnState is the list [output, ...states], as tfjs', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['lstm', { units: 3, returnState: true }],
    ['lstm', { units: 3, returnState: true, returnSequences: true }],
    ['gru', { units: 3, returnState: true, resetAfter: false }],
    ['simpleRNN', { units: 3, returnState: true, returnSequences: true }],
    ['simpleRNN', { units: 3 }],
  ];
  for (const [name, args] of cases) {
    it(`${name}(${JSON.stringify(args)})`, () => {
      const want = theirs(name, copy(args)).computeOutputShape([null, 5, 4]);
      expect(ours(name, copy(args)).computeOutputShape([null, 5, 4])).toEqual(want);
    });
  }

  for (const mergeMode of ['concat', 'sum', null] as const) {
    it(`bidirectional(lstm returnState, mergeMode ${mergeMode})`, () => {
      const inner = () => ({ units: 3, returnState: true, returnSequences: true });
      const want = tf.layers.bidirectional({ layer: tf.layers.lstm(inner()) as tf.RNN, mergeMode: mergeMode as never }).computeOutputShape([null, 5, 4]);
      const got = rl.layers.bidirectional({ layer: rl.layers.lstm(inner()), mergeMode }).computeOutputShape([null, 5, 4]);
      expect(got).toEqual(want);
    });
  }

  it('rnn over a cell, and a built layer\'s outputShape, give the same list', () => {
    const rnn = rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 3 }), returnState: true });
    expect(rnn.computeOutputShape([null, 5, 4])).toEqual([[null, 3], [null, 3], [null, 3]]);
    const lstm = rl.layers.lstm({ units: 3, returnState: true });
    lstm.build([2, 5, 4]);
    expect(lstm.outputShape).toEqual([[2, 3], [2, 3], [2, 3]]);
  });

  it('a functional model through such layers still gets one shape per output and predicts', () => {
    const x = rl.input({ shape: [5, 4] });
    const outs = rl.layers.bidirectional({ layer: rl.layers.gru({ units: 2, returnState: true }) }).apply(x) as rl.SymbolicTensor[];
    expect(outs.map((o) => o.shape)).toEqual([[null, 4], [null, 2], [null, 2]]);
    const m = rl.model({ inputs: x, outputs: outs });
    const ys = m.predict(randomF32([3, 5, 4], 1)) as rl.Tensor[];
    expect(ys.map((y) => y.shape)).toEqual([[3, 4], [3, 2], [3, 2]]);
  });
});

describe('unroll and implementation are kept in the config, as tfjs and Keras keep them', () => {
  let root = '';
  beforeAll(() => { root = tempDir('rnnlab-unroll-'); });
  afterAll(() => removeDir(root));

  it('getConfig writes back what was given (defaults false and 2, as Keras), and fromConfig keeps it', () => {
    const lstm = rl.layers.lstm({ units: 2, unroll: true, implementation: 1 });
    expect(lstm.getConfig()).toMatchObject({ unroll: true, implementation: 1 });
    expect(tf.layers.lstm({ units: 2, unroll: true, implementation: 1 }).getConfig()).toMatchObject({ unroll: true, implementation: 1 });
    expect(rl.layers.gru({ units: 2 }).getConfig()).toMatchObject({ unroll: false, implementation: 2 });
    expect(rl.layers.simpleRNN({ units: 2, unroll: true }).getConfig()).toMatchObject({ unroll: true });
    const back = (lstm.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer }).fromConfig(lstm.getConfig());
    expect(back.getConfig()).toEqual(lstm.getConfig());
  });

  it('elsewhere they are refused by name, but for the values that mean off (what configs carry when unused)', () => {
    expect(() => rl.layers.dense({ units: 1, unroll: true } as never)).toThrow(/unroll = true is not supported \(only recurrent layers unroll\)/);
    expect(() => rl.layers.conv1d({ filters: 1, kernelSize: 1, implementation: 1 } as never)).toThrow(/implementation = 1 is not supported/);
    expect(() => rl.layers.simpleRNN({ units: 1, implementation: 1 } as never)).toThrow(/SimpleRNN\): implementation does not apply/);
    expect(() => rl.layers.lstm({ units: 1, implementation: 3 })).toThrow(/implementation = 3 is not supported \(Keras knows modes 0, 1 and 2\)/);
    expect(() => rl.layers.dense({ units: 1, unroll: false, implementation: null } as never)).not.toThrow();
    expect(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2, implementation: 1 }), unroll: true }).getConfig()).toMatchObject({ unroll: true, cell: { config: { implementation: 1 } } });
  });

  it('a saved model keeps unroll (rnnlab and tfjs read it back) and predicts as without it', async () => {
    const make = (unroll: boolean) => {
      rl.setSeed(4);
      return rl.sequential({ layers: [rl.layers.gru({ units: 3, unroll, implementation: 1, resetAfter: false, inputShape: [5, 2] }), rl.layers.dense({ units: 1 })] });
    };
    const m = make(true);
    const x = randomF32([2, 5, 2], 8);
    expect(Array.from((m.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((make(false).predict(x) as rl.Tensor).dataSync()));
    await m.save(`file://${root}/gru`);
    const loaded = await rl.loadModel(`${root}/gru`) as rl.Sequential;
    expect(loaded.layers[0].getConfig()).toMatchObject({ unroll: true, implementation: 1 });
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(`${root}/gru`) as tf.io.ModelArtifacts));
    expect(tm.layers[0].getConfig()).toMatchObject({ unroll: true, implementation: 1 });
    expect(maxDiff((tm.predict(toTf(x)) as tf.Tensor).dataSync(), (loaded.predict(x) as rl.Tensor).dataSync())).toBeLessThan(1e-5);
  });
});

describe('inputDim and inputLength on recurrent layers give Keras 2\'s input shape', () => {
  // tfjs 4.22 declares both in its RNN layer args but reads neither (its batchInputShape stays unset); Keras 2's
  // recurrent layers turn them into input_shape (input_length, input_dim). rnnlab used to give [null, inputDim].
  it('[inputLength, inputDim], or any number of steps without inputLength', () => {
    for (const name of ['lstm', 'gru', 'simpleRNN']) {
      expect(ours(name, { units: 2, inputDim: 4, inputLength: 6 }).batchInputShape).toEqual([null, 6, 4]);
      expect(ours(name, { units: 2, inputDim: 4 }).batchInputShape).toEqual([null, null, 4]);
      expect(ours(name, { units: 2, inputDim: 4, batchSize: 3 }).batchInputShape).toEqual([3, null, 4]);
    }
    const rnn = rl.layers.rnn({ cell: rl.layers.gruCell({ units: 2 }), inputDim: 4 });
    expect(rnn.batchInputShape).toEqual([null, null, 4]);
  });

  it('a Sequential model starting with lstm({inputDim, inputLength}) builds and runs on that shape', () => {
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputDim: 3, inputLength: 4 }), rl.layers.dense({ units: 1 })] });
    expect(m.inputs[0].shape).toEqual([null, 4, 3]);
    expect((m.predict(randomF32([2, 4, 3], 2)) as rl.Tensor).shape).toEqual([2, 1]);
    const free = rl.sequential({ layers: [rl.layers.gru({ units: 2, inputDim: 3 })] });
    expect((free.predict(randomF32([2, 7, 3], 2)) as rl.Tensor).shape).toEqual([2, 2]);
  });

  it('inputLength without inputDim, or with inputShape, is an error naming it; a bad value too', () => {
    expect(() => rl.layers.lstm({ units: 2, inputLength: 5 } as never)).toThrow(/inputLength needs inputDim/);
    expect(() => rl.layers.gru({ units: 2, inputShape: [5, 3], inputLength: 5 } as never)).toThrow(/inputLength needs inputDim/);
    expect(() => rl.layers.simpleRNN({ units: 2, inputDim: 3, inputLength: 0 } as never)).toThrow(/inputLength/);
    expect(() => rl.layers.lstm({ units: 2, inputLenght: 5 } as never)).toThrow(/unknown option 'inputLenght' \(did you mean 'inputLength'\?\)/);
  });
});

describe('Reshape reads tfjs\'s saved -1 (null)', () => {
  let root = '';
  beforeAll(() => { root = tempDir('rnnlab-reshape-'); });
  afterAll(() => removeDir(root));

  it('fromConfig of tfjs\'s config, whose targetShape has null for -1', () => {
    const config = tf.layers.reshape({ targetShape: [2, -1] }).getConfig();
    expect(config.targetShape).toEqual([2, null]);
    const layer = Reshape.fromConfig(config as Record<string, unknown>) as Reshape;
    expect(layer.targetShape).toEqual([2, -1]);
    expect(layer.computeOutputShape([null, 3, 4])).toEqual([null, 2, 6]);
    expect(() => new Reshape({ targetShape: [null, null] as never })).toThrow(/only one -1/);
  });

  it('a tfjs model with reshape(-1) saved to files loads in rnnlab and predicts as tfjs', async () => {
    const tm = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [-1, 2], inputShape: [3, 4] }), tf.layers.lstm({ units: 2, recurrentActivation: 'hardSigmoid' })] });
    const m = await fromTfjs(tm, randomF32([2, 3, 4], 3), root, 'reshape');
    expect(m.layers[0].getConfig().targetShape).toEqual([-1, 2]);
  });
});

describe('alphaDropout takes noiseShape, as tfjs and Keras (rnnlab refused it)', () => {
  const SELU = -1.6732632423543772 * 1.0507009873554805;
  const ones = (shape: number[]) => rl.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);
  let root = '';
  beforeAll(() => { root = tempDir('rnnlab-alpha-'); });
  afterAll(() => removeDir(root));

  it('[null, 1, C]: one draw per sample and channel, the same at every step, with Keras\'s kept and dropped values', () => {
    rl.setSeed(3);
    const [B, T, C, p] = [4, 6, 30, 0.4];
    const y = (rl.layers.alphaDropout({ rate: p, noiseShape: [null, 1, C] }).apply(ones([B, T, C]), { training: true }) as rl.Tensor).dataSync();
    const a = ((1 - p) * (1 + p * SELU * SELU)) ** -0.5, b = -a * SELU * p;
    let dropped = 0;
    for (let s = 0; s < B; s++) for (let c = 0; c < C; c++) {
      const first = y[s * T * C + c];
      const isDropped = Math.abs(first - (a * SELU + b)) < 1e-6;
      expect(isDropped || Math.abs(first - (a + b)) < 1e-6).toBe(true);
      for (let t = 1; t < T; t++) expect(y[(s * T + t) * C + c]).toBe(first);
      if (isDropped) dropped++;
    }
    expect(dropped / (B * C)).toBeGreaterThan(0.2);
    expect(dropped / (B * C)).toBeLessThan(0.6);
  });

  it('a noiseShape equal to the input\'s draws what no noiseShape draws; predict is the identity', () => {
    const x = randomF32([2, 3, 4], 6);
    rl.setSeed(5);
    const plain = (rl.layers.alphaDropout({ rate: 0.3 }).apply(x, { training: true }) as rl.Tensor).dataSync();
    rl.setSeed(5);
    const shaped = (rl.layers.alphaDropout({ rate: 0.3, noiseShape: [2, 3, 4] }).apply(x, { training: true }) as rl.Tensor).dataSync();
    expect(Array.from(shaped)).toEqual(Array.from(plain));
    expect((rl.layers.alphaDropout({ rate: 0.3, noiseShape: [null, 1, 4] }).apply(x) as rl.Tensor).dataSync()).toEqual(x.dataSync());
  });

  it('kept in the config (Keras 3 writes it; tfjs 4.22 reads it but does not write it back), saved and loaded; a bad or misfitting shape is an error', async () => {
    expect(rl.layers.alphaDropout({ rate: 0.3, noiseShape: [null, 1, 4] }).getConfig().noiseShape).toEqual([null, 1, 4]);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3, 2] }), rl.layers.alphaDropout({ rate: 0.3, noiseShape: [null, 1, 4] })] });
    await m.save(`file://${root}/alpha`);
    const back = await rl.loadModel(`${root}/alpha`) as rl.Sequential;
    expect(back.layers[1].getConfig().noiseShape).toEqual([null, 1, 4]);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(`${root}/alpha`) as tf.io.ModelArtifacts));
    expect((tm.layers[1] as unknown as { noiseShape: unknown }).noiseShape).toEqual([null, 1, 4]);
    expect(() => rl.layers.alphaDropout({ rate: 0.3, noiseShape: [2, 0] })).toThrow(/noiseShape must be a list of positive sizes or nulls/);
    expect(() => rl.layers.alphaDropout({ rate: 0.3, noiseShape: [null, 2] }).apply(ones([2, 3]), { training: true }))
      .toThrow(/noiseShape \[null, 2\] does not fit input \[2, 3\]/);
  });
});

describe('layerNormalization over axes that are not the trailing ones, as tfjs and Keras (rnnlab refused them)', () => {
  const cases: [Record<string, unknown>, number[]][] = [
    [{ axis: 1 }, [3, 4]],
    [{ axis: -2, epsilon: 0.01 }, [3, 4]],
    [{ axis: [1, 3] }, [3, 2, 4]],
    [{ axis: [2, 1] }, [3, 2, 4]],
    [{ axis: [1], center: false }, [3, 2, 4]],
  ];
  cases.forEach(([args, shape], n) => {
    it(`${JSON.stringify(args)} on ${JSON.stringify(shape)}: forward, weight shapes and output shape as tfjs; float64 gradients`, () => {
      const x = randomF32([2, ...shape], 40 + n);
      const options = { ...args, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' };
      const tl = tf.layers.layerNormalization(copy(options) as never);
      const want = tl.apply(toTf(x)) as tf.Tensor;
      const layer = rl.layers.layerNormalization(copy(options) as never);
      layer.apply(x);
      expect(layer.getWeights().map((w) => w.shape)).toEqual(tl.getWeights().map((w) => w.shape));
      layer.setWeights(tl.getWeights().map((w) => rl.tensor(Array.from(w.dataSync()), w.shape)));
      expect(maxDiff((layer.apply(x) as rl.Tensor).dataSync(), want.dataSync())).toBeLessThan(1e-5);
      expect(layer.computeOutputShape([null, ...shape])).toEqual([null, ...shape]);
      rl.setPrecision(64);
      try {
        expect(checkLayerGradients(rl.layers.layerNormalization(copy(options) as never), [2, ...shape])).toBeLessThan(1e-6);
      } finally {
        rl.setPrecision(32);
      }
    });
  });

  it('a model with one saves and loads in rnnlab and tfjs with the same predictions', async () => {
    const root = tempDir('rnnlab-ln-');
    try {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3, 2] }), rl.layers.layerNormalization({ axis: 1, gammaInitializer: 'randomNormal' })] });
      await roundTrip(m, randomF32([2, 3, 2], 9), root, 'ln');
    } finally {
      removeDir(root);
    }
  });
});
