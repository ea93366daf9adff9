/**
 * Every layer kind rnnlab and TensorFlow.js (4.22, cpu) both have, crossed both ways through in-memory artifacts:
 * tfjs saves -> rnnlab loads -> same predictions; that rnnlab model saves -> tfjs loads -> same predictions.
 * Sequential and functional models, multiple inputs/outputs, shared layers, nested models.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

type Input = { shape: number[]; ids?: number };
interface Case { name: string; inputs: Input[]; build: () => tf.LayersModel }

function inputData(inp: Input, n: number, seed: number): Float32Array {
  const size = n * inp.shape.reduce((a, b) => a * b, 1);
  const r = new rl.Random(seed);
  return Float32Array.from({ length: size }, () => (inp.ids ? r.int(inp.ids) : r.int(2001) / 1000 - 1));
}

async function tfArtifacts(m: tf.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => { got = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer });
  return got!;
}

async function rlArtifacts(m: rl.Sequential | rl.Functional): Promise<rl.io.ModelArtifacts> {
  let got: rl.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler((a) => { got = a; return {}; }));
  return got!;
}

const seqIn = (build: (m: tf.Sequential) => void) => () => { const m = tf.sequential(); build(m); return m; };
const L = tf.layers;
const T = 6;

const cases: Case[] = [
  { name: 'lstm every option', inputs: [{ shape: [T, 3] }], build: seqIn((m) => {
    m.add(L.lstm({ units: 4, inputShape: [T, 3], returnSequences: true, goBackwards: true, unitForgetBias: true, recurrentActivation: 'sigmoid', activation: 'tanh', useBias: true }));
    m.add(L.lstm({ units: 3, useBias: false, recurrentActivation: 'hardSigmoid', activation: 'relu', dropout: 0.1, recurrentDropout: 0.1 }));
  }) },
  { name: 'gru resetAfter false, simpleRNN', inputs: [{ shape: [T, 3] }], build: seqIn((m) => {
    m.add(L.gru({ units: 4, inputShape: [T, 3], returnSequences: true, resetAfter: false, goBackwards: true } as never));
    m.add(L.simpleRNN({ units: 3, activation: 'relu', returnSequences: true, useBias: false }));
    m.add(L.simpleRNN({ units: 2 }));
  }) },
  { name: 'bidirectional merge modes', inputs: [{ shape: [T, 3] }], build: seqIn((m) => {
    m.add(L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) as never, mergeMode: 'sum', inputShape: [T, 3] }));
    m.add(L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true, resetAfter: false } as never) as never, mergeMode: 'mul' }));
    m.add(L.bidirectional({ layer: L.simpleRNN({ units: 2, returnSequences: true }) as never, mergeMode: 'ave' }));
    m.add(L.bidirectional({ layer: L.lstm({ units: 2 }) as never, mergeMode: 'concat' }));
  }) },
  { name: 'timeDistributed, embedding maskZero', inputs: [{ shape: [T], ids: 9 }], build: seqIn((m) => {
    m.add(L.embedding({ inputDim: 9, outputDim: 4, inputLength: T, maskZero: true }));
    m.add(L.lstm({ units: 3, returnSequences: true }));
    m.add(L.timeDistributed({ layer: L.dense({ units: 2, activation: 'softmax' }) }));
  }) },
  { name: 'conv1d variants and pooling', inputs: [{ shape: [12, 3] }], build: seqIn((m) => {
    m.add(L.conv1d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, inputShape: [12, 3], activation: 'elu' }));
    m.add(L.conv1d({ filters: 3, kernelSize: 2, strides: 2, padding: 'valid', useBias: false }));
    m.add(L.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }));
    m.add(L.maxPooling1d({ poolSize: 2, padding: 'valid' }));
    m.add(L.globalAveragePooling1d({}));
  }) },
  { name: 'normalization layers', inputs: [{ shape: [T, 4] }], build: seqIn((m) => {
    m.add(L.batchNormalization({ inputShape: [T, 4], momentum: 0.9, epsilon: 1e-3, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform', movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones' }));
    m.add(L.layerNormalization({ epsilon: 1e-4, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform' }));
    m.add(L.batchNormalization({ center: false, scale: false, movingMeanInitializer: 'randomNormal' }));
    m.add(L.globalMaxPooling1d({}));
  }) },
  { name: 'masking, reshape, permute, repeatVector, flatten', inputs: [{ shape: [T, 4] }], build: seqIn((m) => {
    m.add(L.masking({ maskValue: 0, inputShape: [T, 4] }));
    m.add(L.lstm({ units: 4 }));
    m.add(L.repeatVector({ n: 3 }));
    m.add(L.permute({ dims: [2, 1] }));
    m.add(L.reshape({ targetShape: [2, 6] }));
    m.add(L.flatten());
    m.add(L.dense({ units: 2 }));
  }) },
  { name: 'activation layers', inputs: [{ shape: [T, 4] }], build: seqIn((m) => {
    m.add(L.dense({ units: 5, inputShape: [T, 4] }));
    m.add(L.reLU({ maxValue: 0.5 }));
    m.add(L.dense({ units: 5 }));
    m.add(L.leakyReLU({ alpha: 0.2 }));
    m.add(L.elu({}));
    m.add(L.prelu({ alphaInitializer: 'randomUniform' }));
    m.add(L.thresholdedReLU({ theta: 0.05 }));
    m.add(L.dense({ units: 3 }));
    m.add(L.softmax({ axis: -1 }));
    m.add(L.activation({ activation: 'softplus' }));
  }) },
  { name: 'noise and dropout layers (inference identity)', inputs: [{ shape: [T, 4] }], build: seqIn((m) => {
    m.add(L.gaussianNoise({ stddev: 0.3, inputShape: [T, 4] }));
    m.add(L.gaussianDropout({ rate: 0.3 }));
    m.add(L.alphaDropout({ rate: 0.3 }));
    m.add(L.spatialDropout1d({ rate: 0.3 }));
    m.add(L.dropout({ rate: 0.3 }));
    m.add(L.dense({ units: 2 }));
  }) },
  { name: 'functional: two inputs, merges, two outputs, shared layer', inputs: [{ shape: [T, 3] }, { shape: [T, 3] }], build: () => {
    const a = L.input({ shape: [T, 3], name: 'a' }), b = L.input({ shape: [T, 3], name: 'b' });
    const shared = L.lstm({ units: 4, returnSequences: true, name: 'shared' });
    const sa = shared.apply(a) as tf.SymbolicTensor, sb = shared.apply(b) as tf.SymbolicTensor;
    const add = L.add().apply([sa, sb]) as tf.SymbolicTensor;
    const mul = L.multiply().apply([sa, sb]) as tf.SymbolicTensor;
    const avg = L.average().apply([sa, sb]) as tf.SymbolicTensor;
    const mx = L.maximum().apply([add, mul]) as tf.SymbolicTensor;
    const mn = L.minimum().apply([avg, mx]) as tf.SymbolicTensor;
    const cat = L.concatenate({ axis: -1 }).apply([mn, sa]) as tf.SymbolicTensor;
    const pooled = L.globalAveragePooling1d({}).apply(cat) as tf.SymbolicTensor;
    const dot = L.dot({ axes: -1, normalize: true }).apply([L.dense({ units: 3 }).apply(pooled) as tf.SymbolicTensor, L.dense({ units: 3 }).apply(pooled) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const out1 = L.dense({ units: 2, activation: 'softmax', name: 'out1' }).apply(pooled) as tf.SymbolicTensor;
    return tf.model({ inputs: [a, b], outputs: [out1, dot] });
  } },
  { name: 'functional: returnState and bidirectional mergeMode null', inputs: [{ shape: [T, 3] }], build: () => {
    const x = L.input({ shape: [T, 3] });
    const [seq, h, c] = L.lstm({ units: 3, returnSequences: true, returnState: true }).apply(x) as tf.SymbolicTensor[];
    const [f, bk] = L.bidirectional({ layer: L.gru({ units: 2, resetAfter: false } as never) as never, mergeMode: null as never }).apply(seq) as tf.SymbolicTensor[];
    const y = L.concatenate().apply([h, c, f, bk]) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: y });
  } },
  { name: 'functional: a nested sequential model inside', inputs: [{ shape: [T, 3] }], build: () => {
    const inner = tf.sequential({ layers: [L.lstm({ units: 4, inputShape: [T, 3], returnSequences: true }), L.timeDistributed({ layer: L.dense({ units: 2 }) })] });
    const x = L.input({ shape: [T, 3] });
    const y = inner.apply(x) as tf.SymbolicTensor;
    const z = L.globalMaxPooling1d({}).apply(y) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: L.dense({ units: 1 }).apply(z) as tf.SymbolicTensor });
  } },
  { name: 'a Sequential holding models as layers (seq.add(model)) loads as the graph it is', inputs: [{ shape: [T, 3] }], build: () => {
    const enc = tf.sequential({ layers: [L.lstm({ units: 4, inputShape: [T, 3], returnSequences: true })] });
    const x = L.input({ shape: [T, 4] });
    const head = tf.model({ inputs: x, outputs: L.globalAveragePooling1d({}).apply(x) as tf.SymbolicTensor });
    return tf.sequential({ layers: [enc, head, L.dense({ units: 2 })] });
  } },
  { name: 'generic rnn with one cell and with stacked cells', inputs: [{ shape: [T, 3] }], build: seqIn((m) => {
    m.add(L.rnn({ cell: L.lstmCell({ units: 3 }), returnSequences: true, inputShape: [T, 3] }));
    m.add(L.rnn({ cell: [L.simpleRNNCell({ units: 2 }), L.gruCell({ units: 3, resetAfter: false } as never)] as never, goBackwards: true }));
  }) },
  { name: 'rescaling', inputs: [{ shape: [T, 3] }], build: seqIn((m) => {
    m.add(L.rescaling({ scale: 0.5, offset: -0.25, inputShape: [T, 3] }));
    m.add(L.dense({ units: 2 }));
  }) },
  { name: 'functional: a padding mask through bidirectional, batchNormalization and layerNormalization', inputs: [{ shape: [T], ids: 5 }], build: () => {
    const x = L.input({ shape: [T] });
    const e = L.embedding({ inputDim: 5, outputDim: 3, maskZero: true }).apply(x) as tf.SymbolicTensor;
    const b = L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true }) as never }).apply(e) as tf.SymbolicTensor;
    const n = L.layerNormalization({ axis: -1 }).apply(L.batchNormalization({ movingMeanInitializer: 'randomNormal' }).apply(b) as tf.SymbolicTensor) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: L.gru({ units: 2, resetAfter: false } as never).apply(n) as tf.SymbolicTensor });
  } },
];

describe('tfjs <-> rnnlab, layer by layer', () => {
  for (const c of cases) {
    it(c.name, async () => {
      tf.setBackend('cpu');
      const tm = c.build();
      const n = 5;
      const data = c.inputs.map((inp, i) => inputData(inp, n, 11 + i));
      const tfIn = data.map((d, i) => tf.tensor(d, [n, ...c.inputs[i].shape]));
      const rlIn = data.map((d, i) => rl.tensor(d, [n, ...c.inputs[i].shape]));
      const tfOut = [tm.predict(tfIn.length === 1 ? tfIn[0] : tfIn)].flat() as tf.Tensor[];
      // (1) tfjs -> rnnlab
      const ours = rl.layersModelFromArtifacts(await tfArtifacts(tm) as never, { compile: false });
      const rlOut = [(rlIn.length === 1 ? ours.predict(rlIn[0]) : ours.predict(rlIn as never))].flat() as rl.Tensor[];
      expect(rlOut.length).toBe(tfOut.length);
      rlOut.forEach((o, i) => {
        expect(o.shape).toEqual(tfOut[i].shape);
        expect(maxAbsDiff(o.dataSync(), tfOut[i].dataSync())).toBeLessThan(1e-5);
      });
      // (2) rnnlab -> tfjs
      const back = await tf.loadLayersModel(tf.io.fromMemory(await rlArtifacts(ours) as tf.io.ModelArtifacts));
      const tfBack = [back.predict(tfIn.length === 1 ? tfIn[0] : tfIn)].flat() as tf.Tensor[];
      tfBack.forEach((o, i) => expect(maxAbsDiff(o.dataSync(), tfOut[i].dataSync())).toBeLessThan(1e-5));
      expect(back.weights.map((w) => w.originalName)).toEqual(tm.weights.map((w) => w.originalName));
    });
  }
});
