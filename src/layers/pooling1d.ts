/** What the windowed 1-D poolings share (Keras's base Pooling1D): the window options, the output shape, the call and the config. */
import type { Conv1dGeometry } from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkPadding, oneInt, windowGeometry, type Padding } from './padding.js';
import { CHANNELS_LAST } from './tfjs_spellings.js';

export interface Pooling1DArgs extends LayerArgs {
  /** Default 2. */
  poolSize?: number | [number];
  /** Default: poolSize. */
  strides?: number | [number] | null;
  /** Default 'valid'. */
  padding?: Padding;
}

/** The pooling over windows of steps a subclass applies (ops.maxPool1d, avgPool1d). */
export type PoolOp = (x: Tensor, poolSize: number, window: Conv1dGeometry) => Tensor;

export abstract class Pooling1D extends BuiltInLayer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;
  private readonly pool: PoolOp;

  constructor(args: Pooling1DArgs, prefix: string, pool: PoolOp) {
    super(args, prefix);
    this.pool = pool;
    this.poolSize = checkPositiveInt(this.name, 'poolSize', oneInt(this.name, 'poolSize', args.poolSize ?? 2));
    this.strides = checkPositiveInt(this.name, 'strides', oneInt(this.name, 'strides', args.strides ?? this.poolSize));
    this.padding = checkPadding(this.name, args.padding ?? 'valid');
  }

  /**
   * Where the windows over `steps` input steps start and how many there are; too few steps for one window is an error
   * naming the layer, on every path (a built shape, fit's batches, and predict/apply on a free time axis).
   */
  private windows(steps: number): ReturnType<typeof windowGeometry> {
    const g = windowGeometry(steps, this.poolSize, this.strides, this.padding);
    if (g.outSteps === 0) throw new Error(`${this.name} (${this.className}): ${steps} steps are too few for poolSize ${this.poolSize}`);
    return g;
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return this.pool(x, this.poolSize, { stride: this.strides, ...this.windows(x.shape[1]) });
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (${this.className}): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    const T = inputShape[1];
    return [inputShape[0], T === null ? null : this.windows(T).outSteps, inputShape[2]];
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.poolSize], strides: [this.strides], padding: this.padding, dataFormat: CHANNELS_LAST };
  }
}
