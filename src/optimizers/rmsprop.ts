import { kernels, type FArray } from '../backend/index.js';
import { Optimizer, checkHyper, type OptimizerArgs } from './optimizer.js';

export interface RMSpropArgs extends OptimizerArgs { rho?: number; epsilon?: number }

/** Keras defaults: learningRate 0.001, rho 0.9, epsilon 1e-7. */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly epsilon: number;
  constructor(args: RMSpropArgs = {}) {
    super(args, 0.001);
    this.rho = checkHyper('RMSprop', 'rho', args.rho ?? 0.9, { maxExclusive: 1 });
    this.epsilon = checkHyper('RMSprop', 'epsilon', args.epsilon ?? 1e-7);
  }
  protected slotCount(): number { return 1; }
  protected updateOne(p: FArray, g: FArray, [acc]: FArray[]): void {
    kernels().rmsprop(p, g, acc, this.learningRate, this.rho, this.epsilon);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon }; }
}
