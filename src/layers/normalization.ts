/**
 * What BatchNormalization and LayerNormalization share (as Keras's and tfjs's normalization layers do): epsilon, the
 * learned scale gamma and offset beta (center/scale switch them off) with their initializers, regularizers and
 * constraints, and the axis argument's checks.
 */
import type { Variable } from '../variable.js';
import { describe } from '../describe.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { BuiltInLayer, checkBool, kerasShape, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { checkConstraint, serializeConstraint, type Constraint } from './constraints.js';
import { checkRegularizer, serializeRegularizer, type L1L2 } from './regularizers.js';
import type { InitializerArg, RegularizerArg, ConstraintArg } from './option_types.js';

export interface NormalizationArgs extends LayerArgs {
  /** Default 1e-3: added to the variance before its square root. */
  epsilon?: number;
  /** Default true: learn an offset beta. */
  center?: boolean;
  /** Default true: learn a scale gamma. */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerArg;
  /** Default 'ones'. */
  gammaInitializer?: InitializerArg;
  /** Default none. */
  betaRegularizer?: RegularizerArg;
  /** Default none. */
  gammaRegularizer?: RegularizerArg;
  /** Default none. */
  betaConstraint?: ConstraintArg;
  /** Default none. */
  gammaConstraint?: ConstraintArg;
}

export abstract class Normalization extends BuiltInLayer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: InitializerName;
  readonly gammaInitializer: InitializerName;
  readonly betaRegularizer: L1L2 | null;
  readonly gammaRegularizer: L1L2 | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;

  constructor(args: NormalizationArgs, prefix: string) {
    super(args, prefix);
    const where = this.where;
    this.epsilon = checkNonNegative(where, 'epsilon', args.epsilon ?? 1e-3);
    this.center = checkBool(where, 'center', args.center, true);
    this.scale = checkBool(where, 'scale', args.scale, true);
    this.betaInitializer = checkInitializer(where, 'betaInitializer', args.betaInitializer ?? 'zeros');
    this.gammaInitializer = checkInitializer(where, 'gammaInitializer', args.gammaInitializer ?? 'ones');
    this.betaRegularizer = checkRegularizer(where, 'betaRegularizer', args.betaRegularizer);
    this.gammaRegularizer = checkRegularizer(where, 'gammaRegularizer', args.gammaRegularizer);
    this.betaConstraint = checkConstraint(where, 'betaConstraint', args.betaConstraint);
    this.gammaConstraint = checkConstraint(where, 'gammaConstraint', args.gammaConstraint);
  }

  /** The layer as error messages name it. */
  protected get where(): string { return `${this.name} (${this.className})`; }

  get gamma(): Variable | null { return this.weightNamed('gamma'); }
  get beta(): Variable | null { return this.weightNamed('beta'); }

  /** gamma then beta (Keras's order), each of this shape, where scale and center ask for them. */
  protected affineSpecs(shape: number[]): WeightSpec[] {
    return [
      ...(this.scale ? [{ name: 'gamma', shape, initializer: this.gammaInitializer, regularizer: this.gammaRegularizer, constraint: this.gammaConstraint }] : []),
      ...(this.center ? [{ name: 'beta', shape, initializer: this.betaInitializer, regularizer: this.betaRegularizer, constraint: this.betaConstraint }] : []),
    ];
  }

  /** What the axis option picks, for the shape errors ('axis -1 holds the channels'); none unless a subclass says. */
  protected get axisRole(): string | undefined { return undefined; }

  /**
   * A scalar or a 1-D tensor (its one axis the batch) leaves no axis to normalize. The build reads either as (None,),
   * so the error names that shape, which the layer's build then shows as given; resolveAxis would instead blame the
   * axis ("out of range for input of rank 1") for a rank the scalar does not have.
   */
  protected checkHasFeatureAxis(inputShape: SymbolicShape): void {
    if (inputShape.length >= 2) return;
    const role = this.axisRole;
    throw new Error(`${this.where}: expected input with a batch axis and at least one more${role ? ` (${role})` : ''}, got ${kerasShape(inputShape)}`);
  }

  /** A normalized layer's output has its input's shape. */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    this.checkHasFeatureAxis(inputShape);
    return [...inputShape];
  }

  protected affineConfig(): Record<string, unknown> {
    return { epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer), gammaInitializer: serializeInitializer(this.gammaInitializer),
      betaRegularizer: serializeRegularizer(this.betaRegularizer), gammaRegularizer: serializeRegularizer(this.gammaRegularizer),
      betaConstraint: serializeConstraint(this.betaConstraint), gammaConstraint: serializeConstraint(this.gammaConstraint) };
  }
}

export function checkNonNegative(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${where}: ${what} must be a finite number >= 0, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

/** An integer axis, or (what Keras writes once built) a list of them. */
export function checkAxes(where: string, v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((a) => Number.isInteger(a))) {
    throw new Error(`${where}: axis must be an integer or a list of integers, got ${typeof v === 'number' ? v : Array.isArray(v) ? JSON.stringify(v) : describe(v)}`);
  }
  return list as number[];
}

/** axis resolved against a rank (negative counts from the end); the batch axis and axes past the rank are errors. */
export function resolveAxis(where: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a <= 0 || a >= rank) throw new Error(`${where}: axis ${axis} is out of range for input of rank ${rank} (axis 0 is the batch)`);
  return a;
}
