import { scaleShift } from '../autograd/layer_ops.js';
import type { Tensor } from '../tensor.js';
import { RateNoiseLayer, type RateNoiseArgs } from './noise_layer.js';
import { registerLayer } from './registry.js';

export type AlphaDropoutArgs = RateNoiseArgs;

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
  constructor(args: AlphaDropoutArgs) { super(args, 'alpha_dropout'); }

  protected noisy(x: Tensor): Tensor {
    const p = this.rate, alphaP = -SELU_ALPHA * SELU_SCALE;
    const a = ((1 - p) * (1 + p * alphaP * alphaP)) ** -0.5;
    const b = -a * alphaP * p;
    const kept = this.draw(x.size, (r) => (r.next() >= p ? 1 : 0));
    const shift = kept.map((k) => (k ? b : a * alphaP + b));
    return scaleShift(x, kept.map((k) => a * k), shift);
  }
}

registerLayer(AlphaDropout);
