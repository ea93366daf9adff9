import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { AdamFamily, type AdamFamilyArgs } from './adam_family.js';

export type AdamaxArgs = AdamFamilyArgs;

/** Keras defaults: learningRate 0.001 (rl.train.adamax keeps tfjs's 0.002), beta1 0.9, beta2 0.999, epsilon 1e-7. */
export class Adamax extends AdamFamily {
  static readonly className = 'Adamax';
  static readonly slotNames = ['m', 'u'];
  protected updateOne(p: FArray, g: FArray, [m, u]: FArray[]): void {
    const { beta1, beta2, epsilon } = this;
    const lr = this.stepLearningRate / (1 - beta1 ** this.iterations);
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      u[i] = Math.max(beta2 * u[i], Math.abs(g[i]));
      p[i] -= (lr * m[i]) / (u[i] + epsilon);
    }
  }
}

registerOptimizer(Adamax);
