/**
 * tfjs-core loss ops and selection/pool ops against tfjs 4.22: sigmoidCrossEntropy's gradient at a zero logit,
 * meanSquaredError's shape check, inTopKAsync with NaN predictions, and the max pools on int32 input.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Lib = typeof rl | typeof tf;
const libs: [string, Lib][] = [['rl', rl], ['tf', tf]];
const read = (t: { dtype: string; shape: number[]; dataSync(): ArrayLike<number> }) => ({ dtype: t.dtype, shape: [...t.shape], values: Array.from(t.dataSync()) });
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('losses.sigmoidCrossEntropy gradient', () => {
  const labels = [0, 1, 0.5, 0.25];
  for (const [what, logits] of [['at a zero logit', [0, 0, 0, 0]], ['around zero', [0, -1e-6, 1e-6, 2]]] as const) {
    it(`is sigmoid(x) - z ${what}, as tfjs (SUM and the default reduction)`, () => {
      const grads = libs.map(([, L]) => [L.Reduction.SUM, undefined].map((red) => {
        const f = (x: any) => (L as any).losses.sigmoidCrossEntropy((L as any).tensor1d(labels), x, undefined, 0, red);
        return Array.from((L as any).grad(f)((L as any).tensor1d([...logits])).dataSync() as ArrayLike<number>);
      }));
      logits.forEach((x, i) => {
        expect(grads[0][0][i]).toBeCloseTo(sigmoid(x) - labels[i], 6);
        expect(grads[0][1][i]).toBeCloseTo((sigmoid(x) - labels[i]) / logits.length, 6);
        expect(grads[0][0][i]).toBeCloseTo(grads[1][0][i], 6);
        expect(grads[0][1][i]).toBeCloseTo(grads[1][1][i], 6);
      });
    });
  }

  it('with labelSmoothing the zero-logit gradient uses the smoothed labels, as tfjs', () => {
    const [ours, theirs] = libs.map(([, L]) => Array.from((L as any).grad((x: any) => (L as any).losses.sigmoidCrossEntropy((L as any).tensor1d([0, 1]), x, undefined, 0.2, (L as any).Reduction.SUM))((L as any).tensor1d([0, 0])).dataSync() as ArrayLike<number>));
    expect(ours[0]).toBeCloseTo(0.5 - 0.1, 6);
    expect(ours[1]).toBeCloseTo(0.5 - 0.9, 6);
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 6));
  });
});

describe('losses.meanSquaredError shapes (tfjs-core form)', () => {
  const unequal: [number[][] | number[], number[][] | number[], string][] = [
    [[[1, 2, 3], [4, 5, 6]], [1, 2, 3], 'Shapes [2,3] and [3] must match'],
    [[[1], [2]], [[1, 2, 3], [4, 5, 6]], 'Shapes [2,1] and [2,3] must match'],
    [[1, 2, 3], [[1], [2], [3]], 'Shapes [3] and [3,1] must match'],
  ];
  for (const [labels, predictions, message] of unequal) {
    it(`refuses ${message.slice(7, -11)} without weights as with them, as tfjs does`, () => {
      expect(() => rl.losses.meanSquaredError(labels, predictions)).toThrow(`Error in meanSquaredError: ${message}`);
      expect(() => rl.losses.meanSquaredError(labels, predictions, 1)).toThrow(`Error in meanSquaredError: ${message}`);
      expect(() => tf.losses.meanSquaredError(labels, predictions)).toThrow(/Error in meanSquaredError: +Shapes .* must match/);
    });
  }

  it('equal shapes give tfjs\'s value with and without weights; rl.losses.mse still pairs [n] with [n, 1] as Keras', () => {
    const labels = [[1, 2], [3, 5]], predictions = [[1.5, 2], [2, 7]];
    expect(rl.losses.meanSquaredError(labels, predictions).dataSync()[0]).toBeCloseTo(tf.losses.meanSquaredError(labels, predictions).dataSync()[0], 6);
    expect(rl.losses.meanSquaredError(labels, predictions).dataSync()[0]).toBeCloseTo((0.25 + 1 + 4) / 4, 6);
    expect(rl.losses.meanSquaredError(labels, predictions, [[1, 0], [2, 0]]).dataSync()[0])
      .toBeCloseTo(tf.losses.meanSquaredError(labels, predictions, [[1, 0], [2, 0]]).dataSync()[0], 6);
    expect(rl.losses.mse([1, 2, 3], [[1], [2], [4]]).dataSync()[0]).toBeCloseTo(1 / 3, 6);
  });
});

describe('inTopKAsync with NaN predictions', () => {
  it('agrees with tfjs where the NaN leads the row', async () => {
    for (const [target, k] of [[0, 1], [1, 1], [2, 2], [1, 2]]) {
      const [ours, theirs] = await Promise.all(libs.map(([, L]) => (L as any).inTopKAsync((L as any).tensor2d([[NaN, 0.3, 0.2]]), (L as any).tensor1d([target], 'int32'), k)));
      expect(read(ours)).toEqual(read(theirs));
    }
  });

  it('answers as topk\'s indices do (NaN largest, ties by lower index), wherever the NaNs are', async () => {
    const rows = [[0.3, NaN, 0.2, 0.3], [NaN, 0.1, NaN, 5], [1, 1, 1, NaN], [-Infinity, NaN, Infinity, 0]];
    const p = rl.tensor2d(rows);
    for (let k = 1; k <= 4; k++) {
      const top = rl.topk(p, k).indices.arraySync() as number[][];
      for (let target = 0; target < 4; target++) {
        const got = Array.from((await rl.inTopKAsync(p, rl.tensor1d(rows.map(() => target), 'int32'), k)).dataSync());
        expect(got).toEqual(top.map((ids) => (ids.includes(target) ? 1 : 0)));
      }
    }
  });
});

describe('max pools on int32 input, as tfjs 4.22', () => {
  const x = (L: any) => L.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1], 'int32');
  const cases: [string, (L: any) => any][] = [
    ['maxPool valid', (L) => L.maxPool(x(L), 2, 2, 'valid')],
    ['maxPool same, rank 3', (L) => L.maxPool(L.reshape(x(L), [4, 4, 1]), 3, 2, 'same')],
    ['maxPool beyond float32 precision', (L) => L.maxPool(L.tensor4d([2147483647, 16777217, -5, 3], [1, 2, 2, 1], 'int32'), [1, 2], 1, 'valid')],
    ['pool max', (L) => L.pool(x(L), [2, 2], 'max', 'valid')],
    ['pool max dilated', (L) => L.pool(x(L), [2, 2], 'max', 'same', [2, 2])],
    ['maxPoolWithArgmax', (L) => { const r = L.maxPoolWithArgmax(x(L), 2, 2, 'valid'); return [r.result, r.indexes]; }],
    ['dilation2d, int32 filter', (L) => L.dilation2d(x(L), L.ones([2, 2, 1], 'int32'), 1, 'same')],
    ['dilation2d, fractional float32 filter (truncates)', (L) => L.dilation2d(x(L), L.tensor3d([0.5, 1.5, -0.7, 1], [2, 2, 1]), 1, 'valid')],
    ['maxPool3d answers float32', (L) => L.maxPool3d(L.tensor5d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2, 1], 'int32'), 2, 1, 'valid')],
    ['maxPool gradient', (L) => L.grad((v: any) => L.maxPool(v, 2, 2, 'valid'))(x(L))],
  ];
  for (const [name, run] of cases) {
    it(name, () => {
      const [ours, theirs] = [run(rl), tf.tidy(() => run(tf))].map((r) => [r].flat().map(read));
      expect(ours).toEqual(theirs);
    });
  }

  it('int32 results keep int32 dtype (a float32 tensor stays float32)', () => {
    expect(rl.maxPool(x(rl), 2, 2, 'valid').dtype).toBe('int32');
    expect(rl.maxPool(rl.cast(x(rl), 'float32'), 2, 2, 'valid').dtype).toBe('float32');
  });
});
