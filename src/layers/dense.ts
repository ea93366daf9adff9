import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import type { InitializerName } from './initializers.js';
import { Layer, checkPositiveInt, fmt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkActivation } from './activations.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ops.Activation;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

/** Fully connected over the last axis. Accepts int32 input as numbers (the lab's first model feeds raw ids). */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ops.Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    this.units = checkPositiveInt(this.name, 'units', args.units);
    this.activation = checkActivation(this.name, args.activation ?? 'linear');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
  }

  build(inputShape: SymbolicShape): void {
    const inDim = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || inDim === null) {
      throw new Error(`${this.name} (Dense): input must have a known last dimension, got ${fmt(inputShape)}`);
    }
    this.kernel = this.addWeight('kernel', [inDim, this.units], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer);
    super.build(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape.slice(0, -1), this.units];
  }

  call(x: Tensor, _ctx: CallContext, logits = false): Tensor {
    const act = logits && (this.activation === 'sigmoid' || this.activation === 'softmax') ? 'linear' : this.activation;
    return ops.dense(x, this.kernel, this.bias, act);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer };
  }
}
