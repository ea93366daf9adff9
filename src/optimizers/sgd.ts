import { kernels, type FArray } from '../backend/index.js';
import { registerOptimizer } from './registry.js';
import { BASE_OPTIONS, Optimizer, baseArgs, SAVED_CONFIG, checkOptimizerConfig, configArgument, configNumber, fromSavedArgs, type OptimizerArgs } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs { momentum?: number; nesterov?: boolean }

/** Keras defaults: learningRate 0.01, momentum 0, no Nesterov. tfjs's 'Momentum' optimizer loads as SGD with momentum. */
export class SGD extends Optimizer<SGDArgs> {
  static readonly className = 'SGD';
  static readonly aliases = ['Momentum'];
  static readonly slotNames = ['velocity'];
  static readonly defaultLearningRate = 0.01;
  static readonly hyperparameters = { momentum: { default: 0 } };
  static readonly extraOptions = ['nesterov'];
  declare readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: SGDArgs = {}) {
    super(args);
    const nesterov = args.nesterov ?? false;
    if (typeof nesterov !== 'boolean') throw new Error(`SGD: nesterov must be true or false, got ${JSON.stringify(nesterov)}`);
    this.nesterov = nesterov;
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static fromConfig(first: Record<string, unknown> | Function, tfjsConfig?: Record<string, unknown> | string): SGD {
    const c = configArgument(first, tfjsConfig);
    checkOptimizerConfig(SAVED_CONFIG, c, [...BASE_OPTIONS, 'momentum', 'nesterov', 'useNesterov']);
    const nesterov = (c.nesterov ?? c.useNesterov ?? undefined) as boolean | undefined;
    return fromSavedArgs(baseArgs(c), (args) => new SGD({ ...args, momentum: configNumber(c, 'momentum'), nesterov }));
  }
  protected updateOne(p: FArray, g: FArray, [vel]: FArray[]): void {
    kernels().sgd(p, g, vel, this.stepLearningRate, this.momentum, this.nesterov);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), nesterov: this.nesterov }; }
}

registerOptimizer(SGD);
