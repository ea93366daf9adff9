import type { FArray, OptimKernels } from '../kernels.js';
import { Args, typedLength } from './common.js';

/** Parameter, gradient and slot arrays of p's length (as native/optim.cc); returns the checker for the scalars. */
function checkSlots(kernel: string, arrays: Record<string, unknown>): Args {
  const a = new Args(kernel), n = typedLength(arrays.p);
  for (const [name, arr] of Object.entries(arrays)) a.floats(name, arr, n);
  return a;
}

export const optimKernels: OptimKernels = {
  /** Keras/tfjs Adam: the bias corrections fold into the step size (eps is not bias-corrected). */
  adam(p: FArray, g: FArray, m: FArray, v: FArray, lr: number, beta1: number, beta2: number, eps: number, step: number): void {
    const a = checkSlots('adam', { p, g, m, v });
    a.num('lr', lr);
    a.num('beta1', beta1);
    a.num('beta2', beta2);
    a.num('eps', eps);
    a.integer('step', step, 1);
    const lrT = (lr * Math.sqrt(1 - Math.pow(beta2, step))) / (1 - Math.pow(beta1, step));
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  },

  rmsprop(p: FArray, g: FArray, acc: FArray, lr: number, rho: number, eps: number): void {
    const a = checkSlots('rmsprop', { p, g, acc });
    a.num('lr', lr);
    a.num('rho', rho);
    a.num('eps', eps);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      acc[i] = rho * acc[i] + (1 - rho) * gi * gi;
      p[i] -= (lr * gi) / Math.sqrt(acc[i] + eps);
    }
  },

  /** vel is not touched (and may be empty) when momentum is 0. */
  sgd(p: FArray, g: FArray, vel: FArray, lr: number, momentum: number, nesterov: boolean): void {
    // As native/optim.cc: momentum first, since it decides whether vel is needed.
    const a = new Args('sgd');
    a.num('momentum', momentum);
    const n = typedLength(p);
    a.floats('p', p, n);
    a.floats('g', g, n);
    a.floats('vel', vel, momentum !== 0 ? n : 0, momentum === 0);
    a.num('lr', lr);
    if (nesterov === undefined) a.fail('nesterov', 'is missing');
    if (momentum === 0) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
      return;
    }
    for (let i = 0; i < p.length; i++) {
      const v = momentum * vel[i] - lr * g[i];
      vel[i] = v;
      p[i] += nesterov ? momentum * v - lr * g[i] : v;
    }
  },
};
