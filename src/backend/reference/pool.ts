import type { FArray, PoolKernels } from '../kernels.js';
import { Args } from './common.js';

/**
 * Output step o pools input steps [o * stride - padLeft, o * stride - padLeft + pool) clipped to [0, T), so
 * padding never wins; the first maximum wins ties. A window with no input step (impossible with Keras's
 * 'valid'/'same' shapes) gives y = 0 and argmax = -1, which backward skips.
 */
export const poolKernels: PoolKernels = {
  maxPool1d(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number,
    x: FArray, y: FArray, argmax: Int32Array): void {
    const a = new Args('maxPool1d');
    a.integer('B', B), a.integer('T', T), a.integer('C', C), a.integer('pool', pool, 1), a.integer('stride', stride, 1);
    a.integer('padLeft', padLeft), a.integer('To', To);
    a.floats('x', x, B * T * C);
    a.floats('y', y, B * To * C);
    a.ints('argmax', argmax, B * To * C);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < To; o++) {
        const start = o * stride - padLeft;
        const t0 = Math.max(start, 0), t1 = Math.min(start + pool, T);
        const yo = (b * To + o) * C;
        for (let c = 0; c < C; c++) {
          let best = t0 < t1 ? x[(b * T + t0) * C + c] : 0;
          let arg = t0 < t1 ? t0 : -1;
          for (let t = t0 + 1; t < t1; t++) {
            const v = x[(b * T + t) * C + c];
            if (v > best) { best = v; arg = t; }
          }
          y[yo + c] = best;
          argmax[yo + c] = arg;
        }
      }
    }
  },

  maxPool1dBackward(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number,
    dy: FArray, argmax: Int32Array, dx: FArray): void {
    const a = new Args('maxPool1dBackward');
    a.integer('B', B), a.integer('T', T), a.integer('C', C), a.integer('pool', pool, 1), a.integer('stride', stride, 1);
    a.integer('padLeft', padLeft), a.integer('To', To);
    a.floats('dy', dy, B * To * C);
    a.ints('argmax', argmax, B * To * C);
    a.floats('dx', dx, B * T * C);
    const outside = argmaxOutside(B, T, C, pool, stride, padLeft, To, argmax);
    if (outside) throw new RangeError(`maxPool1dBackward: argument 'argmax' ${outside}`);
    dx.fill(0, 0, B * T * C);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < To; o++) {
        const yo = (b * To + o) * C;
        for (let c = 0; c < C; c++) {
          const t = argmax[yo + c];
          if (t !== -1) dx[(b * T + t) * C + c] += dy[yo + c];
        }
      }
    }
  },
};

/** What is wrong with the first argmax that is neither -1 nor inside its window (maxPool1d's geometry), or null. */
export function argmaxOutside(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number,
  argmax: Int32Array): string | null {
  for (let i = 0; i < B * To * C; i++) {
    const t = argmax[i], o = Math.floor(i / C) % To;
    const t0 = Math.max(o * stride - padLeft, 0), t1 = Math.min(o * stride - padLeft + pool, T);
    if (t !== -1 && !(t >= t0 && t < t1)) return `holds ${t} at ${i}, outside its window [${t0}, ${t1}) (and not -1)`;
  }
  return null;
}
