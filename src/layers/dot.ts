import { batchMatMul, l2Normalize } from '../autograd/merge_ops.js';
import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { MultiInputLayer } from './base_merge.js';
import { checkBool, kerasShape, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface DotArgs extends LayerArgs {
  /** The axis of each input to contract: one for both, or [axisA, axisB]. */
  axes: number | [number, number];
  /** Default false: L2-normalize both inputs along their axes first (the product is then the cosine similarity). */
  normalize?: boolean;
}

/**
 * The dot product of two samples along the given axes (Keras Dot): [B, d]·[B, d] -> [B, 1];
 * [B, n, d]·[B, m, d] with axes 2 -> [B, n, m]; with axes 1 -> [B, d, e]. Rank 2 and 3 inputs.
 */
export class Dot extends MultiInputLayer {
  static override readonly className: string = 'Dot';
  override supportsMasking = true;
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(args: DotArgs) {
    super(args, 'dot');
    const ok = (a: unknown) => Number.isInteger(a);
    if (!(ok(args?.axes) || (Array.isArray(args?.axes) && args.axes.length === 2 && args.axes.every(ok)))) {
      throw new Error(`${this.name} (Dot): axes must be an integer or a pair of integers, got ${JSON.stringify(args?.axes)}`);
    }
    this.axes = Array.isArray(args.axes) ? [args.axes[0], args.axes[1]] : args.axes;
    this.normalize = checkBool(this.name, 'normalize', args.normalize, false);
  }

  protected inputCountRange(): [number, number] { return [2, 2]; }

  private resolved(ra: number, rb: number): [number, number] {
    const [a, b] = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    const ia = a < 0 ? a + ra : a, ib = b < 0 ? b + rb : b;
    if (ra !== rb || ra < 2 || ra > 3) throw new Error(`${this.where}: takes two inputs of rank 2 or both of rank 3, got ranks ${ra} and ${rb}`);
    if (ia < 1 || ia >= ra || ib < 1 || ib >= rb) throw new Error(`${this.where}: axes ${JSON.stringify(this.axes)} are out of range for inputs of rank ${ra}`);
    return [ia, ib];
  }

  protected mergedShapes([sa, sb]: SymbolicShape[]): SymbolicShape[] {
    const [ia, ib] = this.resolved(sa.length, sb.length);
    if (sa[ia] !== null && sb[ib] !== null && sa[ia] !== sb[ib]) {
      throw new Error(`${this.where}: the contracted axes differ in size: ${kerasShape(sa)} axis ${ia} vs ${kerasShape(sb)} axis ${ib}`);
    }
    if (sa.length === 2) return [[sa[0], 1]];
    return [[sa[0], sa[3 - ia], sb[3 - ib]]];
  }

  /** Keras 3's and tfjs's: the products leave no steps to mask. */
  protected override outputMask(): Uint8Array | null { return null; }

  protected merge([a0, b0]: Tensor[]): Tensor[] {
    const [ia, ib] = this.resolved(a0.rank, b0.rank);
    let a = this.normalize ? l2Normalize(a0, ia) : a0;
    let b = this.normalize ? l2Normalize(b0, ib) : b0;
    if (a.rank === 2) {
      a = ops.reshape(a, [a.shape[0], 1, a.shape[1]]);
      b = ops.reshape(b, [b.shape[0], b.shape[1], 1]);
      return [ops.reshape(batchMatMul(a, b), [a.shape[0], 1])];
    }
    return [batchMatMul(a, b, ia === 1, ib === 2)];
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), axes: this.axes, normalize: this.normalize }; }
}

registerLayer(Dot);
