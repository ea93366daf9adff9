// Attaches tfjs's optimizer.minimize to every optimizer.
import './minimize.js';
// Attaches tfjs's getWeights, setWeights, getClassName, dispose and computeGradients.
import './weights.js';
import { factoryOf } from '../factory.js';
import { Adadelta, type AdadeltaArgs } from './adadelta.js';
import { Adagrad, type AdagradArgs } from './adagrad.js';
import { Adam, type AdamArgs } from './adam.js';
import { Adamax, type AdamaxArgs } from './adamax.js';
import { Nadam, type NadamArgs } from './nadam.js';
import { Optimizer, checkOptimizerConfig, optionNames } from './optimizer.js';
import { optimizerClass, optimizerClassNames } from './registry.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateSchedule, PiecewiseConstantDecay, PolynomialDecay, registerSchedule } from './schedules.js';
import { SGD, tfjsMomentumArgs, type SGDArgs } from './sgd.js';

export { Adadelta, Adagrad, Adam, Adamax, Nadam, Optimizer, RMSprop, SGD };

/** tfjs's adamax default learning rate (Keras's is 0.001, which 'adamax' by name and new Adamax() use). */
const TFJS_ADAMAX_LR = 0.002;

/** A number, or a schedule (rl.optimizers.schedules), which tfjs's factories do not take but rnnlab's do. */
type Rate = number | LearningRateSchedule;

/** tfjs-style factories: rl.train.adam(0.01). */
export const train = {
  adam: (learningRate?: Rate, beta1?: number, beta2?: number, epsilon?: number) => new Adam({ learningRate, beta1, beta2, epsilon }),
  /** tfjs's argument order (decay is Keras's rho; epsilon null means the default). */
  rmsprop: (learningRate?: Rate, decay?: number, momentum?: number, epsilon?: number | null, centered?: boolean) =>
    new RMSprop({ learningRate, rho: decay, momentum, epsilon: epsilon ?? undefined, centered }),
  sgd: (learningRate?: Rate, momentum?: number) => new SGD({ learningRate, momentum }),
  adagrad: (learningRate?: Rate, initialAccumulatorValue?: number) => new Adagrad({ learningRate, initialAccumulatorValue }),
  adadelta: (learningRate?: Rate, rho?: number, epsilon?: number) => new Adadelta({ learningRate, rho, epsilon }),
  adamax: (learningRate: Rate = TFJS_ADAMAX_LR, beta1?: number, beta2?: number, epsilon?: number, decay?: number) => {
    if (decay !== undefined && decay !== 0) throw new Error(`train.adamax: decay ${decay} is not supported (use a learningRateScheduler)`);
    return new Adamax({ learningRate, beta1, beta2, epsilon });
  },
  /** tfjs's momentum optimizer: the same update as Keras's SGD with momentum (and Nesterov); as tfjs, any momentum >= 0 (Keras's SGD: [0, 1]). */
  momentum: (learningRate: Rate, momentum: number, useNesterov = false) => new SGD(tfjsMomentumArgs({ learningRate, momentum, nesterov: useNesterov })),
};

/** rl.optimizers.<name>(args): the options checked under the factory's name, then the class's constructor. */
function optimizerFactory<C extends (new (args?: never) => Optimizer) & typeof Optimizer>(cls: C, name: string): (...args: ConstructorParameters<C>) => InstanceType<C> {
  const make = factoryOf(cls);
  return (...args) => {
    checkOptimizerConfig(`rl.optimizers.${name}`, args[0], optionNames(cls));
    return make(...args);
  };
}

export const optimizers = {
  adam: optimizerFactory(Adam, 'adam'),
  rmsprop: optimizerFactory(RMSprop, 'rmsprop'),
  sgd: optimizerFactory(SGD, 'sgd'),
  adagrad: optimizerFactory(Adagrad, 'adagrad'),
  adadelta: optimizerFactory(Adadelta, 'adadelta'),
  adamax: optimizerFactory(Adamax, 'adamax'),
  nadam: optimizerFactory(Nadam, 'nadam'),
  /** Keras's keras.optimizers.schedules: new rl.optimizers.schedules.ExponentialDecay({...}) as any optimizer's learningRate. */
  schedules: { LearningRateSchedule, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay, registerSchedule },
};

/** An optimizer object, or a registered name ('adam', 'rmsprop', 'sgd') with Keras's defaults. */
export function getOptimizer(o: Optimizer | string): Optimizer {
  if (o instanceof Optimizer) return o;
  const cls = typeof o === 'string' ? optimizerClass(o) : undefined;
  // Only rnnlab's own names here: aliases such as tfjs's 'Momentum' carry settings a bare name would drop.
  if (!cls || cls.className.toLowerCase() !== String(o).toLowerCase()) throw new Error(`unknown optimizer '${String(o)}': use ${optimizerClassNames().map((n) => `'${n.toLowerCase()}'`).join(', ')} or an optimizer object`);
  return new cls();
}
