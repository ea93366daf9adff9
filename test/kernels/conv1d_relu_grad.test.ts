/**
 * conv1dBackward's reluY (ops.conv1d with act relu): relu's derivative applied as the kernel reads dy gives exactly
 * the bits of activationBackward's pass over dy followed by the plain backward, with dy left as it was: fp32 and bf16,
 * reference and native (each ISA; 1 and 2 threads), on shapes whose bf16 blocks of rows cross samples. The relu
 * outputs include zeros, -0 and NaN (all block dy) and dy holds -0 and infinities (passed as they are).
 */
import { describe, expect, it } from 'vitest';
import { Act, backendInfo, setThreads, type FArray } from '../../src/backend/index.js';
import { conv1dBf16Backward } from '../../src/backend/reference/bf16_conv1d.js';
import { Rng, describeNativeEachIsa, native, randF32, referenceKernels as ref } from './util.js';

type ConvBack = typeof ref.conv1dBackward;
const bf16Addon = native as unknown as { conv1dBf16Backward?: ConvBack; bf16Supported?: () => boolean } | null;
const hasBf16 = !!bf16Addon?.bf16Supported?.();

/**
 * [B, T, Cin, Cout, K, stride, padLeft, To]: edges, strides, odd rows and columns, long samples (bf16 blocks of 512
 * rows), and, on two threads, blocks of many short samples and 17 columns of dy split between the threads.
 */
const SHAPES: number[][] = [
  [2, 9, 3, 5, 3, 1, 1, 9], [3, 20, 7, 33, 3, 1, 1, 20], [2, 17, 4, 6, 5, 2, 2, 9], [1, 6, 2, 3, 4, 1, 0, 3],
  [5, 31, 8, 7, 5, 3, 1, 9], [3, 50, 100, 200, 3, 1, 1, 50], [3, 1001, 20, 5, 3, 1, 0, 999], [6, 333, 10, 40, 3, 2, 1, 167],
  [2, 700, 4, 96, 1, 1, 0, 700], [16, 100, 50, 64, 3, 1, 1, 100],
  [400, 3, 8, 24, 3, 1, 1, 3], [40, 200, 30, 17, 3, 2, 1, 100],
];

function inputs(s: number[], seed: number) {
  const [B, T, Cin, Cout, K, , , To] = s;
  const rng = new Rng(seed), ny = B * To * Cout;
  const x = randF32(rng, B * T * Cin), w = randF32(rng, K * Cin * Cout), dy = randF32(rng, ny);
  const y = randF32(rng, ny).map((v) => Math.max(v, 0));
  for (let i = 0; i < ny; i += 7) y[i] = -0;
  for (let i = 3; i < ny; i += 101) y[i] = NaN;
  for (let i = 5; i < ny; i += 13) dy[i] = -0;
  for (let i = 1; i < ny; i += 211) dy[i] = i % 2 ? Infinity : -Infinity;
  return { x, w, dy, y };
}

/** The bits of dx, dw and db. */
const bits = (...a: FArray[]) => a.map((v) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length)));

/** Dilated shapes (fp32 only; To for dilation 2). */
const DILATED: number[][] = [[2, 17, 4, 6, 3, 1, 2, 15], [3, 40, 5, 33, 5, 2, 1, 17]];

/** back with reluY against activationBackward then back, on every shape, with and without dx and db. */
function agrees(back: ConvBack, activationBackward: typeof ref.activationBackward, dilation = 1) {
  let seed = 1;
  for (const s of dilation === 1 ? SHAPES : DILATED) {
    const [B, T, Cin, Cout, K, stride, pl, To] = s;
    const { x, w, dy, y } = inputs(s, seed++);
    for (const withDxDb of [true, false]) {
      const run = (fused: boolean) => {
        const dx = new Float32Array(B * T * Cin).fill(NaN), dw = new Float32Array(K * Cin * Cout).fill(NaN);
        const db = new Float32Array(Cout).fill(NaN), d = dy.slice();
        if (!fused) activationBackward(Act.relu, y, d, d);
        back(B, T, Cin, Cout, K, stride, pl, To, x, w, d, withDxDb ? dx : null, dw, withDxDb ? db : null, dilation,
          fused ? y : null);
        if (fused) expect(bits(d), 'dy left as it was').toEqual(bits(dy));
        return withDxDb ? bits(dx, dw, db) : bits(dw);
      };
      expect(run(true), `${s.join('x')} dx and db ${withDxDb}`).toEqual(run(false));
    }
  }
}

describe('conv1dBackward with reluY: the reference kernels', () => {
  it('fp32 gives the bits of activationBackward then the plain backward', () => agrees(ref.conv1dBackward, ref.activationBackward));
  it('fp32 dilated too', () => agrees(ref.conv1dBackward, ref.activationBackward, 2));
  it('bf16 gives the bits of activationBackward then the plain backward', () => agrees(conv1dBf16Backward, ref.activationBackward));
  it('names a short reluY, and a dilation the bf16 kernel does not have', () => {
    const args = [1, 4, 1, 1, 1, 1, 0, 4, new Float32Array(4), new Float32Array(1), new Float32Array(4), null,
      new Float32Array(1), null] as const;
    expect(() => ref.conv1dBackward(...args, 1, new Float32Array(3))).toThrow(/conv1dBackward: argument 'reluY' has 3 elements, needs 4/);
    expect(() => conv1dBf16Backward(...args, 2, null)).toThrow(/conv1dBf16Backward: argument 'dilation' must be 1/);
  });
});

describeNativeEachIsa('conv1dBackward with reluY: native fp32', (nat) => {
  it('gives the bits of activationBackward then the plain backward, on 1 and 2 threads', () => {
    const before = backendInfo().threads;
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        agrees(nat.conv1dBackward, nat.activationBackward);
        agrees(nat.conv1dBackward, nat.activationBackward, 2);
      }
    } finally {
      setThreads(before);
    }
  });

  it('names a short reluY', () => {
    expect(() => nat.conv1dBackward(1, 4, 1, 1, 1, 1, 0, 4, new Float32Array(4), new Float32Array(1), new Float32Array(4),
      null, new Float32Array(1), null, 1, new Float32Array(3))).toThrow(/conv1dBackward: argument 'reluY' has 3 elements, needs 4/);
  });
});

describe.skipIf(!hasBf16)('conv1dBackward with reluY: native bf16 (needs AVX512-BF16)', () => {
  it('gives the bits of activationBackward then the plain backward, on 1 and 2 threads', () => {
    const before = backendInfo().threads;
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        agrees(bf16Addon!.conv1dBf16Backward!, (native as typeof ref).activationBackward);
      }
    } finally {
      setThreads(before);
    }
  });

  it('names a short reluY and a dilation other than 1', () => {
    const call = (dilation: number, reluY: Float32Array) => bf16Addon!.conv1dBf16Backward!(1, 4, 1, 1, 1, 1, 0, 4,
      new Float32Array(4), new Float32Array(1), new Float32Array(4), null, new Float32Array(1), null, dilation, reluY);
    expect(() => call(1, new Float32Array(3))).toThrow(/conv1dBf16Backward: argument 'reluY' has 3 elements, needs 4/);
    expect(() => call(2, new Float32Array(4))).toThrow(/conv1dBf16Backward: argument 'dilation' must be 1/);
  });
});
