import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkActivation } from './activations.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { Layer, checkBool, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { checkConstraint, serializeConstraint, type Constraint, type ConstraintIdentifier } from './constraints.js';
import { checkRegularizer, serializeRegularizer, type L1L2, type RegularizerIdentifier } from './regularizers.js';
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
  /** Default none: 'l1', 'l2', 'l1l2', rl.regularizers.l2({l2}) or Keras's {className: 'L2', config}. */
  kernelRegularizer?: RegularizerIdentifier;
  /** Default none. */
  biasRegularizer?: RegularizerIdentifier;
  /** Default none: 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl.constraints.maxNorm({maxValue}) or Keras's {className, config}. */
  kernelConstraint?: ConstraintIdentifier;
  /** Default none. */
  biasConstraint?: ConstraintIdentifier;
}

/** Fully connected over the last axis. Accepts int32 input as numbers (the lab's first model feeds raw ids). */
export class Dense extends Layer {
  static override readonly className: string = 'Dense';
  readonly units: number;
  readonly activation: ops.Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly kernelRegularizer: L1L2 | null;
  readonly biasRegularizer: L1L2 | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    this.units = checkPositiveInt(this.name, 'units', args.units);
    this.activation = checkActivation(this.name, args.activation ?? 'linear');
    this.useBias = checkBool(this.name, 'useBias', args.useBias, true);
    this.kernelInitializer = checkInitializer(this.name, 'kernelInitializer', args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = checkInitializer(this.name, 'biasInitializer', args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = checkRegularizer(this.name, 'kernelRegularizer', args.kernelRegularizer);
    this.biasRegularizer = checkRegularizer(this.name, 'biasRegularizer', args.biasRegularizer);
    this.kernelConstraint = checkConstraint(this.name, 'kernelConstraint', args.kernelConstraint);
    this.biasConstraint = checkConstraint(this.name, 'biasConstraint', args.biasConstraint);
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const inDim = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || inDim === null) {
      throw new Error(`${this.name} (Dense): input must have a known last dimension, got ${kerasShape(inputShape)}`);
    }
    return [{ name: 'kernel', shape: [inDim, this.units], initializer: this.kernelInitializer, regularizer: this.kernelRegularizer, constraint: this.kernelConstraint },
      ...(this.useBias ? [{ name: 'bias', shape: [this.units], initializer: this.biasInitializer, regularizer: this.biasRegularizer, constraint: this.biasConstraint }] : [])];
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
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer), biasRegularizer: serializeRegularizer(this.biasRegularizer),
      activityRegularizer: null, kernelConstraint: serializeConstraint(this.kernelConstraint), biasConstraint: serializeConstraint(this.biasConstraint) };
  }
}

registerLayer(Dense);
