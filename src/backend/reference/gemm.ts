/**
 * Reference GEMM: C = act(alpha * op(A) op(B) + beta * C + bias), row-major, accumulated in JS doubles.
 * The oracle for the native kernel's tests and the float64 path of the gradient checks, so it favours plain
 * loops over speed (though it walks B by rows, which keeps it usable as the fallback).
 */
import type { ActCode, FArray, GemmKernels } from '../kernels.js';
import { activate, checkAct } from './pointwise.js';

function need(name: string, arr: FArray, len: number): void {
  if (arr.length < len) throw new RangeError(`gemm: argument '${name}' has ${arr.length} elements, needs ${len}`);
}

export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: FArray, b: FArray, beta: number, c: FArray, bias: FArray | null, act: ActCode): void {
  checkAct('gemm', act);
  need('a', a, m * k);
  need('b', b, k * n);
  need('c', c, m * n);
  if (bias) need('bias', bias, n);
  // op(A)[i, p] and op(B)[p, j] as offsets and strides into the stored arrays.
  const aRow = transA ? 1 : k, aCol = transA ? m : 1; // A[i * aRow + p * aCol]
  const bRow = transB ? 1 : n, bCol = transB ? k : 1; // B[p * bRow + j * bCol]
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    // As in BLAS, alpha = 0 (or k = 0) leaves A and B unread: NaN or Inf there does not reach C.
    if (alpha !== 0) {
      for (let p = 0; p < k; p++) {
        const aip = a[i * aRow + p * aCol];
        const bp = p * bRow;
        for (let j = 0; j < n; j++) acc[j] += aip * b[bp + j * bCol];
      }
    }
    for (let j = 0; j < n; j++) {
      let v = alpha === 0 ? 0 : alpha * acc[j];
      if (beta !== 0) v += beta * c[i * n + j]; // beta = 0: C's old contents (even NaN) are ignored
      if (bias) v += bias[j];
      c[i * n + j] = activate(act, v);
    }
  }
}

export const gemmKernels: GemmKernels = { gemm };
