import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, checkHyper, type OptimizerArgs } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs { momentum?: number; nesterov?: boolean }

/** Keras defaults: learningRate 0.01, momentum 0, no Nesterov. tfjs's 'Momentum' optimizer loads as SGD with momentum. */
export class SGD extends Optimizer<SGDArgs> {
  static readonly className: string = 'SGD';
  static readonly aliases = ['Momentum'];
  static readonly slotNames = ['velocity'];
  static readonly defaultLearningRate = 0.01;
  static readonly hyperparameters = { momentum: { default: 0 } };
  static readonly extraOptions = ['nesterov'];
  /** tfjs's Momentum config spells nesterov useNesterov. */
  static readonly savedNames = { useNesterov: 'nesterov' };
  declare readonly momentum: number;
  readonly nesterov: boolean;
  /** tfjs's name for nesterov (MomentumOptimizer.useNesterov). */
  get useNesterov(): boolean { return this.nesterov; }
  constructor(args: SGDArgs = {}) {
    super(args);
    const nesterov = args.nesterov ?? false;
    if (typeof nesterov !== 'boolean') throw new Error(`SGD: nesterov must be true or false, got ${JSON.stringify(nesterov)}`);
    this.nesterov = nesterov;
  }
  /**
   * tfjs's MomentumOptimizer.setMomentum(m): later steps use it. As Keras 3's SGD (update_step skips its momentum
   * variables while momentum is 0), steps at momentum 0 leave the velocity as it was, and a later non-zero momentum
   * continues from the velocity of the last momentum step.
   */
  setMomentum(momentum: number): void {
    (this as { momentum: number }).momentum = checkHyper(this.className, 'momentum', momentum);
  }
  protected updateOne(p: FArray, g: FArray, [vel]: FArray[]): void {
    kernels().sgd(p, g, vel, this.stepLearningRate, this.momentum, this.nesterov);
  }
  /** tfjs's getClassName(): tfjs's SGD has no momentum, so with momentum this is tfjs's Momentum, as saved files say. */
  getClassName(): string { return this.momentum > 0 ? 'Momentum' : 'SGD'; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), nesterov: this.nesterov }; }
}

registerOptimizer(SGD);
