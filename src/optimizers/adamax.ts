import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { AdamFamily, type AdamFamilyArgs } from './adam_family.js';
import { rateWithDecay } from './optimizer.js';

export interface AdamaxArgs extends AdamFamilyArgs {
  /**
   * tfjs's Adamax decay (tf.train.adamax's fifth argument, also tf.keras 2's): the rate at step t (0-based) is
   * learningRate / (1 + decay * t), taken as that InverseTimeDecay schedule. 0 or null: none.
   */
  decay?: number | null;
}

/** Keras defaults: learningRate 0.001 (rl.train.adamax keeps tfjs's 0.002), beta1 0.9, beta2 0.999, epsilon 1e-7. */
export class Adamax extends AdamFamily {
  static readonly className = 'Adamax';
  static readonly slotNames = ['m', 'u'];
  /**
   * tfjs's Adamax config saves its decay (getConfig's learningRate, beta1, beta2, epsilon, decay) and a tf.keras 2
   * Adamax config its optimizer-wide decay; both step at learningRate / (1 + decay * t), t 0-based, so either loads as
   * that InverseTimeDecay schedule and trains with the rates it was saved with.
   */
  static override readonly savedRateDecay = true;
  /** The same decay in options: new rl.Adamax({decay}) and rl.optimizers.adamax({decay}) train as rl.train.adamax's. */
  static override readonly optionRateDecay = true;
  /** Declared for AdamaxArgs' decay, which the base constructor reads. */
  constructor(args: AdamaxArgs = {}) { super(args); }
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

/**
 * The learning rate of tfjs's Adamax(learningRate, beta1, beta2, epsilon, decay): with a decay, the InverseTimeDecay
 * schedule giving tfjs's rates (rateWithDecay), so tfjs code runs unchanged; Keras 3 has no such option.
 */
export function tfjsAdamaxRate(where: string, learningRate: unknown, decay: unknown): unknown {
  return rateWithDecay(where, learningRate, decay, Adamax.defaultLearningRate, "tfjs's Adamax's");
}
