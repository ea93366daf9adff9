import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, checkPositiveInt, kerasShape, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { KernelBiasLayer, type KernelBiasArgs } from './kernel_bias.js';
import { checkConvPadding, oneInt, windowGeometry, type ConvPadding } from './padding.js';
import { registerLayer } from './registry.js';
import { applyActivation, splitActivation } from './activations.js';
import { CHANNELS_LAST } from './tfjs_spellings.js';

export interface Conv1DArgs extends KernelBiasArgs {
  filters: number;
  kernelSize: number | [number];
  /** Default 1. */
  strides?: number | [number];
  /** Default 'valid'; 'causal' left-pads (kernelSize - 1) * dilationRate steps, so step t sees steps <= t only. */
  padding?: ConvPadding;
  /** Default 1: the kernel's taps read steps dilationRate apart. With strides > 1 an error, as in Keras. */
  dilationRate?: number | [number];
}

/** Temporal convolution over [batch, steps, channels] with Keras's kernel layout [kernelSize, in, filters]. */
export class Conv1D extends KernelBiasLayer {
  static override readonly className: string = 'Conv1D';
  static readonly aliases = ['Convolution1D'];
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: ConvPadding;
  readonly dilationRate: number;

  constructor(args: Conv1DArgs) {
    super(args, 'conv1d');
    this.filters = checkPositiveInt(this.name, 'filters', args.filters);
    this.kernelSize = checkPositiveInt(this.name, 'kernelSize', oneInt(this.name, 'kernelSize', args.kernelSize));
    this.strides = checkPositiveInt(this.name, 'strides', oneInt(this.name, 'strides', args.strides ?? 1));
    this.padding = checkConvPadding(`${this.name} (Conv1D)`, args.padding ?? 'valid');
    this.dilationRate = checkPositiveInt(`${this.name} (Conv1D)`, 'dilationRate', oneInt(this.name, 'dilationRate', args.dilationRate ?? 1));
    if (this.dilationRate > 1 && this.strides > 1) {
      throw new Error(`${this.name} (Conv1D): strides = ${this.strides} with dilationRate = ${this.dilationRate} is not supported (Keras and tfjs refuse strides > 1 with dilationRate > 1)`);
    }
  }

  /** Steps one window spans: the dilated kernel's reach. */
  private get span(): number { return (this.kernelSize - 1) * this.dilationRate + 1; }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const cin = inputShape[2];
    if (inputShape.length !== 3 || cin === null) {
      throw new Error(`${this.name} (Conv1D): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    }
    return this.kernelBiasSpecs([this.kernelSize, cin, this.filters], [this.filters]);
  }

  /**
   * The output steps and left padding over T input steps; too few steps for one window is an error naming the layer,
   * here for every path (a built shape, fit's batches, and predict/apply on a free time axis), as Keras's
   * "Computed output size would be negative".
   */
  private geometry(T: number): ReturnType<typeof windowGeometry> {
    const g = windowGeometry(T, this.span, this.strides, this.padding);
    if (g.outSteps === 0) throw new Error(`${this.name} (Conv1D): ${T} steps are too few for kernelSize ${this.kernelSize}${this.dilationRate > 1 ? ` at dilationRate ${this.dilationRate}` : ''} with '${this.padding}' padding`);
    return g;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const T = inputShape[1];
    return [inputShape[0], T === null ? null : this.geometry(T).outSteps, this.filters];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    const g = this.geometry(x.shape[1]);
    const { fused, after } = splitActivation(this.activation);
    return applyActivation(ops.conv1d(x, this.kernel, this.bias, { stride: this.strides, dilation: this.dilationRate, ...g }, fused), after);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters, kernelSize: [this.kernelSize], strides: [this.strides],
      padding: this.padding, dataFormat: CHANNELS_LAST, dilationRate: [this.dilationRate], ...this.kernelBiasConfig() };
  }
}

registerLayer(Conv1D);
