import * as ops from '../autograd/ops.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkInitializer, serializeInitializer, type InitializerName } from './initializers.js';
import { COMPUTE, BuiltInLayer, checkBool, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { checkConstraint, serializeConstraint, type Constraint } from './constraints.js';
import { checkRegularizer, serializeRegularizer, type L1L2 } from './regularizers.js';
import { registerLayer } from './registry.js';
import type { InitializerArg, RegularizerArg, ConstraintArg } from './option_types.js';

export interface EmbeddingArgs extends LayerArgs {
  inputDim: number;
  outputDim: number;
  /** Fixes the sequence length (an inputShape with other steps is an error, as in tfjs); without it any length is accepted. */
  inputLength?: number | [number] | null;
  /** Default false: with true, id 0 is padding and masks the recurrent layers that follow. */
  maskZero?: boolean;
  /** Default 'uniform' (Keras's RandomUniform(-0.05, 0.05)). */
  embeddingsInitializer?: InitializerArg;
  /** Default none: 'l1', 'l2', 'l1l2', rl.regularizers.l2({l2}) or Keras's {className: 'L2', config}. */
  embeddingsRegularizer?: RegularizerArg;
  /** Default none: 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl.constraints.* or Keras's {className, config}. */
  embeddingsConstraint?: ConstraintArg;
}

/** Token ids [B, T] -> vectors [B, T, outputDim]. With maskZero, id 0 is padding for the layers that follow. */
export class Embedding extends BuiltInLayer {
  static override readonly className: string = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly inputLength: number | null;
  readonly maskZero: boolean;
  readonly embeddingsInitializer: InitializerName;
  readonly embeddingsRegularizer: L1L2 | null;
  readonly embeddingsConstraint: Constraint | null;

  constructor(args: EmbeddingArgs) {
    const { inputDim: _ignored, ...rest } = args;
    // Keras writes input_length as a number or a one-element list.
    const length = Array.isArray(args.inputLength) ? args.inputLength[0] : args.inputLength ?? undefined;
    // tfjs reads a longer list as ids of rank > 2; rnnlab's embedding takes (batch, steps) ids only.
    if (Array.isArray(args.inputLength) && args.inputLength.length !== 1) {
      throw new Error(`${args.name ?? 'embedding'}: inputLength ${JSON.stringify(args.inputLength)} is not supported; give one length (ids of shape (batch, steps))`);
    }
    super({ ...rest, ...withLengthFilledIn(args, length) }, 'embedding');
    this.inputDim = checkPositiveInt(this.name, 'inputDim', args.inputDim);
    this.outputDim = checkPositiveInt(this.name, 'outputDim', args.outputDim);
    this.inputLength = length === undefined ? null : checkPositiveInt(this.name, 'inputLength', length);
    // A declared shape with other steps would win and leave inputLength a false claim in getConfig and in files.
    if (this.batchInputShape) {
      const k = args.batchInputShape ? 'batchInputShape' : 'inputShape';
      const declared = k === 'inputShape' ? this.batchInputShape.slice(1) : this.batchInputShape;
      this.checkLength(this.batchInputShape, `${k} ${JSON.stringify(declared).replace(/,/g, ', ')}`);
    }
    this.maskZero = checkBool(this.name, 'maskZero', args.maskZero, false);
    this.embeddingsInitializer = checkInitializer(this.name, 'embeddingsInitializer', args.embeddingsInitializer ?? 'uniform');
    this.embeddingsRegularizer = checkRegularizer(this.name, 'embeddingsRegularizer', args.embeddingsRegularizer);
    this.embeddingsConstraint = checkConstraint(this.name, 'embeddingsConstraint', args.embeddingsConstraint);
  }

  weightSpecs(): WeightSpec[] {
    return [{ name: 'embeddings', shape: [this.inputDim, this.outputDim], initializer: this.embeddingsInitializer, regularizer: this.embeddingsRegularizer, constraint: this.embeddingsConstraint }];
  }

  get embeddings(): Variable { return this.weightNamed('embeddings')!; }

  build(inputShape: SymbolicShape): void {
    // Without inputLength, any sequence length is accepted (as in Keras), whatever the first batch had.
    super.build(this.inputLength === null && !this.batchInputShape ? inputShape.map((d, i) => (i === 0 ? d : null)) : inputShape);
    // The output still has the steps of the shape it was built for, as Keras and tfjs say ((None, 9, 4) for input
    // (None, 9)): a Flatten after it needs them (the Sequential passes on the length it leaves free, see its build).
    this.outputShapeValue = this.computeOutputShape(inputShape);
  }

  /** As tfjs's: with inputLength, the input must be (batch, inputLength), and the output has inputLength steps. */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (this.inputLength === null) return [...inputShape, this.outputDim];
    const built = this.builtInputShape;
    if (built && built.length === 2 && built[1] === this.inputLength) {
      // Built already: said as the models say it of any layer fed another shape than it was built for.
      this.checkLength(inputShape, `an input of shape ${kerasShape(inputShape)}`, `${this.name} (Embedding) was built for input ${kerasShape(built)} but receives ${kerasShape(inputShape)}: inputLength is ${this.inputLength}`);
    } else this.checkLength(inputShape, `an input of shape ${kerasShape(inputShape)}`);
    return [inputShape[0], this.inputLength, this.outputDim];
  }

  /** tfjs and Keras 2 refuse an input whose steps contradict inputLength (a free size, null, agrees with any). */
  private checkLength(batchShape: SymbolicShape, what: string, head = `${this.name} (Embedding): inputLength is ${this.inputLength}, but it is given ${what}`): void {
    if (this.inputLength === null) return;
    const steps = batchShape[1];
    if (batchShape.length !== 2 || (steps !== null && steps !== this.inputLength)) {
      throw new Error(`${head}; the ids must be (batch, ${this.inputLength}): drop inputLength or make the two agree`);
    }
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    // A graph input of free steps ([null]) passes the symbolic check: the ids' own steps must agree too (tfjs's call refuses them).
    if (this.inputLength !== null) {
      const given: SymbolicShape = [null, ...x.shape.slice(1)];
      this.checkLength(given, `an input of shape ${kerasShape(given)}`);
    }
    const ids = this.checkIds(x);
    if (this.maskZero) {
      if (x.rank !== 2) throw new Error(`${this.name}: maskZero needs input of shape (batch, steps), got [${x.shape.join(', ')}]`);
      const mask = new Uint8Array(ids.length);
      for (let i = 0; i < ids.length; i++) mask[i] = ids[i] !== 0 ? 1 : 0;
      ctx.mask = mask;
    }
    return ops.embedding(new Tensor(ids, x.shape, 'int32'), this.embeddings);
  }

  /**
   * tfjs's and Keras's computeMask: with maskZero, a bool tensor of the ids' shape, true where the id is not 0 (the
   * mask the layers after it read); without, null. rnnlab's own layers get it from call; this answers code that asks.
   */
  computeMask(inputs: Tensor | Tensor[], _mask?: unknown): Tensor | null {
    if (!this.maskZero) return null;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return new Tensor(Int32Array.from(x.values, (v) => (v !== 0 ? 1 : 0)), [...x.shape], 'bool');
  }

  /**
   * A whole model input's ids checked before fit, evaluate or predict runs a batch (what: the call and the data, as
   * 'fit: validationData: x'): a bad id is found before any weight moves, and its position is its row in x, not in
   * the batch the layer would have met it in.
   */
  checkInputIds(x: Tensor, what: string): void {
    this.checkIds(x, what);
  }

  /**
   * Ids must be integers in [0, inputDim): a bad id names its position in x (with `what`, x is the caller's whole
   * input; without, the batch the layer was called on).
   */
  private checkIds(x: Tensor, what?: string): Int32Array {
    const d = x.values;
    const bad = d instanceof Int32Array ? firstIdOutside(d, this.inputDim) : firstNonId(d, this.inputDim);
    if (bad >= 0) {
      const pos = unravel(bad, x.shape);
      const v = d[bad];
      const at = what === undefined ? `at position [${pos.join(', ')}] of input ${kerasShape([null, ...x.shape.slice(1)])}`
        : `at position [${pos.join(', ')}] (row ${pos[0]} of x)`;
      const head = `${what === undefined ? '' : `${what}: `}${this.name} (Embedding)`;
      // A float32 input shows its value as float32 holds it (1.7, not 1.7000000476837158).
      const shownId = d instanceof Float32Array ? String(Math.fround(v) === v ? Number(v.toPrecision(7)) : v) : String(v);
      if (Number.isNaN(v) || (v >= 0 && v < this.inputDim && !Number.isInteger(v))) throw new Error(`${head}: token id ${shownId} ${at} is not an integer (ids must be whole numbers in [0, ${this.inputDim}))`);
      throw new Error(`${head}: token id ${shownId} ${at} is outside [0, ${this.inputDim}) (inputDim ${this.inputDim})`);
    }
    return d instanceof Int32Array ? d : Int32Array.from(d);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer), embeddingsRegularizer: serializeRegularizer(this.embeddingsRegularizer), activityRegularizer: serializeRegularizer(this.activityRegularizer),
      embeddingsConstraint: serializeConstraint(this.embeddingsConstraint), maskZero: this.maskZero, inputLength: this.inputLength ?? this.batchInputShape?.[1] ?? null };
  }
}

registerLayer(Embedding);

/**
 * The declared input shape with inputLength in it: [length] when none is declared, and a declared free number of
 * steps (null) fixed to length, so the layer runs on the length its output shape and config claim. A declared
 * shape that contradicts length is left for the constructor to refuse.
 */
function withLengthFilledIn(args: EmbeddingArgs, length: number | undefined): Pick<LayerArgs, 'inputShape' | 'batchInputShape'> {
  const fill = (s: SymbolicShape | undefined, at: number) => (length !== undefined && Array.isArray(s) && s.length === at + 1 && s[at] === null ? s.map((d, i) => (i === at ? length : d)) : s);
  if (args.batchInputShape) return { batchInputShape: fill(args.batchInputShape, 1) };
  if (args.inputShape !== undefined && args.inputShape !== null) return { inputShape: fill(args.inputShape, 0) };
  return { inputShape: length !== undefined ? [length] : undefined };
}

function unravel(i: number, shape: number[]): number[] {
  const pos = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { pos[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return pos;
}

/**
 * Index of the first id outside [0, dim), or -1. Int32 ids are integers already, and one unsigned compare also
 * catches negatives: the training step checks every id of every batch (64k at the lab's CNN shape).
 */
function firstIdOutside(d: Int32Array, dim: number): number {
  for (let i = 0; i < d.length; i++) if ((d[i] >>> 0) >= dim) return i;
  return -1;
}

/** Index of the first value that is not an integer id in [0, dim), or -1. */
function firstNonId(d: ArrayLike<number>, dim: number): number {
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(v >= 0 && v < dim && Number.isInteger(v))) return i;
  }
  return -1;
}
