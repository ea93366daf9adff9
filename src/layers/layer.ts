/**
 * The base of every layer: Keras's contract. A layer owns its config, infers its output shape from its
 * input shape, creates its weights on build, and computes its output with autograd ops.
 */
import { Tensor } from '../tensor.js';
import { withoutTape } from '../autograd/tape.js';
import { reshape } from '../autograd/ops.js';
import { tidy } from '../ops/memory.js';
import { Variable } from '../variable.js';
import { assignWeights, weightTensors } from './weight_values.js';
import { describe, shownList } from '../describe.js';
import { getGlobalPolicy, layerDtypePolicy, type DTypePolicy } from '../mixed_precision.js';
import { checkOptionKeys, snakeCase } from '../near_name.js';
import { isPlainObject } from '../plain_object.js';

// Re-exported: layers and io name classes and keys with it.
export { snakeCase };
import { INITIALIZERS, checkInitializer, type InitializerName } from './initializers.js';
import { checkConstraint, type Constraint } from './constraints.js';
import { Initializer } from './initializer_catalogue.js';
import { appliedPenalty, checkRegularizer, L1L2, serializeRegularizer, type RegularizerIdentifier } from './regularizers.js';
import { builtInDefines, builtInMethod, markBuiltInLayerClass } from './built_in_classes.js';
import { extraCallKwargs, inTrainingMode, inUserCall, kwargsContext, maskBytes, maskTensor, rememberWeight, userKwargs, withoutWeightChanges, type Kwargs } from './call_kwargs.js';
export { maskBytes, type Kwargs };
import type { PolicyName } from '../mixed_precision.js';
import { assertInputCompatibility, checkedInputSpecs, type InputSpec } from './input_spec.js';
import { addedLossTerm, AddedLoss, lossFunctions } from './added_losses.js';

/** Shapes with the batch axis first; null is "any size" (the batch, or free time steps). */
export type SymbolicShape = (number | null)[];

/**
 * Part of apply's declared result, never a runtime value: tfjs declares apply as returning either kind of tensor, so
 * tfjs code casts the result to the other kind (`apply(symbolic) as tf.Tensor[]`, `apply(o as tf.Tensor) as
 * tf.SymbolicTensor`); these members make such casts compile while the result stays assignable to the kind it is.
 */
export type AsEitherKind = (Tensor & SymbolicTensor) | (Tensor[] & SymbolicTensor[]);

export interface LayerArgs {
  name?: string;
  /** Shape of one sample, without the batch axis (Keras input_shape); null is a free size (tfjs's Shape). */
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  /** With inputShape or inputDim: the fixed batch size (tfjs's batchSize), what a stateful recurrent layer needs. */
  batchSize?: number | null;
  /** Shorthand for inputShape: [inputDim] (Keras input_dim). */
  inputDim?: number;
  trainable?: boolean;
  /** tfjs's dtype / Keras's dtype policy: the layer computes in float32 either way ('int32' and others are refused). */
  dtype?: PolicyName;
  /** tfjs's legacy spelling of dtype ("legacy support, do not use for new code"), read as dtype. */
  inputDType?: PolicyName;
  /** Keras's activity_regularizer: l1 * sum|y| + l2 * sum y^2 of the layer's output, divided by the batch size, added to the loss. */
  activityRegularizer?: RegularizerIdentifier;
  /** tfjs's initial weight values, in getWeights order: set once the layer is built. */
  weights?: (Tensor | ArrayLike<number>)[];
}

/** tfjs's apply kwargs: what a call takes besides its inputs. */
export interface ApplyArgs {
  /** Recurrent layers: the initial states ([h] or [h, c]); symbolic states become extra inputs of the node. */
  initialState?: (Tensor | SymbolicTensor)[] | Tensor | SymbolicTensor;
  /**
   * Real tensors: run in training mode (dropout active) or not; null or absent takes the enclosing layer call's mode
   * (Keras's call context), inference outside any. Symbolic tensors: Keras's per-call fixed mode
   * (base(x, training=False)): that call of the layer always runs so, in fit, evaluate and predict alike; null or
   * absent leaves it to the model's mode.
   */
  training?: boolean | null;
  /** Real tensors only: tfjs's padding mask, a bool (or 0/1) tensor [batch, steps]; a list of them for a list of inputs. */
  mask?: Tensor | (Tensor | null)[] | null;
  /** A custom layer's own call arguments (apply(x, {scale: 3})), on real tensors only; rnnlab's layers refuse others. */
  [key: string]: unknown;
}

export interface CallContext {
  training: boolean;
  /** Padding mask [B, T] (1 = real step), produced by embedding({maskZero}) and consumed by recurrent layers. */
  mask: Uint8Array | null;
  /** In a functional model: the padding mask of each input of a multi-input call (attention reads query's and value's). */
  inputMasks?: (Uint8Array | null)[];
  /** A custom layer's own call arguments given to apply on tensors (apply(x, {scale: 3})), for its call's kwargs. */
  callKwargs?: Readonly<Record<string, unknown>>;
  /**
   * Set by a call whose outputs carry different padding masks (a nested model's, one per output); otherwise every
   * output carries mask. The functional graph clears it before each call.
   */
  outputMasks?: (Uint8Array | null)[];
  /** Collects per-layer introspection (hidden states, gates) when set. */
  trace?: TraceRecord[];
  /** Collects d loss / d h_t for every step of every recurrent layer during backward, when set. */
  stateGrads?: StateGradRecord[];
  /** Per-sample loss weights of this batch (fit's sampleWeight x classWeight, evaluate's sampleWeight). */
  sampleWeight?: Tensor | null;
  /** Collects the activity-regularizer terms of this forward pass, when set; the model adds them to the loss. */
  activityPenalties?: ActivityPenalty[];
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
/** A layer output and its activity regularizer's penalty, times scale (1 / batch size). */
export interface ActivityPenalty { variable: Tensor; regularizer: L1L2; scale: number }

/** Keras's spellings of the Layer methods rnnlab (as tfjs) calls in camelCase; from_config is static. */
const KERAS_METHODS: Readonly<Record<string, string>> = {
  get_config: 'getConfig', compute_output_shape: 'computeOutputShape', compute_mask: 'computeMask', add_weight: 'addWeight',
  get_weights: 'getWeights', set_weights: 'setWeights', count_params: 'countParams', reset_states: 'resetStates', from_config: 'fromConfig',
};

/**
 * A port of a Keras layer that keeps Keras's method names would have them never called: its computeOutputShape and
 * getConfig fall back to the base class's (a wrong symbolic shape, a saved config that cannot be loaded), so such a
 * class is refused naming the method to define instead, as callbacks' Keras-spelled hooks are.
 */
function checkKerasMethodNames(layer: Layer): void {
  for (let p = Object.getPrototypeOf(layer) as object | null; p && p !== Layer.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const ctor = (p as { constructor?: object }).constructor;
    for (const k of [...Object.getOwnPropertyNames(p), ...(ctor ? Object.getOwnPropertyNames(ctor) : [])]) {
      if (!Object.hasOwn(KERAS_METHODS, k)) continue;
      const owner = (ctor as { name?: string } | undefined)?.name || 'the layer class';
      throw new Error(`${owner}: method '${k}' is Keras's spelling, which rnnlab (as tfjs) never calls; name it '${KERAS_METHODS[k]}'`);
    }
  }
}

/** A name given to a layer or model: a non-empty string (null or absent: the default name). */
export function checkGivenName(what: string, name: unknown): void {
  if (name === undefined || name === null) return;
  if (typeof name !== 'string' || name === '') throw new Error(`${what}: name must be a non-empty string, got ${describe(name)}`);
}

let initializersOn = true;

/**
 * Runs fn with initializers switched off: weights are allocated (zeros) but not drawn, because saved values are
 * about to overwrite them. An orthogonal LSTM-1024 kernel costs seconds to draw and nothing to skip.
 */
export function withoutInitializers<T>(fn: () => T): T {
  if (initializersDrawn) return fn();
  const was = initializersOn;
  initializersOn = false;
  try { return fn(); } finally { initializersOn = was; }
}

let initializersDrawn = false;

/** Runs fn with initializers on even where a loader would skip them: a topology without weights (modelFromJSON). */
export function withInitializersDrawn<T>(fn: () => T): T {
  const was = initializersDrawn;
  initializersDrawn = true;
  try { return fn(); } finally { initializersDrawn = was; }
}

/**
 * Options rnnlab knows from Keras but does not implement, with the values that mean "off" (what Keras and tfjs
 * write when unused). Any other value is an error naming the option, in constructors and in loaded configs alike.
 */
const UNSUPPORTED_OPTIONS: Record<string, { allowed: unknown[]; why: string }> = {
  stateful: { allowed: [false], why: 'only SimpleRNN, LSTM and GRU keep states between calls' },
  recurrentDropout: { allowed: [0], why: 'only SimpleRNN, LSTM and GRU have recurrent dropout' },
  timeMajor: { allowed: [false], why: 'rnnlab takes (batch, steps, features)' },
  dataFormat: { allowed: ['channels_last', 'channelsLast'], why: 'rnnlab is channels-last' },
  noiseShape: { allowed: [null], why: 'this layer takes no noiseShape option; only Dropout and AlphaDropout do, as in Keras' },
  seed: { allowed: [null], why: 'per-layer seeds are not implemented; rl.setSeed seeds everything' },
  groups: { allowed: [1], why: 'grouped convolutions are not implemented' },
  backwardLayer: { allowed: [null], why: 'a custom backward_layer is not supported; rnnlab mirrors the forward layer' },
  // Keras's speed/memory modes: the recurrent layers read and keep them (every value computes the same there).
  implementation: { allowed: [null], why: 'only LSTM and GRU have Keras\'s implementation modes' },
  unroll: { allowed: [false], why: 'only recurrent layers unroll' },
};

/** What every layer's constructor reads besides its class's own options (LayerArgs, tfjs's weights, and the off values above). */
const BASE_ARGS = ['name', 'inputShape', 'batchInputShape', 'batchSize', 'inputDim', 'trainable', 'dtype', 'inputDType', 'activityRegularizer', 'weights'];

/**
 * A factory's (and a public class's) check that the constructor read every option it was given: the known ones are
 * what getConfig writes back, the base's, and the class's `argAliases` (names it reads besides its config's). A typo
 * such as `returnSequence` would otherwise build a different model without a word. `where` names what the user
 * called (rl.layers.lstm). Loaded configs run it too, key by key (src/io/keras_config.ts checkLoadedKeys), so a class
 * lists in argAliases the keys of other Keras versions it reads at their no-op values (BatchNormalization's synchronized).
 */
export function checkKnownArgs(layer: Layer, args: unknown, where: string): void {
  checkOptionKeys(where, args, knownArgs(layer));
}

/** The options every layer's constructor takes besides its class's own: BASE_ARGS and the off values above. */
export function sharedArgs(): string[] {
  return [...BASE_ARGS, ...Object.keys(UNSUPPORTED_OPTIONS)];
}

/** The option keys checkKnownArgs accepts for this layer (a class's `baseArgs` in place of sharedArgs). */
export function knownArgs(layer: Layer): string[] {
  const cls = layer.constructor as typeof Layer;
  return [...new Set([...(cls.baseArgs ?? sharedArgs()), ...Object.keys(layer.getConfig()), ...cls.argAliases])];
}

function checkUnsupported(layer: string, args: object): void {
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    if (k === 'dtype') { checkDtype(layer, v); continue; }
    const rule = Object.hasOwn(UNSUPPORTED_OPTIONS, k) ? UNSUPPORTED_OPTIONS[k] : undefined;
    if (rule && !rule.allowed.some((a) => a === v)) {
      const shownValue = Array.isArray(v) ? shownList(v) : typeof v === 'object' && v !== null ? describe(v) : JSON.stringify(v);
      throw new Error(`${layer}: ${k} = ${shownValue} is not supported (${rule.why})`);
    }
  }
}

/**
 * A dtype policy with float32 variables ('float32', 'mixed_bfloat16': a Keras model saved under mixed_bfloat16 loads
 * with exact weights); Keras 3 writes it as {className: 'DTypePolicy', config: {name}}. The products follow the
 * global policy (src/mixed_precision.ts); other policies throw naming the layer and the policy.
 */
function checkDtype(layer: string, v: unknown): void {
  layerDtypePolicy(layer, v);
}

/** args with tfjs's inputDType read as dtype (as tfjs does when dtype is absent); two different values are refused. */
function withDtype(layer: string, args: LayerArgs): LayerArgs {
  if (args.inputDType === undefined || args.inputDType === null) return args;
  if (args.dtype !== undefined && args.dtype !== null && args.dtype !== args.inputDType) {
    throw new Error(`${layer}: dtype ${JSON.stringify(args.dtype)} and inputDType ${JSON.stringify(args.inputDType)} disagree; give one of them (inputDType is tfjs's legacy name of dtype)`);
  }
  const { inputDType, ...rest } = args;
  return { ...rest, dtype: inputDType };
}

/** The declared input shape with its batch axis: batchInputShape, or batchSize (default any) with inputShape or inputDim. */
function batchInputShapeOf(layer: string, args: LayerArgs): SymbolicShape | null {
  // tfjs reads a bare size as [size] (tfjs-examples write inputShape: 256); Keras has no such spelling, but code
  // written for tfjs runs unchanged.
  if (Number.isSafeInteger(args.inputShape) && (args.inputShape as unknown as number) > 0) args = { ...args, inputShape: [args.inputShape as unknown as number] };
  for (const k of ['inputShape', 'batchInputShape'] as const) {
    const v = args[k];
    if (v !== undefined && v !== null && !Array.isArray(v)) throw new Error(`${layer}: ${k} must be a list of sizes such as [5], got ${shown(v)}`);
  }
  const batch = args.batchSize === undefined || args.batchSize === null ? null : checkPositiveInt(layer, 'batchSize', args.batchSize);
  // tfjs and Keras let inputShape win over inputDim; one that disagrees with it would be ignored, so it is refused.
  const given = args.batchInputShape ?? args.inputShape;
  if (given && args.inputDim !== undefined && args.inputDim !== null && given[given.length - 1] !== args.inputDim) {
    const k = args.batchInputShape ? 'batchInputShape' : 'inputShape';
    throw new Error(`${layer}: inputDim ${shown(args.inputDim)} disagrees with ${k} [${given.map(String).join(', ')}], whose last size wins; give one of them`);
  }
  if (args.batchInputShape) {
    // tfjs and Keras let batchInputShape win over inputShape; one that disagrees with it would be ignored, so it is refused.
    const sample = args.batchInputShape.slice(1);
    if (args.inputShape && (args.inputShape.length !== sample.length || args.inputShape.some((d, i) => d !== sample[i]))) {
      throw new Error(`${layer}: inputShape ${shownList(args.inputShape)} disagrees with batchInputShape ${shownList(args.batchInputShape)}, which wins; give one of them`);
    }
    if (batch !== null && args.batchInputShape[0] !== batch) {
      throw new Error(`${layer}: batchSize ${batch} disagrees with batchInputShape [${args.batchInputShape.map(String).join(', ')}]; give one of them`);
    }
    return [...args.batchInputShape];
  }
  if (args.inputShape) return [batch, ...args.inputShape];
  if (args.inputDim !== undefined) return [batch, checkPositiveInt(layer, 'inputDim', args.inputDim)];
  if (batch !== null) throw new Error(`${layer}: batchSize needs inputShape or inputDim (or give batchInputShape)`);
  return null;
}

const nameCounters = new Map<string, number>();
let nextLayerId = 0;

function uniqueName(prefix: string): string {
  const n = nameCounters.get(prefix) ?? 0;
  nameCounters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/**
 * Models count their automatic names apart from layers (sequential, sequential_1; model, model_1), as rnnlab always
 * has; withNamesGivenBack gives these back too, so a model built only to be inspected (a resume's check of its
 * checkpoint) leaves the run's own model named as an uninterrupted run's.
 */
const modelNameCounters = new Map<string, number>();

/** The next automatic name of a model (`sequential`, then `sequential_1`, ...). */
export function automaticModelName(prefix: 'sequential' | 'model'): string {
  const n = modelNameCounters.get(prefix) ?? 0;
  modelNameCounters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** The automatic-name prefix of every layer, for one built under a stand-in name (takeAutomaticName). */
const namePrefixes = new WeakMap<Layer, string>();

/** Gives a layer built under a stand-in name the automatic name its constructor would have taken (dense_3). */
export function takeAutomaticName(layer: Layer): void {
  layer.name = uniqueName(namePrefixes.get(layer) ?? snakeCase(layer.className));
  automaticNames.set(layer, layer.name);
}

/** Each layer's automatic name (dense_3), not one given in its options. */
const automaticNames = new WeakMap<Layer, string>();

/** Whether the layer still carries the automatic name it took (tfjs's layer.cell then takes one of its own). */
export function hasAutomaticName(layer: Layer): boolean { return automaticNames.get(layer) === layer.name; }

/**
 * Runs fn, then gives back the automatic names its new layers took: layers made only to be inspected (a parameter
 * plan, src/models/param_plan.ts) leave the next real layer named as it would have been (lstm, not lstm_7). The layers
 * made inside must be thrown away afterwards: the next real layer takes the same name. fn must be synchronous, since
 * the names are given back when it returns, and an async fn would keep the names of layers made after its first await.
 */
export function withNamesGivenBack<T>(fn: () => T): T {
  const saved = new Map(nameCounters), savedModels = new Map(modelNameCounters);
  let result: T;
  try {
    result = fn();
  } finally {
    nameCounters.clear();
    for (const [prefix, n] of saved) nameCounters.set(prefix, n);
    modelNameCounters.clear();
    for (const [prefix, n] of savedModels) modelNameCounters.set(prefix, n);
  }
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new Error('withNamesGivenBack: fn returned a promise, but it must be synchronous: the names are given back when fn returns, so layers made after an await inside it would keep theirs');
  }
  return result;
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

/** An entry of a layer class's option table: the option's value from the constructor's argument (undefined or null: its default), or an error naming it. */
export type LayerOption = (layer: string, what: string, v: unknown) => unknown;

/** A positive integer option; without a fallback, a required one. */
export function positiveIntOption(fallback?: number): LayerOption {
  return (layer, what, v) => checkPositiveInt(layer, what, v ?? fallback);
}

export function integerOption(fallback: number): LayerOption {
  return (layer, what, v) => {
    const x = v ?? fallback;
    if (!Number.isInteger(x)) throw new Error(`${layer}: ${what} must be an integer, got ${shown(x)}`);
    return x;
  };
}

/** Any number but NaN (infinities included). */
export function numberOption(fallback: number): LayerOption {
  return (layer, what, v) => {
    const x = v ?? fallback;
    if (typeof x !== 'number' || Number.isNaN(x)) throw new Error(`${layer}: ${what} must be a number, got ${describe(x)}`);
    return x;
  };
}

/** A finite number option, at least min. */
export function finiteOption(fallback: number, min = -Infinity): LayerOption {
  return (layer, what, v) => {
    const x = v ?? fallback;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min) {
      throw new Error(`${layer}: ${what} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${typeof x === 'number' ? x : describe(x)}`);
    }
    return x;
  };
}

/** Runs a model's forward pass collecting its layers' activity-regularizer terms (added to the loss by the model). */
export function withActivityPenalties<T>(ctx: CallContext, forward: () => T): { value: T; activity: ActivityPenalty[] } {
  const activity: ActivityPenalty[] = [];
  ctx.activityPenalties = activity;
  try { return { value: forward(), activity }; } finally { delete ctx.activityPenalties; }
}

/**
 * The key of a built-in layer's engine computation (BuiltInLayer's [COMPUTE]): a symbol, so no method a user's
 * subclass names (a helper called compute) can shadow it or be taken for it. Not exported from the package.
 */
export const COMPUTE: unique symbol = Symbol('rnnlab.compute');

/** A built-in layer's protected [COMPUTE], for engineCall (a function of this module, outside the class); set by BuiltInLayer. */
let computeOf: (layer: BuiltInLayer, x: Tensor, ctx: CallContext, logits: boolean) => Tensor | Tensor[];

/**
 * A layer's public call with the engine's third argument, logits, which tfjs's two-argument type leaves out: a user's
 * call gets it, and a user's subclass of Dense may hand it on to super.call.
 */
function callWithLogits(layer: Layer, x: Tensor | Tensor[], kwargs: Kwargs | CallContext, logits: boolean): Tensor | Tensor[] {
  return (layer.call as (this: Layer, x: Tensor | Tensor[], kwargs: Kwargs | CallContext, logits: boolean) => Tensor | Tensor[]).call(layer, x, kwargs, logits);
}

/**
 * The engine's call of a layer with its CallContext (the mask as bytes): a built-in layer's [COMPUTE], not its public
 * call, which reads users' kwargs; a user's layer's call with tfjs's kwargs. Not exported from the package.
 */
export function engineCall(layer: Layer, x: Tensor, ctx: CallContext, logits = false): Tensor | Tensor[] {
  if (!builtInMethod(layer, 'call')) {
    // A user's call (a layer TimeDistributed wraps) takes tfjs's kwargs, made as for any layer of a model.
    const outs = layer.callTensors([x], ctx, logits);
    return outs.length === 1 ? outs[0] : outs;
  }
  if (!(layer instanceof BuiltInLayer)) throw noCallError(layer);
  return computeOf(layer, x, ctx, logits);
}

/** A user's layer whose class writes no call(): the base's call passes inputs on only to a subclass's super.call. */
function noCallError(layer: Layer): Error {
  // A class without its own static className shows the base's 'Layer': its JavaScript name says which class it is.
  const label = (layer.constructor as { name?: string }).name;
  const unnamed = !Object.hasOwn(layer.constructor, 'className') && label && label !== 'Layer' ? ` (class ${label})` : '';
  return new Error(`${layer.name} (${layer.className}): the layer${unnamed} defines no call(); a custom layer computes its output in call(inputs, kwargs)`);
}

/**
 * Refused where the layer is connected (apply on rl.input()s, a Sequential's build), not only when it runs: a layer
 * whose class writes no call() would otherwise sit in a graph and a summary that no predict can run. The base's apply
 * reaching the symbolic path (baseApply: directly, or through a user's override's super.apply) is such a connection;
 * otherwise a user's apply override computes for itself, so it stays free to do without call().
 */
function refuseMissingCall(layer: Layer, baseApply: boolean): void {
  if (builtInMethod(layer, 'call') && !(layer instanceof BuiltInLayer) && (baseApply || !usersApply(layer))) throw noCallError(layer);
}

/**
 * The engine's apply of a layer on a real tensor with its CallContext (a model's forward pass): apply() itself reads
 * only users' kwargs, whatever their shape, so a user's {training: false, mask: null, initialState} is never taken for
 * the engine's context. Not exported from the package.
 */
export function engineApply(layer: Layer, x: Tensor, ctx: CallContext, logits = false): Tensor {
  const outs = engineApplyAll(layer, [x], ctx, logits);
  return (outs.length === 1 ? outs[0] : outs) as Tensor;
}

/** engineApply on a graph node's tensors: the first inputCount are its inputs, the rest initial states. */
export function engineApplyAll(layer: Layer, inputs: Tensor[], ctx: CallContext, logits = false, inputCount = inputs.length): Tensor[] {
  inputs.forEach((x, i) => { if (!(x instanceof Tensor)) throw new Error(`${layer.name} (${layer.className}): apply input ${i} is not a tensor`); });
  if (!usersApply(layer)) return layer.callRegularized(inputs, ctx, logits, inputCount);
  return userApply(layer, inputs, ctx, inputCount);
}

/**
 * A user's override in progress (apply, or call on a subclass of one of rnnlab's layers), with the input tensors and
 * masks the engine gave its layer, and the output mask the layer's own computation set when it ran on those very
 * tensors and masks inside the override: the engine takes that mask rather than run the layer a second time to learn
 * it. A computation on other tensors (super.apply(x + 1)) says nothing of the mask of the engine's inputs, which tfjs
 * takes from computeMask on them. Overrides nest (a user's apply reaching a user's call), so each watch keeps the one
 * it covers.
 */
interface MaskWatch { layer: Layer; inputs: readonly Tensor[]; masksIn: (Uint8Array | null)[]; maskOut?: Uint8Array | null }
let maskWatch: MaskWatch | null = null;

/** run() under a watch on layer's computation; mask is undefined when the layer did not compute on inputs and masksIn. */
function watchingMask<T>(layer: Layer, inputs: readonly Tensor[], masksIn: (Uint8Array | null)[], run: () => T): { result: T; mask: Uint8Array | null | undefined } {
  const outer = maskWatch;
  const watch: MaskWatch = { layer, inputs, masksIn };
  maskWatch = watch;
  try {
    const result = run();
    return { result, mask: watch.maskOut };
  } finally {
    maskWatch = outer;
  }
}

/** Where a layer's own computation ends (apply on tensors, a call from users' code): its output mask, for a watch on it. */
function noteComputedMask(layer: Layer, inputs: readonly unknown[], masksIn: (Uint8Array | null)[], maskOut: Uint8Array | null): void {
  if (maskWatch?.layer === layer && sameInputs(maskWatch.inputs, inputs) && sameMasks(maskWatch.masksIn, masksIn)) maskWatch.maskOut = maskOut;
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function sameMasks(a: (Uint8Array | null)[], b: (Uint8Array | null)[]): boolean {
  return a.length === b.length && a.every((m, i) => {
    const n = b[i];
    return m === n || (m !== null && n !== null && m.length === n.length && m.every((v, j) => v === n[j]));
  });
}

/** The mask of each of a call's n inputs, as the engine hands them on (the first input's is ctx.mask). */
function contextMasks(ctx: CallContext, n: number): (Uint8Array | null)[] {
  return Array.from({ length: n }, (_, i) => ctx.inputMasks?.[i] ?? (i === 0 ? ctx.mask : null));
}

/**
 * tfjs's executor runs every layer of a model through layer.apply(inputs, kwargs), so a user's override of apply (to
 * count, log or scale) is reached in predict and fit too. Its kwargs inherit the engine's context (activity terms,
 * traces); the output's mask is then the layer's computeMask, as tfjs's executor takes it. Never asked for logits:
 * engineFoldsActivation keeps such a layer's activation.
 */
function userApply(layer: Layer, inputs: Tensor[], ctx: CallContext, inputCount: number): Tensor[] {
  const list = inputs.slice(0, inputCount);
  const kwargs = userKwargs(ctx, list[0]);
  const masksIn = contextMasks(ctx, list.length);
  const masks = list.map((x, i) => maskTensor(x, masksIn[i]));
  if (list.length > 1) kwargs.mask = masks;
  if (inputCount < inputs.length) kwargs.initialState = inputs.slice(inputCount);
  const given = list.length === 1 ? list[0] : list;
  const { result: y, mask: applied } = watchingMask(layer, list, masksIn, () => layer.apply(given, kwargs) as unknown);
  const outs = (Array.isArray(y) ? y : [y]) as unknown[];
  outs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${layer.name} (${layer.className}): its apply() override returned ${describe(t)}${outs.length > 1 ? ` as output ${i}` : ''} where a tensor was expected`);
  });
  // The override ran the layer on the engine's tensors and masks (super.apply, this.call): that computation's mask,
  // since running the layer again for it would double its cost (and step a stateful layer twice). An override that
  // never ran it, or ran it on other tensors or masks, leaves it to computeMask on the engine's inputs, which for rnnlab's layers computes once to learn the mask.
  // rnnlab's own computeMask decides for itself (Embedding's makes a mask without supporting one given).
  const m = applied !== undefined ? applied : layer.supportsMasking || builtInMethod(layer, 'computeMask') ? layer.computeMask(given, list.length === 1 ? masks[0] : masks) : null;
  ctx.mask = maskBytes(`${layer.name} (${layer.className}): computeMask`, m, outs[0] as Tensor);
  return outs as Tensor[];
}

/**
 * Whether the loss may take the layer's logits: never through a user's apply() or call() override, which computes the
 * activation (a tfjs-style call(inputs, kwargs) hands super.call no third argument, so it returns probabilities).
 */
export function engineFoldsActivation(layer: Layer, kind: 'sigmoid' | 'softmax'): boolean {
  return !usersApply(layer) && builtInMethod(layer, 'call') && layer.foldsActivation(kind);
}

/**
 * The key of Layer's protected [HANDS_ON_CALL_KWARGS]: engine machinery, so a symbol the package does not export,
 * which no method of a user's subclass can shadow and the published types do not offer.
 */
export const HANDS_ON_CALL_KWARGS: unique symbol = Symbol('rnnlab.handsOnCallKwargs');

/** A layer's protected [HANDS_ON_CALL_KWARGS], for takesCallKwargs (outside the class); set by Layer. */
let handsOnOf: (layer: Layer) => boolean;

/** Whether the layer's apply takes call arguments beyond ENGINE_KWARGS: its call is a user's, or hands them on to one. */
export function takesCallKwargs(layer: Layer): boolean {
  return !builtInMethod(layer, 'call') || handsOnOf(layer);
}

/** Whether apply is a user's: a subclass's override, or one set on the instance (this.apply = ... in a constructor). */
function usersApply(layer: Layer): boolean {
  return Object.prototype.hasOwnProperty.call(layer, 'apply') || !builtInMethod(layer, 'apply');
}

/**
 * The weights made while a layer is built by the engine (ensureBuilt, a cell's build): tfjs makes those in a layer's
 * name scope (apply's), and a weight made elsewhere (a constructor, a direct build() call) bare ('v'), which decides
 * what a wrapper or rnn layer saves it as. Depth, not a flag: builds nest (a held layer's inside its holder's).
 */
const madeInBuild = new WeakSet<Variable>();
let buildDepth = 0;

/** Whether the weight was made while the engine built a layer (see madeInBuild), not in a constructor. */
export function madeWhileBuilding(w: Variable): boolean {
  return madeInBuild.has(w);
}

/** Layers whose build the engine ran (a call of theirs built them), as against a constructor that set built itself. */
const engineBuilt = new WeakSet<Layer>();

/** The user's layers whose trainable setter is passing the flag down now (see Layer's trainable). */
const settingTrainable = new Set<Layer>();

/** Whether the engine ran the layer's build (see engineBuilt): false for one a constructor marked built. */
export function builtByEngine(layer: Layer): boolean {
  return engineBuilt.has(layer);
}

export abstract class Layer {
  static {
    handsOnOf = (layer) => layer[HANDS_ON_CALL_KWARGS]();
  }

  /** The Keras class name; each subclass sets its own static className. */
  static readonly className: string = 'Layer';
  /**
   * The class's own simple options, in getConfig's order: the base constructor checks each and sets it as a field
   * (the subclass declares it), and getConfig writes it after the base's keys. Options a check cannot say stay in
   * the subclass's constructor and getConfig.
   */
  static readonly options: Readonly<Record<string, LayerOption>> = {};
  /** Constructor arguments a class reads that its getConfig does not write back (aliases); see checkKnownArgs. */
  static readonly argAliases: readonly string[] = [];
  /**
   * For a class whose constructor reads none of sharedArgs but these (InputLayer, as tfjs's and Keras's): the key
   * check, and so its error's list of options, takes them in their place.
   */
  static readonly baseArgs?: readonly string[];
  name: string;
  /** tfjs's layer.id: a number no other layer of this process has. */
  readonly id = nextLayerId++;
  /**
   * tfjs's supportsMasking: the layer carries an input's padding mask on to its output (Dense, Dropout, ...) or reads
   * it (the recurrent layers). The classes that do say so, as their Keras 3 and tfjs twins do (LeakyReLU, ELU, Softmax
   * and ThresholdedReLU, which pass the mask on, as Keras's: true where tfjs 4.22 leaves false). Unless the layer's code sets it, it
   * reads as Keras 3's default: true exactly when a user's class overrides computeMask (an accessor made in the
   * constructor, so that the built-in classes' `override supportsMasking = true` fields still replace it).
   */
  declare supportsMasking: boolean;
  /** What the layer's code set supportsMasking to; undefined while never set (Keras 3's default applies). */
  private supportsMaskingSet: boolean | undefined = undefined;
  private trainableFlag = true;
  /** rnnlab: set by dispose(); a disposed layer refuses to run. */
  disposed = false;
  /**
   * tfjs's reference count: one per node a live model holds (a layer applied twice in one model counts twice), one for
   * a wrapper or RNN holding it, and one when its first use was on real tensors. dispose() takes one; the last frees
   * the weights.
   */
  modelRefs = 0;
  /** tfjs's layer.dtype: rnnlab computes in float32 (InputLayer may say int32). */
  readonly dtype: 'float32' | 'int32' = 'float32';
  /**
   * Keras 3's layer.dtype_policy: the policy the layer computes under, which is the global one (rnnlab applies
   * rl.mixedPrecision.setGlobalPolicy to every layer; see src/mixed_precision.ts).
   */
  get dtypePolicy(): DTypePolicy { return getGlobalPolicy(); }
  /** Keras 3's layer.compute_dtype: the dtype of the layer's products under the global policy. */
  get computeDtype(): 'float32' | 'bfloat16' { return getGlobalPolicy().computeDtype; }
  /** Keras 3's layer.variable_dtype: weights are float32 under every policy. */
  get variableDtype(): 'float32' { return 'float32'; }
  built = false;
  /** Own trainable weights, then own non-trainable ones (tfjs's layer.weights; kept so by track), then held layers'. */
  weights: Variable[] = [];
  private penalties: WeightPenalty[] = [];
  /** addLoss's functions, as penalty terms (added_losses.ts). */
  private addedLosses: WeightPenalty[] = [];
  /** How deep the layer is in its own call(): addLoss there would add one more function per call. */
  private callDepth = 0;
  private inputSpecs: InputSpec[] | null = null;
  /** tfjs's `weights` option: values set once build has made the weights. */
  private initialWeights: readonly (Tensor | ArrayLike<number>)[] | null = null;
  builtInputShape: SymbolicShape | null = null;
  outputShapeValue: SymbolicShape | null = null;
  /** Every output's shape, where a user's computeOutputShape gave several (outputShapeValue is the first's). */
  private outputShapeList: SymbolicShape[] | null = null;
  readonly batchInputShape: SymbolicShape | null;
  readonly activityRegularizer: L1L2 | null;

  constructor(args: LayerArgs = {}, defaultPrefix?: string) {
    Object.defineProperty(this, 'supportsMasking', {
      get: () => this.supportsMaskingSet ?? !builtInMethod(this, 'computeMask'),
      set: (v: boolean) => { this.supportsMaskingSet = v; },
      configurable: true,
      enumerable: true,
    });
    checkKerasMethodNames(this);
    const prefix = defaultPrefix ?? snakeCase(this.className);
    namePrefixes.set(this, prefix);
    // Keras 3 requires a string; null stands for the default, as tfjs and Keras files write it.
    checkGivenName(this.className, args.name);
    this.name = args.name ?? uniqueName(prefix);
    if (args.name === undefined || args.name === null) automaticNames.set(this, this.name);
    // A weight is saved as '<layer>/<weight>': a '/' in the layer's name would save a model no loader can split
    // (Keras 3 refuses it too).
    if (typeof this.name === 'string' && this.name.includes('/')) throw new Error(`${this.className}: name must not contain '/', got ${JSON.stringify(this.name)} (weights are saved as '<layer>/<weight>')`);
    args = withDtype(`${this.name} (${this.className})`, args);
    checkUnsupported(`${this.name} (${this.className})`, args);
    this.trainable = checkBool(this.name, 'trainable', args.trainable, true);
    this.batchInputShape = batchInputShapeOf(this.name, args);
    this.activityRegularizer = checkRegularizer(`${this.name} (${this.className})`, 'activityRegularizer', args.activityRegularizer);
    const given = args as Record<string, unknown>;
    if (given.weights !== undefined && given.weights !== null) {
      if (!Array.isArray(given.weights)) throw new Error(`${this.name} (${this.className}): weights must be a list of tensors or arrays, got ${describe(given.weights)}`);
      this.initialWeights = given.weights;
    }
    for (const [what, read] of Object.entries(this.cls.options)) this.optionValues[what] = read(`${this.name} (${this.className})`, what, given[what]);
  }

  private get cls(): typeof Layer { return this.constructor as typeof Layer; }

  /**
   * Keras's and tfjs's trainable: false freezes the layer (its weights leave trainableWeights and get no gradients);
   * true again unfreezes the weights that are trainable by nature (not BatchNormalization's moving statistics).
   */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    if (typeof value !== 'boolean') throw new Error(`${this.name} (${this.className}): trainable must be true or false, got ${shown(value)}`);
    this.trainableFlag = value;
    for (const w of this.weights) w.requiresGrad = value && w.trainable;
    // Keras 3 sets the flag on every layer a user's layer tracks too (rnnlab's wrappers pass it down themselves). A
    // held layer that holds this one back is set once.
    if (settingTrainable.has(this) || !tracksHeldLayers(this)) return;
    settingTrainable.add(this);
    try {
      for (const [, sub] of heldLayers(this)) sub.trainable = value;
    } finally {
      settingTrainable.delete(this);
    }
  }

  /**
   * tfjs's layer.stateful: false but on the recurrent layers made stateful. A custom layer that keeps states between
   * batches declares `stateful = true` (a field or an assignment) with its own resetStates(), which model.resetStates()
   * calls; the value then lives on the instance, as a field would.
   */
  get stateful(): boolean { return false; }
  set stateful(value: boolean) {
    if (typeof value !== 'boolean') throw new Error(`${this.name} (${this.className}): stateful must be true or false, got ${shown(value)}`);
    if (value && this.resetStates === Layer.prototype.resetStates) {
      throw new Error(`${this.name} (${this.className}): stateful = true needs a resetStates() method (a custom layer that keeps states between batches defines one)`);
    }
    Object.defineProperty(this, 'stateful', { value, writable: true, enumerable: true, configurable: true });
  }

  /**
   * tfjs's layer.losses: one function per regularized weight, giving its current penalty l1 * sum|w| + l2 * sum w^2
   * (what fit adds to the loss). Activity-regularizer terms depend on each batch's output, so fit computes them per
   * forward pass instead (tfjs, for its part, does not run activity regularizers on real tensors).
   */
  get losses(): (() => Tensor)[] {
    return this.weightPenalties().map(({ variable, regularizer }) => regularizer instanceof AddedLoss ? regularizer.fn : () => {
      if (regularizer.apply !== L1L2.prototype.apply) return appliedPenalty(regularizer, variable);
      const w = variable.floatData();
      let l1 = 0, l2 = 0;
      for (let i = 0; i < w.length; i++) { l1 += Math.abs(w[i]); l2 += w[i] * w[i]; }
      return new Tensor(Float32Array.of(regularizer.l1 * l1 + regularizer.l2 * l2), [], 'float32');
    });
  }

  /** tfjs's calculateLosses(): the current value of each of losses, as scalars. */
  calculateLosses(): Tensor[] { return this.losses.map((f) => f()); }

  /**
   * tfjs's addLoss(fn | fn[]): each function gives a scalar that fit, evaluate and trainOnBatch add to the loss (as a
   * weight regularizer's penalty), listed in losses. Called in the constructor or build; inside call() it is refused,
   * since each call would add one more function (tfjs's list grows so) and Keras's per-call tensor form differs.
   */
  addLoss(losses: (() => Tensor) | (() => Tensor)[]): void {
    const where = `${this.name} (${this.className})`;
    const fns = lossFunctions(where, losses);
    if (fns.length === 0) return;
    if (this.callDepth > 0) throw new Error(`${where}: addLoss inside call() would add another function on every call; call it in the constructor or build(), or use the activityRegularizer option for a loss on the output`);
    if (this.weightPenalties !== Layer.prototype.weightPenalties) throw new Error(`${where}: addLoss is not supported on this layer class (its penalties are its inner layers'); add the loss on a layer of your own (subclass rl.layers.Layer)`);
    for (const fn of fns) this.addedLosses.push(addedLossTerm(where, fn));
  }

  /**
   * tfjs's inputSpec: what apply requires of each input (rank, dtype, sizes), checked on symbolic and real tensors
   * before the layer builds. A user's layer sets it (a list of rl.InputSpec or plain objects such as {ndim: 2}, or one
   * spec); rnnlab's own layers leave it null and check their inputs themselves.
   */
  get inputSpec(): InputSpec[] | null { return this.inputSpecs; }
  set inputSpec(value: InputSpec[] | InputSpec | null) {
    this.inputSpecs = checkedInputSpecs(`${this.name} (${this.className})`, value) as InputSpec[] | null;
  }

  /** The inputs (not a recurrent layer's initial states) against inputSpec; read again, as a class field may replace the accessor. */
  private checkInputSpec(inputs: readonly { shape: readonly (number | null)[]; dtype: string }[]): void {
    const given = this.inputSpec as unknown;
    if (given === null || given === undefined) return;
    const where = `${this.name} (${this.className})`;
    assertInputCompatibility(where, checkedInputSpecs(where, given) ?? [], inputs);
  }

  /**
   * tfjs's base resetStates: a layer that keeps no states between calls has none to reset. A stateful layer defines
   * its own (the stateful setter requires it).
   */
  resetStates(): void {
    if (!this.stateful) throw new Error(`${this.name} (${this.className}): Cannot call the resetStates() method of a non-stateful Layer object`);
  }

  /** tfjs's layer.updates: always empty, as in tfjs: BatchNormalization updates its moving statistics in place while training. */
  get updates(): never[] { return []; }

  /**
   * tfjs's dispose(): one hold fewer (see modelRefs). The last one disposes the layer's variables, freeing their memory
   * now rather than at garbage collection, and the layer refuses to run afterwards. The layers it wraps (heldLayers)
   * are let go once each instead: their weights, which this layer shares, live on while another model uses them.
   */
  dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    this.assertNotDisposed();
    this.modelRefs = Math.max(0, this.modelRefs - 1);
    if (this.modelRefs > 0) return { refCountAfterDispose: this.modelRefs, numDisposedVariables: 0 };
    this.disposed = true;
    const held = this.heldLayers();
    const theirs = new Set(held.flatMap((l) => l.weights));
    let numDisposedVariables = 0;
    for (const w of this.weights) {
      if (theirs.has(w)) continue;
      w.dispose();
      numDisposedVariables++;
    }
    for (const l of held) if (!l.disposed) numDisposedVariables += l.dispose().numDisposedVariables;
    return { refCountAfterDispose: 0, numDisposedVariables };
  }

  /** The layers this one wraps and holds (a wrapper's layer, an RNN's cells): each counts this layer as a holder. */
  protected heldLayers(): Layer[] { return []; }

  /** How many holds a model takes on this layer for `nodes` nodes of it in its graph (tfjs: one per node). */
  holdsFor(nodes: number): number { return Math.max(1, nodes); }

  /** The hold a layer takes on itself when its first use is on real tensors (tfjs sets its refCount to 1). */
  protected firstUseHolds(): number { return 1; }

  assertNotDisposed(): void {
    if (this.disposed) throw new Error(`${this.name} (${this.className}): the layer has been disposed`);
  }

  /** The option table's values live as fields of the subclass (this.units); this is their by-name view. */
  private get optionValues(): Record<string, unknown> { return this as unknown as Record<string, unknown>; }

  get className(): string {
    return this.cls.className;
  }

  /**
   * The inverse of getConfig (camelCase keys): just the constructor. Keras's from_config(config), and tfjs's
   * fromConfig(cls, config), which users' classes call as super.fromConfig(cls, config).
   */
  static fromConfig(this: new (config: never) => Layer, first: Record<string, unknown> | (new (config: never) => Layer), second?: Record<string, unknown>): Layer {
    if (typeof first === 'function' && second !== undefined) return new first(second as never);
    return new this(first as never);
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
    this.builtInputShape = [...inputShape];
    this.outputShapeList = builtInMethod(this, 'call') ? null : this.userOutputShapes(inputShape);
    this.outputShapeValue = this.outputShapeList ? this.outputShapeList[0] : this.computeOutputShape(inputShape);
    this.finishBuild();
  }

  /**
   * tfjs's and Keras's computeMask: the padding mask of the output given the input's (a bool Tensor [batch, steps],
   * or null). For a custom layer it is called after call() only when supportsMasking is true (which overriding it
   * makes the default, as Keras 3), and this default passes the input's mask on. rnnlab's own layers set the output
   * mask on the call context as they compute: asked directly (a custom layer wrapping one delegates to it), one runs
   * once on the inputs, so the answer is the mask the graph hands on (an LSTM without returnSequences ends it, add
   * ORs its inputs' masks, ...).
   */
  computeMask(inputs: Tensor | Tensor[], mask: Tensor | null | (Tensor | null)[]): Tensor | null {
    if (!this.supportsMasking) return null;
    if (builtInMethod(this, 'call') && builtInMethod(this, 'callTensors') && Object.getPrototypeOf(this) !== Layer.prototype) return this.engineMask(inputs, mask);
    // Several inputs: the first one's mask goes on, as rnnlab's graph and tfjs's executor hand it on.
    const m = Array.isArray(mask) ? mask[0] : mask;
    return m ?? null;
  }

  /** The output mask one of rnnlab's layers sets when it computes on `inputs` with `mask` (inference, off the tape). */
  private engineMask(inputs: Tensor | Tensor[], mask: Tensor | null | (Tensor | null)[]): Tensor | null {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const masks = Array.isArray(mask) ? mask : [mask];
    const where = `${this.name} (${this.className}): computeMask`;
    const bytes = list.map((x, i) => maskBytes(where, masks[i] ?? null, x));
    const ctx: CallContext = { training: false, mask: bytes[0], ...(list.length > 1 ? { inputMasks: bytes } : {}) };
    return tidy(() => {
      const outs = withoutTape(() => this.callRegularized(list, ctx, false, list.length));
      return ctx.mask ? maskTensor(outs[0], ctx.mask) : null;
    });
  }

  /** tfjs's default, so a custom layer that keeps its input's shape need not write one. */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }
  /**
   * tfjs's public layer.call(inputs, kwargs). A custom layer writes it, tfjs's way, and gets tfjs's Kwargs (the mask
   * as a bool Tensor); rnnlab's own layers have BuiltInLayer's. The engine's logits (the last layer may skip a final
   * sigmoid/softmax that the loss folds in) come as a third argument the public type leaves out. This base is tfjs's
   * Layer.call, which returns its inputs, so a custom layer's call may build on super.call(inputs, kwargs); a layer
   * that writes no call at all is refused (as Keras 3 refuses it) rather than pass its inputs on unnoticed.
   */
  call(inputs: Tensor | Tensor[], _kwargs?: Kwargs): Tensor | Tensor[] {
    if (builtInMethod(this, 'call')) throw noCallError(this);
    return inputs;
  }

  /**
   * tfjs's and Keras's: a shared layer whose calls gave different output shapes has none (an error, as theirs); one
   * used only on real tensors answers from its build, where tfjs would say it was never called. A layer with several
   * outputs gives the list of their shapes, as tfjs's does.
   */
  get outputShape(): SymbolicShape {
    this.refuseDifferentCallShapes();
    const node = this.inboundNodes[0];
    const shapes = node ? node.outputs.map((t) => t.shape) : this.outputShapeList;
    return shapes && shapes.length > 1 ? shapes.map((s) => [...s]) as unknown as SymbolicShape : this.builtOutputShape;
  }

  /**
   * The output shape the layer's last build or connection recorded. A model's own code reads this (or its own
   * record of the layer's output), never the public getter: a layer shared at another rank elsewhere still has one
   * output shape in each model that holds it.
   */
  get builtOutputShape(): SymbolicShape {
    if (!this.outputShapeValue) throw new Error(`${this.name}: the layer is not built yet, so its output shape is unknown`);
    return this.outputShapeValue;
  }

  /** tfjs's error for a shared layer whose calls gave different output shapes (tfjs 4.22 has no inputShape getter). */
  private refuseDifferentCallShapes(): void {
    const perNode = new Set(this.inboundNodes.map((n) => {
      const shapes = n.outputs.map((t) => t.shape);
      return JSON.stringify(shapes.length === 1 ? shapes[0] : shapes);
    }));
    if (perNode.size > 1) {
      throw new Error(`${this.name} (${this.className}): the layer has ${this.inboundNodes.length} inbound nodes with different output shapes (${[...perNode].join(' and ')}), ` +
        'so the notion of "output shape" is ill-defined for it (as in tfjs and Keras); read one call\'s with getOutputAt(nodeIndex).shape');
    }
  }

  /** The fewest masks a list given to apply() may hold for n inputs: one per input, unless a layer reads fewer. */
  protected fewestMasks(n: number): number { return n; }

  /**
   * Keras's __call__. On real tensors it checks the input against the built shape and computes; on symbolic
   * tensors (rl.input()) it infers the output shapes, builds the layer, and records a node in the graph.
   */
  apply(x: SymbolicTensor | SymbolicTensor[], args?: ApplyArgs): SymbolicTensor | SymbolicTensor[] | AsEitherKind;
  apply(x: Tensor | Tensor[], args?: ApplyArgs): Tensor | Tensor[] | AsEitherKind;
  apply(x: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: ApplyArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    this.assertNotDisposed();
    let list = (Array.isArray(x) ? x : [x]) as unknown[];
    // Always a user's kwargs: the engine passes its CallContext through engineApply, never here.
    if (kwargs !== undefined && kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs) || kwargs instanceof Tensor)) {
      throw new Error(`${this.name} (${this.className}): apply(inputs, kwargs) takes kwargs as an object such as {training: true}, got ${describe(kwargs)}`);
    }
    const args = kwargs ?? {};
    const extras = extraCallKwargs(`${this.name} (${this.className})`, 'apply', args, takesCallKwargs(this));
    let states = args.initialState === undefined ? [] : Array.isArray(args.initialState) ? args.initialState : [args.initialState];
    if (states.length === 0 && list.length > 1 && this.takesInitialStateList) {
      states = list.slice(1) as typeof states;
      list = list.slice(0, 1);
    }
    const all = [...list, ...states];
    if (all.length === 0) throw new Error(`${this.name} (${this.className}): apply needs at least one input`);
    if (all.every(isSymbolic)) {
      if (args.training !== undefined && args.training !== null && typeof args.training !== 'boolean') {
        throw new Error(`${this.name} (${this.className}): training must be true, false or null, got ${describe(args.training)}`);
      }
      if (args.mask !== undefined && args.mask !== null) throw new Error(`${this.name} (${this.className}): mask is not taken on symbolic inputs; a mask follows the graph from embedding({maskZero}) or masking`);
      const [key] = Object.keys(extras);
      // tfjs's predict drops such arguments (only its model.apply on tensors passes them on) and a saved model would
      // need them serializable: rnnlab's graph records training and initialState alone rather than run without them.
      if (key !== undefined) {
        throw new Error(`${this.name} (${this.className}): apply on rl.input()s does not take '${key}': a functional model records only training and initialState with a call; ` +
          `give '${key}' when calling the layer on tensors, or make it an option of the layer's constructor`);
      }
      const outs = this.applySymbolic(list as SymbolicTensor[], states as SymbolicTensor[], args.training ?? undefined);
      return outs.length === 1 ? outs[0] : outs;
    }
    if (all.some(isSymbolic)) {
      // The common case: a model's graph input with states as values (Keras 2 folds them into the graph as constants).
      if (list.every(isSymbolic) && states.length > 0 && !states.some(isSymbolic)) {
        throw new Error(`${this.name} (${this.className}): initialState holds tensors but the input is symbolic; give the states as rl.input()s ` +
          '(the model then takes them as inputs), or leave initialState out');
      }
      throw new Error(`${this.name} (${this.className}): apply got symbolic and real tensors mixed; give it one kind`);
    }
    all.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`${this.name} (${this.className}): apply input ${i} is not a tensor`);
    });
    const ctx = kwargsContext<CallContext>(`${this.name} (${this.className})`, args, list as Tensor[], this.fewestMasks(list.length));
    for (const [k, v] of Object.entries(extras)) {
      if (isSymbolic(v)) throw new Error(`${this.name} (${this.className}): apply's '${k}' is a symbolic tensor (rl.input()) while the inputs are tensors; give it a tensor or a value`);
    }
    if (Object.keys(extras).length > 0) ctx.callKwargs = extras;
    const firstUse = !this.built;
    const masksIn = contextMasks(ctx, list.length);
    const outs = this.callRegularized(all as Tensor[], ctx, false, list.length);
    noteComputedMask(this, list, masksIn, ctx.mask);
    // tfjs: a layer first used on real tensors holds itself once, so a model that also uses it does not dispose it.
    if (firstUse && this.built) this.modelRefs += this.firstUseHolds();
    outs.forEach((y, i) => { outs[i] = distinctFrom(all as Tensor[], y); });
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * tfjs's layer.call(inputs, kwargs) on one of rnnlab's layers from users' code: computes as apply does on tensors,
   * reading kwargs as apply does (training, else the enclosing call's mode; mask; initialState) and building an
   * unbuilt layer from its inputs' shapes as apply does (tfjs fails with a TypeError), without apply's graph or
   * activity terms, which tfjs's and Keras's call skip too. The kwargs object is left as given. `run` computes instead
   * of callTensors (BuiltInLayer's super.call from a user's subclass: callTensors would come back to the user's call).
   */
  protected callFromUser(x: unknown, kwargs: unknown, logits: boolean, run?: (all: Tensor[], ctx: CallContext) => Tensor[]): Tensor | Tensor[] {
    this.assertNotDisposed();
    const where = `${this.name} (${this.className})`;
    if (kwargs !== undefined && kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs) || kwargs instanceof Tensor)) {
      throw new Error(`${where}: call(inputs, kwargs) takes kwargs as an object such as {training: true}, got ${describe(kwargs)}`);
    }
    const args = (kwargs ?? {}) as ApplyArgs;
    const extras = extraCallKwargs(where, 'call', args, this[HANDS_ON_CALL_KWARGS]());
    let list = (Array.isArray(x) ? x : [x]) as unknown[];
    if (list.length === 0) throw new Error(`${where}: call needs at least one input tensor`);
    if (list.some(isSymbolic)) throw new Error(`${where}: call() computes on tensors; on rl.input() use apply(), which builds the layer and records it in the graph`);
    list.forEach((t, i) => { if (!(t instanceof Tensor)) throw new Error(`${where}: call() input ${i} is not a tensor, got ${describe(t)}`); });
    let states = (args.initialState === undefined || args.initialState === null ? [] : Array.isArray(args.initialState) ? args.initialState : [args.initialState]) as unknown[];
    states.forEach((t, i) => { if (!(t instanceof Tensor)) throw new Error(`${where}: call() initialState ${i} is not a tensor, got ${describe(t)}`); });
    if (states.length === 0 && list.length > 1 && this.takesInitialStateList) {
      states = list.slice(1);
      list = list.slice(0, 1);
    }
    const ctx = kwargsContext<CallContext>(where, args, list as Tensor[], this.fewestMasks(list.length));
    if (Object.keys(extras).length > 0) ctx.callKwargs = extras;
    const firstUse = !this.built;
    const masksIn = contextMasks(ctx, list.length);
    let outs: Tensor[];
    try {
      // An unbuilt layer builds from its inputs' shapes in callTensors, as apply on tensors builds it.
      const all = [...list, ...states] as Tensor[];
      outs = inTrainingMode(ctx.training, () => (run ? run(all, ctx) : this.callTensors(all, ctx, logits, list.length)));
    } catch (e) {
      throw namingLayer(e, this);
    }
    noteComputedMask(this, list, masksIn, ctx.mask);
    if (firstUse && this.built) this.modelRefs += this.firstUseHolds();
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * callTensors, then the activity regularizer's term for each output, divided by the batch size: tf.keras 2's and
   * Keras 3.14+'s (keras-team/keras#22021; Keras 3.0-3.13 added the undivided sum; tfjs-layers refuses activity
   * regularizers at call time).
   */
  callRegularized(inputs: Tensor[], ctx: CallContext, logits: boolean, inputCount = inputs.length): Tensor[] {
    this.assertNotDisposed();
    this.refuseIgnoredCall();
    this.checkInputSpec(inputs.slice(0, inputCount));
    const maskIn = ctx.mask;
    let outs: Tensor[];
    try {
      // Layers that the call applies without a training of their own (a custom layer's, a wrapper's) run in its mode.
      outs = inTrainingMode(ctx.training, () => this.callTensors(inputs, ctx, logits, inputCount));
    } catch (e) {
      throw namingLayer(e, this);
    }
    // A user's layer follows Keras's mask rules; a user's subclass of one of rnnlab's layers (its call reaching
    // super.call) keeps the mask that layer sets, unless it defines computeMask.
    if (!builtInMethod(this, 'computeMask') || (!builtInMethod(this, 'call') && !builtInDefines(this, COMPUTE))) {
      const list = inputCount > 1 && inputs.length === inputCount;
      ctx.mask = userLayerMask(this, list ? inputs : inputs[0], list ? inputs.map((_, i) => ctx.inputMasks?.[i] ?? (i === 0 ? maskIn : null)) : maskIn, outs[0]);
    }
    const reg = this.activityRegularizer;
    if (reg && ctx.activityPenalties) {
      for (const y of outs) ctx.activityPenalties.push({ variable: y, regularizer: reg, scale: y.rank > 0 && y.shape[0] > 0 ? 1 / y.shape[0] : 1 });
    }
    return outs;
  }

  /**
   * A user's subclass of a layer that computes in callTensors, not [COMPUTE] (the recurrent layers, Bidirectional, the
   * merges), would have its call() override skipped: refused, naming the class.
   */
  private refuseIgnoredCall(): void {
    if (builtInMethod(this, 'call') || !builtInMethod(this, 'callTensors') || this.callTensors === Layer.prototype.callTensors) return;
    throw new Error(`${this.name} (${this.className}): overriding call() is not supported on a subclass of this layer (rnnlab computes it without call()); subclass rl.layers.Layer and use the layer inside it instead`);
  }

  private applySymbolic(inputs: SymbolicTensor[], states: SymbolicTensor[], training?: boolean): SymbolicTensor[] {
    this.refuseIgnoredCall();
    refuseMissingCall(this, true);
    const all = [...inputs, ...states];
    const shapes = all.map((t) => t.shape);
    const where = `${this.name} (${this.className})`;
    this.checkInputSpec(inputs);
    if (!this.built) this.buildFor(shapes, inputs.length);
    else if (this.builtInputShape && inputs.length === 1) {
      const spec = this.builtInputShape, got = shapes[0];
      if ((spec.length !== got.length || spec.some((d, i) => d !== null && got[i] !== null && d !== got[i])) && !this.takesShape(spec, got)) {
        throw new Error(`${where}: was built for input ${kerasShape(spec)} but is applied to ${kerasShape(got)}`);
      }
    }
    const outShapes = this.computeOutputShapes(shapes, inputs.length);
    const args: NodeArgs = training === undefined ? {} : { training };
    const node = new Node(this, all, inputs.length, args);
    node.outputs = outShapes.map((s, i) => new SymbolicTensor(this.outputDType(all), s, node, i));
    return node.outputs;
  }

  /** int32 only where a layer passes ids through (InputLayer); everything else computes in float32. */
  protected outputDType(_inputs: SymbolicTensor[]): 'float32' | 'int32' { return 'float32'; }

  /**
   * tfjs's RNN and Bidirectional: a list given to apply() is [x, ...initial states], so a call made either way, and a
   * loaded inbound node (which lists them all), records one input with the states as extras.
   */
  get takesInitialStateList(): boolean { return false; }

  /** Nodes recorded by apply() on symbolic tensors, in call order (Keras's inbound nodes). */
  inboundNodes: Node[] = [];
  /** The calls of other layers (or of this one) that take an output of this layer (Keras's outbound nodes), in call order. */
  outboundNodes: Node[] = [];

  private onlyNode(what: string): Node {
    if (this.inboundNodes.length === 0) throw new Error(`${this.name} (${this.className}): ${what} is undefined: the layer has not been applied to a symbolic input (rl.input())`);
    if (this.inboundNodes.length > 1) throw new Error(`${this.name} (${this.className}): ${what} is ambiguous: the layer has been applied ${this.inboundNodes.length} times (it is shared); use get${what === 'input' ? 'Input' : 'Output'}At(nodeIndex)`);
    return this.inboundNodes[0];
  }

  private nodeAt(nodeIndex: number, what: string): Node {
    const node = Number.isInteger(nodeIndex) ? this.inboundNodes[nodeIndex] : undefined;
    if (!node) throw new Error(`${this.name} (${this.className}): ${what}: no call ${typeof nodeIndex === 'number' ? nodeIndex : describe(nodeIndex)}; the layer has been applied ${this.inboundNodes.length} time(s)`);
    return node;
  }

  /**
   * tfjs's getInputAt: the symbolic input(s) of the layer's call nodeIndex (0 is the first), its node's inputTensors
   * (an input layer's own tensor, a model's own inputs at its node 0).
   */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    const ins = this.nodeAt(nodeIndex, 'getInputAt').inputTensors;
    return ins.length === 1 ? ins[0] : ins;
  }

  /** tfjs's getOutputAt: the symbolic output(s) of the layer's call nodeIndex. */
  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    const outs = this.nodeAt(nodeIndex, 'getOutputAt').outputs;
    return outs.length === 1 ? outs[0] : outs;
  }

  /** The symbolic input(s) of the layer's only call, as tfjs's layer.input (an input layer's: its own tensor). */
  get input(): SymbolicTensor | SymbolicTensor[] {
    const ins = this.onlyNode('input').inputTensors;
    return ins.length === 1 ? ins[0] : ins;
  }

  /** The symbolic output(s) of the layer's only call: rl.model({inputs, outputs: layer.output}) makes a sub-model. */
  get output(): SymbolicTensor | SymbolicTensor[] {
    const outs = this.onlyNode('output').outputs;
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * The graph's view of a layer: one call on a list of tensors. inputCount of them are the layer's inputs; the rest
   * are extras (a recurrent layer's initial states). Single-input layers keep these defaults.
   */
  callTensors(inputs: Tensor[], ctx: CallContext, logits: boolean, inputCount = inputs.length): Tensor[] {
    const outer = this.buildCallKwargs;
    this.buildCallKwargs = ctx.callKwargs;
    try {
      return this.callTensorsOnce(inputs, ctx, logits, inputCount);
    } finally {
      this.buildCallKwargs = outer;
    }
  }

  /** The call arguments of the call under way, which a build's call on zeros (buildTrackingSublayers) gets too. */
  private buildCallKwargs: Readonly<Record<string, unknown>> | undefined;

  private callTensorsOnce(inputs: Tensor[], ctx: CallContext, logits: boolean, inputCount: number): Tensor[] {
    if (this.takesUserList(inputs.length, inputCount)) {
      if (!this.built) this.buildUserList(inputs.map((t) => [null, ...t.shape.slice(1)]));
      return this.userOutputs(this.callWithKwargs(inputs, inputs[0], ctx, logits));
    }
    this.requireOneInput(inputs.length, inputCount);
    const x = inputs[0];
    this.checkInput(x);
    return this.userOutputs(this.callWithKwargs(x, x, ctx, logits));
  }

  /**
   * rnnlab's [COMPUTE] gets the engine's context; a user's call gets tfjs's kwargs (the mask as a bool Tensor). A user's
   * subclass of a built-in layer may reach its computation (super.call) on the engine's masks: the mask it sets comes back.
   */
  private callWithKwargs(x: Tensor | Tensor[], first: Tensor, ctx: CallContext, logits: boolean): Tensor | Tensor[] {
    if (builtInMethod(this, 'call')) return engineCall(this, x as Tensor, ctx, logits);
    const kwargs = userKwargs(ctx, first);
    const subclassesBuiltIn = builtInDefines(this, COMPUTE);
    this.callDepth++;
    let out: Tensor | Tensor[];
    try {
      // Also reached without callRegularized (an rnn's user cell, each step), so the call's mode is set here too.
      const run = () => inUserCall(`${this.name} (${this.className})`, ctx.training, ctx.callKwargs, () => callWithLogits(this, x, kwargs, logits));
      if (!subclassesBuiltIn) {
        out = run();
      } else {
        const inputs = Array.isArray(x) ? x : [x];
        const watched = watchingMask(this, inputs, contextMasks(ctx, inputs.length), run);
        out = watched.result;
        if (watched.mask !== undefined) ctx.mask = watched.mask;
      }
    } finally {
      this.callDepth--;
    }
    // A held layer or model that only this call built (behind a branch the build's call on zeros did not take) joins
    // too, a model's layers renamed as at build, so its weights save under names a loaded copy repeats.
    if (!subclassesBuiltIn) {
      const models = heldModels(this);
      this.nameHeldModelWeights(models);
      this.takeHeldWeights(heldLayers(this), models);
    }
    return out;
  }

  /**
   * tfjs's and Keras's custom layers may take a list of inputs (call, build and computeOutputShape then get the
   * list) and return a list of outputs; rnnlab's own layers say what they take themselves.
   */
  private takesUserList(n: number, inputCount: number): boolean {
    return inputCount > 1 && n === inputCount && !builtInMethod(this, 'call');
  }

  /** A user's call may return a list of tensors (tfjs's); rnnlab's own return one. */
  private userOutputs(out: Tensor | Tensor[]): Tensor[] {
    // A user's call returning a number or nothing would fail later, far from here (in predict, or the next layer).
    if (!Array.isArray(out) && out instanceof Tensor) return [out];
    if (!Array.isArray(out) || builtInMethod(this, 'call') || out.length === 0 || !out.every((t) => t instanceof Tensor)) {
      throw new Error(`${this.name} (${this.className}): call() returned ${describe(out)}; expected a tensor or a list of tensors`);
    }
    return out;
  }

  /** A user's layer built for a list of input shapes (tfjs's build(inputShape: Shape[])). */
  private buildUserList(shapes: SymbolicShape[]): void {
    if (!this.built) this.buildTrackingSublayers(shapes, true);
    this.markBuiltList(shapes);
  }

  /**
   * A user's layer's build, then Keras 3's tracking of the layers it holds in its attributes (this.dense = ...):
   * each one not yet built and not applied in a graph is named after its attribute ('<layer>/dense', so a loaded copy
   * finds its weights by name), built by one call on zeros when build left it unbuilt (Keras 3 calls the layer
   * symbolically), and its weights join the layer's, so they train and save.
   */
  private buildTrackingSublayers(shapes: SymbolicShape[], list: boolean, cellStates?: number[]): void {
    buildDepth++;
    try {
      this.buildAndTrack(shapes, list, cellStates);
    } finally {
      buildDepth--;
    }
    engineBuilt.add(this);
  }

  private buildAndTrack(shapes: SymbolicShape[], list: boolean, cellStates?: number[]): void {
    // Only a user's own class: rnnlab's wrappers (and users' subclasses of them) hold their inner layers themselves.
    const tracks = tracksHeldLayers(this);
    // Before build too: a build that builds a held layer itself (this.dense.build(s)) makes its weights under this name.
    if (tracks) this.nameHeldLayers();
    this.build((list ? shapes : shapes[0]) as SymbolicShape);
    if (!tracks) return;
    // Layers the build made (sizes known only from the input shape) are held too, as Keras 3 tracks them.
    this.nameHeldLayers();
    const subs = heldLayers(this);
    const models = heldModels(this);
    if (subs.length === 0 && models.length === 0) return;
    // A held model made without an input shape (an unbuilt Sequential) builds at its first call, as a held layer does.
    if (subs.some(([, sub]) => !sub.built) || models.some(([, m]) => m.layers.some((l) => !l.built))) {
      const zeros = shapes.map((s) => new Tensor(new Float32Array(s.reduce((n: number, d) => n * (d ?? 1), 1)), s.map((d) => d ?? 1), 'float32'));
      // A sequence [batch, steps, features] may come with a padding mask, which a layer's call may read: all steps real.
      const x = zeros[0];
      const mask = x.rank >= 3 ? new Uint8Array(x.shape[0] * x.shape[1]).fill(1) : null;
      // A recurrent cell steps on [x, ...states] (tfjs's cell.call), its build having seen x's shape alone.
      const input = cellStates ? [x, ...cellStates.map((n) => new Tensor(new Float32Array(x.shape[0] * n), [x.shape[0], n], 'float32'))] : list ? zeros : x;
      // A build, not a step: inner layers called without kwargs must not train on the zeros (BatchNormalization's statistics).
      // Nor may an inner call's explicit training: true move them: Keras 3 builds by a symbolic call, which changes no state.
      withoutStateChanges(this, () => inUserCall(`${this.name} (${this.className})`, false, this.buildCallKwargs, () => this.call(input as unknown as Tensor, userKwargs({ training: false, mask, callKwargs: this.buildCallKwargs }, x))));
    }
    this.nameHeldModelWeights(models);
    this.takeHeldWeights(subs, models);
  }

  /** Each held layer not yet built, nor applied in a graph, nor given weights takes the name '<layer>/<path>'. */
  private nameHeldLayers(): void {
    for (const [path, sub] of heldLayers(this)) if (!sub.built && sub.inboundNodes.length === 0 && sub.weights.length === 0) sub.name = `${this.name}/${path}`;
  }

  /**
   * A held model's layers were built when the model was made, named automatically (dense_7) and their weights after
   * them: a loaded copy, made afresh, would not repeat those names. Each such layer is renamed
   * '<layer>/<path>/<class in snake case, numbered within the model>' (dense, dense_1), as Keras 3's saving names a
   * container's layers, and its weights with it ('<layer>/<path>/dense/kernel'), so they load back by name. Layers
   * with a given name keep it, and so do their weights.
   */
  private nameHeldModelWeights(models: [string, HeldModel][]): void {
    for (const [path, model] of models) {
      const taken = new Map<string, number>();
      for (const inner of model.layers) {
        if (inner.weights.length === 0 || !hasAutomaticName(inner)) continue;
        const base = snakeCase(inner.className);
        const k = taken.get(base) ?? 0;
        taken.set(base, k + 1);
        const renamed = `${this.name}/${path}/${k === 0 ? base : `${base}_${k}`}`;
        // A built-in layer finds its weights by '<its name>/<leaf>' (weightNamed): both change together.
        for (const w of inner.weights) {
          // Variable.name is readonly to users; this is the one place a layer renames weights it did not make.
          if (w.name.startsWith(`${inner.name}/`)) (w as unknown as { name: string }).name = `${renamed}/${w.name.slice(inner.name.length + 1)}`;
        }
        inner.name = renamed;
      }
    }
  }

  /**
   * The weights of the held layers and models, after this layer's own (Keras 3's order). A held layer applied in a
   * graph keeps its weights under its own name: one applied in another model (a pretrained layer) lends this layer
   * the same variables, as Keras 3 shares them; one applied in this layer's own graph (tied embeddings) is listed by
   * that graph, once (the models and their files list each variable once).
   */
  private takeHeldWeights(subs: [string, Layer][], models: [string, HeldModel][] = []): void {
    const weights = [...subs.flatMap(([, sub]) => sub.weights), ...models.flatMap(([, m]) => m.weights)];
    for (const w of weights) {
      if (this.weights.includes(w)) continue;
      this.weights.push(w);
      if (!this.trainableFlag) w.requiresGrad = false;
    }
  }

  private markBuiltList(shapes: SymbolicShape[]): void {
    this.builtInputShape = null;
    this.outputShapeList = this.userOutputShapes(shapes);
    this.outputShapeValue = this.outputShapeList[0];
    this.finishBuild();
  }

  private finishBuild(): void {
    this.built = true;
    // A wrapper frozen before it was built: its inner layers' weights take no gradients either.
    if (!this.trainableFlag) for (const w of this.weights) w.requiresGrad = false;
    if (this.initialWeights) {
      const values = this.initialWeights;
      this.initialWeights = null;
      this.setWeights(values);
      for (const w of this.weights) rememberWeight(w, true);
    }
  }

  /** computeOutputShape's answer as one shape per output: a list of shapes means several outputs (tfjs). */
  private userOutputShapes(input: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    const out = this.computeOutputShape(input as SymbolicShape) as SymbolicShape | SymbolicShape[];
    const list = Array.isArray(out) && out.length > 0 && out.every((d) => Array.isArray(d)) ? out as SymbolicShape[] : [out as SymbolicShape];
    for (const s of list) {
      if (!Array.isArray(s) || !s.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
        throw new Error(`${this.name} (${this.className}): computeOutputShape returned ${out === undefined ? 'undefined' : describe(out)}; expected a shape such as [null, 4] or a list of shapes`);
      }
    }
    return list;
  }

  /** Builds for x on first use, then checks x against the built input shape. */
  protected checkInput(x: Tensor): void {
    if (!this.built || !this.builtInputShape) {
      const shape: SymbolicShape = [null, ...x.shape.slice(1)];
      try {
        this.ensureBuilt(shape);
      } catch (e) {
        throw givenShapeShown(e, shape, x);
      }
    }
    const spec = this.builtInputShape!;
    // A declared batch size binds only a stateful layer (its states have that many rows); elsewhere tfjs and Keras run
    // any batch (converter files from Keras often carry batch_input_shape [64, ...]).
    const batchBinds = (this as { stateful?: unknown }).stateful === true;
    const ok = spec.length === x.rank && spec.every((d, i) => d === null || (i === 0 && !batchBinds) || d === x.shape[i]);
    if (!ok && !((!batchBinds || spec[0] === x.shape[0]) && this.takesShape(spec, [spec[0], ...x.shape.slice(1)]))) {
      throw new Error(`${this.name} (${this.className}): expected input of shape ${kerasShape(spec)}, got [${x.shape.join(', ')}]`);
    }
  }

  /**
   * Whether `other` (batch axis first) gives this layer the weights `shape` gives it, and an output shape: worked out
   * from weightSpecs and computeOutputShape, without building. A user's build (or a user's layer a wrapper holds)
   * creates weights weightSpecs does not know of: false.
   */
  sameWeightsFor(shape: SymbolicShape, other: SymbolicShape): boolean {
    if ((shape.length !== other.length && !this.takesRank(other.length)) || userBuilt(this)) return false;
    try {
      const weights = (s: SymbolicShape) => this.weightSpecsFor([s]).map((w) => w.shape.join('x')).join(',');
      return weights(shape) === weights(other) && this.computeOutputShapes([other], 1).length === 1;
    } catch {
      return false;
    }
  }

  /**
   * Whether this layer, built for `built`, takes `other` of the same rank that does not match it. Keras's and tfjs's
   * input specs fix only the axes a layer's weights depend on (a Dense built on 9 steps runs on 12; Flatten, with no
   * weights, on any length), and neither checks a user's layer, whose own ops check the shapes they get. A shape the
   * user declared (inputShape, inputDim, batchInputShape, an Embedding's inputLength) binds, as a model's Input does.
   */
  takesShape(built: SymbolicShape, other: SymbolicShape): boolean {
    if (this.batchInputShape) return false;
    if (built.length !== other.length) return this.takesRank(other.length) && this.sameWeightsFor(built, other);
    return userBuilt(this) !== null || this.sameWeightsFor(built, other);
  }

  /**
   * Whether, once built, this layer takes inputs of this rank as well as the one it was built for. Keras's and tfjs's
   * input specs fix the rank for most layers (ndim); a Dense's fixes only a minimum (min_ndim 2), so one Dense can be
   * shared between inputs of different ranks, as it computes on the last axis alone.
   */
  protected takesRank(_rank: number): boolean { return false; }

  computeOutputShapes(inputShapes: SymbolicShape[], inputCount = inputShapes.length): SymbolicShape[] {
    if (this.takesUserList(inputShapes.length, inputCount)) return this.userOutputShapes(inputShapes);
    this.requireOneInput(inputShapes.length, inputCount);
    if (!builtInMethod(this, 'call')) return this.userOutputShapes(inputShapes[0]);
    refuseMissingCall(this, false);
    return [this.computeOutputShape(inputShapes[0])];
  }

  /** The weights build creates for these input shapes (one per input). */
  weightSpecsFor(inputShapes: SymbolicShape[]): WeightSpec[] {
    return this.weightSpecs(inputShapes[0]);
  }

  buildFor(inputShapes: SymbolicShape[], inputCount = inputShapes.length): void {
    if (this.takesUserList(inputShapes.length, inputCount)) return this.buildUserList(inputShapes);
    this.requireOneInput(inputShapes.length, inputCount);
    this.ensureBuilt(inputShapes[0]);
  }

  /**
   * rl.layers.rnn's build of a user's cell: build(stepShape) with stepShape [batch, features], as tfjs's RNN calls it;
   * layers the cell holds and leaves unbuilt are built by one step on zeros ([x, ...states], stateSizes giving the
   * states). The cell's own computeOutputShape is not asked (tfjs's RNN never asks it): the step's output is outputShape.
   */
  buildAsCell(stepShape: SymbolicShape, stateSizes: number[], outputShape: SymbolicShape): void {
    if (this.built) return;
    this.buildTrackingSublayers([stepShape], false, stateSizes);
    this.builtInputShape = [...stepShape];
    this.outputShapeList = null;
    this.outputShapeValue = [...outputShape];
    this.finishBuild();
  }

  /** build, then record the shapes if the build did not (a custom layer's build may only create its weights). */
  ensureBuilt(inputShape: SymbolicShape): void {
    if (!this.built) this.buildTrackingSublayers([inputShape], false);
    if (!this.builtInputShape) this.markBuilt(inputShape);
  }

  protected requireOneInput(n: number, inputCount: number): void {
    if (n !== 1 || inputCount !== 1) {
      throw new Error(`${this.name} (${this.className}): takes one input tensor, got ${inputCount}${n > inputCount ? ` and ${n - inputCount} initial state(s)` : ''}`);
    }
  }

  /** True when call(x, ctx, true) returns pre-activation values of a final sigmoid (or softmax). */
  foldsActivation(_kind: 'sigmoid' | 'softmax'): boolean {
    return false;
  }

  /**
   * Whether rnnlab's computation of this layer hands a user's call arguments (apply(x, {scale: 3})) on to a user's
   * call it runs: a wrapper of a user's layer does (TimeDistributed, as tfjs's passes its kwargs on); others refuse them.
   */
  protected [HANDS_ON_CALL_KWARGS](): boolean {
    return false;
  }

  /** The option that gives this layer outputs a Sequential model cannot pass on (Keras returnState), or null. */
  extraOutputsOption(): string | null {
    return null;
  }

  /**
   * Creates and tracks a weight. Built-in layers pass a WeightSpec; custom layers use tfjs's signature
   * addWeight(name, shape, dtype?, initializer?, regularizer?, trainable?, constraint?) with an initializer name, an
   * rl.initializers object or a function, and a regularizer and constraint as the built-in layers take them.
   */
  addWeight(spec: WeightSpec, trainable?: boolean): Variable;
  addWeight(name: string, shape: number[], dtype?: string, initializer?: WeightSpec['initializer'] | Initializer | string, regularizer?: unknown, trainable?: boolean, constraint?: unknown): Variable;
  addWeight(first: WeightSpec | string, second?: number[] | boolean, dtype?: string, initializer?: WeightSpec['initializer'] | Initializer | string, regularizer?: unknown, trainable?: boolean, constraint?: unknown): Variable {
    if (typeof first === 'string') {
      if (trainable !== undefined && trainable !== null && typeof trainable !== 'boolean') throw new Error(`${this.name} (${this.className}): addWeight '${first}': trainable must be true or false, got ${describe(trainable)}`);
      return this.addWeight(customWeightSpec(`${this.name} (${this.className})`, first, second, dtype, initializer, regularizer, constraint), trainable ?? true);
    }
    const spec = first;
    const train = typeof second === 'boolean' ? second : true;
    if (this.weights.some((w) => w.name === `${this.name}/${spec.name}`)) throw new Error(`${this.name}: duplicate weight name '${spec.name}'`);
    spec.constraint?.checkShape(spec.shape, `${this.name} (${this.className}): weight '${spec.name}'`);
    // v.trainable: trainable by nature; gradients flow only while the layer is trainable too (see the setter).
    const v = new Variable(`${this.name}/${spec.name}`, spec.shape, train);
    v.requiresGrad = train && this.trainable;
    if (initializersOn) {
      const init = spec.initializer;
      if (typeof init === 'function') init(spec.shape, v.values as Float32Array);
      else INITIALIZERS[init](spec.shape, v.values as Float32Array);
    }
    if (buildDepth > 0) madeInBuild.add(v);
    this.track(v);
    rememberWeight(v);
    if (spec.regularizer) this.penalties.push({ variable: v, regularizer: spec.regularizer });
    v.constraint = spec.constraint ?? null;
    return v;
  }

  /**
   * Keeps the layer's own weights in tfjs's and Keras's order, trainable by nature first, then the rest, each in
   * creation order, so getWeights/setWeights values pass to and from tfjs by position. By nature, not by the current
   * flags: freezing a layer must not reorder the list that saved files and checkpoints pair with the layer configs.
   */
  private track(v: Variable): void {
    const firstFixed = v.trainable ? this.weights.findIndex((w) => !w.trainable) : -1;
    if (firstFixed < 0) this.weights.push(v);
    else this.weights.splice(firstFixed, 0, v);
  }

  /** The regularized weights (wrappers report their inner layers'). */
  weightPenalties(): WeightPenalty[] {
    return this.addedLosses.length === 0 ? this.penalties : [...this.penalties, ...this.addedLosses];
  }

  /** The built weight with this leaf name (as in weightSpecs), or null. */
  protected weightNamed(leaf: string): Variable | null {
    return this.weights.find((w) => w.name === `${this.name}/${leaf}`) ?? null;
  }

  /** tfjs's and Keras's: the weights' sizes summed; an unbuilt layer has no weights yet, so 0 would be wrong. */
  countParams(): number {
    if (!this.built) throw new Error(`${this.name} (${this.className}): countParams() needs the layer built, which makes its weights; call build(inputShape) or apply it first`);
    return this.weights.reduce((s, w) => s + w.size, 0);
  }

  get trainableWeights(): Variable[] {
    // A wrapper's weights are its inner layers': a frozen inner layer's weights take no gradients.
    return this.trainable ? this.weights.filter((w) => w.trainable && w.requiresGrad) : [];
  }

  /** tfjs's and Keras's: every weight of a frozen layer (in `weights` order), else those not trainable by nature. */
  get nonTrainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((w) => !(w.trainable && w.requiresGrad)) : [...this.weights];
  }

  /** Copies of the weights as Tensors with their shapes, in Keras order (tfjs's layer.getWeights(trainableOnly)). */
  getWeights(trainableOnly = false): Tensor[] {
    this.assertNotDisposed();
    return weightTensors(trainableOnly ? this.trainableWeights : this.weights);
  }

  /** Copies of the weights' flat values, in Keras order (for code that wants typed arrays, e.g. ONNX export). */
  getWeightValues(): Float32Array[] {
    return this.weights.map((w) => Float32Array.from(w.values as Float32Array));
  }

  /** Tensors (shapes checked) or flat arrays, one per weight in getWeights order; each through its constraint (tfjs). */
  setWeights(values: readonly (Tensor | ArrayLike<number>)[]): void {
    this.assertNotDisposed();
    // tfjs says only "the layer was expecting 0 weights": an unbuilt layer has not made its weights yet.
    if (!this.built && Array.isArray(values) && values.length !== this.weights.length) {
      throw new Error(`${this.name} (${this.className}): setWeights got ${values.length} arrays, but the layer is not built yet, so it has ${this.weights.length} weights; call build(inputShape) or apply it first`);
    }
    assignWeights(this.name, this.weights, values, true);
  }

  private callHook: ((inputs: Tensor | Tensor[], kwargs: Kwargs) => void) | null = null;

  /** tfjs's setCallHook: fn(inputs, kwargs) runs wherever the layer's call invokes invokeCallHook. */
  setCallHook(fn: (inputs: Tensor | Tensor[], kwargs: Kwargs) => void): void {
    if (typeof fn !== 'function') throw new Error(`${this.name} (${this.className}): setCallHook takes a function, got ${describe(fn)}`);
    this.callHook = fn;
  }

  clearCallHook(): void { this.callHook = null; }

  /** tfjs's invokeCallHook, which tfjs-examples' custom layers call first thing in call(). */
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: Kwargs): void {
    this.callHook?.(inputs, kwargs);
  }

  /** tfjs's name for the Keras class name. */
  getClassName(): string {
    return this.className;
  }

  /** Keras's config with camelCase keys: every constructor argument (src/io writes snake_case). */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.batchInputShape) c.batchInputShape = this.batchInputShape;
    if (this.activityRegularizer) c.activityRegularizer = serializeRegularizer(this.activityRegularizer);
    for (const what of Object.keys(this.cls.options)) c[what] = this.optionValues[what];
    return c;
  }
}

/**
 * The output mask of a user's layer, as Keras 3: without supportsMasking the mask ends there (Keras warns that the
 * layer destroys it; tfjs 4.22's executor leaks it on to the next layers by accident), with it computeMask decides.
 * A layer that overrides computeMask supports masking unless its code set supportsMasking = false (Keras 3's rule).
 */
function userLayerMask(layer: Layer, x: Tensor | Tensor[], maskIn: Uint8Array | null | (Uint8Array | null)[], out: Tensor): Uint8Array | null {
  const where = `${layer.name} (${layer.className})`;
  const asTensor = maskTensor;
  // One input: its mask or null; a list of inputs: a list of masks (tfjs's computeMask(inputs, masks)).
  const masks = Array.isArray(x) ? x.map((t, i) => asTensor(t, (maskIn as (Uint8Array | null)[])[i])) : null;
  const given = masks ? (masks.some((m) => m) ? masks : null) : asTensor(x as Tensor, maskIn as Uint8Array | null);
  if (!layer.supportsMasking) {
    // Only reached with an override when the layer's code set supportsMasking = false. Keras 3 then drops the mask
    // without calling compute_mask; rnnlab calls it once more so that a mask it returns is not silently ignored.
    if (!builtInMethod(layer, 'computeMask') && (layer.computeMask(x, given) ?? null) !== null) {
      throw new Error(`${where}: computeMask returned a mask but the layer sets supportsMasking = false, so the mask would be dropped (Keras 3 ignores computeMask then; rnnlab refuses rather than ignore it); remove the assignment or set this.supportsMasking = true`);
    }
    return null;
  }
  const m = layer.computeMask(x, given) as unknown;
  if (m === null || m === undefined) return null;
  if (!(m instanceof Tensor) || m.rank !== 2 || out.rank < 2 || m.shape[0] !== out.shape[0] || m.shape[1] !== out.shape[1]) {
    const got = m instanceof Tensor ? `a tensor of shape [${m.shape.join(', ')}]` : describe(m);
    throw new Error(`${where}: computeMask must return null or a tensor [batch, steps] matching the output [${out.shape.join(', ')}], got ${got}`);
  }
  const v = m.dataSync() as ArrayLike<number>;
  return Uint8Array.from(v, (b) => (b ? 1 : 0));
}

/**
 * The base of rnnlab's own layers: tfjs's public call(inputs, kwargs), over the class's protected [COMPUTE]. On the
 * layer itself (this.dense.call(x, {training}) in a custom layer's call) it runs callFromUser; the engine never comes
 * here, but reaches [COMPUTE] by engineCall, never by the kwargs' shape (a user's {training: false, mask: null} looks
 * like the engine's context). A user's subclass that overrides call reaches [COMPUTE] through super.call(x, kwargs?),
 * which reads the kwargs as callFromUser does (training, else the enclosing call's mode; the mask; a build on first use).
 */
export abstract class BuiltInLayer extends Layer {
  static {
    computeOf = (layer, x, ctx, logits) => layer[COMPUTE](x, ctx, logits);
  }

  call(inputs: Tensor | Tensor[], kwargs?: Kwargs): Tensor | Tensor[];
  call(inputs: Tensor | Tensor[], kwargs?: Kwargs, logits = false): Tensor | Tensor[] {
    if (builtInMethod(this, 'call')) return this.callFromUser(inputs, kwargs, logits);
    return this.callFromUser(inputs, kwargs, logits, (all, ctx) => {
      if (all.length === 1) this.checkInput(all[0]);
      // A list ([x_t, ...states], a cell's step) goes as it is: the layer checks it.
      const y = this[COMPUTE]((all.length === 1 ? all[0] : all) as Tensor, ctx, logits);
      return Array.isArray(y) ? y : [y];
    });
  }

  /**
   * The engine's computation on real tensors, with the engine's CallContext (the mask as bytes, set on ctx for the
   * output); logits as call's. Keyed by a symbol: a user's subclass may name its own helper compute.
   */
  protected abstract [COMPUTE](x: Tensor, ctx: CallContext, logits?: boolean): Tensor | Tensor[];
}

/**
 * The first layer (itself or one it holds) whose weights do not come from weightSpecs, or null. rnnlab's builds create
 * exactly weightSpecs; a user's build may create anything, and a user's layer that holds layers takes their weights
 * by calling them (Keras 3's tracking, Layer.buildTrackingSublayers), on shapes known only then.
 */
export function userBuilt(layer: Layer, seen = new Set<Layer>()): Layer | null {
  if (seen.has(layer)) return null;
  seen.add(layer);
  if (!builtInMethod(layer, 'build')) return layer;
  const held = heldLayersDeep(layer);
  if (held.length > 0 && !builtInMethod(layer, 'call') && !builtInDefines(layer, COMPUTE)) return layer;
  for (const inner of held) {
    const found = userBuilt(inner, seen);
    if (found) return found;
  }
  return null;
}

/** Whether the layer is a user's own class, whose held layers it tracks (rnnlab's wrappers hold theirs themselves). */
export function tracksHeldLayers(layer: Layer): boolean {
  return !builtInMethod(layer, 'call') && !builtInDefines(layer, COMPUTE);
}

/**
 * A model a user's layer holds or TimeDistributed wraps (layers know nothing of models: recognised by its layers,
 * weights and compile).
 */
export interface HeldModel { readonly name: string; readonly layers: Layer[]; readonly weights: Variable[] }

export function isHeldModel(v: unknown): v is HeldModel {
  return typeof v === 'object' && v !== null && !(v instanceof Layer) && Array.isArray((v as { layers?: unknown }).layers) &&
    Array.isArray((v as { weights?: unknown }).weights) && typeof (v as { compile?: unknown }).compile === 'function';
}

/**
 * Keras 3 tracks layers held in lists, tuples and dicts, at any depth; only arrays and plain objects are looked into
 * here (a class instance's fields are its own business, as Keras tracks only its own containers).
 */
function isPlainContainer(v: unknown): v is Record<string, unknown> {
  return Array.isArray(v) || isPlainObject(v);
}

/**
 * What a user's layer holds in its own attributes, each with its path: the attribute's name, '_<index>' per list
 * level, '/<key>' per plain-object level (this.stages[1][0] is 'stages_1_0', this.parts.proj is 'parts/proj'). A
 * layer or model held twice counts once, under its first path; a container met again (a cycle) is not re-entered.
 */
function heldThings(layer: Layer): { layers: [string, Layer][]; models: [string, HeldModel][] } {
  const layers: [string, Layer][] = [];
  const models: [string, HeldModel][] = [];
  const seen = new Set<unknown>([layer]);
  const visit = (path: string, v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    if (v instanceof Layer) { seen.add(v); layers.push([path, v]); return; }
    if (isHeldModel(v)) { seen.add(v); models.push([path, v]); return; }
    if (!isPlainContainer(v)) return;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => visit(`${path}_${i}`, x));
    else for (const [k, x] of Object.entries(v)) visit(`${path}/${k}`, x);
  };
  for (const [key, v] of Object.entries(layer)) visit(key, v);
  return { layers, models };
}

/** The layers a user's layer holds in its own attributes (directly, or in lists and plain objects), with their paths. */
export function heldLayers(layer: Layer): [string, Layer][] { return heldThings(layer).layers; }

/** The models a user's layer holds in its own attributes (directly, or in lists and plain objects), with their paths. */
export function heldModels(layer: Layer): [string, HeldModel][] { return heldThings(layer).models; }

/** The layers a user's layer holds, and those of the models it holds (whose weights it tracks too). */
function heldLayersDeep(layer: Layer): Layer[] {
  const { layers, models } = heldThings(layer);
  return [...layers.map(([, l]) => l), ...models.flatMap(([, m]) => m.layers)];
}

/**
 * Runs a build's call on placeholder values as Keras 3's symbolic build: every weight of the layer and the layers it
 * holds (at any depth, and those the call makes) ends as it was, and so do stateful layers' carried states.
 */
function withoutStateChanges<T>(root: Layer, fn: () => T): T {
  const layers = new Set<Layer>([root]);
  for (const l of layers) for (const sub of heldLayersDeep(l)) layers.add(sub);
  const stateful = [...layers].filter((l) => l.stateful && typeof (l as { getStates?: unknown }).getStates === 'function') as (Layer & StatesAccess)[];
  // A stateful layer built before keeps its states; one the call builds starts from zeros, as after resetStates().
  const states = stateful.map((l) => (l.built ? l.getStates() : undefined));
  try {
    return withoutWeightChanges([...layers].flatMap((l) => l.weights), fn);
  } finally {
    stateful.forEach((l, i) => { if (l.built) l.resetStates(states[i]); });
  }
}

interface StatesAccess { getStates(): Tensor[]; resetStates(states?: Tensor[]): void }

/** tfjs's addWeight arguments as a WeightSpec; what rnnlab cannot honour is an error naming it. */
function customWeightSpec(layer: string, name: string, shape: unknown, dtype: unknown, initializer: unknown, regularizer: unknown, constraint: unknown): WeightSpec {
  if (name === '' || name.includes('/')) throw new Error(`${layer}: addWeight: the weight name must be non-empty without '/', got ${JSON.stringify(name)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    const got = Array.isArray(shape) ? `[${shape.map((d) => (typeof d === 'number' || d === undefined ? String(d) : describe(d))).join(', ')}]` : describe(shape);
    // The usual cause after loading: the constructor reads an option that getConfig() does not write back.
    throw new Error(`${layer}: addWeight '${name}': shape must be a list of sizes, got ${got}; a layer built from a saved config gets only what its getConfig() returned`);
  }
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') throw new Error(`${layer}: addWeight '${name}': dtype ${describe(dtype)} is not supported (weights are float32)`);
  let init: WeightSpec['initializer'] = 'glorotUniform';
  if (typeof initializer === 'function') init = initializer as WeightSpec['initializer'];
  else if (initializer instanceof Initializer) init = (s, out) => initializer.fill(s, out);
  else if (typeof initializer === 'string') {
    // The names a layer's initializer options take; own properties only, so 'toString' is no initializer.
    const camel = initializer.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    try {
      init = checkInitializer(layer, 'initializer', Object.hasOwn(INITIALIZERS, camel) ? camel : initializer);
    } catch (e) {
      const known = (e as Error).message.split('; use one of ')[1];
      throw new Error(`${layer}: addWeight '${name}': unknown initializer '${initializer}'${known ? `; use one of ${known}` : ''}`);
    }
  } else if (initializer !== undefined && initializer !== null) {
    throw new Error(`${layer}: addWeight '${name}': the initializer must be a name (e.g. 'glorotUniform'), an rl.initializers object or a function (shape, out) => void, got ${describe(initializer)}`);
  }
  const reg = checkRegularizer(layer, `addWeight '${name}': regularizer`, regularizer);
  const con = checkConstraint(layer, `addWeight '${name}': constraint`, constraint);
  return { name, shape: shape as number[], initializer: init, regularizer: reg, constraint: con };
}

/** A model's inputShape or outputShape, which lists every input's / output's when a graph has several: the first. */
export function firstShape(shape: SymbolicShape | SymbolicShape[]): SymbolicShape {
  return Array.isArray(shape[0]) ? (shape[0] as SymbolicShape) : (shape as SymbolicShape);
}

/** A shape in Keras's tuple notation, as model.summary() and Keras's errors print it: (None, 10). */
export function kerasShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * A build's error on a tensor of fewer than two axes, which the build read as (None,) (its one axis the batch, or a
 * scalar's missing one): the shape shown as given, as Keras's "Full shape received: (3,)", where (None,) would hide it.
 */
function givenShapeShown(e: unknown, read: SymbolicShape, x: Tensor): unknown {
  const shown = kerasShape(read);
  if (x.rank >= 2 || !(e instanceof Error) || !e.message.includes(shown)) return e;
  const Kind = [Error, RangeError, TypeError].find((k) => Object.getPrototypeOf(e) === k.prototype);
  if (!Kind) return e;
  const given = `[${x.shape.join(', ')}] (${x.rank === 0 ? 'a scalar, with no batch axis' : 'a 1-D tensor: its one axis is the batch'})`;
  return new Kind(e.message.split(shown).join(given), { cause: e });
}

/**
 * An error from a layer's computation (a user's call, an op it ran on a shape it was not built for) named after the
 * layer, as Keras 3's "Exception encountered when calling Lin.call()": '<name> (<Class>): <message>', the original
 * as its cause. A message that already names the layer (its own checks, or a nested layer's prefix) is left as it is;
 * so is an error of another class than the built-in ones (a caller may tell it apart by its class), and a non-Error.
 */
function namingLayer(e: unknown, layer: Layer): unknown {
  if (!(e instanceof Error)) return e;
  const Kind = [Error, RangeError, TypeError].find((k) => Object.getPrototypeOf(e) === k.prototype);
  if (!Kind) return e;
  const label = `${layer.name} (${layer.className})`;
  const at = e.message.indexOf(label);
  if (at >= 0 && (at === 0 || /[^\w/]/.test(e.message[at - 1]))) return e;
  return new Kind(`${label}: ${e.message}`, { cause: e });
}

// The functional API's graph (Keras's KerasTensor and Node): a SymbolicTensor is a placeholder with a shape that
// layer.apply() returns when given placeholders; each such call records a Node linking the layer to its inputs and
// outputs, and rl.model({inputs, outputs}) walks the nodes back from its outputs. They live here because a Node
// registers itself on its layer.

export type SymbolicDType = 'float32' | 'int32';

let tensorIds = 0;

/**
 * What users see of a layer in a graph: the layer itself, or, for the layer standing in for a model called inside
 * another (src/models/nested.ts registers it), the model, as tfjs's sourceLayer and outboundLayer give it.
 */
let shownLayer: (layer: Layer) => Layer = (layer) => layer;
export function registerShownLayer(show: (layer: Layer) => Layer): void { shownLayer = show; }

export class SymbolicTensor {
  readonly id = tensorIds++;
  constructor(
    readonly dtype: SymbolicDType,
    readonly shape: SymbolicShape,
    /** The call that produced this tensor (an InputLayer's own node for rl.input()), and which of its outputs it is. */
    readonly node: Node,
    readonly outputIndex: number,
  ) {}

  /** tfjs's: the layer (or model) whose call produced this tensor; the graph's own walks read node.layer. */
  get sourceLayer(): Layer { return shownLayer(this.node.layer); }

  /**
   * tfjs's names: an input's is its layer's ('a'); a layer's outputs are '<layer>/<layer>' then '<layer>/<layer>_1',
   * ... counting every output of its earlier calls (tfjs counts per name across the process, which gives the same
   * while layer names are unique). Files never hold these names; fit and predict match inputs by layer name.
   */
  get name(): string {
    const l = this.node.layer;
    if (this.node.inputs.length === 0) return l.name;
    let k = this.outputIndex;
    // A node that takes nothing (a model's own graph, its node 0) made none of these outputs.
    for (const n of l.inboundNodes) { if (n === this.node) break; if (n.inputs.length > 0) k += n.outputs.length; }
    return k === 0 ? `${l.name}/${l.name}` : `${l.name}/${l.name}_${k}`;
  }
  /** tfjs's originalName: the name before its per-call count ('<layer>/<layer>' for every output; an input's, its layer's). */
  get originalName(): string {
    const l = this.node.layer;
    return this.node.inputs.length === 0 ? l.name : `${l.name}/${l.name}`;
  }
  /** tfjs's inputs: the symbolic tensors the call that made this one took (initial states included); [] for an input. */
  get inputs(): SymbolicTensor[] { return [...this.node.inputs]; }
  /** tfjs's callArgs: the call's kwargs (training when the call fixed it, initialState when it took states). */
  get callArgs(): { training?: boolean; initialState?: SymbolicTensor[] } { return this.node.callArgs; }
  get rank(): number { return this.shape.length; }
  /** tfjs's: which call of sourceLayer made the tensor, and which of that call's outputs it is. */
  get nodeIndex(): number { return this.node.index; }
  get tensorIndex(): number { return this.outputIndex; }
  toString(): string { return `SymbolicTensor ${this.name} ${JSON.stringify(this.shape)}`; }
}

/**
 * Options a layer call records: extra tensors go into inputs (Keras does the same for initial states); training, when
 * the call fixed it (apply(x, {training}) on symbolic tensors, Keras's layer(x, training=False)), is the mode that
 * call always runs in (the graph's run sets it for that call only).
 */
export interface NodeArgs { training?: boolean; [key: string]: unknown }

/** One call of a layer on symbolic tensors. */
export class Node {
  outputs: SymbolicTensor[] = [];
  /** Position of this node in layer.inboundNodes. */
  readonly index: number;
  /** inputs[0, inputCount) are the layer's inputs; the rest are extras (a recurrent layer's initial states). */
  constructor(readonly layer: Layer, readonly inputs: SymbolicTensor[], readonly inputCount: number, readonly args: NodeArgs) {
    this.index = layer.inboundNodes.length;
    layer.inboundNodes.push(this);
    // Once per input, as tfjs and Keras push it: a layer whose two outputs feed one call counts that call twice.
    for (const t of inputs) t.node.layer.outboundNodes.push(this);
  }

  // tfjs's Node fields, read from inputs and outputs. Initial states count as inputs (tfjs's RNN puts them in its node);
  // an InputLayer's node, which takes nothing, lists its own tensor as input, as tfjs's does.
  get outboundLayer(): Layer { return shownLayer(this.layer); }
  get inboundLayers(): Layer[] { return this.inputs.map((t) => t.sourceLayer); }
  get nodeIndices(): number[] { return this.inputs.map((t) => t.nodeIndex); }
  get tensorIndices(): number[] { return this.inputs.map((t) => t.tensorIndex); }
  get inputTensors(): SymbolicTensor[] { return [...(this.inputs.length > 0 ? this.inputs : this.outputs)]; }
  get outputTensors(): SymbolicTensor[] { return [...this.outputs]; }
  /** One shape per input tensor, a list even for one (tfjs's normalizeShapeList). */
  get inputShapes(): SymbolicShape[] { return this.inputTensors.map((t) => [...t.shape]); }
  get outputShapes(): SymbolicShape[] { return this.outputs.map((t) => [...t.shape]); }
  /** tfjs's callArgs: the call's kwargs (training when the call fixed it, initialState when it took states). */
  get callArgs(): { training?: boolean; initialState?: SymbolicTensor[] } {
    const states = this.inputs.slice(this.inputCount);
    return { ...this.args, ...(states.length > 0 ? { initialState: states } : {}) };
  }
}

export function isSymbolic(v: unknown): v is SymbolicTensor {
  return v instanceof SymbolicTensor;
}

markBuiltInLayerClass(Layer);

/**
 * y, or a view of it where it is one of the caller's own inputs (dropout at inference, a linear activation): as
 * tfjs's apply clones such an output, disposing the result must leave the input readable. The view shares the data
 * and passes the gradient through.
 */
export function distinctFrom(inputs: readonly Tensor[], y: Tensor): Tensor {
  return inputs.includes(y) ? reshape(y, [...y.shape]) : y;
}
