import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { BASE_OPTIONS, Optimizer, baseArgs, SAVED_CONFIG, checkOptimizerConfig, configNumber, type OptimizerArgs } from './optimizer.js';

export interface RMSpropArgs extends OptimizerArgs { rho?: number; epsilon?: number }

/** Keras defaults: learningRate 0.001, rho 0.9, epsilon 1e-7. */
export class RMSprop extends Optimizer<RMSpropArgs> {
  static readonly className = 'RMSprop';
  /** tfjs registers 'RMSProp'; Keras matches optimizer names case-insensitively, so both read it. */
  static readonly kerasName = 'RMSProp';
  static readonly slotNames = ['accumulator'];
  static readonly hyperparameters = { rho: { default: 0.9, maxExclusive: 1 }, epsilon: { default: 1e-7 } };
  declare readonly rho: number;
  declare readonly epsilon: number;
  /** tfjs's RMSProp config spells rho 'decay' (Keras 2's 'decay' is a learning-rate decay, which must be 0). */
  static fromConfig(c: Record<string, unknown>, savedName = 'RMSprop'): RMSprop {
    const tfjs = savedName === 'RMSProp';
    const { decay, ...rest } = c;
    checkOptimizerConfig(SAVED_CONFIG, tfjs ? rest : c, [...BASE_OPTIONS, 'rho', 'epsilon', 'momentum']);
    if ((configNumber(c, 'momentum') ?? 0) !== 0) throw new Error(`option 'momentum' = ${JSON.stringify(c.momentum)} is not supported by rnnlab`);
    const rho = configNumber(c, 'rho') ?? (tfjs ? configNumber({ decay }, 'decay') : undefined);
    return new RMSprop({ ...baseArgs(c), rho, epsilon: configNumber(c, 'epsilon') });
  }
  protected updateOne(p: FArray, g: FArray, [acc]: FArray[]): void {
    kernels().rmsprop(p, g, acc, this.learningRate, this.rho, this.epsilon);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), momentum: 0, centered: false }; }
}

registerOptimizer(RMSprop);
