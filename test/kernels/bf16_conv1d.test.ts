/**
 * The bf16 Conv1D (mixed_bfloat16): native/conv1d_bf16.cc against reference/bf16_conv1d.ts (same rounding and sum
 * order), and the reference against the fp32 convolution within bf16's tolerance. Native half: needs AVX512-BF16.
 */
import { describe, expect, it } from 'vitest';
import { Act, type ActCode, backendInfo, nativeKernels, referenceKernels, setThreads } from '../../src/backend/index.js';
import { col2im, columnSums, conv1dBf16, conv1dBf16Backward, im2col } from '../../src/backend/reference/bf16_conv1d.js';
import { Rng, randF32, relErr } from './util.js';

type Conv = typeof referenceKernels.conv1d;
type ConvBack = typeof referenceKernels.conv1dBackward;
const addon = nativeKernels() as unknown as {
  conv1dBf16?: Conv; conv1dBf16Backward?: ConvBack; gemmBf16?: typeof referenceKernels.gemm; bf16Supported?: () => boolean;
} | null;
const hasBf16 = !!addon?.bf16Supported?.();

/**
 * [B, T, Cin, Cout, K, stride, padLeft, To]: 'same' and 'valid' padding, strides 2 and 3, edges, a window wider
 * than T, an odd number of rows B * To (dw's last k pair half empty), Cin * stride below a tile's width (dx's rows
 * overlap within a tile), last column panels of at most 16 columns, and long samples. The last two run the
 * backward's k blocks (512 rows) across sample boundaries, with odd To, and split over two threads with a thread
 * left without rows of dw (its samples' dx only). The last three run on two threads with blocks of many short samples
 * (the shared transposed samples' slots wrap), one column of dy (one thread packs only the panel's zero padding), and
 * 17 columns with stride 2 (the threads' columns of dy, and their time steps of dx, split unevenly).
 */
const SHAPES: number[][] = [
  [2, 9, 3, 5, 3, 1, 1, 9], [3, 20, 7, 33, 3, 1, 1, 20], [2, 17, 4, 6, 5, 2, 2, 9], [1, 6, 2, 3, 4, 1, 0, 3],
  [4, 30, 16, 40, 3, 1, 0, 28], [1, 2, 3, 4, 5, 1, 2, 2], [5, 31, 8, 7, 5, 3, 1, 9], [3, 1001, 200, 5, 3, 1, 0, 999],
  [3, 50, 100, 200, 3, 1, 1, 50], [6, 333, 10, 40, 3, 2, 1, 167], [2, 700, 4, 96, 1, 1, 0, 700],
  [400, 3, 8, 24, 3, 1, 1, 3], [64, 300, 20, 1, 3, 1, 1, 300], [40, 200, 30, 17, 3, 2, 1, 100],
];

function run(fwd: Conv, back: ConvBack, s: number[], seed: number, act: ActCode) {
  const [B, T, Cin, Cout, K, stride, pl, To] = s;
  const rng = new Rng(seed);
  const x = randF32(rng, B * T * Cin), w = randF32(rng, K * Cin * Cout), bias = randF32(rng, Cout), dy = randF32(rng, B * To * Cout);
  const y = new Float32Array(B * To * Cout).fill(NaN);
  fwd(B, T, Cin, Cout, K, stride, pl, To, x, w, bias, y, act);
  const dx = new Float32Array(B * T * Cin).fill(NaN), dw = new Float32Array(K * Cin * Cout).fill(NaN), db = new Float32Array(Cout);
  back(B, T, Cin, Cout, K, stride, pl, To, x, w, dy, dx, dw, db);
  return { y, dx, dw, db };
}

describe('reference bf16 Conv1D', () => {
  it('stays within bf16 tolerance of the fp32 convolution, and really rounds', () => {
    const s = [3, 40, 16, 24, 3, 1, 1, 40];
    const bf = run(conv1dBf16, conv1dBf16Backward, s, 5, Act.linear);
    const fp = run(referenceKernels.conv1d, referenceKernels.conv1dBackward, s, 5, Act.linear);
    for (const key of ['y', 'dx', 'dw'] as const) {
      expect(relErr(bf[key], fp[key]), key).toBeLessThan(2e-2);
      expect(relErr(bf[key], fp[key]), key).toBeGreaterThan(1e-5);
    }
    expect(relErr(bf.db, fp.db)).toBeLessThan(1e-6); // db is a plain fp32 sum
  });

  it('names a bad shape', () => {
    expect(() => conv1dBf16(1, 4, 1, 1, 0, 1, 0, 4, new Float32Array(4), new Float32Array(1), null, new Float32Array(4), Act.linear))
      .toThrow(/conv1dBf16: argument 'K' must be an integer >= 1/);
  });
});

describe.skipIf(!hasBf16)('native bf16 Conv1D against the reference (needs AVX512-BF16)', () => {
  it('agrees forward and backward on every shape', () => {
    let seed = 40, largest = 0;
    for (const s of SHAPES)
      for (const act of [Act.linear, Act.relu, Act.tanh]) {
        const nat = run(addon!.conv1dBf16!, addon!.conv1dBf16Backward!, s, seed, act);
        const ref = run(conv1dBf16, conv1dBf16Backward, s, seed++, act);
        for (const key of ['y', 'dx', 'dw', 'db'] as const) {
          const e = relErr(nat[key], ref[key]);
          largest = Math.max(largest, e);
          expect(e, `${s.join('x')} act=${act} ${key}`).toBeLessThan(1e-6);
        }
      }
    console.log(`native vs reference bf16 Conv1D: largest relative difference ${largest.toExponential(2)}`);
  });

  it('the forward gives gemmBf16\'s bits on the im2col matrix (even Cin: x\'s rounded copy is the A operand in place)', () => {
    let seed = 90;
    for (const s of SHAPES)
      for (const act of [Act.linear, Act.relu, Act.tanh]) {
        const [B, T, Cin, Cout, K, stride, pl, To] = s;
        const rng = new Rng(seed++);
        const x = randF32(rng, B * T * Cin), w = randF32(rng, K * Cin * Cout), bias = randF32(rng, Cout);
        const y = new Float32Array(B * To * Cout).fill(NaN), want = new Float32Array(B * To * Cout);
        addon!.conv1dBf16!(B, T, Cin, Cout, K, stride, pl, To, x, w, bias, y, act);
        addon!.gemmBf16!(false, false, B * To, Cout, K * Cin, 1, im2col(B, T, Cin, K, stride, pl, To, x), w, 0, want, bias, act);
        expect(y, `${s.join('x')} act=${act}`).toEqual(want);
      }
  });

  it('the backward gives the bits of gemmBf16\'s products, dx summed over (o, j) in order and db in double (per sample, then over the samples), on 1 and 2 threads', () => {
    const before = backendInfo().threads;
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        let seed = 140;
        for (const s of SHAPES) {
          const [B, T, Cin, Cout, K, stride, pl, To] = s;
          const N = B * To, KC = K * Cin, rng = new Rng(seed++);
          const x = randF32(rng, B * T * Cin), w = randF32(rng, K * Cin * Cout), dy = randF32(rng, N * Cout);
          const dx = new Float32Array(B * T * Cin).fill(NaN), dw = new Float32Array(KC * Cout), db = new Float32Array(Cout);
          addon!.conv1dBf16Backward!(B, T, Cin, Cout, K, stride, pl, To, x, w, dy, dx, dw, db);
          const wantDw = new Float32Array(KC * Cout), dcol = new Float32Array(N * KC), wantDx = new Float32Array(B * T * Cin);
          addon!.gemmBf16!(true, false, KC, Cout, N, 1, im2col(B, T, Cin, K, stride, pl, To, x), dy, 0, wantDw, null, Act.linear);
          addon!.gemmBf16!(false, true, N, KC, Cout, 1, dy, w, 0, dcol, null, Act.linear);
          col2im(B, T, Cin, K, stride, pl, To, dcol, wantDx);
          expect(dw, `${s.join('x')} dw`).toEqual(wantDw);
          expect(dx, `${s.join('x')} dx`).toEqual(wantDx);
          expect(db, `${s.join('x')} db`).toEqual(Float32Array.from(columnSums(B, To, Cout, dy)));
        }
      }
    } finally {
      setThreads(before);
    }
  });

  it('with no input channels gives act(bias), as the reference (a product over k = 0 writes its epilogue)', () => {
    const bias = new Float32Array([1, -2, 3, 4]);
    for (const act of [Act.linear, Act.relu]) {
      const y = new Float32Array(2 * 5 * 4).fill(NaN), want = new Float32Array(2 * 5 * 4).fill(NaN);
      addon!.conv1dBf16!(2, 5, 0, 4, 3, 1, 1, 5, new Float32Array(0), new Float32Array(0), bias, y, act);
      conv1dBf16(2, 5, 0, 4, 3, 1, 1, 5, new Float32Array(0), new Float32Array(0), bias, want, act);
      expect(y, `act=${act}`).toEqual(want);
      expect(Array.from(y.slice(0, 4))).toEqual(act === Act.relu ? [1, 0, 3, 4] : [1, -2, 3, 4]);
    }
  });

  it('names a short array', () => {
    expect(() => addon!.conv1dBf16!(1, 4, 1, 1, 3, 1, 1, 4, new Float32Array(3), new Float32Array(3), null, new Float32Array(4), Act.linear))
      .toThrow(/conv1dBf16: argument 'x' has 3 elements, needs 4/);
  });
});
