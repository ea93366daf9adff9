import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, type CallContext, type LayerArgs } from './layer.js';
import { PointwiseLayer } from './pointwise_layer.js';
import { registerLayer } from './registry.js';

export interface ReLUArgs extends LayerArgs {
  /** Clips the output to at most this (>= 0); absent or null: no clip. */
  maxValue?: number | null;
  /** Keras's negative_slope (>= 0): the slope below threshold. Default 0. */
  negativeSlope?: number;
  /** Keras's threshold (>= 0): values at or below it are the negative part. Default 0. */
  threshold?: number;
}

/**
 * Keras's ReLU layer: x for threshold < x (clipped to maxValue), negativeSlope * (x - threshold) below. tfjs-layers
 * has maxValue only; negativeSlope and threshold are Keras's and are written only when set, so tfjs loads the rest.
 */
export class ReLU extends PointwiseLayer {
  static override readonly className: string = 'ReLU';
  override supportsMasking = true;
  /** Keras's options, written only when not 0. */
  static override readonly argAliases: readonly string[] = ['negativeSlope', 'threshold'];
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args, 're_lu');
    this.maxValue = args.maxValue === undefined || args.maxValue === null ? null : this.numberOption('maxValue', args.maxValue, 0, 0);
    this.negativeSlope = this.numberOption('negativeSlope', args.negativeSlope, 0, 0);
    this.threshold = this.numberOption('threshold', args.threshold, 0, 0);
  }

  /** The plain relu runs on the native kernel. */
  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    return this.maxValue === null && this.negativeSlope === 0 && this.threshold === 0 ? ops.activation(x, 'relu') : super[COMPUTE](x, ctx);
  }

  f(x: number): number {
    if (x <= this.threshold) return this.negativeSlope * (x - this.threshold);
    return this.maxValue === null ? x : Math.min(x, this.maxValue);
  }

  df(x: number): number {
    if (x <= this.threshold) return this.negativeSlope;
    return this.maxValue === null || x <= this.maxValue ? 1 : 0;
  }

  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { ...super.getConfig(), maxValue: this.maxValue };
    if (this.negativeSlope !== 0) c.negativeSlope = this.negativeSlope;
    if (this.threshold !== 0) c.threshold = this.threshold;
    return c;
  }
}

registerLayer(ReLU);
