import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdagradArgs extends OptimizerArgs { initialAccumulatorValue?: number; epsilon?: number }

/** Keras defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7 (tfjs's epsilon too). */
export class Adagrad extends Optimizer<AdagradArgs> {
  static readonly className = 'Adagrad';
  static readonly slotNames = ['accumulator'];
  /** tf.keras 2's Adagrad config holds OptimizerV2's learning-rate decay: read as InverseTimeDecay (savedRateDecay). */
  static readonly savedRateDecay: boolean = true;
  static readonly hyperparameters = { initialAccumulatorValue: { default: 0.1 }, epsilon: { default: 1e-7 } };
  declare readonly initialAccumulatorValue: number;
  declare readonly epsilon: number;
  protected initSlot(s: FArray): void { s.fill(this.initialAccumulatorValue); }
  protected updateOne(p: FArray, g: FArray, [acc]: FArray[]): void {
    for (let i = 0; i < p.length; i++) {
      acc[i] += g[i] * g[i];
      p[i] -= (this.stepLearningRate * g[i]) / Math.sqrt(acc[i] + this.epsilon);
    }
  }
}

registerOptimizer(Adagrad);
