/**
 * Reference bf16 Conv1D, the twin of native/conv1d_bf16.cc: the convolution as GEMMs on the im2col matrix (rows
 * (b, o), columns (j, ci)) with reference/bf16_gemm.ts's rounding and sum order. Forward: y = act(im2col w + bias);
 * backward: dw = im2col^T dy, db = column sums of dy (fp32 data summed in double, as the fp32 kernel does), dx =
 * col2im(dy w^T) summed in fp32 over (o, j) in that order. Only the products are bf16.
 */
import type { ActCode, FArray } from '../kernels.js';
import { Act } from '../kernels.js';
import { Args } from './common.js';
import { gemmBf16 } from './bf16_gemm.js';
import { reluGrad } from './pointwise.js';

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
  if (reluY) dy = reluGrad(reluY, dy);
  const N = B * To, KC = K * Cin;
  gemmBf16(true, false, KC, Cout, N, 1, im2col(B, T, Cin, K, stride, padLeft, To, x), dy, 0, dw, null, Act.linear);
  if (db) {
    const acc = new Float64Array(Cout);
    for (let r = 0; r < N; r++) for (let c = 0; c < Cout; c++) acc[c] += dy[r * Cout + c];
    db.set(acc);
  }
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
