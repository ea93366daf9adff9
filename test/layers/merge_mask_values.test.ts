// Keras >= 3.4 (keras-team/keras#19685) leaves padded values out of Maximum, Minimum and Multiply: a masked input's
// value at a padded step is replaced (by the running result for Maximum/Minimum, by 1 for Multiply), a step padded
// in every input gives the first input's value (Maximum/Minimum) or 0 (Multiply, and only when every input has a
// mask). Add, Subtract and Average merge every value, masked or not. The expected values are worked out by hand from
// Keras's merge code; a literal elementwise reading of that code checks random cases, and float64 central
// differences the gradients (none flows into a value Keras's where() leaves out).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { mergeElementwise, type MergeMode } from '../../src/autograd/merge_ops.js';
import { withTape } from '../../src/autograd/tape.js';
import type { Layer } from '../../src/layers/layer.js';
import { gradCheck, randomTensor } from '../compat/functional_helpers.js';

type Mask = number[] | null;
const L = rl.layers as unknown as Record<string, () => Layer>;

// [1, 4, 2]: four steps of two features each.
const a = [1, -2, 5, 6, 0.5, 3, 7, -8];
const b = [4, -3, -1, 2, -7, 8, -6, 9];
const c = [2, 0, 9, -5, -4, 1, 3, 3];
const ma = [1, 0, 1, 0], mb = [1, 1, 0, 0], mc = [0, 1, 1, 0];

function run(mode: string, xs: number[][], masks: Mask[]): number[] {
  const ts = xs.map((x) => rl.tensor(x, [1, 4, 2]));
  const ms = masks.map((m) => (m ? rl.tensor(m, [1, 4]) : null));
  const y = L[mode]().apply(ts, { mask: ms }) as rl.Tensor;
  return Array.from(y.dataSync());
}

describe('masked Maximum, Minimum and Multiply take only real values (Keras >= 3.4)', () => {
  it('a mask on one input: its padded steps take the other input\'s values', () => {
    expect(run('maximum', [a, b], [ma, null])).toEqual([4, -2, -1, 2, 0.5, 8, -6, 9]);
    expect(run('minimum', [a, b], [ma, null])).toEqual([1, -3, -1, 2, -7, 3, -6, 9]);
    expect(run('multiply', [a, b], [ma, null])).toEqual([4, 6, -1, 2, -3.5, 24, -6, 9]);
    // The mask on the second input instead.
    expect(run('maximum', [a, b], [null, mb])).toEqual([4, -2, 5, 6, 0.5, 3, 7, -8]);
    expect(run('multiply', [a, b], [null, mb])).toEqual([4, 6, -5, 12, 0.5, 3, 7, -8]);
  });

  it('masks on both inputs: a step padded in both gives the first input (maximum, minimum) or 0 (multiply)', () => {
    expect(run('maximum', [a, b], [ma, mb])).toEqual([4, -2, -1, 2, 0.5, 3, 7, -8]);
    expect(run('minimum', [a, b], [ma, mb])).toEqual([1, -3, -1, 2, 0.5, 3, 7, -8]);
    expect(run('multiply', [a, b], [ma, mb])).toEqual([4, 6, -1, 2, 0.5, 3, 0, 0]);
  });

  it('three inputs, all masked and with one unmasked among them', () => {
    expect(run('maximum', [a, b, c], [ma, mb, mc])).toEqual([4, -2, 9, 2, 0.5, 3, 7, -8]);
    expect(run('minimum', [a, b, c], [ma, mb, mc])).toEqual([1, -3, -1, -5, -4, 1, 7, -8]);
    expect(run('multiply', [a, b, c], [ma, mb, mc])).toEqual([4, 6, -9, -10, -2, 3, 0, 0]);
    // b unmasked: it always counts, and no step is padded everywhere (no zeros from multiply).
    expect(run('maximum', [a, b, c], [ma, null, mc])).toEqual([4, -2, 9, 2, 0.5, 8, -6, 9]);
    expect(run('minimum', [a, b, c], [ma, null, mc])).toEqual([1, -3, -1, -5, -7, 1, -6, 9]);
    expect(run('multiply', [a, b, c], [ma, null, mc])).toEqual([4, 6, -9, -10, 14, 24, -6, 9]);
  });

  it('add, subtract and average still merge padded values, as Keras', () => {
    expect(run('add', [a, b], [ma, mb])).toEqual(a.map((v, i) => v + b[i]));
    expect(run('subtract', [a, b], [ma, mb])).toEqual(a.map((v, i) => v - b[i]));
    run('average', [a, b, c], [ma, mb, mc]).forEach((v, i) => expect(v).toBeCloseTo((a[i] + b[i] + c[i]) / 3, 6));
  });

  it('all-real masks give exactly the unmasked result', () => {
    const ones = [1, 1, 1, 1];
    for (const mode of ['maximum', 'minimum', 'multiply']) {
      const plain = Array.from((L[mode]().apply([a, b, c].map((x) => rl.tensor(x, [1, 4, 2]))) as rl.Tensor).dataSync());
      expect(run(mode, [a, b, c], [ones, ones, ones])).toEqual(plain);
      expect(run(mode, [a, b, c], [null, null, null])).toEqual(plain);
    }
    expect(Array.from((L.maximum().apply([a, b].map((x) => rl.tensor(x, [1, 4, 2]))) as rl.Tensor).dataSync())).toEqual([4, -2, 5, 6, 0.5, 8, 7, 9]);
  });

  it('in a model, embedding padding never reaches a step the OR mask marks real', () => {
    const x = rl.input({ shape: [3] }), y = rl.input({ shape: [3] });
    const ea = rl.layers.embedding({ inputDim: 4, outputDim: 1, maskZero: true }), eb = rl.layers.embedding({ inputDim: 4, outputDim: 1, maskZero: true });
    const sa = ea.apply(x) as rl.SymbolicTensor, sb = eb.apply(y) as rl.SymbolicTensor;
    const outs = ['maximum', 'minimum', 'multiply'].map((mode) => L[mode]().apply([sa, sb]) as rl.SymbolicTensor);
    const m = rl.model({ inputs: [x, y], outputs: outs });
    ea.setWeights([rl.tensor([[5], [1], [2], [3]], [4, 1])]);
    eb.setWeights([rl.tensor([[-7], [4], [-1], [0.5]], [4, 1])]);
    // Step 0 real in both, step 1 padded in the first (embeds to 5), step 2 padded in the second (embeds to -7).
    const ys = m.predict([rl.tensor([[1, 0, 3]], [1, 3]), rl.tensor([[1, 2, 0]], [1, 3])]) as rl.Tensor[];
    expect(ys.map((t) => Array.from(t.dataSync()))).toEqual([[4, -1, 3], [1, -1, 3], [4, -1, 3]]);
  });
});

/**
 * Keras's masked merge read literally, one element at a time: Maximum/Minimum fold the inputs left to right,
 * a masked input taking the running value and the running value taking the input where no mask so far is real;
 * Multiply puts 1 for masked values and 0 where every input has a mask and none is real. real[k] is null for none.
 */
function kerasElement(mode: MergeMode, v: number[], real: (boolean | null)[]): number {
  if (mode === 'multiply') {
    const p = v.reduce((acc, x, k) => acc * (real[k] === false ? 1 : x), 1);
    return real.every((r) => r !== null) && !real.some((r) => r) ? 0 : p;
  }
  const op = mode === 'maximum' ? Math.max : Math.min;
  let out = v[0], any: boolean | null = real[0];
  for (let k = 1; k < v.length; k++) {
    const x = real[k] === false ? out : v[k];
    if (any === false) out = x;
    any = any === null || real[k] === null ? null : any || real[k];
    out = op(out, x);
  }
  return out;
}

describe('masked merge ops in float64', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));
  const B = 3, T = 4, D = 2;
  const maskOf = (seed: number) => { const r = new rl.Random(seed); return Uint8Array.from({ length: B * T }, () => (r.uniform(0, 1) < 0.5 ? 1 : 0)); };
  const layouts: [string, (Uint8Array | null)[]][] = [
    ['one input masked', [maskOf(1), null, null]],
    ['all three masked', [maskOf(2), maskOf(3), maskOf(4)]],
    ['first unmasked', [null, maskOf(5), maskOf(6)]],
  ];

  for (const mode of ['maximum', 'minimum', 'multiply'] as MergeMode[]) {
    for (const [what, masks] of layouts) {
      it(`${mode}, ${what}: Keras's values, and gradients as central differences`, () => {
        const xs = [1, 2, 3].map((s) => randomTensor([B, T, D], s));
        const y = mergeElementwise(xs, mode, masks).dataSync();
        for (let i = 0; i < B * T * D; i++) {
          const step = Math.floor(i / D);
          const want = kerasElement(mode, xs.map((x) => x.dataSync()[i]), masks.map((m) => (m ? m[step] === 1 : null)));
          expect(y[i]).toBeCloseTo(want, 12);
        }
        gradCheck((ts) => mergeElementwise(ts, mode, masks), xs);
      });
    }

    it(`${mode}: a [B, T, 1] input's mask broadcasts over the features; masked values get no gradient`, () => {
      const xs = [randomTensor([B, T, D], 7), randomTensor([B, T, 1], 8)];
      const masks = [maskOf(9), maskOf(10)];
      const y = mergeElementwise(xs, mode, masks).dataSync();
      for (let i = 0; i < B * T * D; i++) {
        const step = Math.floor(i / D);
        const want = kerasElement(mode, [xs[0].dataSync()[i], xs[1].dataSync()[step]], masks.map((m) => m[step] === 1));
        expect(y[i]).toBeCloseTo(want, 12);
      }
      gradCheck((ts) => mergeElementwise(ts, mode, masks), xs);
      xs.forEach((x) => { x.requiresGrad = true; });
      const { value, backward } = withTape(() => rl.sum(mergeElementwise(xs, mode, masks)));
      backward(value);
      // The second input is never the fallback, so its padded steps get nothing.
      for (let s = 0; s < B * T; s++) if (!masks[1][s]) expect(xs[1].grad![s]).toBe(0);
      xs.forEach((x) => { x.requiresGrad = false; x.grad = null; });
    });
  }

  it('an input of lower rank merges as if unmasked (Keras\'s expand_dims drops its mask)', () => {
    const xs = [randomTensor([B, T, D], 11), randomTensor([B, D], 12)];
    const padded = new Uint8Array(B * D);
    for (const mode of ['maximum', 'multiply'] as MergeMode[]) {
      expect(Array.from(mergeElementwise(xs, mode, [null, padded]).dataSync())).toEqual(Array.from(mergeElementwise(xs, mode).dataSync()));
    }
  });
});
