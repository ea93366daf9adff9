/**
 * The base of every layer: Keras's contract. A layer owns its config, infers its output shape from its
 * input shape, creates its weights on build, and computes its output with autograd ops.
 */
import type { Tensor } from '../tensor.js';
import { Variable } from '../variable.js';
import { initialize, type InitializerName } from './initializers.js';

/** Shapes with the batch axis first; null is "any size" (the batch, or free time steps). */
export type SymbolicShape = (number | null)[];

export interface LayerArgs {
  name?: string;
  /** Shape of one sample, without the batch axis (Keras input_shape). */
  inputShape?: number[];
  batchInputShape?: (number | null)[];
  /** Shorthand for inputShape: [inputDim] (Keras input_dim). */
  inputDim?: number;
  trainable?: boolean;
}

export interface CallContext {
  training: boolean;
  /** Padding mask [B, T] (1 = real step), produced by embedding({maskZero}) and consumed by recurrent layers. */
  mask: Uint8Array | null;
  /** Collects per-layer introspection (hidden states, gates) when set. */
  trace?: TraceRecord[];
  /** Collects d loss / d h_t for every step of every recurrent layer during backward, when set. */
  stateGrads?: StateGradRecord[];
}

export interface StateGradRecord {
  layer: string;
  className: string;
  /** [B, T, U] gradient of the loss w.r.t. each hidden state (processing order). */
  dh: Float32Array | Float64Array;
  shape: [number, number, number];
  /** LSTM only: [B, T, U] gradient w.r.t. each cell state c_t (processing order). */
  dc?: Float32Array | Float64Array;
  /** [B, T, D] gradient w.r.t. the layer's input at each step (input time order), D = inputSize. */
  dx?: Float32Array | Float64Array;
  inputSize?: number;
}

export interface TraceRecord {
  layer: string;
  className: string;
  /** [B, T, U] hidden state after every step (processing order). */
  hiddenStates: Tensor;
  /** LSTM: input, forget, candidate and output gates, each [B, T, U]; GRU: update, reset, candidate. */
  gates?: Record<string, Tensor>;
}

const nameCounters = new Map<string, number>();

function uniqueName(prefix: string): string {
  const n = nameCounters.get(prefix) ?? 0;
  nameCounters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

export function checkPositiveInt(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new Error(`${layer}: ${what} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

export function checkRate(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new Error(`${layer}: ${what} must be a number in [0, 1), got ${String(v)}`);
  }
  return v;
}

export abstract class Layer {
  abstract readonly className: string;
  name: string;
  trainable: boolean;
  built = false;
  weights: Variable[] = [];
  inputSpec: SymbolicShape | null = null;
  outputShapeValue: SymbolicShape | null = null;
  readonly batchInputShape: SymbolicShape | null;

  constructor(args: LayerArgs = {}, defaultPrefix?: string) {
    this.name = args.name ?? uniqueName(defaultPrefix ?? snakeCase(this.constructor.name));
    this.trainable = args.trainable ?? true;
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [null, ...args.inputShape];
    else if (args.inputDim !== undefined) this.batchInputShape = [null, checkPositiveInt(defaultPrefix ?? 'layer', 'inputDim', args.inputDim)];
    else this.batchInputShape = null;
  }

  /** Creates weights for the given input shape; subclasses call super.build at the end. */
  build(inputShape: SymbolicShape): void {
    this.inputSpec = [...inputShape];
    this.outputShapeValue = this.computeOutputShape(inputShape);
    this.built = true;
  }

  abstract computeOutputShape(inputShape: SymbolicShape): SymbolicShape;
  /** logits: the last layer may skip a final sigmoid/softmax that the loss folds in. */
  abstract call(x: Tensor, ctx: CallContext, logits?: boolean): Tensor;

  get outputShape(): SymbolicShape {
    if (!this.outputShapeValue) throw new Error(`${this.name}: the layer is not built yet, so its output shape is unknown`);
    return this.outputShapeValue;
  }

  /** Checks the input against the built shape, then calls. */
  apply(x: Tensor, ctx: CallContext, logits = false): Tensor {
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    const spec = this.inputSpec!;
    const ok = spec.length === x.rank && spec.every((d, i) => d === null || d === x.shape[i]);
    if (!ok) {
      throw new Error(`${this.name} (${this.className}): expected input of shape ${fmt(spec)}, got [${x.shape.join(', ')}]`);
    }
    return this.call(x, ctx, logits);
  }

  /** True when call(x, ctx, true) returns pre-activation values of a final sigmoid (or softmax). */
  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean {
    const a = (this as unknown as { activation?: string }).activation;
    const inner = (this as unknown as { layer?: Layer }).layer;
    if (this.className === 'TimeDistributed' && inner) return inner.foldsActivation(kind);
    return (this.className === 'Dense' || this.className === 'Activation') && a === kind;
  }

  protected addWeight(name: string, shape: number[], init: InitializerName, trainable = true): Variable {
    const v = new Variable(`${this.name}/${name}`, shape, trainable && this.trainable);
    initialize(init, shape, v.data as Float32Array);
    this.weights.push(v);
    return v;
  }

  countParams(): number {
    return this.weights.reduce((s, w) => s + w.size, 0);
  }

  get trainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((w) => w.trainable) : [];
  }

  /** Copies of the weights' values, in Keras order. */
  getWeights(): Float32Array[] {
    return this.weights.map((w) => Float32Array.from(w.data as Float32Array));
  }

  setWeights(values: ArrayLike<number>[]): void {
    if (values.length !== this.weights.length) {
      throw new Error(`${this.name}: setWeights expected ${this.weights.length} arrays, got ${values.length}`);
    }
    this.weights.forEach((w, i) => w.assign(values[i]));
  }

  /** Keras-style config (snake_case keys are produced by the serializer). */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape) c.batchInputShape = this.batchInputShape;
    return c;
  }
}

export function fmt(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}
