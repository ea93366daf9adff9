import { kernels, type FArray } from '../backend/index.js';
import { Optimizer, checkHyper, type OptimizerArgs } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs { momentum?: number; nesterov?: boolean }

/** Keras defaults: learningRate 0.01, momentum 0, no Nesterov. */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: SGDArgs = {}) {
    super(args, 0.01);
    this.momentum = checkHyper('SGD', 'momentum', args.momentum ?? 0);
    this.nesterov = args.nesterov ?? false;
  }
  protected slotCount(): number { return 1; }
  protected updateOne(p: FArray, g: FArray, [vel]: FArray[]): void {
    kernels().sgd(p, g, vel, this.learningRate, this.momentum, this.nesterov);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov }; }
}
