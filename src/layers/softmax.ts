import { softmaxOver } from '../autograd/advanced_activation_ops.js';
import * as ops from '../autograd/ops.js';
import { allocFloat } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, kerasShape, type ApplyArgs, type AsEitherKind, type CallContext, type Kwargs, type LayerArgs, type SymbolicShape, type SymbolicTensor } from './layer.js';
import { registerLayer } from './registry.js';

/** Keras's _large_negative_number (tfjs's -1e9 too): added to the masked inputs, whose softmax then vanishes. */
const MASKED_INPUT = -1e9;

/**
 * Whether a mask of this shape broadcasts to the input's shape without changing it (NumPy's rule, as Keras's and
 * tfjs's `(1 - mask) * -1e9` added to the inputs broadcasts it): aligned at the last axis, each axis 1 or the input's.
 */
function broadcastsTo(mask: readonly number[], input: readonly number[]): boolean {
  if (mask.length > input.length) return false;
  const lead = input.length - mask.length;
  return mask.every((d, i) => d === 1 || d === input[lead + i]);
}

/** The mask broadcast to the input's shape, one byte per input value. */
function broadcastMask(mask: Tensor, shape: readonly number[]): Uint8Array {
  const m = mask.dataSync() as ArrayLike<number>;
  const size = shape.reduce((a, b) => a * b, 1);
  const lead = shape.length - mask.rank;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i, at = 0, stride = 1;
    for (let a = shape.length - 1; a >= lead; a--) {
      const d = shape[a], k = rest % d;
      rest = (rest - k) / d;
      const md = mask.shape[a - lead];
      if (md !== 1) at += k * stride;
      stride *= md;
    }
    out[i] = m[at] ? 1 : 0;
  }
  return out;
}

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
  /** An explicit mask of the input's shape (or one broadcasting to it) for the call under way; the engine's mask is [batch, steps]. */
  private givenMask: Uint8Array | null = null;

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

  /**
   * Keras's and tfjs's call(inputs, mask): a mask of the input's shape, or one broadcasting to it ([batch, 1, Tv] for
   * [batch, Tq, Tv] scores), masks the inputs it marks false. The engine keeps a mask as [batch, steps], which is the
   * input's shape for a (batch, steps) input; any other shape is taken here, for this call, and is refused where it
   * does not broadcast. A [batch, steps] mask on an input of more axes is the steps' padding mask, passed on as the
   * graph's is (Keras's would not broadcast).
   */
  override apply(x: SymbolicTensor | SymbolicTensor[], args?: ApplyArgs): SymbolicTensor | SymbolicTensor[] | AsEitherKind;
  override apply(x: Tensor | Tensor[], args?: ApplyArgs): Tensor | Tensor[] | AsEitherKind;
  override apply(x: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], args?: ApplyArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return this.withGivenMask(x, args, (rest) => super.apply(x as Tensor, rest) as Tensor);
  }

  override call(inputs: Tensor | Tensor[], kwargs?: Kwargs): Tensor | Tensor[];
  override call(inputs: Tensor | Tensor[], kwargs?: Kwargs, logits = false): Tensor | Tensor[] {
    return this.withGivenMask(inputs, kwargs, (rest) => (super.call as (i: Tensor | Tensor[], k?: Kwargs, l?: boolean) => Tensor | Tensor[])(inputs, rest, logits));
  }

  /** run with the kwargs, or, for a mask the engine's [batch, steps] form cannot hold, with it taken out and kept for COMPUTE. */
  private withGivenMask<A extends { mask?: unknown } | undefined, R>(x: unknown, args: A, run: (args: A) => R): R {
    const mask = args !== null && typeof args === 'object' ? args.mask : undefined;
    if (!(mask instanceof Tensor) || !(x instanceof Tensor)) return run(args);
    const padding = x.rank >= 2 && mask.rank === 2 && mask.shape[0] === x.shape[0] && mask.shape[1] === x.shape[1];
    if (padding) return run(args);
    if (!broadcastsTo(mask.shape, x.shape)) {
      throw new Error(`${this.name} (Softmax): mask of shape [${mask.shape.join(', ')}] does not broadcast to the input [${x.shape.join(', ')}]; ` +
        'give a mask of the input\'s shape (or with axes of 1 to broadcast), or a [batch, steps] padding mask');
    }
    const outer = this.givenMask;
    this.givenMask = broadcastMask(mask, x.shape);
    // The same kwargs object without its mask: its identity carries a custom call's context (see call_kwargs.ts).
    const own = Object.getOwnPropertyDescriptor(args, 'mask');
    const writable = own ? own.writable === true : Object.isExtensible(args);
    const rest = writable ? args : { ...(args as object), mask: null } as A;
    if (writable) (args as { mask?: unknown }).mask = null;
    try {
      return run(rest);
    } finally {
      this.givenMask = outer;
      if (writable) {
        if (own) Object.defineProperty(args, 'mask', own);
        else delete (args as { mask?: unknown }).mask;
      }
    }
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext, logits = false): Tensor {
    // A scalar builds as (None,), which has an axis, so the tensor itself is checked.
    if (x.rank === 0) this.axesFor(0, [], '[] (a scalar, with no batch axis)');
    const mask = this.givenMask ?? (x.rank === 2 ? ctx.mask : null);
    if (mask) return this.maskedSoftmax(x, mask, logits);
    if (!this.lastAxisOnly(x.rank)) return softmaxOver(x, this.axesFor(x.rank, x.shape));
    return logits ? x : ops.activation(x, 'softmax');
  }

  /**
   * Keras's masked softmax: -1e9 added to the masked inputs, then the output times the mask (Keras >= 3.10), so a
   * slice with every value masked gives zeros (tfjs 4.22, which only adds, gives it equal weights). Logits, for a
   * loss that folds the softmax in, are the inputs with -1e9 added.
   */
  private maskedSoftmax(x: Tensor, mask: Uint8Array, logits: boolean): Tensor {
    const adder = allocFloat(x.size), keep = allocFloat(x.size);
    for (let i = 0; i < x.size; i++) {
      adder[i] = mask[i] ? 0 : MASKED_INPUT;
      keep[i] = mask[i];
    }
    const shifted = ops.merge(x, new Tensor(adder, x.shape, 'float32'), 'sum');
    if (logits && this.lastAxisOnly(x.rank)) return shifted;
    const y = this.lastAxisOnly(x.rank) ? ops.activation(shifted, 'softmax') : softmaxOver(shifted, this.axesFor(x.rank, x.shape));
    return ops.merge(y, new Tensor(keep, x.shape, 'float32'), 'mul');
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis }; }
}

registerLayer(Softmax);
