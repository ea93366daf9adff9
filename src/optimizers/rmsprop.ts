import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { Optimizer, configArgument, configNumber, fromSavedArgs, savedOptions, type OptimizerArgs } from './optimizer.js';

export interface RMSpropArgs extends OptimizerArgs {
  rho?: number;
  /** tfjs's name for rho; giving both with different values is an error. */
  decay?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

/**
 * Keras defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered. Keras 3's update: the
 * accumulator a = rho a + (1 - rho) g^2; centered also keeps the mean gradient m = rho m + (1 - rho) g and divides by
 * sqrt(a - m^2 + epsilon) (**deliberate:** tfjs 4.22 subtracts epsilon there: sqrt(a - m^2 - epsilon)), otherwise
 * by sqrt(a + epsilon); with momentum the step goes through a velocity v = momentum v + increment (tfjs alike).
 * Slots as Keras keeps them: the accumulator, then the momentum only when momentum > 0, then the mean gradient
 * only when centered.
 */
export class RMSprop extends Optimizer<RMSpropArgs> {
  static readonly className = 'RMSprop';
  /** tfjs registers 'RMSProp'; Keras matches optimizer names case-insensitively, so both read it. */
  static readonly kerasName = 'RMSProp';
  static readonly slotNames = ['accumulator'];
  /**
   * tf.keras 2's RMSprop config holds OptimizerV2's learning-rate decay beside rho: read as InverseTimeDecay
   * (savedRateDecay). tfjs's config's decay is rho (fromConfig).
   */
  static readonly savedRateDecay: boolean = true;
  static readonly hyperparameters = { rho: { default: 0.9, maxExclusive: 1 }, momentum: { default: 0 }, epsilon: { default: 1e-7 } };
  static readonly extraOptions = ['centered'];
  /** tfjs's RMSPropOptimizer calls rho decay, so code written for tfjs ({decay: 0.8}) runs unchanged. */
  static readonly optionAliases = { decay: 'rho' };
  declare readonly rho: number;
  declare readonly momentum: number;
  declare readonly epsilon: number;
  readonly centered: boolean;
  /** tfjs's name for rho (RMSPropOptimizer.decay). */
  get decay(): number { return this.rho; }
  constructor(args: RMSpropArgs = {}) {
    super(args);
    const centered = args.centered ?? false;
    if (typeof centered !== 'boolean') throw new Error(`RMSprop: centered must be true or false, got ${JSON.stringify(centered)}`);
    this.centered = centered;
  }
  get slotNames(): readonly string[] {
    return ['accumulator', ...(this.momentum > 0 ? ['momentum'] : []), ...(this.centered ? ['meanGradient'] : [])];
  }
  /**
   * tfjs's RMSProp config spells rho 'decay' (Keras 2's 'decay' is a learning-rate decay, which must be 0, beside
   * its rho): a file saved by tfjs, or a config with 'decay' and no 'rho' (tfjs's getConfig()), reads it as rho.
   * Also tfjs's fromConfig(cls, config).
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static fromConfig(first: Record<string, unknown> | Function, savedNameOrConfig?: string | Record<string, unknown>): RMSprop {
    const c = configArgument(first, savedNameOrConfig);
    const savedName = typeof savedNameOrConfig === 'string' ? savedNameOrConfig : 'RMSprop';
    const tfjs = savedName === 'RMSProp' || (c.rho === undefined || c.rho === null) && c.decay !== undefined && c.decay !== null;
    const { decay, ...rest } = c;
    const args = savedOptions(RMSprop, tfjs ? rest : c);
    if (tfjs) args.rho ??= configNumber({ decay }, 'decay');
    return fromSavedArgs(args, (a) => new RMSprop(a));
  }
  protected updateOne(p: FArray, g: FArray, slots: FArray[]): void {
    const { rho, epsilon, momentum } = this;
    const lr = this.stepLearningRate;
    if (momentum === 0 && !this.centered) { kernels().rmsprop(p, g, slots[0], lr, rho, epsilon); return; }
    const acc = slots[0];
    const velocity = momentum > 0 ? slots[1] : null;
    const mean = this.centered ? slots[slots.length - 1] : null;
    for (let i = 0; i < p.length; i++) {
      acc[i] = rho * acc[i] + (1 - rho) * g[i] * g[i];
      let denominator = acc[i] + epsilon;
      if (mean) {
        mean[i] = rho * mean[i] + (1 - rho) * g[i];
        denominator = acc[i] - mean[i] * mean[i] + epsilon;
      }
      const increment = (lr * g[i]) / Math.sqrt(denominator);
      if (velocity) {
        velocity[i] = momentum * velocity[i] + increment;
        p[i] -= velocity[i];
      } else p[i] -= increment;
    }
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), centered: this.centered }; }
}

registerOptimizer(RMSprop);
