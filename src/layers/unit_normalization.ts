import { permuteAxes } from '../autograd/layer_ops.js';
import { unitNorm } from '../autograd/group_unit_norm_ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkAxes, resolveAxis } from './normalization.js';
import { registerLayer } from './registry.js';

export interface UnitNormalizationArgs extends LayerArgs {
  /** Default -1: the axis (or list of axes, not the batch's) over which each sample gets an L2 norm of 1. */
  axis?: number | number[];
}

/** Keras 3 clamps the squared norm at this epsilon squared (ops.normalize's 1e-12); not an option in Keras either. */
const EPSILON = 1e-12;

/**
 * Keras 3's UnitNormalization: x * rsqrt(max(sum of x^2 over axis, 1e-24)), so each sample has L2 norm 1 over the
 * given axes (a zero vector stays zero). No weights; a padding mask passes through, as in Keras.
 */
export class UnitNormalization extends BuiltInLayer {
  static override readonly className: string = 'UnitNormalization';
  override supportsMasking = true;
  readonly axis: number | number[];
  private readonly axes: number[];

  constructor(args: UnitNormalizationArgs = {}) {
    super(args, 'unit_normalization');
    this.axes = checkAxes(this.where, args.axis ?? -1);
    this.axis = Array.isArray(args.axis) ? [...this.axes] : this.axes[0];
  }

  private get where(): string { return `${this.name} (UnitNormalization)`; }

  private resolved(rank: number): number[] {
    const r = this.axes.map((a) => resolveAxis(this.where, a, rank)).sort((p, q) => p - q);
    if (new Set(r).size !== r.length) throw new Error(`${this.where}: axis ${JSON.stringify(this.axis)} repeats an axis`);
    return r;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length < 2) throw new Error(`${this.where}: expected input with a batch axis and at least one more, got ${kerasShape(inputShape)}`);
    this.resolved(inputShape.length);
    return [...inputShape];
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    const axes = this.resolved(x.rank);
    const cols = axes.reduce((p, a) => p * x.shape[a], 1);
    if (axes.every((a, i) => a === x.rank - axes.length + i)) return unitNorm(x, cols, EPSILON);
    // Other axes: move them last, normalize each row there, and move them back.
    const perm = [...Array.from({ length: x.rank }, (_, i) => i).filter((a) => !axes.includes(a)), ...axes];
    const y = unitNorm(permuteAxes(x, perm), cols, EPSILON);
    return permuteAxes(y, perm.map((_, i) => perm.indexOf(i)));
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

registerLayer(UnitNormalization);
