import { prelu } from '../autograd/advanced_activation_ops.js';
import type { Tensor } from '../tensor.js';
import { checkConstraint, serializeConstraint, type Constraint } from './constraints.js';
import { describe } from '../describe.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { registerLayer } from './registry.js';
import { checkRegularizer, serializeRegularizer, type L1L2 } from './regularizers.js';
import type { InitializerArg, RegularizerArg, ConstraintArg } from './option_types.js';

export interface PReLUArgs extends LayerArgs {
  /** Initializes alpha. Default 'zeros' (the layer starts as a ReLU). */
  alphaInitializer?: InitializerArg;
  alphaRegularizer?: RegularizerArg;
  alphaConstraint?: ConstraintArg;
  /** Axes (1 = the first after the batch) along which one alpha is shared, e.g. 1 for one slope per channel over time. */
  sharedAxes?: number | number[] | null;
}

/** alpha * x for x < 0, x otherwise (±0 kept), with alpha a trained weight of the input's shape (Keras's and tfjs's PReLU). */
export class PReLU extends BuiltInLayer {
  static override readonly className: string = 'PReLU';
  override supportsMasking = true;
  readonly alphaInitializer: InitializerName;
  readonly alphaRegularizer: L1L2 | null;
  readonly alphaConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;

  constructor(args: PReLUArgs = {}) {
    super(args, 'p_re_lu');
    this.alphaInitializer = checkInitializer(this.name, 'alphaInitializer', args.alphaInitializer ?? 'zeros');
    this.alphaRegularizer = checkRegularizer(this.name, 'alphaRegularizer', args.alphaRegularizer);
    this.alphaConstraint = checkConstraint(this.name, 'alphaConstraint', args.alphaConstraint);
    const s: unknown = args.sharedAxes ?? null;
    const list = s === null ? null : Array.isArray(s) ? s : [s];
    if (list && !list.every((a) => Number.isInteger(a) && a >= 1)) {
      throw new Error(`${this.name} (PReLU): sharedAxes must be an axis number >= 1 or a list of them (axis 0 is the batch), got ${Array.isArray(s) ? JSON.stringify(s) : describe(s)}`);
    }
    this.sharedAxes = list as number[] | null;
  }

  /** alpha's shape: the input's without the batch axis, 1 on each shared axis. */
  private alphaShape(inputShape: SymbolicShape): number[] {
    const where = `${this.name} (PReLU)`;
    const shape = inputShape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (a >= inputShape.length) throw new Error(`${where}: sharedAxes ${JSON.stringify(this.sharedAxes)} names axis ${a}, but the input ${kerasShape(inputShape)} has axes 1..${inputShape.length - 1}`);
      shape[a - 1] = 1;
    }
    if (shape.some((d) => d === null)) throw new Error(`${where}: input ${kerasShape(inputShape)} has an axis of unknown size; give it a size or list it in sharedAxes`);
    return shape as number[];
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    return [{ name: 'alpha', shape: this.alphaShape(inputShape), initializer: this.alphaInitializer, regularizer: this.alphaRegularizer, constraint: this.alphaConstraint }];
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor { return prelu(x, this.weights[0]); }

  getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), alphaInitializer: serializeInitializer(this.alphaInitializer), alphaRegularizer: serializeRegularizer(this.alphaRegularizer),
      alphaConstraint: serializeConstraint(this.alphaConstraint), sharedAxes: this.sharedAxes ? [...this.sharedAxes] : null,
    };
  }
}

registerLayer(PReLU);
