import { pointwise } from '../autograd/advanced_activation_ops.js';
import { getPrecision } from '../backend/index.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, type CallContext, type LayerArgs } from './layer.js';
import { PointwiseLayer } from './pointwise_layer.js';
import { registerLayer } from './registry.js';

export interface RescalingArgs extends LayerArgs {
  /** Multiplies every value (required). */
  scale: number;
  /** Added after scaling. Default 0. */
  offset?: number;
}

/**
 * x * scale + offset (Keras's and tfjs's Rescaling preprocessing layer); integer inputs come out as float32. As Keras
 * and tfjs, in float32: scale and offset are rounded to float32 and so is the product before the offset is added
 * (under rl's float64 precision, for gradient checks, all in float64).
 */
export class Rescaling extends PointwiseLayer {
  static override readonly className: string = 'Rescaling';
  readonly scale: number;
  readonly offset: number;

  constructor(args: RescalingArgs) {
    super(args, 'rescaling');
    if (args?.scale === undefined || args.scale === null) throw new Error(`${this.name} (Rescaling): missing required field 'scale' (a number)`);
    this.scale = this.numberOption('scale', args.scale, 1);
    this.offset = this.numberOption('offset', args.offset, 0);
  }

  /** The float32 result (Keras's cast(x) * cast(scale) + cast(offset), each step rounded to float32). */
  f(x: number): number { return rescale(x, this.scale, this.offset, Math.fround); }
  df(_x: number): number { return Math.fround(this.scale); }

  protected override [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    const round = getPrecision() === 64 ? (v: number) => v : Math.fround;
    const scale = round(this.scale), offset = round(this.offset);
    return pointwise(x, (v) => round(round(round(v) * scale) + offset), () => scale);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), scale: this.scale, offset: this.offset }; }
}

function rescale(x: number, scale: number, offset: number, round: (v: number) => number): number {
  return round(round(round(x) * round(scale)) + round(offset));
}

registerLayer(Rescaling);
