import { batchNorm, maskedBatchNorm, type ChannelGeometry } from '../autograd/norm_ops.js';
import type { FArray } from '../backend/index.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { COMPUTE, kerasShape, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { Normalization, checkAxes, checkNonNegative, resolveAxis, type NormalizationArgs } from './normalization.js';
import { registerLayer } from './registry.js';
import type { InitializerArg } from './option_types.js';

export interface BatchNormalizationArgs extends NormalizationArgs {
  /** Default -1: the channel axis, normalized per channel over every other axis. */
  axis?: number | [number];
  /** Default 0.99: moving = momentum * moving + (1 - momentum) * batch statistic, once per training batch. */
  momentum?: number;
  /** Default 'zeros'. */
  movingMeanInitializer?: InitializerArg;
  /** Default 'ones'. */
  movingVarianceInitializer?: InitializerArg;
}

/**
 * Keras options of other BatchNormalization variants, with the values that compute what rnnlab computes; anything else
 * is refused naming the layer and the key. Keras 3 writes `synchronized` in every config (and 3.14 on `renorm`,
 * `renormClipping`, `renormMomentum`); synchronized BN only differs from plain BN across several devices, and rnnlab
 * trains on one, so both values load. renormClipping and renormMomentum mean nothing while renorm is false.
 */
const OFF_VARIANTS: Record<string, { off: unknown[] | 'any'; why: string }> = {
  renorm: { off: [false], why: 'batch renormalization is not implemented' },
  renormClipping: { off: 'any', why: 'read only with renorm' },
  renormMomentum: { off: 'any', why: 'read only with renorm' },
  virtualBatchSize: { off: [null], why: 'ghost batch normalization is not implemented' },
  adjustment: { off: [null], why: 'adjustment functions are not supported' },
  synchronized: { off: [false, true], why: 'rnnlab trains on one device, where synchronized statistics are the batch\'s own' },
};

/**
 * Keras's BatchNormalization: in training, each channel is normalized with the batch's mean and (biased) variance
 * and the moving statistics follow them; in inference the moving statistics normalize. Weights, in Keras's order:
 * gamma and beta (trainable), moving_mean and moving_variance (not trainable, saved with the model). As in tfjs,
 * trainable = false freezes gamma and beta but training still uses the batch statistics. A padding mask passes
 * through; in training the batch statistics count only the real steps, as Keras 3's masked moments do (tfjs 4.22
 * counts the padded ones too), and every step is normalized with them.
 */
export class BatchNormalization extends Normalization {
  static override readonly className: string = 'BatchNormalization';
  static override readonly argAliases: readonly string[] = Object.keys(OFF_VARIANTS);
  override supportsMasking = true;
  readonly axis: number;
  readonly momentum: number;
  readonly movingMeanInitializer: InitializerName;
  readonly movingVarianceInitializer: InitializerName;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 'batch_normalization');
    const axes = checkAxes(this.where, args.axis ?? -1);
    if (axes.length !== 1) throw new Error(`${this.where}: axis ${JSON.stringify(args.axis)} names ${axes.length} axes; BatchNormalization takes one`);
    this.axis = axes[0];
    this.momentum = checkNonNegative(this.where, 'momentum', args.momentum ?? 0.99);
    if (this.momentum > 1) throw new Error(`${this.where}: momentum must be in [0, 1], got ${this.momentum}`);
    this.movingMeanInitializer = checkInitializer(this.where, 'movingMeanInitializer', args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = checkInitializer(this.where, 'movingVarianceInitializer', args.movingVarianceInitializer ?? 'ones');
    const extra = args as Record<string, unknown>;
    for (const [k, rule] of Object.entries(OFF_VARIANTS)) {
      if (extra[k] !== undefined && rule.off !== 'any' && !rule.off.includes(extra[k])) throw new Error(`${this.where}: ${k} = ${JSON.stringify(extra[k])} is not supported (${rule.why})`);
    }
  }

  /** The channel count for this input shape (the axis must be known). */
  private channels(inputShape: SymbolicShape): number {
    // A scalar builds as (None,): the shape is named so that the build's error shows the tensor as given.
    if (inputShape.length < 2) throw new Error(`${this.where}: expected input with a batch axis and at least one more (axis ${this.axis} holds the channels), got ${kerasShape(inputShape)}`);
    const a = resolveAxis(this.where, this.axis, inputShape.length);
    const C = inputShape[a];
    if (C === null) throw new Error(`${this.where}: axis ${this.axis} of input ${kerasShape(inputShape)} must have a known size`);
    return C;
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const shape = [this.channels(inputShape)];
    return [...this.affineSpecs(shape),
      { name: 'moving_mean', shape, initializer: this.movingMeanInitializer },
      { name: 'moving_variance', shape, initializer: this.movingVarianceInitializer }];
  }

  /** As the base, but the moving statistics are not trainable (the optimizer never sees them). */
  build(inputShape: SymbolicShape): void {
    for (const spec of this.weightSpecs(inputShape)) this.addWeight(spec, !spec.name.startsWith('moving_'));
    this.markBuilt(inputShape);
  }

  get movingMean(): Variable { return this.weightNamed('moving_mean')!; }
  get movingVariance(): Variable { return this.weightNamed('moving_variance')!; }

  private geometry(shape: number[]): ChannelGeometry {
    const a = resolveAxis(this.where, this.axis, shape.length);
    const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
    return { outer, C: shape[a], inner: shape.slice(a + 1).reduce((p, d) => p * d, 1) };
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    const g = this.geometry(x.shape);
    const mask = ctx.mask;
    // Keras 3 expands the mask on the last axis whatever the normalized axis (_moments), so it must be the input's
    // shape without that axis; maskedBatchNorm reads it so, a channel on any axis counting its real values.
    if (mask && mask.length * x.shape[x.rank - 1] !== x.size) {
      const want = x.shape.slice(0, -1);
      throw new Error(`${this.where}: a padding mask of ${mask.length} values does not fit input [${x.shape.join(', ')}]; as Keras's, it must have one axis less than the input, the input's shape without its last axis ([${want.join(', ')}], ${want.reduce((a, b) => a * b, 1)} values, one per step), whatever the axis normalized`);
    }
    if (!ctx.training) {
      return batchNorm(x, this.gamma, this.beta, g, this.epsilon,
        { mean: this.movingMean.values as FArray, variance: this.movingVariance.values as FArray }).y;
    }
    const { y, mean, variance } = mask ? maskedBatchNorm(x, this.gamma, this.beta, g, this.epsilon, mask) : batchNorm(x, this.gamma, this.beta, g, this.epsilon, null);
    this.follow(this.movingMean, mean);
    this.follow(this.movingVariance, variance);
    return y;
  }

  /** moving -= (moving - batch) * (1 - momentum): tfjs's and Keras's update, written in tfjs's order. */
  private follow(moving: Variable, batch: FArray): void {
    const m = moving.values as FArray;
    const decay = 1 - this.momentum;
    const next = new Float64Array(m.length);
    for (let i = 0; i < m.length; i++) next[i] = m[i] - (m[i] - batch[i]) * decay;
    moving.assign(next);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, momentum: this.momentum, ...this.affineConfig(),
      movingMeanInitializer: serializeInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializeInitializer(this.movingVarianceInitializer) };
  }
}

registerLayer(BatchNormalization);
