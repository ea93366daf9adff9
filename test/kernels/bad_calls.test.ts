/**
 * A bad call behaves the same on both backends: for each kernel, wrong lengths, types, codes and integers raise a
 * RangeError with the same message natively and in the reference (which checks in the native binding's order).
 */
import { expect, it } from 'vitest';
import { describeNative, referenceKernels as ref, type Kernels } from './util.js';

const f = (n: number) => new Float32Array(n);
const i32 = (...v: number[]) => Int32Array.from(v);

/** [kernel, arguments] calls that must fail; each is a valid call with one thing wrong. */
const BAD: [keyof Kernels, unknown[]][] = [
  ['activation', [1, f(10), f(9)]],
  ['activation', [7, f(10), f(10)]],
  ['activation', [1.5, f(10), f(10)]],
  ['activationBackward', [3, f(10), f(9), f(10)]],
  ['activationBackward', [3, f(10), f(10), [0]]],
  ['softmax', [2, 5, f(9), f(10)]],
  ['softmax', [-1, 5, f(10), f(10)]],
  ['softmaxBackward', [2, 5, f(10), f(10), f(9)]],
  ['colSum', [2, 5, f(10), f(4), false]],
  ['add', [f(9), f(10), f(10)]],
  ['axpy', [1, f(9), f(10)]],
  ['axpy', ['1', f(10), f(10)]],
  ['dropoutApply', [f(10), f(10), 2, f(10)]],
  ['sumSquares', [[1, 2]]],
  ['sigmoidCrossEntropyWithLogits', [10, f(9), f(10), f(10)]],
  ['binaryCrossentropy', [10, f(10), f(10), null]],
  ['meanSquaredError', [2.5, f(10), f(10), f(10)]],
  ['softmaxCrossEntropyWithLogits', [2, 3, f(6), f(5), f(6)]],
  ['sparseSoftmaxCrossEntropyWithLogits', [2, 3, f(6), i32(0, 3), f(6)]],
  ['sparseSoftmaxCrossEntropyWithLogits', [2, 3, f(6), f(2), f(6)]],
  ['categoricalCrossentropy', [2, 3, f(6), f(6), f(5)]],
  ['conv1d', [1, 5, 2, 3, 2, 1, 0, 4, f(9), f(12), null, f(12), 0]],
  ['conv1d', [1, 5, 2, 3, 0, 1, 0, 4, f(10), f(12), null, f(12), 0]],
  ['conv1d', [1, 5, 2, 3, 2, 1, 0, 4, f(10), f(12), f(2), f(12), 0]],
  ['conv1dBackward', [1, 5, 2, 3, 2, 1, 0, 4, f(10), f(12), f(12), null, f(11), null]],
  ['maxPool1d', [1, 4, 2, 2, 2, 0, 2, f(7), f(4), new Int32Array(4)]],
  ['maxPool1d', [1, 4, 2, 0, 2, 0, 2, f(8), f(4), new Int32Array(4)]],
  ['maxPool1dBackward', [1, 4, 2, 2, 2, 0, 2, f(4), f(4), f(8)]],
  ['maxPool1dBackward', [1, 4, 2, 2, 2, 0, 2, f(4), i32(0, 1, 9, 3), f(8)]],
  ['maxPool1dBackward', [1, 4, 2, 2, 2, 0, 2, f(4), i32(0, 1, 3, 1), f(8)]],
  ['maxPool1dBackward', [1, 4, 2, 2, 1, 0, 2, f(4), i32(0, 1, 2, 0), f(8)]],
  ['maxPool1dBackward', [1, 4, 2, 0, 2, 0, 2, f(4), i32(0, 1, 2, 3), f(8)]],
  ['maxPool1dBackward', [1, 4, 1, 2, 2, 5, 5, f(5), i32(-1, 0, 0, 1, 3), f(4)]],
  ['embeddingForward', [3, 2, i32(0, 1, 5), f(8), f(6)]],
  ['embeddingForward', [3, 2, i32(0, 1), f(8), f(6)]],
  ['embeddingBackward', [3, 2, i32(0, 1, 2), f(5), f(8)]],
  ['adam', [f(4), f(3), f(4), f(4), 0.1, 0.9, 0.999, 1e-7, 1]],
  ['adam', [f(4), f(4), f(4), f(4), 0.1, 0.9, 0.999, 1e-7, 0]],
  ['rmsprop', [f(4), f(4), f(3), 0.1, 0.9, 1e-7]],
  ['sgd', [f(4), f(4), null, 0.1, 0.9, false]],
  ['sgd', [f(4), f(4), null, 'x', 0, false]],
  ['gemm', [false, false, 2, 2, 2, 1, f(3), f(4), 0, f(4), null, 0]],
  ['gemm', [false, false, 2, 2, 2, 1, f(4), f(4), 0, f(4), null, 5]],
  ['lstmForward', [2, 3, 4, f(95), f(64), null, null, null, false, 3, 2, f(24), f(24), f(96)]],
  ['lstmForward', [0, 3, 4, f(96), f(64), null, null, null, false, 3, 2, f(24), f(24), f(96)]],
  ['gruForward', [2, 3, 4, f(72), f(48), f(12), null, null, false, false, 3, 2, f(24), f(72), f(24)]],
  ['simpleRnnForward', [2, 3, 4, f(24), f(15), null, null, false, 3, f(24)]],
  ['simpleRnnBackward', [2, 3, 4, f(16), null, null, false, 9, f(24), f(24), null, f(24), f(16), null, null]],
];

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  return 'no error';
}

describeNative('kernels: a bad call fails the same way on both backends', (nat) => {
  it.each(BAD.map(([k, args], i) => [`${i} ${k}`, k, args] as const))(
    '%s', (_label, kernel, args) => {
      const call = (K: Kernels) => () => (K[kernel] as (...a: unknown[]) => unknown)(...args);
      const native = failure(call(nat));
      expect(native).toMatch(/^RangeError: /);
      expect(failure(call(ref))).toBe(native);
    });
});
