import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, hyperArgs, type OptimizerArgs } from './optimizer.js';

export interface AdagradArgs extends OptimizerArgs { initialAccumulatorValue?: number; epsilon?: number }

/** Keras defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7 (tfjs's epsilon too). */
export class Adagrad extends Optimizer {
  static readonly className = 'Adagrad';
  static readonly kerasName = 'Adagrad';
  static readonly slotNames = ['accumulator'];
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(args: AdagradArgs = {}) {
    super(args, 0.001);
    this.initialAccumulatorValue = this.hyper('initialAccumulatorValue', args.initialAccumulatorValue, 0.1);
    this.epsilon = this.hyper('epsilon', args.epsilon, 1e-7);
  }
  static fromConfig(c: Record<string, unknown>): Adagrad {
    return new Adagrad(hyperArgs(c, ['initialAccumulatorValue', 'epsilon']));
  }
  protected initSlot(s: FArray): void { s.fill(this.initialAccumulatorValue); }
  protected updateOne(p: FArray, g: FArray, [acc]: FArray[]): void {
    for (let i = 0; i < p.length; i++) {
      acc[i] += g[i] * g[i];
      p[i] -= (this.learningRate * g[i]) / Math.sqrt(acc[i] + this.epsilon);
    }
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon }; }
}

registerOptimizer(Adagrad);
