import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { BASE_OPTIONS, Optimizer, baseArgs, checkHyper, checkOptimizerConfig, configNumber, type OptimizerArgs } from './optimizer.js';

export interface AdamArgs extends OptimizerArgs { beta1?: number; beta2?: number; epsilon?: number }

/** Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
export class Adam extends Optimizer {
  static readonly className = 'Adam';
  static readonly kerasName = 'Adam';
  static readonly slotNames = ['m', 'v'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: AdamArgs = {}) {
    super(args, 0.001);
    this.beta1 = checkHyper('Adam', 'beta1', args.beta1 ?? 0.9, { maxExclusive: 1 });
    this.beta2 = checkHyper('Adam', 'beta2', args.beta2 ?? 0.999, { maxExclusive: 1 });
    this.epsilon = checkHyper('Adam', 'epsilon', args.epsilon ?? 1e-7);
  }
  static fromConfig(c: Record<string, unknown>): Adam {
    checkOptimizerConfig(c, [...BASE_OPTIONS, 'beta1', 'beta2', 'epsilon']);
    return new Adam({ ...baseArgs(c), beta1: configNumber(c, 'beta1'), beta2: configNumber(c, 'beta2'), epsilon: configNumber(c, 'epsilon') });
  }
  protected updateOne(p: FArray, g: FArray, [m, v]: FArray[]): void {
    kernels().adam(p, g, m, v, this.learningRate, this.beta1, this.beta2, this.epsilon, this.iterations);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: false }; }
}

registerOptimizer(Adam);
