/** The options Adam, Adamax and Nadam share: two moment decay rates and epsilon, with Keras's defaults. */
import { Optimizer, hyperArgs, type OptimizerArgs } from './optimizer.js';

export interface AdamFamilyArgs extends OptimizerArgs { beta1?: number; beta2?: number; epsilon?: number }

const HYPERS = ['beta1', 'beta2', 'epsilon'] as const;

export abstract class AdamFamily extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: AdamFamilyArgs = {}) {
    super(args, 0.001);
    this.beta1 = this.hyper('beta1', args.beta1, 0.9, { maxExclusive: 1 });
    this.beta2 = this.hyper('beta2', args.beta2, 0.999, { maxExclusive: 1 });
    this.epsilon = this.hyper('epsilon', args.epsilon, 1e-7);
  }
  static fromConfig<T>(this: new (args: AdamFamilyArgs) => T, c: Record<string, unknown>): T {
    return new this(hyperArgs(c, HYPERS));
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon }; }
}
