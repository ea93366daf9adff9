import type { LayerArgs } from './layer.js';
import { PointwiseLayer } from './pointwise_layer.js';
import { registerLayer } from './registry.js';

export interface LeakyReLUArgs extends LayerArgs {
  /** The slope for x < 0 (>= 0). Default 0.3, as tfjs and Keras. */
  alpha?: number;
  /** Keras 3's name for alpha. */
  negativeSlope?: number;
}

/** x for x >= 0, alpha * x below (Keras's and tfjs's LeakyReLU layer; Keras 3 calls alpha negative_slope). */
export class LeakyReLU extends PointwiseLayer {
  static override readonly className: string = 'LeakyReLU';
  /** The padding mask passes through (Keras 3's supports_masking; tfjs 4.22 leaves it false). */
  override supportsMasking = true;
  /** Keras 3's name for alpha. */
  static override readonly argAliases: readonly string[] = ['negativeSlope'];
  readonly alpha: number;

  constructor(args: LeakyReLUArgs = {}) {
    super(args, 'leaky_re_lu');
    const given = args.alpha ?? null, keras3 = args.negativeSlope ?? null;
    if (given !== null && keras3 !== null && given !== keras3) {
      throw new Error(`${this.name} (LeakyReLU): alpha ${String(given)} and negativeSlope ${String(keras3)} disagree; give one of them`);
    }
    this.alpha = given !== null ? this.numberOption('alpha', given, 0.3, 0) : this.numberOption('negativeSlope', keras3, 0.3, 0);
  }

  f(x: number): number { return x < 0 ? this.alpha * x : x; }
  df(x: number): number { return x > 0 ? 1 : this.alpha; }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), alpha: this.alpha }; }
}

registerLayer(LeakyReLU);
