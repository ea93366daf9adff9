import { softmaxOver } from '../autograd/advanced_activation_ops.js';
import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface SoftmaxArgs extends LayerArgs {
  /** The axis (or axes, normalized jointly) to normalize over; negative counts from the end. Default -1. */
  axis?: number | number[];
}

/**
 * Keras's and tfjs's Softmax layer over any axis or axes. The default is Keras's -1; tfjs-layers' default 1 is the
 * same axis on the (batch, features) inputs it supports, so tfjs code runs unchanged.
 */
export class Softmax extends BuiltInLayer {
  static override readonly className: string = 'Softmax';
  /** The padding mask passes through (Keras 3's supports_masking; tfjs 4.22 leaves it false). */
  override supportsMasking = true;
  readonly axis: number | number[];

  constructor(args: SoftmaxArgs = {}) {
    super(args, 'softmax');
    const a: unknown = args.axis ?? -1;
    const list = Array.isArray(a) ? a : [a];
    if (list.length === 0 || !list.every((v) => Number.isInteger(v))) {
      throw new Error(`${this.name} (Softmax): axis must be an integer or a non-empty list of integers, got ${Array.isArray(a) ? JSON.stringify(a) : describe(a)}`);
    }
    this.axis = Array.isArray(a) ? [...a] as number[] : a as number;
  }

  /** The axes as non-negative numbers for this rank; an error names axis when one is out of range or repeated. */
  private axesFor(rank: number, shape: SymbolicShape, shown = kerasShape(shape)): number[] {
    if (rank === 0) throw new Error(`${this.name} (Softmax): axis ${JSON.stringify(this.axis)} does not fit input ${shown}, which has no axis to normalize over`);
    const list = Array.isArray(this.axis) ? this.axis : [this.axis];
    const axes = list.map((a) => (a < 0 ? a + rank : a));
    if (axes.some((a) => a < 0 || a >= rank) || new Set(axes).size !== axes.length) {
      throw new Error(`${this.name} (Softmax): axis ${JSON.stringify(this.axis)} does not fit input ${shown} (rank ${rank}, axes -${rank}..${rank - 1}, each once)`);
    }
    return axes;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    this.axesFor(inputShape.length, inputShape);
    return inputShape;
  }

  /** Over the last axis only: the native row softmax, which a final categorical loss can fold in as Dense's does. */
  private lastAxisOnly(rank: number | null): boolean {
    const list = Array.isArray(this.axis) ? this.axis : [this.axis];
    return list.length === 1 && (list[0] === -1 || (rank !== null && list[0] === rank - 1));
  }

  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean { return kind === 'softmax' && this.lastAxisOnly(this.builtInputShape?.length ?? null); }

  protected [COMPUTE](x: Tensor, _ctx: CallContext, logits = false): Tensor {
    // A scalar builds as (None,), which has an axis, so the tensor itself is checked.
    if (x.rank === 0) this.axesFor(0, [], '[] (a scalar, with no batch axis)');
    if (!this.lastAxisOnly(x.rank)) return softmaxOver(x, this.axesFor(x.rank, x.shape));
    return logits ? x : ops.activation(x, 'softmax');
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis }; }
}

registerLayer(Softmax);
