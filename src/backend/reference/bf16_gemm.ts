/**
 * Reference bf16 GEMM: the mixed_bfloat16 twin of reference/gemm.ts and the oracle of native/gemm_bf16.cc. Both
 * operands are rounded to bf16 (bf16_round.ts); the products are summed in fp32 in vdpbf16ps's order (for each k
 * pair q: acc += a[2q+1] b[2q+1], then acc += a[2q] b[2q]; each product is exact, each sum rounded to fp32, subnormal
 * sums flushed to zero) and the result goes through the fp32 epilogue (alpha, beta, bias, activation), so native and
 * reference agree to the last bit or two (the epilogue's fused multiply-add and activation polynomials).
 */
import type { ActCode, FArray } from '../kernels.js';
import { activate } from './pointwise.js';
import { Args } from './common.js';
import { roundBf16 } from './bf16_round.js';

const fround = Math.fround;
const MIN_NORMAL = 2 ** -126;

/** acc + p rounded to fp32, with vdpbf16ps's flush of subnormal results. */
function addFlush(acc: number, p: number): number {
  const s = fround(acc + p);
  return Math.abs(s) < MIN_NORMAL ? (s < 0 || Object.is(s, -0) ? -0 : 0) : s;
}

/** op(X) of an m x k (or k x m when trans) array, rounded to bf16, as a dense row-major m x k Float64Array. */
function roundedOp(x: FArray, rows: number, cols: number, trans: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let p = 0; p < cols; p++) out[i * cols + p] = roundBf16(trans ? x[p * rows + i] : x[i * cols + p]);
  return out;
}

/** The fp32 sum of a[i, :] . b[:, j] in vdpbf16ps's order; a is m x k, bT is n x k (both already bf16). */
export function dotPairs(a: ArrayLike<number>, ai: number, bT: ArrayLike<number>, bj: number, k: number): number {
  let acc = 0;
  for (let p = 0; p < k; p += 2) {
    if (p + 1 < k) acc = addFlush(acc, a[ai + p + 1] * bT[bj + p + 1]);
    else acc = addFlush(acc, 0);
    acc = addFlush(acc, a[ai + p] * bT[bj + p]);
  }
  return acc;
}

/** gemm's contract (kernels.ts) with bf16 products and fp32 sums. */
export function gemmBf16(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: FArray, b: FArray, beta: number, c: FArray, bias: FArray | null, act: ActCode): void {
  // native/gemm_bf16.cc's checks, in its order.
  const args = new Args('gemmBf16');
  for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) args.integer(name, v);
  args.num('alpha', alpha);
  args.floats('a', a, m * k);
  args.floats('b', b, k * n);
  args.num('beta', beta);
  args.floats('c', c, m * n);
  args.floats('bias', bias, n, true);
  args.act('act', act);
  const skip = alpha === 0 || k === 0; // as in BLAS: A and B unread
  const A = skip ? null : roundedOp(a, m, k, transA);
  const BT = skip ? null : roundedOp(b, n, k, !transB); // op(B)^T, n x k
  const al = fround(alpha), be = fround(beta);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let v = skip ? 0 : fround(al * dotPairs(A!, i * k, BT!, j * k, k));
      if (be !== 0) v = fround(be * c[i * n + j] + v);
      if (bias) v = fround(v + bias[j]);
      c[i * n + j] = fround(activate(act, v));
    }
  }
}
