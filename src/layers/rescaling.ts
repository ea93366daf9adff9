import type { LayerArgs } from './layer.js';
import { PointwiseLayer } from './pointwise_layer.js';
import { registerLayer } from './registry.js';

export interface RescalingArgs extends LayerArgs {
  /** Multiplies every value (required). */
  scale: number;
  /** Added after scaling. Default 0. */
  offset?: number;
}

/** x * scale + offset (Keras's and tfjs's Rescaling preprocessing layer); integer inputs come out as float32. */
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

  f(x: number): number { return x * this.scale + this.offset; }
  df(_x: number): number { return this.scale; }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), scale: this.scale, offset: this.offset }; }
}

registerLayer(Rescaling);
