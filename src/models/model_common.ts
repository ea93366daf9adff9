/**
 * What Sequential and Functional share beyond training: tfjs's model.trainable, dispose, predict's option check
 * (evaluate's is training.ts's evaluateCall), and the error for nesting a model inside another.
 */
import { Layer, type WeightPenalty } from '../layers/layer.js';
import { checkOptionKeys, readAliases } from '../near_name.js';
// From the index, which registers the classes in its order (error messages list them so).
import { Adam, Adamax, Nadam, RMSprop, SGD, type Optimizer } from '../optimizers/index.js';
import type { Variable } from '../variable.js';

/** predict's options (tfjs's batchSize and verbose); anything else is an error naming it. */
const PREDICT_OPTIONS = ['batchSize', 'verbose'];
/** tfjs options of predict rnnlab does not implement: refused by name. */
const REFUSED: Record<string, string> = {
  steps: 'rnnlab evaluates and predicts over all of x; slice x to use fewer samples',
};
const RULES = { refused: REFUSED, nullIsNone: true };

/** predict's options checked: the batch size (default 32). verbose is accepted as in tfjs (predict prints nothing). */
export function predictOptions(args: unknown, what: string): { batchSize?: number } {
  // Keras's batch_size is read as batchSize first (both given is an error), so the key check sees tfjs's names.
  const plain = typeof args === 'object' && args !== null && !Array.isArray(args);
  const a = checkOptionKeys(what, plain ? readAliases(what, args as Record<string, unknown>, { batch_size: 'batchSize' }) : args, PREDICT_OPTIONS, RULES);
  const v = a.verbose;
  if (v !== undefined && typeof v !== 'boolean' && v !== 0 && v !== 1) throw new Error(`${what}: verbose must be true, false, 0 or 1, got ${JSON.stringify(v)}`);
  return a as { batchSize?: number };
}

/** What to call instead of Keras's dataset forms, by the method that was given one. */
const DATASET_METHOD: Record<string, string> = {
  fit: 'use model.fitDataset(dataset, {epochs, validationData})',
  'fit: validationData': 'use model.fitDataset(dataset, {epochs, validationData: dataset})',
  evaluate: 'use await model.evaluateDataset(dataset)',
};

/**
 * Keras's fit(dataset), evaluate(dataset) and predict(dataset) (keras.io's text_classification_from_scratch): tfjs
 * and rnnlab take a dataset only through fitDataset and evaluateDataset; without this the dataset object fails
 * deep in the tensor conversion with a message that does not say what was wrong.
 */
export function refuseDataset(x: unknown, what: string): void {
  const d = x as { iterator?: unknown; forEachAsync?: unknown } | null;
  if (typeof d !== 'object' || d === null || typeof d.iterator !== 'function' || typeof d.forEachAsync !== 'function') return;
  const method = Object.entries(DATASET_METHOD).find(([k]) => what === k || what.endsWith(`.${k}`))?.[1];
  const instead = method ?? (what.endsWith('predict') ? "predict on each batch's xs: await dataset.forEachAsync((b) => model.predict(b.xs))"
    : "pass each batch's tensors: await dataset.forEachAsync((b) => ...)");
  throw new Error(`${what}: got a dataset (Keras's form), which tfjs and rnnlab take only through fitDataset and evaluateDataset; ${instead}`);
}

/** A model object passed where a layer goes: rnnlab models are not layers (tfjs's and Keras's are). */
export function isModelObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Layer) && Array.isArray((v as { layers?: unknown }).layers) &&
    typeof (v as { compile?: unknown }).compile === 'function';
}

/** getLayer(name, index) with both: Keras refuses it (tfjs silently takes the index); rnnlab ignores neither. */
export function bothNameAndIndex(model: string, name: unknown, index: unknown): Error {
  return new Error(`${model}: getLayer takes a name or an index, not both (got ${JSON.stringify(name)} and ${String(index)})`);
}

/** note: what the caller adds after the first clause (Sequential.add: that a nested model is not supported there). */
export function nestedModelError(what: string, model: { name?: unknown }, note?: string): Error {
  return new Error(`${what}: model '${String(model.name)}' is a model, not a layer${note ? ` (${note})` : ''}; rnnlab nests only a Functional model, ` +
    'called with apply() in a functional graph (a Sequential holds layers only, and a Sequential model is not called as a layer; ' +
    'rl.model({inputs: seq.inputs, outputs: seq.outputs}) makes it a Functional). ' +
    'Use its layers instead (they share the weights): add each of model.layers to the Sequential, or apply them in ' +
    "turn to a symbolic tensor (let t = input; for (const l of model.layers) if (l.className !== 'InputLayer') t = l.apply(t)); " +
    "a Functional model's layers apply as its graph connects them (model.getLayer(name).apply(...))");
}

/** trainable: false freezes every layer (Keras sets the flag on each); true unfreezes every layer. */
export function setLayersTrainable(layers: Layer[], value: unknown, what: string): void {
  if (typeof value !== 'boolean') throw new Error(`${what}: trainable must be true or false, got ${JSON.stringify(value)}`);
  for (const l of layers) l.trainable = value;
}

/**
 * Every layer's weights, layer by layer (Keras 3's model.weights): the order saved files, checkpoints and
 * EarlyStopping's snapshot pair with the layer configs, which freezing a layer does not change. A layer reached twice
 * (inside a nested model and directly) holds its variables once, as Keras 3 deduplicates them by identity: otherwise
 * counts, saved files and setWeights would see one variable as two.
 */
export function layerOrderWeights(layers: Layer[]): Variable[] {
  return unique(layers.flatMap((l) => l.weights));
}

export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** tfjs's Container.trainableWeights / nonTrainableWeights: none / all when the model is frozen. */
export function modelTrainableWeights(trainable: boolean, layers: Layer[]): Variable[] {
  return trainable ? unique(layers.flatMap((l) => l.trainableWeights)) : [];
}

export function modelNonTrainableWeights(trainable: boolean, layers: Layer[]): Variable[] {
  return trainable ? unique(layers.flatMap((l) => l.nonTrainableWeights)) : layerOrderWeights(layers);
}

/** The regularization terms of layers, each variable's once (a shared layer's penalty would otherwise be added twice). */
export function uniquePenalties(layers: Layer[]): WeightPenalty[] {
  const seen = new Set<Variable>();
  return layers.flatMap((l) => l.weightPenalties()).filter((p) => !seen.has(p.variable) && !!seen.add(p.variable));
}

/** The parameter count of layers, each variable once. */
export function uniqueParamCount(layers: Layer[]): number {
  return layerOrderWeights(layers).reduce((s, w) => s + w.size, 0);
}

export interface DisposeResult { refCountAfterDispose: number; numDisposedVariables: number }

/**
 * A model's dispose: each layer lets go of this model, and one no other live model holds disposes its variables
 * (tfjs's reference counting).
 */
export function disposeLayers(layers: Layer[]): DisposeResult {
  let numDisposedVariables = 0;
  for (const l of layers) if (!l.disposed) numDisposedVariables += l.dispose().numDisposedVariables;
  return { refCountAfterDispose: 0, numDisposedVariables };
}

/** How many live models hold each optimizer (compile, model.optimizer = ...): one made by compile goes with the last. */
const optimizerHolders = new WeakMap<Optimizer, number>();
/** Optimizers compile made from a name or {className, config} (tfjs's isOptimizerOwned): a model disposes them. */
const madeByCompile = new WeakSet<Optimizer>();

export function holdOptimizer(o: Optimizer, made: boolean): void {
  optimizerHolders.set(o, (optimizerHolders.get(o) ?? 0) + 1);
  if (made) madeByCompile.add(o);
}

/**
 * One live model fewer holds o; true when that was the last and compile made it, so the model disposing it disposes
 * it too. While another model still trains with it, its state stays (disposing it there would restart that model's
 * Adam from nothing, silently).
 */
export function releaseOptimizer(o: Optimizer): boolean {
  const left = Math.max(0, (optimizerHolders.get(o) ?? 0) - 1);
  optimizerHolders.set(o, left);
  return left === 0 && madeByCompile.has(o);
}

/**
 * What tfjs 4.22 adds to numDisposedVariables for a disposed optimizer: the tensors its optimizer of the same class
 * holds. rnnlab's state is plain arrays, so the count is tfjs's layout: fixed scalars (SGD's learning rate, plus its
 * momentum; the Adam family's beta powers) and one accumulator per slot per variable stepped. Read before the
 * model's weights are disposed, which drops their slots.
 */
export function optimizerStateCount(o: Optimizer): number {
  const variables = o.slotVariables().length + o.pendingSlotsByName().size;
  const [fixed, perVariable] = o instanceof SGD ? (o.momentum > 0 ? [2, 1] : [1, 0])
    // tfjs's RMSProp keeps its momentum accumulator even at momentum 0.
    : o instanceof RMSprop ? [0, o.centered ? 3 : 2]
      : [o instanceof Adam || o instanceof Adamax || o instanceof Nadam ? 2 : 0, o.slotCount];
  return fixed + perVariable * variables;
}

export function disposedError(name: string): Error {
  return new Error(`model '${name}' has been disposed (model.dispose()); build or load a new model`);
}

/**
 * Whether a model config (getConfig()'s, camelCase or Keras's snake_case) is a functional model's: only those name
 * their inputs and outputs. Read before parsing, so that a config given to the other class's fromConfig is named as
 * such instead of failing on the first key that class does not read.
 */
export function configDescribesFunctional(config: unknown): boolean {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return false;
  return ['input_layers', 'inputLayers', 'output_layers', 'outputLayers'].some((k) => k in config);
}

/**
 * compile's argument: one options object, as tfjs's. Keras's positional compile('rmsprop', 'mse') (or an optimizer
 * object first) is refused saying how to write it, rather than that 'optimizer' and 'loss' are missing.
 */
export function checkCompileArgs(model: string, args: unknown): void {
  const optimizerFirst = typeof args === 'string' || (typeof args === 'object' && args !== null && typeof (args as { applyGradients?: unknown }).applyGradients === 'function');
  if (optimizerFirst) {
    throw new Error(`${model}.compile: takes one options object {optimizer, loss, metrics}, not Keras's positional compile(optimizer, loss): write compile({optimizer: ${typeof args === 'string' ? JSON.stringify(args) : 'opt'}, loss: ...})`);
  }
  const a = args as { loss?: unknown; optimizer?: unknown } | null | undefined;
  if (!a || a.loss === undefined || a.optimizer === undefined) throw new Error(`${model}.compile: 'optimizer' and 'loss' are required`);
}
