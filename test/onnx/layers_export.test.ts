// The layers added after the first ONNX export (pooling, normalization, shape, padding, masking, noise, dilated and
// causal Conv1D), exported in Sequential and functional models and run by ONNX Runtime: outputs must equal
// rnnlab's predict (max abs difference <= 1e-5), masked steps anywhere in a row and all-masked rows included.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { Layer } from '../../src/layers/layer.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Random } from '../../src/random.js';
import { onnxCheck, PYTHON } from './onnx_checker.js';
import { maxAbsDiff, ortPredict, ortSession, tokenIds, trainBriefly } from './helpers.js';

const TOL = 1e-5;
const L = rl.layers;
const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;

/** Floats [n, T, F] where some steps are all maskValue: row 1 entirely, others at random places (the first step kept). */
function maskedSteps(n: number, T: number, F: number, seed: number, maskValue = 0): rl.Tensor {
  const r = new Random(seed);
  const d = new Float32Array(n * T * F);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) {
    const masked = i === 1 || (t > 0 && r.next() < 0.35);
    for (let f = 0; f < F; f++) d[(i * T + t) * F + f] = masked ? maskValue : r.next() * 2 - 1;
  }
  // A step equal to maskValue in one feature only is real.
  d[(2 * T + 1) * F] = maskValue;
  return rl.tensor(d, [n, T, F]);
}

async function expectSameAsOrt(m: rl.Sequential, x: rl.Tensor): Promise<void> {
  const session = await ortSession(toOnnx(m));
  const ours = m.predict(x);
  expect(maxAbsDiff(ours.values, await ortPredict(session, x))).toBeLessThanOrEqual(TOL);
}

interface Case { title: string; seed: number; layers: () => Layer[]; input: () => rl.Tensor; loss?: 'binaryCrossentropy' | 'categoricalCrossentropy' }

const CASES: Case[] = [
  {
    title: 'Conv1D causal with dilationRate 2, Conv1D same with dilationRate 3, AveragePooling1D same (stride 2), GlobalMaxPooling1D',
    seed: 70,
    layers: () => [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 13 }),
      L.conv1d({ filters: 5, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'relu' }),
      L.conv1d({ filters: 4, kernelSize: 2, dilationRate: 3, padding: 'same', activation: 'tanh' }),
      L.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
      L.globalMaxPooling1d(),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => tokenIds(7, 13, 20, 21),
  },
  {
    title: 'Conv1D valid with dilationRate 2, AveragePooling1D valid, UpSampling1D, ZeroPadding1D, Cropping1D, GlobalAveragePooling1D keepdims',
    seed: 71,
    layers: () => [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 12 }),
      L.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2 }),
      L.averagePooling1d({ poolSize: 2 }),
      L.upSampling1d({ size: 3 }),
      L.zeroPadding1d({ padding: [1, 2] }),
      L.cropping1d({ cropping: [2, 0] }),
      L.cropping1d({ cropping: 1 }),
      L.globalAveragePooling1d({ keepdims: true }),
      L.globalMaxPooling1d({ keepdims: true }),
      L.flatten(),
      L.dense({ units: 2, activation: 'softmax' }),
    ],
    input: () => tokenIds(6, 12, 20, 22), loss: 'categoricalCrossentropy',
  },
  {
    title: 'BatchNormalization (moving statistics, axis -1 and axis 1, without scale or center), LayerNormalization, Dense',
    seed: 72,
    layers: () => [
      L.batchNormalization({ inputShape: [5, 4], momentum: 0.6 }),
      L.dense({ units: 6, activation: 'relu' }),
      L.batchNormalization({ axis: 1, scale: false, momentum: 0.5 }),
      L.layerNormalization({ epsilon: 0.01 }),
      L.layerNormalization({ center: false, scale: false }),
      L.batchNormalization({ center: false, momentum: 0.3 }),
      L.flatten(),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => rl.randomNormal([16, 5, 4], 0.5, 2, 'float32', 23),
  },
  {
    title: 'Permute, Reshape with -1, LayerNormalization over two trailing axes, Reshape to rank 2',
    seed: 73,
    layers: () => [
      L.permute({ dims: [2, 1], inputShape: [6, 4] }),
      L.conv1d({ filters: 5, kernelSize: 2, activation: 'tanh' }),
      L.reshape({ targetShape: [-1, 5] }),
      L.layerNormalization({ axis: [1, 2] }),
      L.reshape({ targetShape: [15] }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => rl.randomNormal([9, 6, 4], 0, 1, 'float32', 24),
  },
  {
    title: 'Masking (steps masked anywhere, an all-masked row) through the noise layers into an LSTM, masked GlobalAveragePooling1D',
    seed: 74,
    layers: () => [
      L.masking({ inputShape: [8, 3] }),
      L.spatialDropout1d({ rate: 0.3 }),
      L.gaussianNoise({ stddev: 0.2 }),
      L.lstm({ units: 4, returnSequences: true }),
      L.gaussianDropout({ rate: 0.2 }),
      L.alphaDropout({ rate: 0.1 }),
      L.batchNormalization(),
      L.globalAveragePooling1d(),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => maskedSteps(10, 8, 3, 25),
  },
  {
    title: 'Masking with maskValue -1 into a Bidirectional GRU and a GRU',
    seed: 75,
    layers: () => [
      L.masking({ maskValue: -1, inputShape: [7, 2] }),
      L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true }) }),
      L.gru({ units: 2 }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => maskedSteps(8, 7, 2, 26, -1),
  },
  {
    title: 'ReverseTime (the seq2seq encoder\'s step reversal) between recurrent layers',
    seed: 76,
    layers: () => [
      L.simpleRNN({ units: 3, returnSequences: true, inputShape: [6, 2] }),
      new rl.layerClasses.ReverseTime(),
      L.gru({ units: 2 }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => rl.randomNormal([7, 6, 2], 0, 1, 'float32', 27),
  },
  {
    title: 'Embedding maskZero into GlobalAveragePooling1D (the mean over real tokens, zero for an all-padding row)',
    seed: 77,
    layers: () => [
      L.embedding({ inputDim: 30, outputDim: 5, inputLength: 9, maskZero: true }),
      L.globalAveragePooling1d(),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
    input: () => tokenIds(8, 9, 30, 28, { pad: true, holes: true, allowEmpty: true }),
  },
];

describe('the newer layers export to ONNX and match predict in ONNX Runtime', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      rl.setSeed(c.seed);
      const m = rl.sequential({ layers: c.layers() });
      const x = c.input();
      await trainBriefly(m, x, c.loss ?? 'binaryCrossentropy');
      await expectSameAsOrt(m, x);
    });
  }

  it('the same after a save and load round trip (the configs as the Layers format writes them)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-layers-'));
    try {
      for (const [i, c] of CASES.entries()) {
        rl.setSeed(c.seed);
        const saved = rl.sequential({ layers: c.layers() });
        const x = c.input();
        await trainBriefly(saved, x, c.loss ?? 'binaryCrossentropy');
        await saved.save(join(dir, `case${i}`));
        await expectSameAsOrt(await rl.loadModel(join(dir, `case${i}`)), x);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('Masking zeroes exactly the steps whose features all equal maskValue', async () => {
    const m = rl.sequential({ layers: [L.masking({ maskValue: 0.5, inputShape: [5, 3] })] });
    const x = maskedSteps(6, 5, 3, 27, 0.5);
    const theirs = await ortPredict(await ortSession(toOnnx(m)), x);
    expect(Array.from(theirs)).toEqual(Array.from(m.predict(x).values));
    expect(theirs.filter((v) => v === 0).length).toBeGreaterThan(15); // row 1 alone has 15 masked values
  });
});

// The checker is Python's onnx package; machines without it rely on the ONNX Runtime tests alone.
describe.skipIf(PYTHON === undefined)('the newer layers\' graphs pass onnx.checker (full_check)', () => {
  it('every case above', async () => {
    const models = CASES.map((c) => { rl.setSeed(c.seed); return toOnnx(rl.sequential({ layers: c.layers() })); });
    const r = await onnxCheck(models);
    expect(r.stderr).toBe('');
    expect(r.passed).toBe(CASES.length);
  });
});

describe('functional models with the newer layers match predict in ONNX Runtime', () => {
  it('masked float sequence through an LSTM, ids through a dilated causal Conv1D and pooling, joined and normalized', async () => {
    rl.setSeed(78);
    const seq = rl.input({ shape: [6, 3], name: 'series' }), ids = rl.input({ shape: [10], dtype: 'int32', name: 'tokens' });
    const a = one(L.lstm({ units: 4 }).apply(one(L.masking().apply(seq))));
    let b = one(L.embedding({ inputDim: 25, outputDim: 4 }).apply(ids));
    b = one(L.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'causal' }).apply(b));
    b = one(L.upSampling1d({ size: 2 }).apply(one(L.averagePooling1d({ poolSize: 2 }).apply(b))));
    b = one(L.globalAveragePooling1d().apply(one(L.layerNormalization().apply(b))));
    const joined = one(L.batchNormalization().apply(one(L.concatenate().apply([a, b]))));
    const y = one(L.dense({ units: 2, activation: 'softmax', name: 'label' }).apply(one(L.gaussianNoise({ stddev: 0.1 }).apply(joined))));
    const m = rl.model({ inputs: [seq, ids], outputs: y });
    const xs = [maskedSteps(5, 6, 3, 29), tokenIds(5, 10, 25, 30)];
    const session = await ortSession(toOnnx(m));
    const theirs = await session.run({
      series: new ort.Tensor('float32', Float32Array.from(xs[0].values), xs[0].shape),
      tokens: new ort.Tensor('int32', Int32Array.from(xs[1].values), xs[1].shape),
    });
    const ours = m.predict(xs) as rl.Tensor;
    expect(theirs.label.dims).toEqual(ours.shape);
    expect(maxAbsDiff(ours.values, theirs.label.data as Float32Array)).toBeLessThanOrEqual(TOL);
  });
});

describe('ONNX export refuses the cases of the newer layers it cannot express, naming layer and option', () => {
  it('TimeDistributed around a normalization layer', () => {
    const m = rl.sequential({ layers: [L.timeDistributed({ layer: L.batchNormalization(), inputShape: [3, 4], name: 'td_bn' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'td_bn' \(TimeDistributed\) wraps BatchNormalization, which is not exported inside TimeDistributed/);
  });
});
