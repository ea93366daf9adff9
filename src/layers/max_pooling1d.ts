import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { Layer, checkPositiveInt, fmt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkPadding, windowGeometry, type Padding } from './padding.js';

export interface MaxPooling1DArgs extends LayerArgs {
  poolSize?: number | [number];
  strides?: number | [number] | null;
  padding?: Padding;
}

export class MaxPooling1D extends Layer {
  readonly className = 'MaxPooling1D';
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;

  constructor(args: MaxPooling1DArgs = {}) {
    super(args, 'max_pooling1d');
    const one = (v: number | [number] | null | undefined) => (Array.isArray(v) ? v[0] : v ?? undefined);
    this.poolSize = checkPositiveInt(this.name, 'poolSize', one(args.poolSize) ?? 2);
    this.strides = checkPositiveInt(this.name, 'strides', one(args.strides) ?? this.poolSize);
    this.padding = checkPadding(this.name, args.padding ?? 'valid');
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (MaxPooling1D): expected input (batch, steps, channels), got ${fmt(inputShape)}`);
    const T = inputShape[1];
    const steps = T === null ? null : windowGeometry(T, this.poolSize, this.strides, this.padding).outSteps;
    if (steps === 0) throw new Error(`${this.name} (MaxPooling1D): ${T} steps are too few for poolSize ${this.poolSize}`);
    return [inputShape[0], steps, inputShape[2]];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    const g = windowGeometry(x.shape[1], this.poolSize, this.strides, this.padding);
    return ops.maxPool1d(x, this.poolSize, { stride: this.strides, ...g });
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.poolSize], strides: [this.strides], padding: this.padding };
  }
}
