import type { AvgPoolKernels, FArray } from '../kernels.js';
import { Args } from './common.js';

/** The argument checks of both directions, in native/avg_pool.cc's order. */
function checkArgs(kernel: string, B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number,
  inName: string, input: FArray, outName: string, output: FArray, forward: boolean): void {
  const a = new Args(kernel);
  a.integer('B', B), a.integer('T', T), a.integer('C', C), a.integer('pool', pool, 1), a.integer('stride', stride, 1);
  a.integer('padLeft', padLeft), a.integer('To', To);
  a.floats(inName, input, forward ? B * T * C : B * To * C);
  a.floats(outName, output, forward ? B * To * C : B * T * C);
}

/** Output step o's input steps [t0, t1): the window clipped to [0, T), so padding is never counted. */
function window(o: number, T: number, pool: number, stride: number, padLeft: number): [number, number] {
  const start = o * stride - padLeft;
  return [Math.max(start, 0), Math.min(start + pool, T)];
}

/** Average pooling over time, channels-last, Keras's 'same' rule (the mean of the window's real steps). */
export const avgPoolKernels: AvgPoolKernels = {
  avgPool1d(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number, x: FArray, y: FArray): void {
    checkArgs('avgPool1d', B, T, C, pool, stride, padLeft, To, 'x', x, 'y', y, true);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < To; o++) {
        const [t0, t1] = window(o, T, pool, stride, padLeft);
        const yo = (b * To + o) * C;
        const inv = t1 > t0 ? 1 / (t1 - t0) : 0;
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let t = t0; t < t1; t++) s += x[(b * T + t) * C + c];
          y[yo + c] = s * inv;
        }
      }
    }
  },

  avgPool1dBackward(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number, dy: FArray, dx: FArray): void {
    checkArgs('avgPool1dBackward', B, T, C, pool, stride, padLeft, To, 'dy', dy, 'dx', dx, false);
    dx.fill(0, 0, B * T * C);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < To; o++) {
        const [t0, t1] = window(o, T, pool, stride, padLeft);
        if (t1 <= t0) continue;
        const inv = 1 / (t1 - t0);
        const yo = (b * To + o) * C;
        for (let t = t0; t < t1; t++) {
          const xo = (b * T + t) * C;
          for (let c = 0; c < C; c++) dx[xo + c] += dy[yo + c] * inv;
        }
      }
    }
  },
};
