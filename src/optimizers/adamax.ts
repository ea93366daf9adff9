import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { BASE_OPTIONS, Optimizer, baseArgs, checkHyper, checkOptimizerConfig, configNumber, type OptimizerArgs } from './optimizer.js';

export interface AdamaxArgs extends OptimizerArgs { beta1?: number; beta2?: number; epsilon?: number }

/** Keras defaults: learningRate 0.001 (rl.train.adamax keeps tfjs's 0.002), beta1 0.9, beta2 0.999, epsilon 1e-7. */
export class Adamax extends Optimizer {
  static readonly className = 'Adamax';
  static readonly kerasName = 'Adamax';
  static readonly slotNames = ['m', 'u'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: AdamaxArgs = {}) {
    super(args, 0.001);
    this.beta1 = checkHyper('Adamax', 'beta1', args.beta1 ?? 0.9, { maxExclusive: 1 });
    this.beta2 = checkHyper('Adamax', 'beta2', args.beta2 ?? 0.999, { maxExclusive: 1 });
    this.epsilon = checkHyper('Adamax', 'epsilon', args.epsilon ?? 1e-7);
  }
  static fromConfig(c: Record<string, unknown>): Adamax {
    checkOptimizerConfig(c, [...BASE_OPTIONS, 'beta1', 'beta2', 'epsilon']);
    return new Adamax({ ...baseArgs(c), beta1: configNumber(c, 'beta1'), beta2: configNumber(c, 'beta2'), epsilon: configNumber(c, 'epsilon') });
  }
  protected updateOne(p: FArray, g: FArray, [m, u]: FArray[]): void {
    const { beta1, beta2, epsilon } = this;
    const lr = this.learningRate / (1 - beta1 ** this.iterations);
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      u[i] = Math.max(beta2 * u[i], Math.abs(g[i]));
      p[i] -= (lr * m[i]) / (u[i] + epsilon);
    }
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon }; }
}

registerOptimizer(Adamax);
