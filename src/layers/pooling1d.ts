/** What the windowed 1-D poolings share (Keras's base Pooling1D): the window options, the output shape and the config. */
import { Layer, checkPositiveInt, kerasShape, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkPadding, oneInt, windowGeometry, type Padding } from './padding.js';

export interface Pooling1DArgs extends LayerArgs {
  /** Default 2. */
  poolSize?: number | [number];
  /** Default: poolSize. */
  strides?: number | [number] | null;
  /** Default 'valid'. */
  padding?: Padding;
}

export abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;

  constructor(args: Pooling1DArgs, prefix: string) {
    super(args, prefix);
    this.poolSize = checkPositiveInt(this.name, 'poolSize', oneInt(this.name, 'poolSize', args.poolSize ?? 2));
    this.strides = checkPositiveInt(this.name, 'strides', oneInt(this.name, 'strides', args.strides ?? this.poolSize));
    this.padding = checkPadding(this.name, args.padding ?? 'valid');
  }

  /** Where the windows over `steps` input steps start and how many there are. */
  protected windows(steps: number): ReturnType<typeof windowGeometry> {
    return windowGeometry(steps, this.poolSize, this.strides, this.padding);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (${this.className}): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    const T = inputShape[1];
    const steps = T === null ? null : this.windows(T).outSteps;
    if (steps === 0) throw new Error(`${this.name} (${this.className}): ${T} steps are too few for poolSize ${this.poolSize}`);
    return [inputShape[0], steps, inputShape[2]];
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.poolSize], strides: [this.strides], padding: this.padding, dataFormat: 'channels_last' };
  }
}
