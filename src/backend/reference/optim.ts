import type { FArray, OptimKernels } from '../kernels.js';

export const optimKernels: OptimKernels = {
  /** Keras/tfjs Adam: the bias corrections fold into the step size (eps is not bias-corrected). */
  adam(p: FArray, g: FArray, m: FArray, v: FArray, lr: number, beta1: number, beta2: number, eps: number, step: number): void {
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`adam: argument 'step' must be an integer >= 1, got ${step}`);
    const lrT = (lr * Math.sqrt(1 - Math.pow(beta2, step))) / (1 - Math.pow(beta1, step));
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  },

  rmsprop(p: FArray, g: FArray, acc: FArray, lr: number, rho: number, eps: number): void {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      acc[i] = rho * acc[i] + (1 - rho) * gi * gi;
      p[i] -= (lr * gi) / (Math.sqrt(acc[i]) + eps);
    }
  },

  /** vel is not touched (and may be empty) when momentum is 0. */
  sgd(p: FArray, g: FArray, vel: FArray, lr: number, momentum: number, nesterov: boolean): void {
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
