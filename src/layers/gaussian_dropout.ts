import { scaleShift } from '../autograd/layer_ops.js';
import type { Tensor } from '../tensor.js';
import { RateNoiseLayer, type RateNoiseArgs } from './noise_layer.js';
import { registerLayer } from './registry.js';

export type GaussianDropoutArgs = Omit<RateNoiseArgs, 'noiseShape'>;

/** Multiplies every value by normal noise of mean 1 and stddev sqrt(rate / (1 - rate)) (Keras's GaussianDropout). Training only. */
export class GaussianDropout extends RateNoiseLayer {
  static override readonly className: string = 'GaussianDropout';
  override supportsMasking = true;
  constructor(args: GaussianDropoutArgs) { super(args, 'gaussian_dropout'); }

  protected noisy(x: Tensor): Tensor {
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return scaleShift(x, this.draw(x.size, (r) => 1 + stddev * r.normal()), null);
  }

  /** Keras's GaussianDropout has no noise_shape. */
  getConfig(): Record<string, unknown> {
    const { noiseShape: _, ...c } = super.getConfig();
    return c;
  }
}

registerLayer(GaussianDropout);
