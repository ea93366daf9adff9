import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkActivation } from './activations.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { Layer, checkBool, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { registerLayer } from './registry.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  /** Default 'linear'. */
  activation?: ops.Activation;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName;
}

/** Fully connected over the last axis. Accepts int32 input as numbers (the lab's first model feeds raw ids). */
export class Dense extends Layer {
  static override readonly className: string = 'Dense';
  readonly units: number;
  readonly activation: ops.Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    this.units = checkPositiveInt(this.name, 'units', args.units);
    this.activation = checkActivation(this.name, args.activation ?? 'linear');
    this.useBias = checkBool(this.name, 'useBias', args.useBias, true);
    this.kernelInitializer = checkInitializer(this.name, 'kernelInitializer', args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = checkInitializer(this.name, 'biasInitializer', args.biasInitializer ?? 'zeros');
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const inDim = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || inDim === null) {
      throw new Error(`${this.name} (Dense): input must have a known last dimension, got ${kerasShape(inputShape)}`);
    }
    return [{ name: 'kernel', shape: [inDim, this.units], initializer: this.kernelInitializer },
      ...(this.useBias ? [{ name: 'bias', shape: [this.units], initializer: this.biasInitializer }] : [])];
  }

  get kernel(): Variable { return this.weightNamed('kernel')!; }
  get bias(): Variable | null { return this.weightNamed('bias'); }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape.slice(0, -1), this.units];
  }

  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean { return this.activation === kind; }

  call(x: Tensor, _ctx: CallContext, logits = false): Tensor {
    const act = logits && (this.activation === 'sigmoid' || this.activation === 'softmax') ? 'linear' : this.activation;
    return ops.dense(x, this.kernel, this.bias, act);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer), biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: null, biasRegularizer: null, activityRegularizer: null, kernelConstraint: null, biasConstraint: null };
  }
}

registerLayer(Dense);
