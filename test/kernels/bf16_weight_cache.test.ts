/**
 * The bf16 weight cache (src/backend/bf16_weight_cache.ts): a GEMM whose B operand is a marked weight reuses the
 * weight's packing until the weight is written again, and gives gemmBf16's bits exactly. Needs AVX512-BF16 in the
 * CPU and the avx512 kernels in force (the packing is native).
 */
import { describe, expect, it } from 'vitest';
import { Act, nativeKernels, referenceKernels } from '../../src/backend/index.js';
import { cachedBf16Gemm, markWeightWritten, type Bf16PackAddon } from '../../src/backend/bf16_weight_cache.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Variable } from '../../src/variable.js';
import { Rng, randF32 } from './util.js';

type GemmFn = typeof referenceKernels.gemm;
type Addon = Bf16PackAddon & { gemmBf16: GemmFn; bf16Supported(): boolean };
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

function product(fn: GemmFn, ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array,
  extras: { c0: Float32Array; bias: Float32Array | null; beta: number; act: number }): Float32Array {
  const out = Float32Array.from(extras.c0);
  fn(ta, tb, m, n, k, 1, a, b, extras.beta, out, extras.bias, extras.act as never);
  return out;
}

// Tile edges, odd k, a k past one 256-pair block, and the CNN head's wide-and-short shape scaled down.
const SHAPES: [number, number, number][] = [[1, 1, 1], [9, 33, 17], [17, 31, 29], [3, 40, 513], [20, 70, 1200], [4, 7, 3000]];

// AVX512-BF16 is a CPU feature: without it the packing kernels refuse to run (their own error is tested below).
describe.skipIf(!hasBf16)('cached bf16 GEMM (native)', () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`gives gemmBf16's bits for marked weights (transA ${ta}, transB ${tb})`, () => {
      const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16);
      const rng = new Rng(ta ? 7 : 3);
      for (const [m, n, k] of SHAPES) {
        const a = randF32(rng, m * k), w = randF32(rng, k * n);
        markWeightWritten(w);
        const extras = { c0: randF32(rng, m * n), bias: tb ? randF32(rng, n) : null, beta: ta ? 0.5 : 0, act: tb ? Act.relu : Act.linear };
        const want = product(addon!.gemmBf16, ta, tb, m, n, k, a, w, extras);
        // twice: the first call packs the weight, the second reuses the packing
        expect(product(gemm, ta, tb, m, n, k, a, w, extras)).toEqual(want);
        expect(product(gemm, ta, tb, m, n, k, a, w, extras)).toEqual(want);
      }
    });
  }

  it('reuses the packing until the weight is marked written, then packs the new values', () => {
    const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16);
    const rng = new Rng(11);
    const [m, n, k] = [5, 40, 37];
    const a = randF32(rng, m * k), w = randF32(rng, k * n);
    const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
    markWeightWritten(w);
    const before = product(gemm, false, false, m, n, k, a, w, extras);
    w.set(randF32(rng, k * n));
    expect(product(gemm, false, false, m, n, k, a, w, extras)).toEqual(before);
    markWeightWritten(w);
    const after = product(gemm, false, false, m, n, k, a, w, extras);
    expect(after).toEqual(product(addon!.gemmBf16, false, false, m, n, k, a, w, extras));
    expect(after).not.toEqual(before);
  });

  it('packs unmarked arrays on every call (activations, gradients)', () => {
    const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16);
    const rng = new Rng(12);
    const [m, n, k] = [6, 20, 9];
    const a = randF32(rng, m * k), b = randF32(rng, k * n);
    const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
    product(gemm, false, true, m, n, k, a, b, extras);
    b.set(randF32(rng, k * n));
    expect(product(gemm, false, true, m, n, k, a, b, extras)).toEqual(product(addon!.gemmBf16, false, true, m, n, k, a, b, extras));
  });

  it('sees the writes of Variable.assign and of an optimizer step', () => {
    const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16);
    const rng = new Rng(13);
    const [m, n, k] = [4, 24, 10];
    const v = new Variable('kernel', [k, n]);
    v.assign(randF32(rng, k * n));
    const a = randF32(rng, m * k);
    const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
    const w = v.values as Float32Array;
    const check = () => expect(product(gemm, false, false, m, n, k, a, w, extras)).toEqual(product(addon!.gemmBf16, false, false, m, n, k, a, w, extras));
    check();
    v.assign(randF32(rng, k * n));
    check();
    v.grad = randF32(rng, k * n);
    new SGD({ learningRate: 0.5 }).applyGradients([v]);
    check();
  });

  it('packs a new version into the previous packing array, with the bits of a fresh packing', () => {
    const rng = new Rng(14);
    const [k, n] = [37, 45];
    const first = addon!.gemmBf16PackB(true, k, n, randF32(rng, k * n));
    const w = randF32(rng, k * n);
    const again = addon!.gemmBf16PackB(true, k, n, w, first);
    expect(again).toBe(first);
    const m = 3, a = randF32(rng, m * k);
    const viaPacked = new Float32Array(m * n), direct = new Float32Array(m * n);
    addon!.gemmBf16PackedB(false, m, n, k, 1, a, again, 0, viaPacked, null, Act.linear);
    addon!.gemmBf16(false, true, m, n, k, 1, a, w, 0, direct, null, Act.linear);
    expect(viaPacked).toEqual(direct);
    expect(() => addon!.gemmBf16PackB(true, k, n + 40, randF32(rng, k * (n + 40)), first)).toThrow(/gemmBf16PackB: argument 'into'/);
  });

  it('names the argument when the packed operand is too short', () => {
    const b = new Float32Array(8 * 8);
    const packed = addon!.gemmBf16PackB(false, 8, 8, b);
    expect(() => addon!.gemmBf16PackedB(false, 2, 8, 16, 1, new Float32Array(32), packed, 0, new Float32Array(16), null, Act.linear))
      .toThrow(/gemmBf16PackedB: argument 'packedB'/);
  });
});
