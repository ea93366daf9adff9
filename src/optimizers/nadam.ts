import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { BASE_OPTIONS, Optimizer, baseArgs, checkHyper, checkOptimizerConfig, configNumber, type OptimizerArgs } from './optimizer.js';

export interface NadamArgs extends OptimizerArgs { beta1?: number; beta2?: number; epsilon?: number }

/** Keras's momentum schedule factor for step t (Dozat 2016, with Keras's 0.96 decay). */
function momentumAt(beta1: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (0.004 * t));
}

/**
 * Keras's Nadam (tfjs has none): defaults learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. The schedule's
 * running product depends only on the step count, so it is recomputed from iterations and checkpoints need no
 * extra state.
 */
export class Nadam extends Optimizer {
  static readonly className = 'Nadam';
  static readonly kerasName = 'Nadam';
  static readonly slotNames = ['m', 'v'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private productStep = 0;
  private product = 1;
  constructor(args: NadamArgs = {}) {
    super(args, 0.001);
    this.beta1 = checkHyper('Nadam', 'beta1', args.beta1 ?? 0.9, { maxExclusive: 1 });
    this.beta2 = checkHyper('Nadam', 'beta2', args.beta2 ?? 0.999, { maxExclusive: 1 });
    this.epsilon = checkHyper('Nadam', 'epsilon', args.epsilon ?? 1e-7);
  }
  static fromConfig(c: Record<string, unknown>): Nadam {
    checkOptimizerConfig(c, [...BASE_OPTIONS, 'beta1', 'beta2', 'epsilon']);
    return new Nadam({ ...baseArgs(c), beta1: configNumber(c, 'beta1'), beta2: configNumber(c, 'beta2'), epsilon: configNumber(c, 'epsilon') });
  }
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
      p[i] -= (this.learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon }; }
}

registerOptimizer(Nadam);
