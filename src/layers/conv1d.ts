import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { checkPositiveInt, kerasShape, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { KernelBiasLayer, type KernelBiasArgs } from './kernel_bias.js';
import { checkPadding, oneInt, windowGeometry, type Padding } from './padding.js';
import { registerLayer } from './registry.js';

export interface Conv1DArgs extends KernelBiasArgs {
  filters: number;
  kernelSize: number | [number];
  /** Default 1. */
  strides?: number | [number];
  /** Default 'valid'. */
  padding?: Padding;
  /** Only 1 is implemented; anything else is an error. */
  dilationRate?: number | [number];
}

/** Temporal convolution over [batch, steps, channels] with Keras's kernel layout [kernelSize, in, filters]. */
export class Conv1D extends KernelBiasLayer {
  static override readonly className: string = 'Conv1D';
  static readonly aliases = ['Convolution1D'];
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Padding;

  constructor(args: Conv1DArgs) {
    super(args, 'conv1d');
    this.filters = checkPositiveInt(this.name, 'filters', args.filters);
    this.kernelSize = checkPositiveInt(this.name, 'kernelSize', oneInt(this.name, 'kernelSize', args.kernelSize));
    this.strides = checkPositiveInt(this.name, 'strides', oneInt(this.name, 'strides', args.strides ?? 1));
    this.padding = checkPadding(this.name, args.padding ?? 'valid');
    const dilation = oneInt(this.name, 'dilationRate', args.dilationRate ?? 1);
    if (dilation !== 1) throw new Error(`${this.name} (Conv1D): dilationRate = ${dilation} is not supported (only 1)`);
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const cin = inputShape[2];
    if (inputShape.length !== 3 || cin === null) {
      throw new Error(`${this.name} (Conv1D): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    }
    return this.kernelBiasSpecs([this.kernelSize, cin, this.filters], [this.filters]);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const T = inputShape[1];
    const steps = T === null ? null : windowGeometry(T, this.kernelSize, this.strides, this.padding).outSteps;
    if (steps === 0) throw new Error(`${this.name} (Conv1D): ${T} steps are too few for kernelSize ${this.kernelSize} with 'valid' padding`);
    return [inputShape[0], steps, this.filters];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    const g = windowGeometry(x.shape[1], this.kernelSize, this.strides, this.padding);
    return ops.conv1d(x, this.kernel, this.bias, { stride: this.strides, ...g }, this.activation);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters, kernelSize: [this.kernelSize], strides: [this.strides],
      padding: this.padding, dataFormat: 'channels_last', dilationRate: [1], ...this.kernelBiasConfig() };
  }
}

registerLayer(Conv1D);
