import { finiteOption, type LayerArgs } from './layer.js';
import { PointwiseLayer } from './pointwise_layer.js';
import { registerLayer } from './registry.js';

export interface ThresholdedReLUArgs extends LayerArgs {
  /** Values at or below theta (>= 0) become 0. Default 1. */
  theta?: number;
}

/** x for x > theta, 0 otherwise (Keras 2's and tfjs's ThresholdedReLU layer). */
export class ThresholdedReLU extends PointwiseLayer {
  static override readonly className: string = 'ThresholdedReLU';
  /** The padding mask passes through (Keras 2's supports_masking; tfjs 4.22 leaves it false, Keras 3 has no ThresholdedReLU). */
  override supportsMasking = true;
  static override readonly options = { theta: finiteOption(1, 0) };
  declare readonly theta: number;

  constructor(args: ThresholdedReLUArgs = {}) { super(args, 'thresholded_re_lu'); }

  f(x: number): number { return x > this.theta ? x : 0; }
  df(x: number): number { return x > this.theta ? 1 : 0; }
}

registerLayer(ThresholdedReLU);
