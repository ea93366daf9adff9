// Attaches tfjs's optimizer.minimize to every optimizer.
import './minimize.js';
// Attaches tfjs's getWeights, setWeights, getClassName, dispose and computeGradients.
import './weights.js';
import { factoryOf, refuseExtraArguments } from '../factory.js';
import { Adadelta, type AdadeltaArgs } from './adadelta.js';
import { Adagrad, type AdagradArgs } from './adagrad.js';
import { Adam, type AdamArgs } from './adam.js';
import { AdamW } from './adamw.js';
import { Adamax, tfjsAdamaxRate, type AdamaxArgs } from './adamax.js';
import { Nadam, type NadamArgs } from './nadam.js';
import { Optimizer, checkOptimizerConfig, constructorOptionNames } from './optimizer.js';
import { optimizerClass, optimizerClassNames } from './registry.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateSchedule, PiecewiseConstantDecay, PolynomialDecay, registerSchedule } from './schedules.js';
import { SGD, tfjsMomentumArgs, type SGDArgs } from './sgd.js';

export { Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, Optimizer, RMSprop, SGD };

/** tfjs's adamax default learning rate (Keras's is 0.001, which 'adamax' by name and new Adamax() use). */
const TFJS_ADAMAX_LR = 0.002;

/** A number, or a schedule (rl.optimizers.schedules), which tfjs's factories do not take but rnnlab's do. */
type Rate = number | LearningRateSchedule;

/**
 * A tfjs positional factory, refusing arguments past its parameters: tfjs's drop them, so a setting given there
 * (sgd's useNesterov, Keras's options such as clipnorm) would be lost. hint: what to write instead.
 */
function positionalFactory<A extends unknown[], R>(name: string, params: readonly string[], make: (...args: A) => R, hint?: (args: readonly unknown[]) => string | undefined): (...args: A) => R {
  const factory = (...args: A) => {
    refuseExtraArguments(`rl.train.${name}`, params, args, hint?.(args) ?? kerasOptionsHint(name, args.slice(params.length)));
    return make(...args);
  };
  // Named, so compile can say which factory was passed uncalled.
  return Object.defineProperty(factory, 'name', { value: name });
}

/** An options object after the positional arguments holds Keras's options, which the keyword factory takes. */
function kerasOptionsHint(name: string, extra: readonly unknown[]): string | undefined {
  const options = extra.find((v) => v !== undefined);
  if (typeof options !== 'object' || options === null || Array.isArray(options) || !['adam', 'rmsprop', 'sgd', 'adagrad', 'adadelta', 'adamax'].includes(name)) return undefined;
  return `Keras's options (${Object.keys(options).join(', ')}) go in one object: rl.optimizers.${name}({learningRate, ...})`;
}

/** tfjs-style factories: rl.train.adam(0.01). */
export const train = {
  adam: positionalFactory('adam', ['learningRate', 'beta1', 'beta2', 'epsilon'],
    (learningRate?: Rate, beta1?: number, beta2?: number, epsilon?: number) => new Adam({ learningRate, beta1, beta2, epsilon })),
  /** tfjs's argument order (decay is Keras's rho; epsilon null means the default). */
  rmsprop: positionalFactory('rmsprop', ['learningRate', 'decay', 'momentum', 'epsilon', 'centered'],
    (learningRate?: Rate, decay?: number, momentum?: number, epsilon?: number | null, centered?: boolean) =>
      new RMSprop({ learningRate, rho: decay, momentum, epsilon: epsilon ?? undefined, centered })),
  /** tfjs's sgd takes the rate alone; rnnlab's also a momentum. Nesterov's flag is tfjs's momentum factory's. */
  sgd: positionalFactory('sgd', ['learningRate', 'momentum'], (learningRate?: Rate, momentum?: number) => new SGD({ learningRate, momentum }),
    (args) => (args.length > 2 && typeof args[2] === 'boolean'
      ? `for Nesterov momentum write rl.train.momentum(${String(args[0])}, ${String(args[1])}, ${String(args[2])})` : undefined)),
  adagrad: positionalFactory('adagrad', ['learningRate', 'initialAccumulatorValue'],
    (learningRate?: Rate, initialAccumulatorValue?: number) => new Adagrad({ learningRate, initialAccumulatorValue })),
  adadelta: positionalFactory('adadelta', ['learningRate', 'rho', 'epsilon'],
    (learningRate?: Rate, rho?: number, epsilon?: number) => new Adadelta({ learningRate, rho, epsilon })),
  /** tfjs's decay (the rate at step t is learningRate / (1 + decay * t)) becomes an InverseTimeDecay schedule. */
  adamax: positionalFactory('adamax', ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'],
    (learningRate: Rate = TFJS_ADAMAX_LR, beta1?: number, beta2?: number, epsilon?: number, decay?: number) =>
      new Adamax({ learningRate: tfjsAdamaxRate('train.adamax', learningRate, decay) as Rate, beta1, beta2, epsilon })),
  /** tfjs's momentum optimizer: the same update as Keras's SGD with momentum (and Nesterov); as tfjs, any momentum >= 0 (Keras's SGD: [0, 1]). */
  momentum: positionalFactory('momentum', ['learningRate', 'momentum', 'useNesterov'],
    (learningRate: Rate, momentum: number, useNesterov?: boolean) => new SGD(tfjsMomentumArgs({ learningRate, momentum, nesterov: useNesterov === undefined ? false : useNesterov }))),
};

/** rl.optimizers.<name>(args): the options checked under the factory's name, then the class's constructor. */
function optimizerFactory<C extends (new (args?: never) => Optimizer) & typeof Optimizer>(cls: C, name: string): (...args: ConstructorParameters<C>) => InstanceType<C> {
  const make = factoryOf(cls);
  const factory = (...args: ConstructorParameters<C>) => {
    const rate = args[0] as unknown;
    // Keras's Adam(0.01) and tfjs's train.adam(0.01) are positional; this factory takes Keras's keywords as an object.
    if (typeof rate === 'number' || rate instanceof LearningRateSchedule) {
      const shown = typeof rate === 'number' ? String(rate) : 'a learning rate schedule';
      const value = typeof rate === 'number' ? String(rate) : 'schedule';
      const tfjs = Object.hasOwn(train, name) ? ` or tfjs's positional rl.train.${name}(${value})` : '';
      throw new Error(`rl.optimizers.${name}: the options argument must be an object, got ${shown}; write rl.optimizers.${name}({learningRate: ${value}})${tfjs}`);
    }
    refuseExtraArguments(`rl.optimizers.${name}`, ['options'], args);
    checkOptimizerConfig(`rl.optimizers.${name}`, args[0], constructorOptionNames(cls), cls.defaultLearningRate);
    return make(...args);
  };
  // Named, so compile can say which factory was passed uncalled.
  return Object.defineProperty(factory, 'name', { value: name });
}

export const optimizers = {
  adam: optimizerFactory(Adam, 'adam'),
  adamw: optimizerFactory(AdamW, 'adamw'),
  rmsprop: optimizerFactory(RMSprop, 'rmsprop'),
  sgd: optimizerFactory(SGD, 'sgd'),
  adagrad: optimizerFactory(Adagrad, 'adagrad'),
  adadelta: optimizerFactory(Adadelta, 'adadelta'),
  adamax: optimizerFactory(Adamax, 'adamax'),
  nadam: optimizerFactory(Nadam, 'nadam'),
  /** Keras's keras.optimizers.schedules: new rl.optimizers.schedules.ExponentialDecay({...}) as any optimizer's learningRate. */
  schedules: { LearningRateSchedule, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay, registerSchedule },
};

/** Keras's serialized optimizer, as its optimizers.get takes it in compile: {className, config} (or class_name). */
export interface OptimizerConfigObject { className?: string; class_name?: string; config?: Record<string, unknown> }

const registeredNames = () => optimizerClassNames().map((n) => `'${n.toLowerCase()}'`).join(', ');

/**
 * compile's optimizer: an optimizer object; a registered name ('adam', 'rmsprop', 'sgd') with Keras's defaults; or
 * {className, config}, Keras's serialized form, read as a saved training config is (the class's fromConfig).
 */
export function getOptimizer(o: Optimizer | string | OptimizerConfigObject): Optimizer {
  if (o instanceof Optimizer) return o;
  if (typeof o === 'string') {
    const cls = optimizerClass(o);
    // Only rnnlab's own names here: aliases such as tfjs's 'Momentum' carry settings a bare name would drop.
    if (!cls || cls.className.toLowerCase() !== o.toLowerCase()) throw new Error(`unknown optimizer '${o}': use ${registeredNames()} or an optimizer object`);
    return new cls();
  }
  if (typeof o === 'function') throw new Error(uncalledMessage(o));
  if (typeof o === 'object' && o !== null && !Array.isArray(o)) return fromConfigObject(o as Record<string, unknown>);
  throw new Error(`compile: optimizer must be an optimizer object (rl.optimizers.adam()), a name (${registeredNames()}) or {className, config}, got ${JSON.stringify(o) ?? String(o)}`);
}

/** What to say for a function given as the optimizer (its source would say nothing useful). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function uncalledMessage(f: Function): string {
  if (f.prototype instanceof Optimizer) {
    const name = (f as unknown as { className?: string }).className ?? f.name;
    return `compile: optimizer is the class ${f.name}, not an optimizer: create one with new rl.${name}() (options as an object) or rl.optimizers.${name.toLowerCase()}()`;
  }
  const key = f.name as keyof typeof optimizers & keyof typeof train;
  if ((optimizers as Record<string, unknown>)[key] === f) {
    return `compile: optimizer is the factory rl.optimizers.${key}, not an optimizer: call it, rl.optimizers.${key}() or rl.optimizers.${key}({learningRate: 0.01})`;
  }
  if ((train as Record<string, unknown>)[key] === f) return `compile: optimizer is the factory rl.train.${key}, not an optimizer: call it, rl.train.${key}() or rl.train.${key}(0.01)`;
  return `compile: optimizer is a function, not an optimizer: give an optimizer object (rl.optimizers.adam(), rl.train.sgd(0.1)), a name (${registeredNames()}) or {className, config}`;
}

/**
 * Keras's {class_name, config} (camelCase className too): the class by name, its config read as a saved one. Keras
 * 3's serialize() adds module and registered_name, where Python finds the class: null for a built-in, else a custom
 * class registered in Python, which rnnlab cannot build.
 */
function fromConfigObject(o: Record<string, unknown>): Optimizer {
  const form = '{className, config}';
  const extra = Object.keys(o).filter((k) => !['className', 'class_name', 'config', ...KERAS3_LOCATION_KEYS].includes(k));
  if (extra.length) {
    throw new Error(`compile: optimizer ${extra.map((k) => `'${k}'`).join(', ')}: an object given as the optimizer is Keras's ${form} (its keys className or class_name, and config); ` +
      'for an optimizer with options call its factory, rl.optimizers.adam({learningRate: 0.01})');
  }
  if (o.className !== undefined && o.class_name !== undefined) throw new Error('compile: optimizer: give className or class_name, not both');
  const name = o.className ?? o.class_name;
  if (typeof name !== 'string') throw new Error(`compile: optimizer ${form} needs className, the optimizer's class name such as 'Adam', got ${JSON.stringify(name) ?? String(name)}`);
  checkKeras3Location(o, name);
  const cls = optimizerClass(name);
  if (!cls) throw new Error(`compile: optimizer className '${name}' is not an optimizer rnnlab has (${optimizerClassNames().join(', ')})`);
  const config = o.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`compile: optimizer '${name}': config must be an object of its options, got ${JSON.stringify(config)}`);
  try {
    return cls.fromConfig(config as Record<string, unknown>, name);
  } catch (e) {
    throw new Error(`compile: optimizer '${name}': ${(e as Error).message}`);
  }
}

/** The keys Keras 3's serialize() writes beside class_name and config. */
const KERAS3_LOCATION_KEYS = ['module', 'registered_name', 'registeredName'];

function checkKeras3Location(o: Record<string, unknown>, name: string): void {
  if (o.module !== undefined && o.module !== null && typeof o.module !== 'string') throw new Error(`compile: optimizer '${name}': module must be a string, got ${JSON.stringify(o.module)}`);
  if (o.registered_name !== undefined && o.registeredName !== undefined) throw new Error('compile: optimizer: give registeredName or registered_name, not both');
  const registered = o.registered_name ?? o.registeredName;
  if (registered === undefined || registered === null || registered === name) return;
  throw new Error(`compile: optimizer '${name}' has registered_name ${JSON.stringify(registered)}, a custom optimizer registered in Python, which rnnlab cannot build; ` +
    `give a built-in one (${optimizerClassNames().join(', ')})`);
}
