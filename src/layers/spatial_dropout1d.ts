import { scaleShift } from '../autograd/layer_ops.js';
import { allocFloat } from '../backend/index.js';
import type { Tensor } from '../tensor.js';
import { kerasShape, type SymbolicShape } from './layer.js';
import { RateNoiseLayer, type RateNoiseArgs } from './noise_layer.js';
import { registerLayer } from './registry.js';

export type SpatialDropout1DArgs = RateNoiseArgs;

/**
 * Dropout of whole channels (Keras's SpatialDropout1D): each sample drops a channel at every step or at none, the
 * kept ones scaled by 1 / (1 - rate). Training only.
 */
export class SpatialDropout1D extends RateNoiseLayer {
  static override readonly className: string = 'SpatialDropout1D';
  /** The padding mask passes through (tfjs's and Keras 3's supportsMasking). */
  override supportsMasking = true;
  constructor(args: SpatialDropout1DArgs) { super(args, 'spatial_dropout1d'); }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (SpatialDropout1D): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    return inputShape;
  }

  protected noisy(x: Tensor): Tensor {
    const [B, T, C] = x.shape;
    const keep = this.draw(B * C, (r) => (r.next() >= this.rate ? 1 / (1 - this.rate) : 0));
    const scale = allocFloat(x.size, false);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) scale.set(keep.subarray(b * C, (b + 1) * C), (b * T + t) * C);
    return scaleShift(x, scale, null);
  }
}

registerLayer(SpatialDropout1D);
