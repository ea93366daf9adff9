import { Adam, type AdamArgs } from './adam.js';
import { registerOptimizer } from './registry.js';

export type AdamWArgs = AdamArgs;

/**
 * Keras 3's AdamW (Loshchilov & Hutter's decoupled weight decay; tfjs has none): Adam whose weightDecay is 0.004
 * unless given, applied as every optimizer's weightDecay is (Optimizer.applyGradients) before Adam's update.
 */
export class AdamW extends Adam {
  static readonly className: string = 'AdamW';
  static readonly defaultWeightDecay = 0.004;
  /** tf.keras's AdamW (2.11+, not OptimizerV2) never had a learning-rate decay: a saved one is refused, as Adam's was. */
  static readonly savedRateDecay: boolean = false;
}

registerOptimizer(AdamW);
