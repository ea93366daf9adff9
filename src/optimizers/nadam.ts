import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { AdamFamily, type AdamFamilyArgs } from './adam_family.js';
import { SAVED_CONFIG, configArgument, fromSavedArgs, savedOptions } from './optimizer.js';

export type NadamArgs = AdamFamilyArgs;

/**
 * Keras 3's momentum schedule factor for step t (Dozat 2016): beta1 (1 - 0.5 * 0.96^t). tf.keras 2's optimizer_v2
 * raised 0.96 to 0.004 t (Keras 1's schedule_decay); Keras 3 (and tf.keras from 2.11) dropped that factor.
 */
function momentumAt(beta1: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** t);
}

/**
 * Keras's Nadam (tfjs has none): defaults learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. The schedule's
 * running product depends only on the step count, so it is recomputed from iterations and checkpoints need no
 * extra state.
 */
export class Nadam extends AdamFamily {
  static readonly className = 'Nadam';
  static readonly slotNames = ['m', 'v'];
  /**
   * tf.keras 2's Nadam config's decay is no learning-rate decay (its Nadam never decays the rate): it is Keras 1's
   * schedule_decay, 0.004 unless set, the exponent's factor in momentumAt's 0.96^(decay t). Keras 3's schedule, this
   * one, has no such factor, so such a file would train otherwise: refused, saying so, rather than as the other
   * optimizers' InverseTimeDecay.
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static fromConfig(first: Record<string, unknown> | Function, tfjsConfig?: Record<string, unknown> | string): Nadam {
    const c = configArgument(first, tfjsConfig);
    const decay = c.decay;
    if (decay !== undefined && decay !== null && decay !== 0) {
      throw new Error(`${SAVED_CONFIG}: option 'decay' = ${JSON.stringify(decay)} is not supported by rnnlab: tf.keras 2's Nadam saves its momentum schedule's decay ` +
        "(Keras 1's schedule_decay, 0.004 by default; the momentum at step t is beta1 (1 - 0.5 * 0.96^(decay * t))), and rnnlab's Nadam is Keras 3's, " +
        'whose momentum is beta1 (1 - 0.5 * 0.96^t): it would train otherwise. Compile with rl.optimizers.nadam() to train on with Keras 3\'s Nadam');
    }
    return fromSavedArgs(savedOptions(Nadam, c), (a) => new Nadam(a));
  }
  private productStep = 0;
  private product = 1;
  /** The product of the momentum schedule over steps 1..t. */
  private productTo(t: number): number {
    if (t < this.productStep) { this.productStep = 0; this.product = 1; }
    for (; this.productStep < t; ) this.product *= momentumAt(this.beta1, ++this.productStep);
    return this.product;
  }
  protected updateOne(p: FArray, g: FArray, [m, v]: FArray[]): void {
    const { beta1, beta2, epsilon } = this;
    const t = this.iterations;
    const uT = momentumAt(beta1, t), uNext = momentumAt(beta1, t + 1);
    const prodT = this.productTo(t), prodNext = prodT * uNext;
    const beta2Power = beta2 ** t;
    for (let i = 0; i < p.length; i++) {
      m[i] += (g[i] - m[i]) * (1 - beta1);
      v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
      const mHat = (uNext * m[i]) / (1 - prodNext) + ((1 - uT) * g[i]) / (1 - prodT);
      const vHat = v[i] / (1 - beta2Power);
      p[i] -= (this.stepLearningRate * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  }
}

registerOptimizer(Nadam);
