import { avgPool1d } from '../autograd/norm_ops.js';
import type { Tensor } from '../tensor.js';
import { Layer, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkPadding, oneInt, windowGeometry, type Padding } from './padding.js';
import { registerLayer } from './registry.js';

export interface AveragePooling1DArgs extends LayerArgs {
  /** Default 2. */
  poolSize?: number | [number];
  /** Default: poolSize. */
  strides?: number | [number] | null;
  /** Default 'valid'. With 'same', a window at an edge averages only its real steps, as Keras does. */
  padding?: Padding;
}

/** The mean of each channel over windows of time (Keras's AveragePooling1D, channels-last). */
export class AveragePooling1D extends Layer {
  static override readonly className: string = 'AveragePooling1D';
  static readonly aliases = ['AvgPool1D'];
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;

  constructor(args: AveragePooling1DArgs = {}) {
    super(args, 'average_pooling1d');
    this.poolSize = checkPositiveInt(this.name, 'poolSize', oneInt(this.name, 'poolSize', args.poolSize ?? 2));
    this.strides = checkPositiveInt(this.name, 'strides', oneInt(this.name, 'strides', args.strides ?? this.poolSize));
    this.padding = checkPadding(this.name, args.padding ?? 'valid');
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (AveragePooling1D): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    const T = inputShape[1];
    const steps = T === null ? null : windowGeometry(T, this.poolSize, this.strides, this.padding).outSteps;
    if (steps === 0) throw new Error(`${this.name} (AveragePooling1D): ${T} steps are too few for poolSize ${this.poolSize}`);
    return [inputShape[0], steps, inputShape[2]];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return avgPool1d(x, this.poolSize, { stride: this.strides, ...windowGeometry(x.shape[1], this.poolSize, this.strides, this.padding) });
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.poolSize], strides: [this.strides], padding: this.padding, dataFormat: 'channels_last' };
  }
}

registerLayer(AveragePooling1D);
