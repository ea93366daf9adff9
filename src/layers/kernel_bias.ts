/** The options and weights Dense and Conv1D share: an activation, a kernel and an optional bias. */
import type { Variable } from '../variable.js';
import { checkActivation, tfjsActivationName, type ActivationOption, type LayerActivation } from './activations.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { BuiltInLayer, checkBool, type LayerArgs, type WeightSpec } from './layer.js';
import { checkConstraint, serializeConstraint, type Constraint } from './constraints.js';
import { checkRegularizer, serializeRegularizer, type L1L2 } from './regularizers.js';
import type { InitializerArg, RegularizerArg, ConstraintArg } from './option_types.js';

export interface KernelBiasArgs extends LayerArgs {
  /** Default 'linear'. */
  activation?: ActivationOption;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerArg;
  /** Default 'zeros'. */
  biasInitializer?: InitializerArg;
  /** Default none: 'l1', 'l2', 'l1l2', rl.regularizers.l2({l2}) or Keras's {className: 'L2', config}. */
  kernelRegularizer?: RegularizerArg;
  /** Default none. */
  biasRegularizer?: RegularizerArg;
  /** Default none: 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl.constraints.maxNorm({maxValue}) or Keras's {className, config}. */
  kernelConstraint?: ConstraintArg;
  /** Default none. */
  biasConstraint?: ConstraintArg;
}

export abstract class KernelBiasLayer extends BuiltInLayer {
  readonly activation: LayerActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly kernelRegularizer: L1L2 | null;
  readonly biasRegularizer: L1L2 | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;

  constructor(args: KernelBiasArgs, prefix: string) {
    super(args, prefix);
    this.activation = checkActivation(this.name, args.activation ?? 'linear');
    this.useBias = checkBool(this.name, 'useBias', args.useBias, true);
    this.kernelInitializer = checkInitializer(this.name, 'kernelInitializer', args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = checkInitializer(this.name, 'biasInitializer', args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = checkRegularizer(this.name, 'kernelRegularizer', args.kernelRegularizer);
    this.biasRegularizer = checkRegularizer(this.name, 'biasRegularizer', args.biasRegularizer);
    this.kernelConstraint = checkConstraint(this.name, 'kernelConstraint', args.kernelConstraint);
    this.biasConstraint = checkConstraint(this.name, 'biasConstraint', args.biasConstraint);
  }

  get kernel(): Variable { return this.weightNamed('kernel')!; }
  get bias(): Variable | null { return this.weightNamed('bias'); }

  protected kernelBiasSpecs(kernelShape: number[], biasShape: number[]): WeightSpec[] {
    return kernelBiasWeightSpecs(this, kernelShape, biasShape);
  }

  protected kernelBiasConfig(): Record<string, unknown> {
    return { activation: tfjsActivationName(this.activation), useBias: this.useBias, ...kernelBiasOptionsConfig(this) };
  }
}

/** The kernel/bias options a layer holds: KernelBiasLayer's, and those of layers with several kernels (MultiHeadAttention). */
export type KernelBiasOptions = Pick<KernelBiasLayer, 'useBias' | 'kernelInitializer' | 'biasInitializer' | 'kernelRegularizer'
  | 'biasRegularizer' | 'kernelConstraint' | 'biasConstraint' | 'activityRegularizer'>;

/** '<prefix>kernel' and, with useBias, '<prefix>bias'. */
export function kernelBiasWeightSpecs(o: KernelBiasOptions, kernelShape: number[], biasShape: number[], prefix = ''): WeightSpec[] {
  return [{ name: `${prefix}kernel`, shape: kernelShape, initializer: o.kernelInitializer, regularizer: o.kernelRegularizer, constraint: o.kernelConstraint },
    ...(o.useBias ? [{ name: `${prefix}bias`, shape: biasShape, initializer: o.biasInitializer, regularizer: o.biasRegularizer, constraint: o.biasConstraint }] : [])];
}

/** The options' config keys, in Keras's order (useBias is the caller's: its place in the config differs by layer). */
export function kernelBiasOptionsConfig(o: KernelBiasOptions): Record<string, unknown> {
  return { kernelInitializer: serializeInitializer(o.kernelInitializer), biasInitializer: serializeInitializer(o.biasInitializer),
    kernelRegularizer: serializeRegularizer(o.kernelRegularizer), biasRegularizer: serializeRegularizer(o.biasRegularizer),
    activityRegularizer: serializeRegularizer(o.activityRegularizer), kernelConstraint: serializeConstraint(o.kernelConstraint), biasConstraint: serializeConstraint(o.biasConstraint) };
}
