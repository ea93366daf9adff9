/**
 * What ZeroPadding1D and Cropping1D share: an amount of steps at each end of (batch, steps, features), given as n or
 * [left, right], added as zeros (sign +1) or removed (sign -1) by one op. Both drop a padding mask: the steps it
 * marked have moved.
 */
import { padTime } from '../autograd/layer_ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';

export abstract class TimeEdges1D extends BuiltInLayer {
  /** Steps at the start and the end. */
  readonly edges: [number, number];

  /** option: the config key ('padding', 'cropping'); sign: +1 adds zero steps, -1 removes steps. */
  constructor(args: LayerArgs, prefix: string, private readonly option: string, value: unknown, private readonly sign: 1 | -1) {
    super(args, prefix);
    const pair = typeof value === 'number' ? [value, value] : value;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n) && n >= 0)) {
      const got = Array.isArray(value) ? JSON.stringify(value) : typeof value === 'number' ? String(value) : describe(value);
      throw new Error(`${this.where}: ${option} must be a non-negative integer or a list [left, right] of two, got ${got}`);
    }
    this.edges = [pair[0], pair[1]];
  }

  private get where(): string { return `${this.name} (${this.className})`; }

  private stepsOut(T: number): number {
    const out = T + this.sign * (this.edges[0] + this.edges[1]);
    if (out <= 0) throw new Error(`${this.where}: ${this.option} [${this.edges.join(', ')}] leaves no step of ${T}`);
    return out;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.where}: expected input (batch, steps, features), got ${kerasShape(inputShape)}`);
    const T = inputShape[1];
    return [inputShape[0], T === null ? null : this.stepsOut(T), inputShape[2]];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    this.stepsOut(x.shape[1]);
    return padTime(x, this.sign * this.edges[0], this.sign * this.edges[1]);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), [this.option]: [...this.edges] }; }
}
