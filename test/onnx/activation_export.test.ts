// The advanced-activation layers (ReLU with Keras's options, LeakyReLU, ELU, PReLU, ThresholdedReLU, Softmax over one
// axis or several, Rescaling, ActivityRegularization) exported to ONNX and run by ONNX Runtime: outputs must equal
// predict's (max abs difference <= 1e-5), inside TimeDistributed and functional models too; and CategoryEncoding.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { toOnnx } from '../../src/onnx/index.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const TOL = 1e-5;
const L = rl.layers;

/** Values in [-3, 3), so every branch of every layer (negative part, clip, threshold) is taken. */
function values(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-3, 3)), shape);
}

async function expectSameAsOrt(m: rl.Sequential, xs: rl.Tensor[]): Promise<void> {
  const session = await ortSession(toOnnx(m));
  for (const x of xs) expect(maxAbsDiff(m.predict(x).values, await ortPredict(session, x))).toBeLessThanOrEqual(TOL);
}

describe('ONNX export of the advanced activations matches predict in ONNX Runtime', () => {
  it('on (batch, features): reLU maxValue, leakyReLU, elu, thresholdedReLU, prelu, rescaling, softmax', async () => {
    rl.setSeed(21);
    const m = rl.sequential({ layers: [
      L.dense({ units: 6, inputShape: [4] }), L.reLU({ maxValue: 0.5 }), L.dense({ units: 6 }), L.leakyReLU({ alpha: 0.1 }),
      L.dense({ units: 6 }), L.elu({ alpha: 0.7 }), L.thresholdedReLU({ theta: 0.05 }), L.dense({ units: 6 }),
      L.prelu({ alphaInitializer: 'randomUniform' }), L.rescaling({ scale: 2, offset: -0.25 }), L.reLU(), L.activityRegularization({ l2: 0.1 }),
      L.dense({ units: 3 }), L.softmax(),
    ] });
    await expectSameAsOrt(m, [values([7, 4], 1)]);
  });

  it("on (batch, steps, features) of any length: prelu shared over steps, reLU with every Keras option, softmax over axes", async () => {
    rl.setSeed(22);
    const m = rl.sequential({ layers: [
      L.dense({ units: 5, batchInputShape: [null, null, 3] }), L.prelu({ sharedAxes: 1, alphaInitializer: 'randomNormal' }),
      L.reLU({ maxValue: 1, negativeSlope: 0.2, threshold: 0.3 }), L.reLU({ negativeSlope: 0.05 }), L.dense({ units: 4 }),
      L.softmax({ axis: 1 }), L.softmax({ axis: [1, 2] }),
    ] });
    await expectSameAsOrt(m, [values([3, 5, 3], 2), values([2, 9, 3], 3)]);
  });

  it('prelu with an alpha per element of (steps, features), and inside TimeDistributed', async () => {
    rl.setSeed(23);
    const m = rl.sequential({ layers: [
      L.dense({ units: 4, inputShape: [6, 3] }), L.prelu({ alphaInitializer: 'randomUniform' }),
      L.timeDistributed({ layer: L.leakyReLU({ alpha: 0.2 }) }), L.timeDistributed({ layer: L.elu() }),
    ] });
    await expectSameAsOrt(m, [values([4, 6, 3], 4)]);
  });

  it('categoryEncoding on the int32 input of a functional model', async () => {
    rl.setSeed(26);
    const input = rl.input({ shape: [4], dtype: 'int32' });
    const m = rl.model({ inputs: input, outputs: L.dense({ units: 3 }).apply(L.categoryEncoding({ numTokens: 6 }).apply(input) as SymbolicTensor) as SymbolicTensor });
    const x = rl.tensor(Int32Array.from([0, 5, 5, 2, 1, 1, 1, 1]), [2, 4], 'int32');
    const session = await ortSession(toOnnx(m));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('int32', Int32Array.from(x.values), x.shape) });
    expect(maxAbsDiff((m.predict(x) as rl.Tensor).values, out[session.outputNames[0]].data as Float32Array)).toBeLessThanOrEqual(TOL);
  });

  it('in a functional model', async () => {
    rl.setSeed(24);
    const input = rl.input({ shape: [5] });
    const h = L.thresholdedReLU({ theta: 0.2 }).apply(L.dense({ units: 4 }).apply(input) as SymbolicTensor) as SymbolicTensor;
    const m = rl.model({ inputs: input, outputs: L.softmax().apply(h) as SymbolicTensor });
    const x = values([3, 5], 5);
    const session = await ortSession(toOnnx(m));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.values), x.shape) });
    expect(maxAbsDiff((m.predict(x) as rl.Tensor).values, out[session.outputNames[0]].data as Float32Array)).toBeLessThanOrEqual(TOL);
  });

  it('categoryEncoding on float ids, each output mode', async () => {
    const ids = rl.tensor([[0, 3, 3], [2, 1, 0], [4, 4, 4]], [3, 3]);
    for (const outputMode of ['multiHot', 'count'] as const) {
      rl.setSeed(25);
      const m = rl.sequential({ layers: [L.categoryEncoding({ numTokens: 5, outputMode, inputShape: [3] }), L.dense({ units: 2 })] });
      await expectSameAsOrt(m, [ids]);
    }
    const one = rl.sequential({ layers: [L.categoryEncoding({ numTokens: 5, outputMode: 'oneHot', inputShape: [1] })] });
    await expectSameAsOrt(one, [rl.tensor([[3], [0]], [2, 1])]);
  });
});
