import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, checkHyper, configArgument, fromSavedArgs, savedOptions, type OptimizerArgs } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs { momentum?: number; nesterov?: boolean }

/**
 * Marks options as tfjs's Momentum optimizer's (rl.train.momentum, MomentumOptimizer, a saved 'Momentum'), which
 * take any momentum >= 0; Keras's SGD takes [0, 1]. A symbol, so option checks (Object.entries) never see it.
 */
export const TFJS_MOMENTUM: unique symbol = Symbol('tfjs Momentum');

/** Options marked as tfjs's Momentum's (TFJS_MOMENTUM). */
export function tfjsMomentumArgs(args: SGDArgs): SGDArgs {
  return Object.assign({ ...args }, { [TFJS_MOMENTUM]: true });
}

/** Keras defaults: learningRate 0.01, momentum 0, no Nesterov. tfjs's 'Momentum' optimizer loads as SGD with momentum. */
export class SGD extends Optimizer<SGDArgs> {
  static readonly className: string = 'SGD';
  static readonly aliases = ['Momentum'];
  static readonly slotNames = ['velocity'];
  static readonly defaultLearningRate = 0.01;
  /** tf.keras 2's SGD config holds OptimizerV2's learning-rate decay: read as InverseTimeDecay (savedRateDecay). */
  static readonly savedRateDecay: boolean = true;
  static readonly hyperparameters = { momentum: { default: 0 } };
  static readonly extraOptions = ['nesterov'];
  /** tfjs's Momentum config spells nesterov useNesterov. */
  static readonly savedNames = { useNesterov: 'nesterov' };
  declare readonly momentum: number;
  readonly nesterov: boolean;
  /** Made as tfjs's Momentum optimizer (TFJS_MOMENTUM): momentum has no upper bound, as in tfjs. */
  private readonly tfjsMomentum: boolean;
  /** tfjs's name for nesterov (MomentumOptimizer.useNesterov). */
  get useNesterov(): boolean { return this.nesterov; }
  constructor(args: SGDArgs = {}) {
    super(args);
    this.tfjsMomentum = (args as { [TFJS_MOMENTUM]?: boolean })?.[TFJS_MOMENTUM] === true;
    // Keras 3's SGD: "`momentum` must be a float between [0, 1]" (the table's check gives >= 0).
    this.checkMomentum(this.momentum);
    const nesterov = args.nesterov ?? false;
    if (typeof nesterov !== 'boolean') throw new Error(`SGD: nesterov must be true or false, got ${JSON.stringify(nesterov)}`);
    this.nesterov = nesterov;
  }
  private checkMomentum(momentum: unknown): number {
    return checkHyper(this.className, 'momentum', momentum, this.tfjsMomentum ? {} : { max: 1 });
  }
  /**
   * Keras's from_config, or tfjs's fromConfig(cls, config); a config saved as tfjs's 'Momentum' class (an
   * includeOptimizer file) reads as tfjs's Momentum, whose momentum has no upper bound.
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static fromConfig(first: Record<string, unknown> | Function, savedNameOrConfig?: string | Record<string, unknown>): SGD {
    const args = savedOptions(this, configArgument(first, savedNameOrConfig));
    const make = (a: SGDArgs): SGD => new this(savedNameOrConfig === 'Momentum' ? tfjsMomentumArgs(a) : a);
    return fromSavedArgs(args, make);
  }
  /**
   * tfjs's MomentumOptimizer.setMomentum(m): later steps use it. As Keras 3's SGD (update_step skips its momentum
   * variables while momentum is 0), steps at momentum 0 leave the velocity as it was, and a later non-zero momentum
   * continues from the velocity of the last momentum step.
   */
  setMomentum(momentum: number): void {
    (this as { momentum: number }).momentum = this.checkMomentum(momentum);
  }
  protected updateOne(p: FArray, g: FArray, [vel]: FArray[]): void {
    kernels().sgd(p, g, vel, this.stepLearningRate, this.momentum, this.nesterov);
  }
  /** tfjs's getClassName(): tfjs's SGD has no momentum, so with momentum this is tfjs's Momentum, as saved files say. */
  getClassName(): string { return this.momentum > 0 ? 'Momentum' : 'SGD'; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), nesterov: this.nesterov }; }
}

registerOptimizer(SGD);
