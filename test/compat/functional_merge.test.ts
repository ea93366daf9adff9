// Merge layers and the ops under them: values against plain loops, float64 gradient checks (including the
// gradient into a recurrent layer's initial states), and config round trips through the registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { batchMatMul, concat, l2Normalize, mergeElementwise, type MergeMode } from '../../src/autograd/merge_ops.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import type { Layer } from '../../src/layers/layer.js';
import { gradCheck, randomTensor } from './functional_helpers.js';

beforeAll(() => rl.setPrecision(64));
afterAll(() => rl.setPrecision(32));

const ctx = { training: false, mask: null };

describe('merge ops in float64', () => {
  it.each(['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'] as MergeMode[])('%s: values and gradients', (mode) => {
    const xs = [randomTensor([2, 3], 1), randomTensor([2, 3], 2), ...(mode === 'subtract' ? [] : [randomTensor([2, 3], 3)])];
    const y = mergeElementwise(xs, mode).dataSync();
    const ref = (i: number) => {
      const v = xs.map((x) => x.dataSync()[i]);
      switch (mode) {
        case 'add': return v.reduce((a, b) => a + b);
        case 'subtract': return v[0] - v[1];
        case 'multiply': return v.reduce((a, b) => a * b);
        case 'average': return v.reduce((a, b) => a + b) / v.length;
        case 'maximum': return Math.max(...v);
        default: return Math.min(...v);
      }
    };
    for (let i = 0; i < 6; i++) expect(y[i]).toBeCloseTo(ref(i), 12);
    gradCheck((ts) => mergeElementwise(ts, mode), xs);
  });

  it('concat on a middle axis and on the last', () => {
    const a = randomTensor([2, 2, 3], 1), b = randomTensor([2, 1, 3], 2);
    const y = concat([a, b], 1);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(Array.from(y.dataSync().slice(0, 9))).toEqual([...Array.from(a.dataSync().slice(0, 6)), ...Array.from(b.dataSync().slice(0, 3))]);
    gradCheck((ts) => concat(ts, 1), [a, b]);
    gradCheck((ts) => concat(ts, 2), [randomTensor([2, 2, 1], 3), randomTensor([2, 2, 4], 4)]);
  });

  it.each([[false, false], [true, false], [false, true], [true, true]])('batchMatMul transA=%s transB=%s', (ta, tb) => {
    const a = randomTensor(ta ? [2, 4, 3] : [2, 3, 4], 5), b = randomTensor(tb ? [2, 5, 4] : [2, 4, 5], 6);
    const y = batchMatMul(a, b, ta, tb);
    expect(y.shape).toEqual([2, 3, 5]);
    const A = a.dataSync(), B = b.dataSync();
    const at = (i: number, m: number, k: number) => (ta ? A[i * 12 + k * 3 + m] : A[i * 12 + m * 4 + k]);
    const bt = (i: number, k: number, n: number) => (tb ? B[i * 20 + n * 4 + k] : B[i * 20 + k * 5 + n]);
    for (let i = 0; i < 2; i++) for (let m = 0; m < 3; m++) for (let n = 0; n < 5; n++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += at(i, m, k) * bt(i, k, n);
      expect(y.dataSync()[i * 15 + m * 5 + n]).toBeCloseTo(s, 12);
    }
    gradCheck(([x, z]) => batchMatMul(x, z, ta, tb), [a, b]);
  });

  it('l2Normalize makes unit vectors along the axis; its gradient checks', () => {
    const x = randomTensor([2, 3, 4], 7);
    const y = l2Normalize(x, 1).dataSync();
    for (let o = 0; o < 2; o++) for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += y[(o * 3 + k) * 4 + j] ** 2;
      expect(s).toBeCloseTo(1, 12);
    }
    gradCheck((ts) => l2Normalize(ts[0], 1), [x]);
    gradCheck((ts) => l2Normalize(ts[0], 2), [x]);
  });
});

describe('merge layers', () => {
  it('dot with axes and normalize computes (cosine) similarities as Keras does', () => {
    const a = randomTensor([2, 3], 1), b = randomTensor([2, 3], 2);
    const d = rl.layers.dot({ axes: 1 }).apply([a, b]) as rl.Tensor;
    expect(d.shape).toEqual([2, 1]);
    const A = a.dataSync(), B = b.dataSync();
    const dot = (i: number) => A[i * 3] * B[i * 3] + A[i * 3 + 1] * B[i * 3 + 1] + A[i * 3 + 2] * B[i * 3 + 2];
    const norm = (X: ArrayLike<number>, i: number) => Math.hypot(X[i * 3], X[i * 3 + 1], X[i * 3 + 2]);
    expect(d.dataSync()[1]).toBeCloseTo(dot(1), 12);
    const c = rl.layers.dot({ axes: -1, normalize: true }).apply([a, b]) as rl.Tensor;
    expect(c.dataSync()[0]).toBeCloseTo(dot(0) / (norm(A, 0) * norm(B, 0)), 12);
    const q = randomTensor([2, 4, 3], 3), v = randomTensor([2, 5, 3], 4);
    const s = rl.layers.dot({ axes: [2, 2] }).apply([q, v]) as rl.Tensor;
    expect(s.shape).toEqual([2, 4, 5]);
    const layer = rl.layers.dot({ axes: [1, 1], normalize: true });
    gradCheck((ts) => layer.apply(ts) as rl.Tensor, [randomTensor([2, 4, 3], 5), randomTensor([2, 4, 2], 6)]);
    expect(() => rl.layers.dot({ axes: 1, name: 'd1' }).apply([rl.input({ shape: [3] }), rl.input({ shape: [4] })])).toThrow(/d1 \(Dot\): the contracted axes differ in size/);
    expect(() => rl.layers.dot({ axes: 'x' as never })).toThrow(/axes must be an integer or a pair of integers/);
  });

  it('the gradient reaches a recurrent layer\'s initial states', () => {
    for (const make of [() => rl.layers.lstm({ units: 3, returnSequences: true }), () => rl.layers.gru({ units: 3, resetAfter: true }), () => rl.layers.simpleRNN({ units: 3 })]) {
      rl.setSeed(1);
      const layer = make();
      const x = randomTensor([2, 4, 2], 8);
      const states = Array.from({ length: layer.stateCount }, (_, i) => randomTensor([2, 3], 9 + i, 0.5));
      layer.build([null, 4, 2]);
      gradCheck((ts) => layer.callTensors(ts, ctx, false, 1)[0], [x, ...states], layer.weights);
    }
  });

  const examples: [string, () => Layer][] = [
    ['InputLayer', () => new rl.layerClasses.InputLayer({ batchInputShape: [null, 3, 2], dtype: 'int32', name: 'ids' })],
    ['Add', () => rl.layers.add({ name: 'plus' })],
    ['Subtract', () => rl.layers.subtract()],
    ['Multiply', () => rl.layers.multiply()],
    ['Average', () => rl.layers.average()],
    ['Maximum', () => rl.layers.maximum()],
    ['Minimum', () => rl.layers.minimum({ trainable: false })],
    ['Concatenate', () => rl.layers.concatenate({ axis: 1 })],
    ['Dot', () => rl.layers.dot({ axes: [1, 2], normalize: true })],
  ];

  it.each(examples)('%s: fromConfig(getConfig()) gives the same layer', (cls, make) => {
    const layer = make();
    const back = deserializeLayer(serializeLayer(layer));
    expect(back.className).toBe(cls);
    expect(back.getConfig()).toEqual(layer.getConfig());
  });
});
