import type { ActCode, ConvKernels, FArray } from '../kernels.js';
import { Args } from './common.js';
import { activate, reluGrad } from './pointwise.js';

/**
 * Direct loops. x [B, T, Cin], w [K, Cin, Cout], y [B, To, Cout]; output step o reads input steps
 * t = o * stride - padLeft + j * dilation (j < K), zero outside [0, T). The padding zeros are multiplied like any
 * input (as TensorFlow pads and then convolves, and as the native im2col does), so a NaN or infinite weight over
 * padding gives NaN, in y and in dw.
 */
/** B, T, Cin, Cout, K (>= 1), stride (>= 1), padLeft, To, as native/conv1d.cc's read_shape. */
function checkShape(kernel: string, dims: number[]): Args {
  const a = new Args(kernel);
  ['B', 'T', 'Cin', 'Cout', 'K', 'stride', 'padLeft', 'To'].forEach((name, i) => a.integer(name, dims[i], name === 'K' || name === 'stride' ? 1 : 0));
  return a;
}

/** The trailing dilation is optional (default 1), as in native/conv1d.cc's read_dilation; checked last, as there. */
function checkDilation(a: Args, dilation: number | undefined): number {
  return dilation === undefined ? 1 : a.integer('dilation', dilation, 1);
}

export const convKernels: ConvKernels = {
  conv1d(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number, To: number,
    x: FArray, w: FArray, bias: FArray | null, y: FArray, act: ActCode, dilation?: number): void {
    const a = checkShape('conv1d', [B, T, Cin, Cout, K, stride, padLeft, To]);
    a.floats('x', x, B * T * Cin);
    a.floats('w', w, K * Cin * Cout);
    a.floats('bias', bias, Cout, true);
    a.floats('y', y, B * To * Cout);
    a.act('act', act);
    const d = checkDilation(a, dilation);
    const acc = new Float64Array(Cout);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < To; o++) {
        for (let co = 0; co < Cout; co++) acc[co] = bias ? bias[co] : 0;
        for (let j = 0; j < K; j++) {
          const t = o * stride - padLeft + j * d;
          const inside = t >= 0 && t < T;
          for (let ci = 0; ci < Cin; ci++) {
            const xv = inside ? x[(b * T + t) * Cin + ci] : 0;
            const wo = (j * Cin + ci) * Cout;
            for (let co = 0; co < Cout; co++) acc[co] += xv * w[wo + co];
          }
        }
        const yo = (b * To + o) * Cout;
        for (let co = 0; co < Cout; co++) y[yo + co] = activate(act, acc[co]);
      }
    }
  },

  conv1dBackward(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number, To: number,
    x: FArray, w: FArray, dy: FArray, dx: FArray | null, dw: FArray, db: FArray | null, dilation?: number,
    reluY?: FArray | null): void {
    const a = checkShape('conv1dBackward', [B, T, Cin, Cout, K, stride, padLeft, To]);
    a.floats('x', x, B * T * Cin);
    a.floats('w', w, K * Cin * Cout);
    a.floats('dy', dy, B * To * Cout);
    a.floats('dx', dx, B * T * Cin, true);
    a.floats('dw', dw, K * Cin * Cout);
    a.floats('db', db, Cout, true);
    a.floats('reluY', reluY, B * To * Cout, true);
    const d = checkDilation(a, dilation);
    if (reluY) dy = reluGrad(reluY, dy);
    // Accumulate in float64 (a float32 output would round at every one of the B*To terms).
    const dwAcc = new Float64Array(K * Cin * Cout);
    const dbAcc = new Float64Array(Cout);
    const dxAcc = dx ? new Float64Array(B * T * Cin) : null;
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < To; o++) {
        const yo = (b * To + o) * Cout;
        for (let co = 0; co < Cout; co++) dbAcc[co] += dy[yo + co];
        for (let j = 0; j < K; j++) {
          const t = o * stride - padLeft + j * d;
          if (t < 0 || t >= T) {  // padding: no dx to take a gradient, but dw still sums 0 * dy
            for (let i = j * Cin * Cout; i < (j + 1) * Cin * Cout; i++) dwAcc[i] += 0 * dy[yo + i % Cout];
            continue;
          }
          for (let ci = 0; ci < Cin; ci++) {
            const xi = (b * T + t) * Cin + ci;
            const wo = (j * Cin + ci) * Cout;
            const xv = x[xi];
            let g = 0;
            for (let co = 0; co < Cout; co++) {
              dwAcc[wo + co] += xv * dy[yo + co];
              g += w[wo + co] * dy[yo + co];
            }
            if (dxAcc) dxAcc[xi] += g;
          }
        }
      }
    }
    dw.set(dwAcc);
    if (db) db.set(dbAcc);
    if (dx && dxAcc) dx.set(dxAcc);
  },
};
