/**
 * The base of every layer: Keras's contract. A layer owns its config, infers its output shape from its
 * input shape, creates its weights on build, and computes its output with autograd ops.
 */
import type { Tensor } from '../tensor.js';
import { Variable } from '../variable.js';
import { describe } from './describe.js';
import { INITIALIZERS, type InitializerName } from './initializers.js';
import type { Constraint } from './constraints.js';
import type { L1L2 } from './regularizers.js';

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
}

export interface TraceRecord {
  layer: string;
  className: string;
  /** [B, T, U] hidden state after every step (processing order). */
  hiddenStates: Tensor;
  /** LSTM: input, forget, candidate and output gates, each [B, T, U]; GRU: update, reset, candidate. */
  gates?: Record<string, Tensor>;
}

/** A weight a layer creates for an input shape: its leaf name (tfjs's, e.g. 'recurrent_kernel'), shape and initializer. */
export interface WeightSpec {
  name: string;
  shape: number[];
  initializer: InitializerName | ((shape: number[], out: Float32Array) => void);
  /** Adds l1 * sum|w| + l2 * sum w^2 to the loss. */
  regularizer?: L1L2 | null;
  /** Applied after every optimizer step. */
  constraint?: Constraint | null;
}

/** A weight and the penalty it adds to the loss. */
export interface WeightPenalty { variable: Variable; regularizer: L1L2 }

let initializersOn = true;

/**
 * Runs fn with initializers switched off: weights are allocated (zeros) but not drawn, because saved values are
 * about to overwrite them. An orthogonal LSTM-1024 kernel costs seconds to draw and nothing to skip.
 */
export function withoutInitializers<T>(fn: () => T): T {
  const was = initializersOn;
  initializersOn = false;
  try { return fn(); } finally { initializersOn = was; }
}

/**
 * Options rnnlab knows from Keras but does not implement, with the values that mean "off" (what Keras and tfjs
 * write when unused). Any other value is an error naming the option, in constructors and in loaded configs alike.
 */
const UNSUPPORTED_OPTIONS: Record<string, { allowed: unknown[]; why: string }> = {
  stateful: { allowed: [false], why: 'rnnlab has no stateful RNNs' },
  recurrentDropout: { allowed: [0], why: 'recurrent dropout is not implemented' },
  timeMajor: { allowed: [false], why: 'rnnlab takes (batch, steps, features)' },
  activityRegularizer: { allowed: [null], why: 'activity regularizers are not implemented (weight regularizers are)' },
  dataFormat: { allowed: ['channels_last', 'channelsLast'], why: 'rnnlab is channels-last' },
  noiseShape: { allowed: [null], why: 'dropout noise shapes are not implemented' },
  seed: { allowed: [null], why: 'per-layer seeds are not implemented; rl.setSeed seeds everything' },
  groups: { allowed: [1], why: 'grouped convolutions are not implemented' },
  backwardLayer: { allowed: [null], why: 'a custom backward_layer is not supported; rnnlab mirrors the forward layer' },
  // Keras's speed/memory modes: every value computes the same, and rnnlab always runs its fused kernels.
  implementation: { allowed: [null, 0, 1, 2], why: 'Keras knows modes 0, 1 and 2' },
  unroll: { allowed: [false, true], why: 'it must be true or false' },
};

function checkUnsupported(layer: string, args: object): void {
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    if (k === 'dtype') { checkDtype(layer, v); continue; }
    const rule = Object.hasOwn(UNSUPPORTED_OPTIONS, k) ? UNSUPPORTED_OPTIONS[k] : undefined;
    if (rule && !rule.allowed.some((a) => a === v)) {
      throw new Error(`${layer}: ${k} = ${typeof v === 'object' && v !== null ? describe(v) : JSON.stringify(v)} is not supported (${rule.why})`);
    }
  }
}

/** float32 only; Keras 3 writes the dtype as a policy object {className: 'DTypePolicy', config: {name}}. */
function checkDtype(layer: string, v: unknown): void {
  const name = typeof v === 'object' && v !== null ? (v as { config?: { name?: unknown } }).config?.name : v;
  if (name !== null && name !== 'float32') throw new Error(`${layer}: dtype = ${typeof v === 'string' ? JSON.stringify(v) : describe(v)} is not supported (rnnlab computes in float32)`);
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

/** Numbers print plainly (got -2), anything else as describe() words (got the string "2"). */
function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : describe(v);
}

export function checkPositiveInt(layer: string, what: string, v: unknown): number {
  if (v === undefined || v === null) throw new Error(`${layer}: missing required field '${what}' (a positive integer)`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new Error(`${layer}: ${what} must be a positive integer, got ${shown(v)}`);
  }
  return v;
}

export function checkRate(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new Error(`${layer}: ${what} must be a number in [0, 1), got ${shown(v)}`);
  }
  return v;
}

/** undefined gives the default; anything but a boolean is an error (a string "false" would read as true). */
export function checkBool(layer: string, what: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${layer}: ${what} must be true or false, got ${shown(v)}`);
  return v;
}

export abstract class Layer {
  /** The Keras class name; each subclass sets its own static className. */
  static readonly className: string = 'Layer';
  name: string;
  trainable: boolean;
  built = false;
  weights: Variable[] = [];
  private penalties: WeightPenalty[] = [];
  inputSpec: SymbolicShape | null = null;
  outputShapeValue: SymbolicShape | null = null;
  readonly batchInputShape: SymbolicShape | null;

  constructor(args: LayerArgs = {}, defaultPrefix?: string) {
    this.name = args.name ?? uniqueName(defaultPrefix ?? snakeCase(this.className));
    checkUnsupported(`${this.name} (${this.className})`, args);
    this.trainable = checkBool(this.name, 'trainable', args.trainable, true);
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [null, ...args.inputShape];
    else if (args.inputDim !== undefined) this.batchInputShape = [null, checkPositiveInt(defaultPrefix ?? 'layer', 'inputDim', args.inputDim)];
    else this.batchInputShape = null;
  }

  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** The inverse of getConfig (camelCase keys). Keras's from_config: just the constructor. */
  static fromConfig(this: new (config: never) => Layer, config: Record<string, unknown>): Layer {
    return new this(config as never);
  }

  /** The weights build creates for this input shape, computed without allocating (loading plans from it). */
  weightSpecs(_inputShape: SymbolicShape): WeightSpec[] {
    return [];
  }

  /** Creates exactly the weights of weightSpecs, in order, then records the shapes. */
  build(inputShape: SymbolicShape): void {
    for (const spec of this.weightSpecs(inputShape)) this.addWeight(spec);
    this.markBuilt(inputShape);
  }

  protected markBuilt(inputShape: SymbolicShape): void {
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
      throw new Error(`${this.name} (${this.className}): expected input of shape ${kerasShape(spec)}, got [${x.shape.join(', ')}]`);
    }
    return this.call(x, ctx, logits);
  }

  /** True when call(x, ctx, true) returns pre-activation values of a final sigmoid (or softmax). */
  foldsActivation(_kind: 'sigmoid' | 'softmax'): boolean {
    return false;
  }

  /** The option that gives this layer outputs a Sequential model cannot pass on (Keras returnState), or null. */
  extraOutputsOption(): string | null {
    return null;
  }

  protected addWeight(spec: WeightSpec, trainable = true): Variable {
    if (this.weights.some((w) => w.name === `${this.name}/${spec.name}`)) throw new Error(`${this.name}: duplicate weight name '${spec.name}'`);
    spec.constraint?.checkShape(spec.shape);
    const v = new Variable(`${this.name}/${spec.name}`, spec.shape, trainable && this.trainable);
    if (initializersOn) {
      const init = spec.initializer;
      if (typeof init === 'function') init(spec.shape, v.data as Float32Array);
      else INITIALIZERS[init](spec.shape, v.data as Float32Array);
    }
    this.weights.push(v);
    if (spec.regularizer) this.penalties.push({ variable: v, regularizer: spec.regularizer });
    v.constraint = spec.constraint ?? null;
    return v;
  }

  /** The regularized weights (wrappers report their inner layers'). */
  weightPenalties(): WeightPenalty[] {
    return this.penalties;
  }

  /** The built weight with this leaf name (as in weightSpecs), or null. */
  protected weightNamed(leaf: string): Variable | null {
    return this.weights.find((w) => w.name === `${this.name}/${leaf}`) ?? null;
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

  /** Keras's config with camelCase keys: every constructor argument (src/io writes snake_case). */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.batchInputShape) c.batchInputShape = this.batchInputShape;
    return c;
  }
}

/** A shape in Keras's tuple notation, as model.summary() and Keras's errors print it: (None, 10). */
export function kerasShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}
