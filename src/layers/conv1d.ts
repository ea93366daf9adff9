import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkActivation } from './activations.js';
import type { InitializerName } from './initializers.js';
import { Layer, checkPositiveInt, fmt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkPadding, windowGeometry, type Padding } from './padding.js';

export interface Conv1DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number];
  strides?: number | [number];
  padding?: Padding;
  dilationRate?: number;
  activation?: ops.Activation;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

/** Temporal convolution over [batch, steps, channels] with Keras's kernel layout [kernelSize, in, filters]. */
export class Conv1D extends Layer {
  readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Padding;
  readonly activation: ops.Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(args: Conv1DArgs) {
    super(args, 'conv1d');
    const one = (v: number | [number] | undefined, d: number) => (Array.isArray(v) ? v[0] : v ?? d);
    this.filters = checkPositiveInt(this.name, 'filters', args.filters);
    this.kernelSize = checkPositiveInt(this.name, 'kernelSize', one(args.kernelSize, NaN));
    this.strides = checkPositiveInt(this.name, 'strides', one(args.strides, 1));
    this.padding = checkPadding(this.name, args.padding ?? 'valid');
    if ((args.dilationRate ?? 1) !== 1) throw new Error(`${this.name}: only dilationRate 1 is supported, got ${args.dilationRate}`);
    this.activation = checkActivation(this.name, args.activation ?? 'linear');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
  }

  build(inputShape: SymbolicShape): void {
    const cin = inputShape[2];
    if (inputShape.length !== 3 || cin === null) {
      throw new Error(`${this.name} (Conv1D): expected input (batch, steps, channels), got ${fmt(inputShape)}`);
    }
    this.kernel = this.addWeight('kernel', [this.kernelSize, cin, this.filters], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer);
    super.build(inputShape);
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
      padding: this.padding, dilationRate: [1], activation: this.activation, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer };
  }
}
