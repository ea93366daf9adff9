// TimeDistributed around the layers whose options count axes of the folded (batch·steps, ...) input: Softmax over a
// positive axis, PReLU (alpha made for the folded input, shared axes), CategoryEncoding (ids on the last axis). ONNX
// Runtime must give predict's numbers (<= 1e-5) and shapes; a Softmax over the folded axis 0 is refused by name.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortSession } from './helpers.js';
import * as ort from 'onnxruntime-node';

const L = rl.layers;

function values(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-3, 3)), shape);
}

async function expectSameAsOrt(m: rl.Sequential, x: rl.Tensor): Promise<void> {
  const session = await ortSession(toOnnx(m));
  const feed = x.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(x.values), x.shape) : new ort.Tensor('float32', Float32Array.from(x.values), x.shape);
  const out = (await session.run({ [session.inputNames[0]]: feed }))[session.outputNames[0]];
  const ours = m.predict(x);
  expect(out.dims).toEqual(ours.shape);
  expect(maxAbsDiff(ours.values, out.data as Float32Array)).toBeLessThanOrEqual(1e-5);
}

describe('ONNX export of TimeDistributed around axis-counting layers', () => {
  it('Softmax over a positive axis of the wrapped layer\'s input (rank 3 and 4, one axis and several)', async () => {
    for (const axis of [1, -1, [1]]) {
      const m = rl.sequential({ layers: [L.timeDistributed({ layer: L.softmax({ axis: axis as number }), inputShape: [3, 4] })] });
      await expectSameAsOrt(m, values([2, 3, 4], 1));
    }
    for (const axis of [1, 2, [1, 2], -2]) {
      const m = rl.sequential({ layers: [L.timeDistributed({ layer: L.softmax({ axis: axis as number }), inputShape: [3, 2, 5] })] });
      await expectSameAsOrt(m, values([2, 3, 2, 5], 2));
    }
  });

  it('Softmax over axis 0 (the folded batch and steps) is refused, naming the layer', () => {
    const m = rl.sequential({ layers: [L.timeDistributed({ layer: L.softmax({ axis: 0 }), inputShape: [3, 4], name: 'td_sm0' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'td_sm0' \(TimeDistributed\) wraps a Softmax over axis 0/);
    // The same axis counted from the end: -2 of the folded (batch·steps, 4), -3 of (batch·steps, 2, 4), in a list too.
    const neg = (axis: number | number[], inputShape: number[]) =>
      rl.sequential({ layers: [L.timeDistributed({ layer: L.softmax({ axis }), inputShape, name: 'td_neg' })] });
    expect(() => toOnnx(neg(-2, [3, 4]))).toThrow(/'td_neg' \(TimeDistributed\) wraps a Softmax over axis 0 .*axis -2 counted from the end/);
    expect(() => toOnnx(neg(-3, [3, 2, 4]))).toThrow(/wraps a Softmax over axis 0 .*axis -3/);
    expect(() => toOnnx(neg([-2, -1], [3, 4]))).toThrow(/wraps a Softmax over axis 0/);
  });

  it('PReLU: one alpha per feature, shared axes, rank 4, free steps', async () => {
    const cases: [Record<string, unknown>, (number | null)[], number[]][] = [
      [{}, [3, 4], [2, 3, 4]],
      [{ sharedAxes: [1] }, [3, 4], [2, 3, 4]],
      [{}, [3, 2, 5], [2, 3, 2, 5]],
      [{ sharedAxes: [2] }, [3, 2, 5], [2, 3, 2, 5]],
      [{}, [null, 4], [2, 7, 4]],
    ];
    for (const [i, [opts, inputShape, shape]] of cases.entries()) {
      rl.setSeed(40 + i);
      const m = rl.sequential({ layers: [L.dense({ units: shape[shape.length - 1], inputShape }), L.timeDistributed({ layer: L.prelu({ ...opts, alphaInitializer: 'randomUniform' }) })] });
      await expectSameAsOrt(m, values(shape, 10 + i));
    }
  });

  it('CategoryEncoding reduces over each step\'s ids, each output mode, int32 and float ids', async () => {
    const ids = [1, 4, 1, 0, 0, 2, 3, 3, 4, 4, 2, 1];
    for (const outputMode of ['multiHot', 'count'] as const) {
      const m = rl.sequential({ layers: [L.inputLayer({ batchInputShape: [null, 3, 2], dtype: 'int32' }), L.timeDistributed({ layer: L.categoryEncoding({ numTokens: 5, outputMode }) })] });
      await expectSameAsOrt(m, rl.tensor(ids, [2, 3, 2], 'int32'));
      const f = rl.sequential({ layers: [L.timeDistributed({ layer: L.categoryEncoding({ numTokens: 5, outputMode }), inputShape: [3, 2] }), L.dense({ units: 2 })] });
      await expectSameAsOrt(f, rl.tensor(ids, [2, 3, 2]));
    }
    const one = rl.sequential({ layers: [L.timeDistributed({ layer: L.categoryEncoding({ numTokens: 5, outputMode: 'oneHot' }), inputShape: [3, 1] })] });
    await expectSameAsOrt(one, rl.tensor([1, 4, 0, 2, 3, 3], [2, 3, 1]));
  });
});
