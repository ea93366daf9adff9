import type { FArray } from '../backend/index.js';
import { describe } from '../describe.js';
import { registerOptimizer } from './registry.js';
import { AdamFamily, type AdamFamilyArgs } from './adam_family.js';
import { InverseTimeDecay, LearningRateSchedule } from './schedules.js';

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

/**
 * The learning rate of tfjs's Adamax(learningRate, beta1, beta2, epsilon, decay). tfjs's rate at step t (its 0-based
 * iteration) is learningRate / (1 + decay * t); Keras 3 has no such option, and InverseTimeDecay with decaySteps 1,
 * which rnnlab evaluates at the same 0-based step, gives those rates, so tfjs code runs unchanged. decay 0 (tfjs's
 * default) or absent leaves the rate as given; a rate that is no number is left for the constructor to refuse.
 */
export function tfjsAdamaxRate(where: string, learningRate: unknown, decay: unknown): unknown {
  if (decay === undefined || decay === null || decay === 0) return learningRate;
  if (typeof decay !== 'number' || !Number.isFinite(decay) || decay < 0) {
    throw new Error(`${where}: decay must be a finite number >= 0 (tfjs's Adamax's learning-rate decay: the rate at step t is learningRate / (1 + decay * t)), got ${describe(decay)}`);
  }
  if (learningRate instanceof LearningRateSchedule) {
    throw new Error(`${where}: decay ${decay} (tfjs's Adamax's learning-rate decay) and the ${learningRate.className} schedule given as the learning rate would each set the rate; give one of them`);
  }
  const initial = learningRate ?? Adamax.defaultLearningRate;
  if (typeof initial !== 'number' || !Number.isFinite(initial) || initial < 0) return learningRate;
  return new InverseTimeDecay({ initialLearningRate: initial, decaySteps: 1, decayRate: decay });
}
