import { layerNorm } from '../autograd/norm_ops.js';
import type { Tensor } from '../tensor.js';
import { kerasShape, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { Normalization, checkAxes, resolveAxis, type NormalizationArgs } from './normalization.js';
import { registerLayer } from './registry.js';

export interface LayerNormalizationArgs extends NormalizationArgs {
  /** Default -1: the axis (or trailing axes) each sample is normalized over. */
  axis?: number | number[];
}

/**
 * Keras's LayerNormalization: each sample (each step of a sequence) normalized over its trailing axes with its own
 * mean and (biased) variance, then scaled by gamma and shifted by beta, which have the normalized axes' shape.
 * The same in training and inference; a padding mask passes through.
 */
export class LayerNormalization extends Normalization {
  static override readonly className: string = 'LayerNormalization';
  override supportsMasking = true;
  readonly axis: number | number[];
  private readonly axes: number[];

  constructor(args: LayerNormalizationArgs = {}) {
    super(args, 'layer_normalization');
    this.axes = checkAxes(this.where, args.axis ?? -1);
    this.axis = Array.isArray(args.axis) ? [...this.axes] : this.axes[0];
    // Keras 3's RMS variant.
    const rms = (args as { rmsScaling?: unknown }).rmsScaling;
    if (rms !== undefined && rms !== false) throw new Error(`${this.where}: rmsScaling = ${JSON.stringify(rms)} is not supported (RMS normalization is not implemented)`);
  }

  /** How many trailing axes are normalized; anything but a set of trailing axes is an error naming axis. */
  private trailing(rank: number): number {
    const resolved = this.axes.map((a) => resolveAxis(this.where, a, rank));
    const unique = [...new Set(resolved)].sort((p, q) => p - q);
    if (unique.length !== resolved.length) throw new Error(`${this.where}: axis ${JSON.stringify(this.axis)} repeats an axis`);
    if (unique.some((a, i) => a !== rank - unique.length + i)) {
      throw new Error(`${this.where}: axis ${JSON.stringify(this.axis)} is not supported for input of rank ${rank}: rnnlab normalizes over trailing axes (e.g. -1, or [1, 2] for rank 3)`);
    }
    return unique.length;
  }

  private paramShape(inputShape: SymbolicShape): number[] {
    const dims = inputShape.slice(inputShape.length - this.trailing(inputShape.length));
    if (dims.some((d) => d === null)) throw new Error(`${this.where}: the normalized axes of input ${kerasShape(inputShape)} must have known sizes`);
    return dims as number[];
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    return this.affineSpecs(this.paramShape(inputShape));
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const k = this.trailing(x.rank);
    const cols = x.shape.slice(x.rank - k).reduce((p, d) => p * d, 1);
    return layerNorm(x, this.gamma, this.beta, cols, this.epsilon);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, ...this.affineConfig() };
  }
}

registerLayer(LayerNormalization);
