import { permuteAxes } from '../autograd/layer_ops.js';
import { groupNorm } from '../autograd/group_unit_norm_ops.js';
import { describe } from '../describe.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, kerasShape, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { Normalization, resolveAxis, type NormalizationArgs } from './normalization.js';
import { registerLayer } from './registry.js';

export interface GroupNormalizationArgs extends NormalizationArgs {
  /** Default 32 (Keras's): the channels are split into this many consecutive groups; -1 is one group per channel (instance normalization). */
  groups?: number;
  /** Default -1: the channels axis (one integer, not the batch's). */
  axis?: number;
}

/**
 * Keras 3's GroupNormalization: the channels of axis are split into `groups` groups; each sample's group is
 * normalized with its own mean and (biased) variance over the group's channels and every other non-batch axis,
 * then scaled by gamma and shifted by beta, one per channel. The same in training and inference; a padding mask
 * passes through and the masked steps count in the statistics, as in Keras.
 */
export class GroupNormalization extends Normalization {
  static override readonly className: string = 'GroupNormalization';
  override supportsMasking = true;
  readonly groups: number;
  readonly axis: number;

  constructor(args: GroupNormalizationArgs = {}) {
    super(withoutGroups(args), 'group_normalization');
    const g: unknown = args.groups ?? 32;
    if (!Number.isInteger(g) || ((g as number) <= 0 && g !== -1)) {
      throw new Error(`${this.where}: groups must be a positive integer (or -1 for instance normalization), got ${typeof g === 'number' ? g : describe(g)}`);
    }
    this.groups = g as number;
    const a: unknown = args.axis ?? -1;
    if (!Number.isInteger(a)) throw new Error(`${this.where}: axis must be one integer (the channels axis), got ${typeof a === 'number' ? a : Array.isArray(a) ? JSON.stringify(a) : describe(a)}`);
    this.axis = a as number;
  }

  protected override get axisRole(): string { return `axis ${this.axis} holds the channels`; }

  /** The channel count and the groups it is split into, checked against an input shape (Keras's build errors). */
  private split(inputShape: SymbolicShape): { channels: number; groups: number } {
    this.checkHasFeatureAxis(inputShape);
    const axis = resolveAxis(this.where, this.axis, inputShape.length);
    const channels = inputShape[axis];
    if (channels === null) throw new Error(`${this.where}: axis ${this.axis} of input ${kerasShape(inputShape)} must have a known size (the channels)`);
    const groups = this.groups === -1 ? channels : this.groups;
    if (groups > channels) throw new Error(`${this.where}: groups (${groups}) cannot be more than the number of channels (${channels}) on axis ${this.axis}`);
    if (channels % groups !== 0) throw new Error(`${this.where}: groups (${groups}) must divide the number of channels (${channels}) on axis ${this.axis}`);
    return { channels, groups };
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    return this.affineSpecs([this.split(inputShape).channels]);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const out = super.computeOutputShape(inputShape);
    this.split(inputShape);
    return out;
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    const { groups } = this.split([null, ...x.shape.slice(1)]);
    const axis = resolveAxis(this.where, this.axis, x.rank);
    if (axis === x.rank - 1) return groupNorm(x, this.gamma, this.beta, groups, this.epsilon);
    // Channels elsewhere: move them last, normalize, and move them back.
    const perm = [...Array.from({ length: x.rank }, (_, i) => i).filter((a) => a !== axis), axis];
    const y = groupNorm(permuteAxes(x, perm), this.gamma, this.beta, groups, this.epsilon);
    return permuteAxes(y, perm.map((_, i) => perm.indexOf(i)));
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), groups: this.groups, axis: this.axis, ...this.affineConfig() };
  }
}

/** The base refuses `groups` (Conv1D's grouped convolutions); here it is this layer's own option, read apart. */
function withoutGroups(args: GroupNormalizationArgs): NormalizationArgs {
  const { groups: _groups, ...rest } = args;
  return rest;
}

registerLayer(GroupNormalization);
