/** The options Adam, Adamax and Nadam share: two moment decay rates and epsilon, with Keras's defaults. */
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdamFamilyArgs extends OptimizerArgs { beta1?: number; beta2?: number; epsilon?: number }

export abstract class AdamFamily extends Optimizer<AdamFamilyArgs> {
  static readonly hyperparameters = {
    beta1: { default: 0.9, maxExclusive: 1 }, beta2: { default: 0.999, maxExclusive: 1 }, epsilon: { default: 1e-7 },
  };
  declare readonly beta1: number;
  declare readonly beta2: number;
  declare readonly epsilon: number;
}
