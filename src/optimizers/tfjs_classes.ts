/**
 * tfjs's optimizer classes (tf.AdamOptimizer, tf.SGDOptimizer, ...): constructors with tfjs's positional arguments
 * making rnnlab's optimizers, so `new tf.AdamOptimizer(0.01)` and `opt instanceof tf.AdamOptimizer` run unchanged.
 * tfjs's getClassName, getConfig and fromConfig are the rnnlab classes' (Keras's config).
 */
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax, tfjsAdamaxRate } from './adamax.js';
import { RMSprop } from './rmsprop.js';
import { Optimizer } from './optimizer.js';
import { LearningRateSchedule } from './schedules.js';
import { SGD, tfjsMomentumArgs } from './sgd.js';
import { train } from './index.js';

type Rate = number | LearningRateSchedule;

/**
 * tfjs 4.22 answers `instanceof` for every optimizer class by duck typing (minimize, computeGradients and
 * applyGradients present), so any optimizer is an instance of each; the same answers here, for rnnlab's optimizers.
 */
function isOptimizer(x: unknown): boolean {
  return x instanceof Optimizer;
}

/**
 * The rnnlab options a tfjs constructor's arguments mean. An options object alone passes through unchanged: the
 * inherited fromConfig builds with `new this(options)`.
 */
function options(cls: string, first: unknown, positional: Record<string, unknown>): Record<string, unknown> {
  if (typeof first === 'object' && first !== null && !(first instanceof LearningRateSchedule)) {
    // tfjs's constructors take only positional arguments; an object is rnnlab's (fromConfig's) form, and positional
    // arguments after it would otherwise be dropped.
    const extra = Object.entries(positional).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (extra.length) throw new Error(`${cls}: give tfjs's positional arguments or one options object, not both (an options object was followed by ${extra.join(', ')})`);
    return first as Record<string, unknown>;
  }
  // tfjs passes epsilon null for "the default".
  return Object.fromEntries(Object.entries({ learningRate: first, ...positional }).filter(([, v]) => v !== undefined && v !== null));
}

export class SGDOptimizer extends SGD {
  constructor(learningRate: Rate) { super(options('SGDOptimizer', learningRate, {}) as never); }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

/** tfjs's MomentumOptimizer: an SGD with momentum. */
export class MomentumOptimizer extends SGD {
  /** tfjs 4.22's static name (tf.MomentumOptimizer.className). */
  static readonly className: string = 'Momentum';
  /**
   * The optimizer is rnnlab's SGD: saved configs and checkpoints name it SGD (with momentum; an includeOptimizer file
   * says Momentum, from the momentum), as files written before the static name changed do, so they keep loading.
   */
  static readonly kerasName = 'SGD';
  /** As tfjs's, any momentum >= 0 (Keras's SGD takes [0, 1]). */
  constructor(learningRate: Rate, momentum: number, useNesterov?: boolean) { super(tfjsMomentumArgs(options('MomentumOptimizer', learningRate, { momentum, nesterov: useNesterov }))); }
  /** The family the save and checkpoint code branch on (an SGD), not the static tfjs name. */
  get className(): string { return SGD.className; }
  /** tfjs's name for the class ('SGD' for SGDOptimizer); a saved file's class comes from the momentum, not this. */
  getClassName(): string { return 'Momentum'; }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

export class AdamOptimizer extends Adam {
  constructor(learningRate: Rate, beta1?: number, beta2?: number, epsilon?: number | null) { super(options('AdamOptimizer', learningRate, { beta1, beta2, epsilon }) as never); }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

export class AdagradOptimizer extends Adagrad {
  constructor(learningRate: Rate, initialAccumulatorValue?: number) { super(options('AdagradOptimizer', learningRate, { initialAccumulatorValue }) as never); }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

export class AdadeltaOptimizer extends Adadelta {
  constructor(learningRate: Rate, rho?: number, epsilon?: number | null) { super(options('AdadeltaOptimizer', learningRate, { rho, epsilon }) as never); }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

export class AdamaxOptimizer extends Adamax {
  /** tfjs's decay (the rate at step t is learningRate / (1 + decay * t)) becomes an InverseTimeDecay schedule. */
  constructor(learningRate: Rate, beta1?: number, beta2?: number, epsilon?: number | null, decay?: number) {
    // An options object (fromConfig's form) with a positional decay after it is refused by options(), as any extra.
    const optionsObject = typeof learningRate === 'object' && learningRate !== null && !(learningRate instanceof LearningRateSchedule);
    super(options('AdamaxOptimizer', optionsObject ? learningRate : tfjsAdamaxRate('AdamaxOptimizer', learningRate, decay), { beta1, beta2, epsilon, ...(optionsObject ? { decay } : {}) }) as never);
  }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

/** tfjs's argument order: decay is Keras's rho. */
export class RMSPropOptimizer extends RMSprop {
  constructor(learningRate: Rate, decay?: number, momentum?: number, epsilon?: number | null, centered?: boolean) {
    super(options('RMSPropOptimizer', learningRate, { rho: decay, momentum, epsilon, centered }) as never);
  }
  static [Symbol.hasInstance](x: unknown): boolean { return isOptimizer(x); }
}

/** tfjs's tf.OptimizerConstructors: the tf.train factories as static methods. */
export const OptimizerConstructors = train;
