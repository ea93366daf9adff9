import { permuteAxes } from '../autograd/layer_ops.js';
import { layerNorm } from '../autograd/norm_ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, kerasShape, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { Normalization, checkAxes, resolveAxis, type NormalizationArgs } from './normalization.js';
import { registerLayer } from './registry.js';

export interface LayerNormalizationArgs extends NormalizationArgs {
  /** Default -1: the axis (or list of axes, not the batch's) each sample is normalized over. */
  axis?: number | number[];
}

/**
 * Keras's LayerNormalization: each sample (each step of a sequence) normalized over the given axes with its own
 * mean and (biased) variance, then scaled by gamma and shifted by beta, which have the normalized axes' shape.
 * The same in training and inference; a padding mask passes through.
 */
export class LayerNormalization extends Normalization {
  static override readonly className: string = 'LayerNormalization';
  /** Keras >= 3.4 writes rmsScaling in every config; false loads, true is refused in the constructor. */
  static override readonly argAliases: readonly string[] = ['rmsScaling'];
  override supportsMasking = true;
  readonly axis: number | number[];
  private readonly axes: number[];

  constructor(args: LayerNormalizationArgs = {}) {
    super(args, 'layer_normalization');
    this.axes = checkAxes(this.where, args.axis ?? -1);
    this.axis = Array.isArray(args.axis) ? [...this.axes] : this.axes[0];
    // Keras 3's rms_scaling (x * rsqrt(var(x) + epsilon) * gamma, no beta; deprecated since Keras 3.11) is not implemented.
    const rms = (args as { rmsScaling?: unknown }).rmsScaling;
    if (rms !== undefined && rms !== false) throw new Error(`${this.where}: rmsScaling = ${JSON.stringify(rms)} is not supported (RMS normalization is not implemented)`);
  }

  /** The normalized axes resolved for this rank, as given (Keras's and tfjs's weight shape follows this order). */
  private resolvedAxes(rank: number): number[] {
    const resolved = this.axes.map((a) => resolveAxis(this.where, a, rank));
    if (new Set(resolved).size !== resolved.length) throw new Error(`${this.where}: axis ${JSON.stringify(this.axis)} repeats an axis`);
    return resolved;
  }

  /**
   * The axes order that puts the normalized axes last (sorted, as Keras's and tfjs's broadcast reads gamma's values),
   * or null when they already are the trailing axes.
   */
  private toTrailing(rank: number): number[] | null {
    const normalized = [...this.resolvedAxes(rank)].sort((p, q) => p - q);
    if (normalized.every((a, i) => a === rank - normalized.length + i)) return null;
    const kept = Array.from({ length: rank }, (_, i) => i).filter((a) => !normalized.includes(a));
    return [...kept, ...normalized];
  }

  protected override get axisRole(): string {
    return Array.isArray(this.axis) ? `axes ${JSON.stringify(this.axis)} are normalized` : `axis ${this.axis} is normalized`;
  }

  private paramShape(inputShape: SymbolicShape): number[] {
    this.checkHasFeatureAxis(inputShape);
    const dims = this.resolvedAxes(inputShape.length).map((a) => inputShape[a]);
    if (dims.some((d) => d === null)) throw new Error(`${this.where}: the normalized axes of input ${kerasShape(inputShape)} must have known sizes`);
    return dims as number[];
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    return this.affineSpecs(this.paramShape(inputShape));
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    const cols = this.resolvedAxes(x.rank).reduce((p, a) => p * x.shape[a], 1);
    const perm = this.toTrailing(x.rank);
    // Other axes (tfjs and Keras take any): move them last, normalize each row there, and move them back.
    if (perm === null) return layerNorm(x, this.gamma, this.beta, cols, this.epsilon);
    const y = layerNorm(permuteAxes(x, perm), this.gamma, this.beta, cols, this.epsilon);
    return permuteAxes(y, perm.map((_, i) => perm.indexOf(i)));
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, ...this.affineConfig() };
  }
}

registerLayer(LayerNormalization);
