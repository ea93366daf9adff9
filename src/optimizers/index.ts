import { Adam, type AdamArgs } from './adam.js';
import { Optimizer } from './optimizer.js';
import { optimizerClass, optimizerClassNames } from './registry.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { SGD, type SGDArgs } from './sgd.js';

export { Adam, Optimizer, RMSprop, SGD };

/** tfjs-style factories: rl.train.adam(0.01). */
export const train = {
  adam: (learningRate?: number, beta1?: number, beta2?: number, epsilon?: number) => new Adam({ learningRate, beta1, beta2, epsilon }),
  rmsprop: (learningRate?: number, rho?: number, epsilon?: number) => new RMSprop({ learningRate, rho, epsilon }),
  sgd: (learningRate?: number, momentum?: number) => new SGD({ learningRate, momentum }),
};

export const optimizers = {
  adam: (args?: AdamArgs) => new Adam(args),
  rmsprop: (args?: RMSpropArgs) => new RMSprop(args),
  sgd: (args?: SGDArgs) => new SGD(args),
};

/** An optimizer object, or a registered name ('adam', 'rmsprop', 'sgd') with Keras's defaults. */
export function getOptimizer(o: Optimizer | string): Optimizer {
  if (o instanceof Optimizer) return o;
  const cls = typeof o === 'string' ? optimizerClass(o) : undefined;
  // Only rnnlab's own names here: aliases such as tfjs's 'Momentum' carry settings a bare name would drop.
  if (!cls || cls.className.toLowerCase() !== String(o).toLowerCase()) throw new Error(`unknown optimizer '${String(o)}': use ${optimizerClassNames().map((n) => `'${n.toLowerCase()}'`).join(', ')} or an optimizer object`);
  return new cls();
}
