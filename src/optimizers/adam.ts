import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { AdamFamily, type AdamFamilyArgs } from './adam_family.js';

export type AdamArgs = AdamFamilyArgs;

/** Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
export class Adam extends AdamFamily {
  static readonly className: string = 'Adam';
  static readonly slotNames = ['m', 'v'];
  /** tf.keras 2's Adam config holds OptimizerV2's learning-rate decay: read as InverseTimeDecay (savedRateDecay). */
  static readonly savedRateDecay: boolean = true;
  protected updateOne(p: FArray, g: FArray, [m, v]: FArray[]): void {
    kernels().adam(p, g, m, v, this.stepLearningRate, this.beta1, this.beta2, this.epsilon, this.iterations);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), amsgrad: false }; }
}

registerOptimizer(Adam);
