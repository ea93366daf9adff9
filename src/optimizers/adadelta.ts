import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdadeltaArgs extends OptimizerArgs { rho?: number; epsilon?: number }

/** Keras and tfjs defaults: learningRate 0.001, rho 0.95, epsilon 1e-7. */
export class Adadelta extends Optimizer<AdadeltaArgs> {
  static readonly className = 'Adadelta';
  static readonly slotNames = ['accumulatedGrad', 'accumulatedDelta'];
  /** tf.keras 2's Adadelta config holds OptimizerV2's learning-rate decay: read as InverseTimeDecay (savedRateDecay). */
  static readonly savedRateDecay: boolean = true;
  static readonly hyperparameters = { rho: { default: 0.95, maxExclusive: 1 }, epsilon: { default: 1e-7 } };
  declare readonly rho: number;
  declare readonly epsilon: number;
  protected updateOne(p: FArray, g: FArray, [accGrad, accDelta]: FArray[]): void {
    const { rho, epsilon: eps } = this;
    for (let i = 0; i < p.length; i++) {
      accGrad[i] = rho * accGrad[i] + (1 - rho) * g[i] * g[i];
      const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(accGrad[i] + eps)) * g[i];
      accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
      p[i] -= this.stepLearningRate * delta;
    }
  }
}

registerOptimizer(Adadelta);
