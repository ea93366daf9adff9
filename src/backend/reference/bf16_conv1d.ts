/**
 * Reference bf16 Conv1D, the twin of native/conv1d_bf16.cc: the convolution as GEMMs on the im2col matrix (rows
 * (b, o), columns (j, ci)) with reference/bf16_gemm.ts's rounding and sum order. Forward: y = act(im2col w + bias);
 * backward: dw = im2col^T dy, db = column sums of dy (fp32 data summed in double: each sample's rows in order, then
 * the samples' sums in order), dx = col2im(dy w^T) summed in fp32 over (o, j) in that order. Only the products are
 * bf16. conv1dBf16PooledBackward takes a following max pooling's gradient instead of dy (the same result as its
 * maxPool1dBackward's dx given as dy).
 */
import type { ActCode, FArray } from '../kernels.js';
import { Act } from '../kernels.js';
import { Args } from './common.js';
import { gemmBf16 } from './bf16_gemm.js';
import { reluGrad } from './pointwise.js';
import { argmaxOutside, poolKernels } from './pool.js';

const NAMES = ['B', 'T', 'Cin', 'Cout', 'K', 'stride', 'padLeft', 'To'];

/** The shape, then each [name, array, length, optional] in the native binding's order. */
function check(kernel: string, dims: number[], arrays: [string, FArray | null, number, boolean?][]): Args {
  const a = new Args(kernel);
  NAMES.forEach((name, i) => a.integer(name, dims[i], name === 'K' || name === 'stride' ? 1 : 0));
  for (const [name, arr, len, optional] of arrays) a.floats(name, arr, len, optional);
  return a;
}

/** The im2col matrix [B * To, K * Cin] of x [B, T, Cin], zeros where a window leaves [0, T). */
export function im2col(B: number, T: number, Cin: number, K: number, stride: number, padLeft: number, To: number, x: FArray): Float32Array {
  const KC = K * Cin, out = new Float32Array(B * To * KC);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < To; o++)
      for (let j = 0; j < K; j++) {
        const t = o * stride - padLeft + j;
        if (t >= 0 && t < T) out.set(x.subarray((b * T + t) * Cin, (b * T + t + 1) * Cin), ((b * To + o) * K + j) * Cin);
      }
  return out;
}

export function conv1dBf16(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number,
  To: number, x: FArray, w: FArray, bias: FArray | null, y: FArray, act: ActCode): void {
  check('conv1dBf16', [B, T, Cin, Cout, K, stride, padLeft, To],
    [['x', x, B * T * Cin], ['w', w, K * Cin * Cout], ['bias', bias, Cout, true], ['y', y, B * To * Cout]]).act('act', act);
  gemmBf16(false, false, B * To, Cout, K * Cin, 1, im2col(B, T, Cin, K, stride, padLeft, To, x), w, 0, y, bias, act);
}

export function conv1dBf16Backward(B: number, T: number, Cin: number, Cout: number, K: number, stride: number,
  padLeft: number, To: number, x: FArray, w: FArray, dy: FArray, dx: FArray | null, dw: FArray, db: FArray | null,
  dilation?: number, reluY?: FArray | null): void {
  const a = check('conv1dBf16Backward', [B, T, Cin, Cout, K, stride, padLeft, To], [['x', x, B * T * Cin],
    ['w', w, K * Cin * Cout], ['dy', dy, B * To * Cout], ['dx', dx, B * T * Cin, true], ['dw', dw, K * Cin * Cout],
    ['db', db, Cout, true]]);
  if (dilation !== undefined && a.integer('dilation', dilation, 1) !== 1)
    a.fail('dilation', 'must be 1 (the bf16 convolution has no dilation)');
  a.floats('reluY', reluY, B * To * Cout, true);
  backwardFrom(B, T, Cin, Cout, K, stride, padLeft, To, x, w, reluY ? reluGrad(reluY, dy) : dy, dx, dw, db);
}

/**
 * The backward of a Conv1D (linear, or relu with pooledY: the pooling's output) followed by maxPool1d(B, To, Cout,
 * pool, poolStride, poolPadLeft, pooledTo) from the pooling's gradient and argmax: its maxPool1dBackward's dx as dy,
 * relu's derivative taken from the pooled maximum at each argmax (the relu output there).
 */
export function conv1dBf16PooledBackward(B: number, T: number, Cin: number, Cout: number, K: number, stride: number,
  padLeft: number, To: number, x: FArray, w: FArray, pooledDy: FArray, argmax: Int32Array, pool: number,
  poolStride: number, poolPadLeft: number, pooledTo: number, dx: FArray | null, dw: FArray, db: FArray | null,
  pooledY: FArray | null): void {
  const a = check('conv1dBf16PooledBackward', [B, T, Cin, Cout, K, stride, padLeft, To], [['x', x, B * T * Cin],
    ['w', w, K * Cin * Cout]]);
  a.integer('pool', pool, 1), a.integer('poolStride', poolStride, 1), a.integer('poolPadLeft', poolPadLeft);
  a.integer('pooledTo', pooledTo);
  const np = B * pooledTo * Cout;
  a.floats('pooledDy', pooledDy, np), a.ints('argmax', argmax, np), a.floats('dx', dx, B * T * Cin, true);
  a.floats('dw', dw, K * Cin * Cout), a.floats('db', db, Cout, true), a.floats('pooledY', pooledY, np, true);
  const outside = argmaxOutside(B, To, Cout, pool, poolStride, poolPadLeft, pooledTo, argmax);
  if (outside) a.fail('argmax', outside);
  let dy: FArray = new Float32Array(B * To * Cout);
  poolKernels.maxPool1dBackward(B, To, Cout, pool, poolStride, poolPadLeft, pooledTo, pooledDy, argmax, dy);
  if (pooledY) {
    const atMax = new Float32Array(B * To * Cout);
    for (let i = 0; i < np; i++) {
      const b = Math.floor(i / (pooledTo * Cout));
      if (argmax[i] !== -1) atMax[(b * To + argmax[i]) * Cout + i % Cout] = pooledY[i];
    }
    dy = reluGrad(atMax, dy);
  }
  backwardFrom(B, T, Cin, Cout, K, stride, padLeft, To, x, w, dy, dx, dw, db);
}

function backwardFrom(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number,
  To: number, x: FArray, w: FArray, dy: FArray, dx: FArray | null, dw: FArray, db: FArray | null): void {
  const N = B * To, KC = K * Cin;
  gemmBf16(true, false, KC, Cout, N, 1, im2col(B, T, Cin, K, stride, padLeft, To, x), dy, 0, dw, null, Act.linear);
  if (db) db.set(columnSums(B, To, Cout, dy));
  if (!dx) return;
  const dcol = new Float32Array(N * KC);
  gemmBf16(false, true, N, KC, Cout, 1, dy, w, 0, dcol, null, Act.linear);
  col2im(B, T, Cin, K, stride, padLeft, To, dcol, dx);
}

/** dx [B, T, Cin] = col2im of dcol [B * To, K * Cin]: zeros, then each dcol value added in fp32, (o, j) in order. */
export function col2im(B: number, T: number, Cin: number, K: number, stride: number, padLeft: number, To: number,
  dcol: FArray, dx: FArray): void {
  dx.fill(0, 0, B * T * Cin);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < To; o++)
      for (let j = 0; j < K; j++) {
        const t = o * stride - padLeft + j;
        if (t < 0 || t >= T) continue;
        for (let ci = 0; ci < Cin; ci++) {
          const xi = (b * T + t) * Cin + ci;
          dx[xi] = Math.fround(dx[xi] + dcol[((b * To + o) * K + j) * Cin + ci]);
        }
      }
}

/** db's sums of dy [B, To, Cout] in double: each sample's rows in order, then the samples' sums in order. */
export function columnSums(B: number, To: number, Cout: number, dy: FArray): Float64Array {
  const acc = new Float64Array(Cout), sample = new Float64Array(Cout);
  for (let b = 0; b < B; b++) {
    sample.fill(0);
    for (let o = 0; o < To; o++) for (let c = 0; c < Cout; c++) sample[c] += dy[(b * To + o) * Cout + c];
    for (let c = 0; c < Cout; c++) acc[c] += sample[c];
  }
  return acc;
}
