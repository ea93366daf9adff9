import { Adam, type AdamArgs } from './adam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { SGD, type SGDArgs } from './sgd.js';

export { Adam, Optimizer, RMSprop, SGD };
export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';

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

export function getOptimizer(o: OptimizerName | Optimizer | string): Optimizer {
  if (o instanceof Optimizer) return o;
  switch (typeof o === 'string' ? o.toLowerCase() : o) {
    case 'adam': return new Adam();
    case 'rmsprop': return new RMSprop();
    case 'sgd': return new SGD();
    default: throw new Error(`unknown optimizer '${String(o)}': use 'adam', 'rmsprop', 'sgd' or an optimizer object`);
  }
}
