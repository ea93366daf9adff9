/**
 * What the advanced-activation layers share (ReLU, LeakyReLU, ELU, ThresholdedReLU, and Rescaling): one elementwise
 * function with its derivative, any input shape, the output shaped as the input, a padding mask passed on.
 */
import { pointwise } from '../autograd/advanced_activation_ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, finiteOption, type CallContext, type SymbolicShape } from './layer.js';

export abstract class PointwiseLayer extends BuiltInLayer {
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor { return pointwise(x, (v) => this.f(v), (v) => this.df(v)); }

  /** The function, elementwise. */
  abstract f(x: number): number;
  /** Its derivative (at a kink, the side tfjs's gradient takes). */
  abstract df(x: number): number;

  /** A finite number option read outside the option table (aliases, optional values): an error naming it when bad. */
  protected numberOption(what: string, v: unknown, fallback: number, min = -Infinity): number {
    return finiteOption(fallback, min)(`${this.name} (${this.className})`, what, v) as number;
  }
}
