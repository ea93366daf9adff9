import type { FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, hyperArgs, type OptimizerArgs } from './optimizer.js';

export interface AdadeltaArgs extends OptimizerArgs { rho?: number; epsilon?: number }

/** Keras and tfjs defaults: learningRate 0.001, rho 0.95, epsilon 1e-7. */
export class Adadelta extends Optimizer {
  static readonly className = 'Adadelta';
  static readonly kerasName = 'Adadelta';
  static readonly slotNames = ['accumulatedGrad', 'accumulatedDelta'];
  readonly rho: number;
  readonly epsilon: number;
  constructor(args: AdadeltaArgs = {}) {
    super(args, 0.001);
    this.rho = this.hyper('rho', args.rho, 0.95, { maxExclusive: 1 });
    this.epsilon = this.hyper('epsilon', args.epsilon, 1e-7);
  }
  static fromConfig(c: Record<string, unknown>): Adadelta {
    return new Adadelta(hyperArgs(c, ['rho', 'epsilon']));
  }
  protected updateOne(p: FArray, g: FArray, [accGrad, accDelta]: FArray[]): void {
    const { rho, epsilon: eps } = this;
    for (let i = 0; i < p.length; i++) {
      accGrad[i] = rho * accGrad[i] + (1 - rho) * g[i] * g[i];
      const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(accGrad[i] + eps)) * g[i];
      accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
      p[i] -= this.learningRate * delta;
    }
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon }; }
}

registerOptimizer(Adadelta);
