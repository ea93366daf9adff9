/**
 * The bf16 GEMM (mixed_bfloat16): native/gemm_bf16.cc against reference/bf16_gemm.ts, which rounds and sums in the
 * same order, so the two agree to the epilogue's last bit; and both against the fp32 GEMM within bf16's tolerance.
 * The native half needs AVX512-BF16 in the CPU and the avx512 kernels in force.
 */
import { describe, expect, it } from 'vitest';
import { Act, type ActCode, nativeKernels, referenceKernels } from '../../src/backend/index.js';
import { gemmBf16 } from '../../src/backend/reference/bf16_gemm.js';
import { Rng, randF32, relErr } from './util.js';

type GemmFn = typeof referenceKernels.gemm;
const addon = nativeKernels() as unknown as { gemmBf16?: GemmFn; bf16Supported?: () => boolean } | null;
const hasBf16 = !!addon?.bf16Supported?.();

interface Case { ta: boolean; tb: boolean; m: number; n: number; k: number; alpha?: number; beta?: number; bias?: boolean; act?: ActCode }

function inputs(c: Case, seed: number) {
  const rng = new Rng(seed);
  return { a: randF32(rng, c.m * c.k), b: randF32(rng, c.k * c.n), bias: c.bias ? randF32(rng, c.n) : null, c0: randF32(rng, c.m * c.n) };
}

function run(fn: GemmFn, c: Case, seed: number): Float32Array {
  const { a, b, bias, c0 } = inputs(c, seed);
  const out = Float32Array.from(c0);
  fn(c.ta, c.tb, c.m, c.n, c.k, c.alpha ?? 1, a, b, c.beta ?? 0, out, bias, c.act ?? Act.linear);
  return out;
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
// Micro-tile edges (12 x 32; last panels of at most 16 columns take one vector of sums, in and past one k block), odd
// k (a padded pair), k past one 256-pair block (the fp32 workspace path), threads, and few rows against a B past
// 1 MB (swept by column panels, gemm_bf16.cc's stream_b), and 5 x 2 panels past one k block (split by column
// panels on two threads, which balance better than row panels there).
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 17, 3], [13, 1, 5], [7, 5, 11], [8, 32, 16], [12, 32, 16], [9, 33, 17], [17, 31, 29], [25, 65, 9],
  [64, 100, 100], [31, 97, 64], [3, 40, 513], [20, 70, 1200], [100, 130, 37], [20, 3000, 300], [60, 64, 600],
];

describe('reference bf16 GEMM', () => {
  it('is the fp32 GEMM of bf16-rounded operands with pairwise fp32 sums (hand-computed)', () => {
    // 1 + 2^-8 lies exactly halfway between the bf16 values 1 and 1 + 2^-7: ties to even give 1.
    const a = new Float32Array([1 + 2 ** -8, 3]);
    const b = new Float32Array([1, 2 ** -9]);
    const c = new Float32Array(1);
    gemmBf16(false, false, 1, 1, 2, 1, a, b, 0, c, null, Act.linear);
    // Sum order: acc = 0 + 3 * 2^-9, then + 1 * 1 (odd element first).
    expect(c[0]).toBe(Math.fround(3 * 2 ** -9 + 1));
  });

  it('adds the odd element of each pair first, so a cancellation happens in vdpbf16ps order', () => {
    // k = 4, pairs (0, 1) and (2, 3), so the products are added as x1, x0, x3, x2.
    const a = new Float32Array([1, 2 ** 24, 1, -(2 ** 24)]);
    const b = new Float32Array([1, 1, 1, 1]);
    const c = new Float32Array(1);
    gemmBf16(false, false, 1, 1, 4, 1, a, b, 0, c, null, Act.linear);
    // acc = 2^24; + 1 -> 2^24 (tie to even); + (-2^24) -> 0; + 1 -> 1.
    expect(c[0]).toBe(1);
  });

  it('stays within bf16 tolerance of the fp32 GEMM', () => {
    for (const [m, n, k] of [[20, 30, 100], [5, 7, 600]] as const) {
      const c: Case = { ta: false, tb: false, m, n, k };
      const ref32 = run(referenceKernels.gemm as GemmFn, c, 3);
      const bf = run(gemmBf16, c, 3);
      // Each operand carries a relative rounding error of at most 2^-9; random signs make the sum's error grow
      // like sqrt(k) against a result of the same order: a few 1e-3 of the largest value.
      const e = relErr(bf, ref32);
      expect(e).toBeGreaterThan(1e-5); // it really rounded
      expect(e).toBeLessThan(2e-2);
    }
  });

  it('names bad arguments', () => {
    expect(() => gemmBf16(false, false, 2, 2, 2, 1, new Float32Array(3), new Float32Array(4), 0, new Float32Array(4), null, Act.linear))
      .toThrow(/gemmBf16: argument 'a' has 3 elements, needs 4/);
    expect(() => gemmBf16(false, false, 1, 1, 1, 1, new Float32Array(1), new Float32Array(1), 0, new Float32Array(1), null, 9 as ActCode))
      .toThrow(/gemmBf16/);
  });
});

describe.skipIf(!hasBf16)('native bf16 GEMM against the reference (needs AVX512-BF16)', () => {
  let seed = 100;
  let largest = 0;
  const check = (c: Case) => {
    const s = seed++;
    const nat = run(addon!.gemmBf16!, c, s);
    const ref = run(gemmBf16, c, s);
    const e = relErr(nat, ref);
    largest = Math.max(largest, e);
    expect(e, `${c.m}x${c.n}x${c.k} ta=${c.ta} tb=${c.tb} act=${c.act ?? 0}`).toBeLessThan(1e-6);
  };

  it('agrees on every shape and transpose', () => {
    for (const [m, n, k] of SHAPES) for (const [ta, tb] of TRANS) check({ ta, tb, m, n, k });
  });

  it('agrees with alpha, beta, bias and every activation', () => {
    const acts: ActCode[] = [Act.linear, Act.relu, Act.sigmoid, Act.tanh, Act.hardSigmoid];
    let i = 0;
    for (const act of acts)
      for (const [alpha, beta, bias] of [[1, 0, true], [0.5, 1, false], [-2, 0.3, true]] as const) {
        const [ta, tb] = TRANS[i++ % 4];
        check({ ta, tb, m: 23, n: 45, k: 70, alpha, beta, bias, act });
      }
    console.log(`native vs reference bf16 GEMM: largest relative difference ${largest.toExponential(2)}`);
  });

  // Deep products of a few rows (the LSTM's input kernel gradient x^T dxp, 100 x 400 over B*T steps) take the
  // 5 x 80 fitted tile (gemm_bf16.cc's fitted_wins): its sums must be the reference's to the bit, over several
  // 256-pair k blocks, odd k, and rows and columns that fill neither its tiles nor the 12 x 32 ones; and the same
  // through a B packed ahead (gemmBf16PackedB, the path the input kernel's gradient takes).
  it('gives the reference\'s bits on deep products of a few rows (the fitted tile), packed B or not', () => {
    const packed = addon as unknown as {
      gemmBf16PackB(tb: boolean, k: number, n: number, b: Float32Array, into: null): Int32Array;
      gemmBf16PackedB(ta: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, p: Int32Array,
        beta: number, c: Float32Array, bias: null, act: ActCode): void;
    };
    for (const [m, n, k] of [[100, 400, 600], [37, 77, 1031], [44, 75, 900], [3, 40, 513]])
      for (const ta of [true, false]) {
        const c: Case = { ta, tb: false, m, n, k }, s = seed++;
        const want = run(gemmBf16, c, s);
        expect(run(addon!.gemmBf16!, c, s), `${m}x${n}x${k} ta=${ta}`).toEqual(want);
        const { a, b } = inputs(c, s), out = new Float32Array(m * n).fill(NaN);
        packed.gemmBf16PackedB(ta, m, n, k, 1, a, packed.gemmBf16PackB(false, k, n, b, null), 0, out, null, Act.linear);
        expect(out, `packed ${m}x${n}x${k} ta=${ta}`).toEqual(want);
      }
    for (const [alpha, beta, bias, act] of [[0.5, 1, true, Act.relu], [-2, 0.3, false, Act.linear], [1, 0, true, Act.tanh]] as const)
      check({ ta: true, tb: false, m: 37, n: 77, k: 1031, alpha, beta, bias, act });
  });

  // A transposed A's row panels gathered from its columns as the sweep reaches them (products in one k block, swept
  // by row panels: the CNN head's dW, 50000 x 250 over the batch), at odd k and rows that fill no panel.
  it('gives the reference\'s bits with a transposed A gathered during the sweep', () => {
    for (const [m, n, k] of [[300, 37, 9], [1000, 250, 128], [130, 70, 65], [13, 40, 511]])
      for (const act of [Act.linear, Act.relu]) {
        const c: Case = { ta: true, tb: false, m, n, k, bias: true, act }, s = seed++;
        expect(run(addon!.gemmBf16!, c, s), `${m}x${n}x${k} act=${act}`).toEqual(run(gemmBf16, c, s));
      }
  });

  it('ignores C when beta = 0 and leaves A, B unread when alpha = 0', () => {
    const c = new Float32Array(6).fill(NaN);
    addon!.gemmBf16!(false, false, 2, 3, 4, 1, new Float32Array(8).fill(1), new Float32Array(12).fill(2), 0, c, null, Act.linear);
    expect([...c]).toEqual([8, 8, 8, 8, 8, 8]);
    const d = new Float32Array([1, 2]);
    addon!.gemmBf16!(false, false, 1, 2, 1, 0, new Float32Array([NaN]), new Float32Array([NaN, NaN]), 2, d, null, Act.linear);
    expect([...d]).toEqual([2, 4]);
  });

  it('names a short array', () => {
    expect(() => addon!.gemmBf16!(false, false, 2, 2, 2, 1, new Float32Array(3), new Float32Array(4), 0, new Float32Array(4), null, Act.linear))
      .toThrow(/gemmBf16: argument 'a' has 3 elements, needs 4/);
  });
});
