import { scaleShift } from '../autograd/layer_ops.js';
import { allocFloat } from '../backend/index.js';
import type { Tensor } from '../tensor.js';
import { RateNoiseLayer, type NoiseArgs } from './noise_layer.js';
import { broadcastKeepMask, checkNoiseShape, type NoiseShape } from './noise_shape.js';
import { registerLayer } from './registry.js';

export interface AlphaDropoutArgs extends NoiseArgs {
  rate: number;
  /** The keep/drop draw's shape (Keras's and tfjs's noise_shape): 1 shares one draw along that axis, null is the input's size. */
  noiseShape?: NoiseShape | null;
}

// SELU's constants: a dropped value is set to SELU's negative saturation -scale * alpha.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * Dropout that keeps SELU's self-normalisation (Keras's AlphaDropout): dropped values become -scale * alpha, then an
 * affine map a x + b restores the mean and variance. Training only.
 */
export class AlphaDropout extends RateNoiseLayer {
  static override readonly className: string = 'AlphaDropout';
  override supportsMasking = true;
  readonly noiseShape: NoiseShape | null;

  constructor(args: AlphaDropoutArgs) {
    // The base refuses noiseShape for the layers without one; AlphaDropout takes it.
    super({ ...args, noiseShape: undefined }, 'alpha_dropout');
    this.noiseShape = checkNoiseShape(`${this.name} (AlphaDropout)`, args.noiseShape);
  }

  protected noisy(x: Tensor): Tensor {
    const p = this.rate, alphaP = -SELU_ALPHA * SELU_SCALE;
    const a = ((1 - p) * (1 + p * alphaP * alphaP)) ** -0.5;
    const b = -a * alphaP * p;
    // Without a noise shape: one draw per element in order, as before the option existed (the same numbers per seed).
    const kept = this.noiseShape === null ? this.draw(x.size, (r) => (r.next() >= p ? 1 : 0))
      : broadcastKeepMask(`${this.name} (AlphaDropout)`, this.noiseShape, x.shape, this.random, p);
    const scale = allocFloat(x.size, false), shift = allocFloat(x.size, false);
    for (let i = 0; i < kept.length; i++) { scale[i] = a * kept[i]; shift[i] = kept[i] ? b : a * alphaP + b; }
    return scaleShift(x, scale, shift);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), noiseShape: this.noiseShape }; }
}

registerLayer(AlphaDropout);
