import { finiteOption, type LayerArgs } from './layer.js';
import { PointwiseLayer } from './pointwise_layer.js';
import { registerLayer } from './registry.js';

export interface ELUArgs extends LayerArgs {
  /** The scale of the negative part. Default 1. (tfjs-layers refuses any other value; Keras and rnnlab take it.) */
  alpha?: number;
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise (Keras's and tfjs's ELU layer). */
export class ELU extends PointwiseLayer {
  static override readonly className: string = 'ELU';
  /** The padding mask passes through (Keras 3's supports_masking; tfjs 4.22 leaves it false). */
  override supportsMasking = true;
  static override readonly options = { alpha: finiteOption(1) };
  declare readonly alpha: number;

  constructor(args: ELUArgs = {}) { super(args, 'elu'); }

  f(x: number): number { return x > 0 ? x : this.alpha * Math.expm1(x); }
  df(x: number): number { return x > 0 ? 1 : this.alpha * Math.exp(x); }
}

registerLayer(ELU);
