/**
 * A Sequential model as TensorFlow.js Layers artifacts (model.json + weight bytes) and back.
 *
 * Weight names follow tfjs: '<layer>/<weight>' (e.g. 'lstm/recurrent_kernel'), wrappers scope their inner
 * layer's weights under their own name ('bidirectional/forward_lstm/kernel', 'time_distributed/kernel').
 * Loading checks everything before it allocates: the layers are parsed unbuilt, their weight shapes inferred
 * from the declared input shape, and compared with the manifest; only then is the model built and filled.
 */
import type { LossKind } from '../autograd/loss_ops.js';
import { unnamedLabel } from '../layers/user_classes.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { RNN } from '../layers/recurrent.js';
import { CellRNN } from '../layers/rnn_layer.js';
import { StackedRNNCells } from '../layers/rnn_cells.js';
import { TimeDistributed } from '../layers/time_distributed.js';
import { Layer, kerasShape, snakeCase, withoutInitializers, type SymbolicShape } from '../layers/layer.js';
import { lossKind } from '../losses.js';
import { metricMismatch } from '../metrics/meters.js';
import { metricKind, metricsFromConfig } from '../metrics/registry.js';
import { registerTopologyWriter, type SaveOptions } from '../models/saving.js';
import { Functional } from '../models/functional.js';
import { Sequential } from '../models/sequential.js';
import type { TrainableModel } from '../models/trainable.js';
import { trainingConfigOf, type TrainingConfigDict } from '../models/training_config.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { optimizerClass, optimizerClassNames } from '../optimizers/registry.js';
import { globalRandom } from '../random.js';
import { ModelFormatError, ModelTooLargeError } from './errors.js';
import { checkBuildConfig, checkKeras3HardSigmoid, checkKerasOnlyLayers, checkRegisteredNames, convertKeys, declaredBatchShape, layerFromKeras, layerToKeras, withKeras2BidirectionalMasking, writtenByKeras2, writtenByTfjsOrRnnlab, type KerasLayerJSON } from './keras_config.js';
import { describe } from '../describe.js';
import { fileTrainingConfig, kerasTrainingConfig } from './keras_training.js';
import { allLayers, modelConfigFields, refuseModelWrappedTwice, functionalFromTopology, functionalTopology, functionalWeights, isNestedModelEntry, sequentialAsFunctional, type FunctionalTopology } from './functional_json.js';
import { encodeWeights, parseManifest, shardGroup, type DecodedWeight, type ManifestGroup, type WeightSpec } from './weights.js';
import { layerOrderWeights } from '../models/model_common.js';
import { optimizerConfigForOptimizerState, optimizerWeightsToSave, wantsOptimizer } from './optimizer_save.js';

export type { SaveOptions };

// Declared here, in a module the package's type declarations reach (src/io/optimizer_save.ts implements it).
declare module '../models/saving.js' {
  interface SaveOptions {
    /** tfjs's includeOptimizer: also write the optimizer's state (weights group 'optimizer') and the training config. */
    includeOptimizer?: boolean;
  }
}

export const RNNLAB_VERSION = '0.1.0';

/** A model.json's trainingConfig, as model.save writes it (src/models/training_config.ts). */
export type TrainingConfig = TrainingConfigDict;

type Topology = { class_name: 'Sequential'; config: { name: string; trainable: boolean; layers: KerasLayerJSON[] } } | FunctionalTopology;

export interface ModelJSON {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Topology & {
    keras_version: string;
    backend: string;
  };
  trainingConfig?: TrainingConfig;
  weightsManifest: ManifestGroup[];
  userDefinedMetadata?: object;
}

export interface PlannedWeight {
  name: string; shape: number[]; layer: Layer;
  /** The name of the model the file describes, which Keras 3's converter writes before each weight's ('sequential/lstm/kernel'). */
  modelName?: string;
}

// ------------------------------------------------------------------------------------ weight names and shapes

/** The weights a layer creates for an input shape, with tfjs names ('<layer>/<leaf>'), computed without building it. */
export function plannedWeights(layer: Layer, input: SymbolicShape): PlannedWeight[] {
  if (layer.weightSpecs === Layer.prototype.weightSpecs) {
    // A custom layer creates its weights in its own build: build it (drawing no values) to learn them.
    if (!layer.built || !layer.builtInputShape) withoutInitializers(() => layer.ensureBuilt(input));
    return layer.weights.map((w) => ({ name: w.name, shape: [...w.shape], layer }));
  }
  return layer.weightSpecs(input).map((s) => ({ name: `${layer.name}/${s.name}`, shape: s.shape, layer }));
}

/**
 * Every weight of a stack of (possibly unbuilt) layers fed batchInputShape, in model order; `out` holds them as they
 * are planned, so a caller sees those before a layer that failed.
 */
function planModel(layers: Layer[], batchInputShape: SymbolicShape, inputShapes: SymbolicShape[] = [], out: PlannedWeight[] = []): PlannedWeight[] {
  let shape = batchInputShape;
  layers.forEach((l, i) => {
    inputShapes.push(shape);
    try {
      out.push(...plannedWeights(l, shape));
      shape = l.computeOutputShape(shape);
    } catch (e) {
      throw new PlanError(i, l, shape, (e as Error).message);
    }
  });
  return out;
}

/** Layer `index` of a stack, given `input`, could not plan its weights or output (`reason`, the layer's own words). */
class PlanError extends ModelFormatError {
  constructor(readonly index: number, readonly layer: Layer, readonly input: SymbolicShape, readonly reason: string) {
    super(`layer ${index} ('${layer.name}', ${layer.className}) cannot take input ${kerasShape(input)}: ${reason}`);
  }

  /** Where a weight before (or of) the layer does not fit its manifest entry, which the failure follows from. */
  after(misfit: string): string {
    return `${misfit}, so layer ${this.index} ('${this.layer.name}', ${this.layer.className}) fails on input ${kerasShape(this.input)}: ${this.reason}`;
  }
}

/** The model's weights with their tfjs names, layer by layer (layerOrderWeights). */
export function namedWeights(model: TrainableModel): { name: string; shape: number[]; data: ArrayLike<number> }[] {
  // A graph's layers are no chain (a Concatenate takes two inputs): its weights are planned from its nodes.
  if (model instanceof Functional) return functionalWeights(model);
  const wrappers = new Map<unknown, string>();
  for (const l of model.layers) refuseModelWrappedTwice(l, wrappers, model.name);
  const plan = planModel(model.layers, model.inputShape);
  const vars = layerOrderWeights(model.layers);
  if (plan.length !== vars.length) throw new Error(`${model.name}: expected ${plan.length} weights from the layer configs, found ${vars.length}`);
  const owner = new Map<string, string>();
  const ownerOf = (i: number): string => model.layers.find((l) => l.weights.includes(vars[i]))?.name ?? '?';
  return plan.map((p, i) => {
    const v = vars[i];
    if (v.shape.join(',') !== p.shape.join(',')) throw new Error(`${model.name}: weight ${p.name} has shape [${v.shape}] but the config implies [${p.shape}]`);
    // A wrapped model's weights keep its own layers' names, which may be an outer layer's too (functionalWeights' check).
    const other = owner.get(p.name);
    if (other !== undefined) {
      throw new Error(`${model.name}: two different layers would save their weights as '${p.name}' (one in ${other}, one in ${ownerOf(i)}); `
        + 'tfjs files name weights by layer name alone: rename one of the layers');
    }
    owner.set(p.name, ownerOf(i));
    return { name: p.name, shape: [...v.shape], data: v.values };
  });
}

// ------------------------------------------------------------------------------------ training config

/**
 * The trainingConfig keys rnnlab reads. tfjs 4.22 refuses weighted_metrics and sample_weight_mode too ("not supported
 * yet"); rnnlab also refuses any other key rather than compile a model that would train differently.
 */
const TRAINING_CONFIG_KEYS = new Set(['loss', 'metrics', 'optimizer_config', 'loss_weights']);
const EMPTY_OK = new Set(['weighted_metrics', 'sample_weight_mode']);

function checkTrainingConfigKeys(tc: Record<string, unknown>, where: string): void {
  for (const [k, v] of Object.entries(tc)) {
    if (TRAINING_CONFIG_KEYS.has(k)) continue;
    const empty = v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
    if (EMPTY_OK.has(k) && empty) continue;
    const what = EMPTY_OK.has(k) ? `${k} = ${JSON.stringify(v)?.slice(0, 60)} is not supported` : `${k} is not a field rnnlab knows (it reads ${[...TRAINING_CONFIG_KEYS].join(', ')})`;
    throw new ModelFormatError(`${where}: trainingConfig.${what}; load with {compile: false} to load the model without its training config`);
  }
}

export function optimizerToKeras(o: Optimizer): { class_name: string; config: Record<string, unknown> } {
  return { class_name: o.kerasName, config: convertKeys(o.getConfig(), 'snake') as Record<string, unknown> };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A layer list entry's name as its config gives it, quoted, for errors. */
function entryName(e: unknown): string {
  const c = isObject(e) && isObject(e.config) ? e.config : {};
  return typeof c.name === 'string' ? `'${c.name}'` : 'an unnamed one';
}

function optimizerFromKeras(raw: unknown, where: string): Optimizer {
  if (!isObject(raw) || typeof raw.class_name !== 'string') {
    throw new ModelFormatError(`${where}: optimizer_config must be {class_name, config}, got ${describe(raw)}`);
  }
  const cfgRaw = raw.config ?? {};
  if (!isObject(cfgRaw)) throw new ModelFormatError(`${where}: optimizer_config.config must be an object`);
  const cls = optimizerClass(raw.class_name);
  if (!cls) {
    throw new ModelFormatError(`${where}: unknown optimizer '${raw.class_name}' (rnnlab has ${optimizerClassNames().join(', ')}); load with {compile: false} to skip the training config`);
  }
  try {
    // The config as the file spells it: fromConfig reads Keras's snake_case and tfjs's camelCase keys itself, so its
    // errors name a key as written (beta_1, not beta1).
    return cls.fromConfig(cfgRaw, raw.class_name);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`${where}: optimizer ${raw.class_name}: ${(e as Error).message}`);
  }
}

/**
 * A flat metric list from a saved config, per output: each output keeps the metrics that fit it (an older save
 * applied the list to every output, before compile checked the fit), and a one-line warning names those dropped.
 * Returns the list unchanged when every metric fits every output, so the metrics' names stay as saved.
 */
function fittingMetrics(model: Sequential | Functional, metrics: string[], lossOf: (output: number) => LossKind | undefined, where: string): string[] | Record<string, string[]> {
  const heads = model.outputHeads().map((h) => h.name);
  const shapes = model instanceof Functional ? model.outputs.map((o) => o.shape) : [model.built ? model.outputShape : null];
  const kept: Record<string, string[]> = {};
  const dropped: string[] = [];
  heads.forEach((name, i) => {
    const loss = lossOf(i);
    const shape = shapes[i];
    const width = shape ? shape[shape.length - 1] : null;
    kept[name] = metrics.filter((m) => {
      if (!loss || !metricMismatch(m, loss, width)) return true;
      dropped.push(`'${m}' for output '${name}'`);
      return false;
    });
  });
  if (!dropped.length) return metrics;
  console.warn(`${where}: trainingConfig: dropped metrics that do not fit their output: ${dropped.join(', ')}`);
  return Object.fromEntries(Object.entries(kept).filter(([, v]) => v.length));
}

function compileFromTrainingConfig(model: Sequential | Functional, tc: unknown, where: string): void {
  if (!isObject(tc)) throw new ModelFormatError(`${where}: trainingConfig must be an object, got ${describe(tc)}`);
  checkTrainingConfigKeys(tc, where);
  const multi = model instanceof Functional && (Array.isArray(tc.loss) || isObject(tc.loss));
  if (typeof tc.loss !== 'string' && !multi) throw new ModelFormatError(`${where}: trainingConfig.loss must be a loss name, got ${describe(tc.loss)}; load with {compile: false} and compile again`);
  const names = typeof tc.loss === 'string' ? [tc.loss] : Array.isArray(tc.loss) ? tc.loss : Object.values(tc.loss as object);
  let kinds: LossKind[];
  try {
    kinds = names.map((n) => {
      if (typeof n !== 'string') throw new Error(`trainingConfig.loss must hold loss names, got ${describe(n)}`);
      try {
        return lossKind(n);
      } catch (e) {
        // compile's "or a function" cannot help here: a file holds only the function's name.
        const known = (e as Error).message.replace(/,? or a function \(yTrue, yPred\) => loss$/, '');
        throw new Error(`${known} (a user loss function cannot be restored from its name; load with {compile: false} and compile again)`);
      }
    });
  } catch (e) { throw new ModelFormatError(`${where}: ${(e as Error).message}`); }
  const loss = model instanceof Functional && multi
    ? (Array.isArray(tc.loss) ? kinds.map(String) : Object.fromEntries(Object.keys(tc.loss as object).map((k, i) => [k, kinds[i]]))) : kinds[0];
  // tfjs and Keras write per-output metrics as {outputName: metrics}: each output gets its own back.
  // Every spelling rnnlab accepts (tfjs camelCase, Keras snake_case) is kept as saved, so logs keep their names.
  const metricName = (m: unknown): string => {
    try {
      metricKind(m, 'trainingConfig.metrics');
    } catch (e) {
      throw new ModelFormatError(`${where}: ${(e as Error).message} (a user metric function cannot be restored from its name; load with {compile: false} and compile again)`);
    }
    return m as string;
  };
  let metrics: string[] | Record<string, string[]>;
  const heads = model.outputHeads().map((h) => h.name);
  let rawMetrics = tc.metrics;
  // Keras 2 .h5 files hold one metric list per output ([[...]]): paired with the outputs in order.
  if (Array.isArray(rawMetrics) && rawMetrics.length > 0 && rawMetrics.every(Array.isArray)) {
    if (rawMetrics.length !== heads.length) {
      throw new ModelFormatError(`${where}: trainingConfig.metrics holds ${rawMetrics.length} lists (one per output) but the model has ${heads.length} output(s)`);
    }
    const lists = rawMetrics as unknown[][];
    rawMetrics = heads.length === 1 ? lists[0] : Object.fromEntries(heads.map((h, i) => [h, lists[i]]));
  }
  try {
    metrics = metricsFromConfig(rawMetrics, heads, metricName, `${where}: trainingConfig`);
  } catch (e) { throw e instanceof ModelFormatError ? e : new ModelFormatError((e as Error).message); }
  if (Array.isArray(metrics)) {
    const outputNames = model.outputHeads().map((h) => h.name);
    const lossOf = (i: number): LossKind | undefined => (typeof tc.loss === 'string' ? kinds[0]
      : Array.isArray(tc.loss) ? kinds[i] : kinds[Object.keys(tc.loss as object).indexOf(outputNames[i])]);
    metrics = fittingMetrics(model, metrics, lossOf, where);
  }
  const optimizer = optimizerFromKeras(tc.optimizer_config, `${where}: trainingConfig`);
  try {
    const lossWeights = tc.loss_weights === null ? undefined : tc.loss_weights as number[] | undefined;
    if (model instanceof Functional) model.compile({ optimizer, loss, metrics, lossWeights });
    else model.compile({ optimizer, loss: loss as string, metrics, lossWeights });
  } catch (e) {
    throw new ModelFormatError(`${where}: trainingConfig: ${(e as Error).message}; load with {compile: false} to load the model without its training config`);
  }
}

/**
 * A Keras training config that cannot be translated exactly is not read: the model loads uncompiled, as tfjs 4.22
 * loads it (tfjs reads no Keras training config), with one warning naming the field and why. Every weight still
 * loads, and nothing is compiled half-way, so no number changes silently.
 */
function compileFromKeras(model: Sequential | Functional, raw: unknown, field: 'modelTopology.training_config' | 'compile_config', where: string): void {
  try {
    compileFromTrainingConfig(model, kerasTrainingConfig(raw, field, where), `${where} (${field})`);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    const reason = e.message.replace(`${where} (${field}): `, '').replace(`${where}: `, '').replace(/;? ?(load|loading) with \{compile: false\}[^;)]*/g, '').replace(/ \(a user (metric|loss) function cannot be restored from its name\)/, '');
    console.warn(`${where}: ${field} not read, so the model loads uncompiled (compile it before fit): ${reason}`);
  }
}

// ------------------------------------------------------------------------------------ writing

export function modelToArtifacts(model: TrainableModel, opts: SaveOptions = {}): { json: ModelJSON; files: { path: string; data: Uint8Array }[] } {
  const topology = modelTopology(model);
  return artifactsOf(model, topology, model instanceof Functional ? functionalWeights(model) : namedWeights(model), opts);
}

/** model.json's modelTopology (tfjs's model.toJSON()): the layer configs, without weights or training config. */
export function modelTopology(model: TrainableModel): ModelJSON['modelTopology'] {
  let topology: Topology;
  if (model instanceof Functional) topology = functionalTopology(model);
  else {
    if (model.layers.length === 0) throw new Error(`${model.name}: cannot save a model with no layers`);
    if (!model.built) throw new Error(`${model.name}: cannot save a model that is not built; give the first layer an inputShape or fit it first`);
    // trainable: the model's own flag, which a layer's may differ from (Keras 3's Sequential.get_config writes it).
    topology = { class_name: 'Sequential', config: { name: model.name, trainable: (model as { trainable?: boolean }).trainable ?? true, layers: model.layers.map((l, i) => layerToKeras(l, i === 0 ? model.inputShape : null)) } };
  }
  const unnamed = findUnnamedClass(topology, model.name);
  if (unnamed) throw new ModelFormatError(`${unnamed.layer}: ${unnamed.field}: the class ${unnamed.label} has no static className, so a model using it cannot be saved: give the class one (the name saved in model.json) and rl.serialization.registerClass it to load the model`);
  return { ...topology, keras_version: `rnnlab ${RNNLAB_VERSION}`, backend: 'tensor_flow.js' };
}
registerTopologyWriter(modelTopology);

/** The first initializer or constraint config, in a layer's, of a user class without a static className. */
function findUnnamedClass(v: unknown, layer: string, field = ''): { layer: string; field: string; label: string } | null {
  if (Array.isArray(v)) {
    for (const x of v) { const f = findUnnamedClass(x, layer, field); if (f) return f; }
    return null;
  }
  if (!isObject(v)) return null;
  const label = unnamedLabel(v.class_name);
  if (label !== null) return { layer, field, label };
  const here = isObject(v.config) && typeof v.config.name === 'string' && typeof v.class_name === 'string' ? v.config.name : layer;
  for (const [k, x] of Object.entries(v)) { const f = findUnnamedClass(x, here, k === 'config' ? field : k); if (f) return f; }
  return null;
}

function artifactsOf(model: TrainableModel, topology: ModelJSON['modelTopology'],
  weights: { name: string; shape: number[]; data: ArrayLike<number> }[], opts: SaveOptions): { json: ModelJSON; files: { path: string; data: Uint8Array }[] } {
  // Checked before includeOptimizer reads it: below, anything but false means true, so 0 or 'no' would save it.
  const itc = opts.includeTrainingConfig;
  if (itc !== undefined && itc !== null && typeof itc !== 'boolean') {
    throw new ModelFormatError(`save: includeTrainingConfig must be true or false, got ${JSON.stringify(itc) ?? String(itc)}`);
  }
  const withOptimizer = wantsOptimizer(model, opts);
  const { specs, data } = encodeWeights(withOptimizer ? [...weights, ...optimizerWeightsToSave(model, weights)] : weights);
  const shard = opts.shardSizeBytes ?? null;
  if (shard !== null && !(Number.isInteger(shard) && shard > 0)) throw new Error(`save: shardSizeBytes must be a positive integer, got ${String(shard)}`);
  const named = opts.weightsFileName ?? null;
  // A given name also names the shards (w.bin: w-shard1of2.bin), so it is never accepted and then ignored.
  const { group, files } = named === null ? shardGroup(specs, data, shard)
    : shardGroup(specs, data, shard, named, named.replace(/\.bin$/i, '') || named);
  const json: ModelJSON = {
    format: 'layers-model',
    generatedBy: `rnnlab ${RNNLAB_VERSION}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [group],
  };
  const tc = opts.includeTrainingConfig === false || !model.loss || !model.optimizer ? undefined : trainingConfigOf(model, optimizerToKeras);
  if (tc && withOptimizer) tc.optimizer_config = optimizerConfigForOptimizerState(tc.optimizer_config, model.optimizer!);
  if (tc) json.trainingConfig = tc;
  const metadata = model.getUserDefinedMetadata?.();
  if (metadata !== undefined) json.userDefinedMetadata = metadata;
  return { json, files };
}

// ------------------------------------------------------------------------------------ reading

export interface ParsedModel {
  name: string | undefined;
  /** A Sequential config's own trainable flag (a Functional model holds its own). */
  trainable?: boolean;
  layers: Layer[];
  batchInputShape: SymbolicShape;
  plan: PlannedWeight[];
  manifest: ManifestGroup[];
  trainingConfig: unknown;
  /** Set when trainingConfig is Keras's (src/io/keras_training.ts), not tfjs's top-level one. */
  trainingField?: 'modelTopology.training_config' | 'compile_config';
  /**
   * A Sequential's leading InputLayer kept as the model's input (it stays in model.layers, as tfjs keeps it): in a
   * file tfjs or rnnlab wrote, or in a config read with keepInputLayer that no Keras wrote. One in a Keras file
   * (Keras lists one in every Sequential config and hides it), or a file of no known writer, is read for its shape only.
   */
  inputLayer?: Layer;
  /** Set for a Functional topology: the graph, already built (weights zero until buildModel fills them). */
  functional?: Functional;
}

/** Default cap on the parameters a loaded model may declare: 2^28 floats (1 GiB), far above any model here. */
export const DEFAULT_MAX_PARAMS = 2 ** 28;

export interface ParseOptions {
  /**
   * The topology is a model's config as tfjs's API takes one (Sequential.fromConfig, models.modelFromJSON), not a
   * saved file: tfjs adds each entry to the model, so a first InputLayer stays its input, unless the topology shows
   * Keras wrote it (keras_version, a Keras backend, Keras 3's module / registered_name keys), as Keras hides it.
   */
  keepInputLayer?: boolean;
}

/** Parses and checks model.json without reading weights or allocating them. */
export function parseModelJSON(json: unknown, where: string, maxParams = DEFAULT_MAX_PARAMS, opts: ParseOptions = {}): ParsedModel {
  return parseTopology(json, where, maxParams, opts);
}

/** Whether a leading InputLayer is the model's (tfjs's) or only Keras's record of the input shape; see ParseOptions. */
function keepsInputLayer(outer: Record<string, unknown>, entry: Record<string, unknown>, opts: ParseOptions): boolean {
  if (writtenByTfjsOrRnnlab(outer)) return true;
  // Keras writes keras_version and its backend in every to_json() (tfjs's backend is 'tensor_flow.js'), and Keras 3
  // module and registered_name beside every class_name, get_config() and config.json included; tfjs writes neither.
  const kerasWrote = typeof outer.keras_version === 'string' || (typeof outer.backend === 'string' && outer.backend !== 'tensor_flow.js')
    || 'module' in entry || 'registered_name' in entry;
  return opts.keepInputLayer === true && !kerasWrote;
}

/**
 * The model.json fields tfjs 4.22's loaders and tensorflowjs_converter write. The graph-model ones (modelInitializer,
 * signature, initializerSignature) mean nothing to a Layers model and tfjs's loadLayersModel drops them: refused
 * here unless empty. tfjs ignores any other key; rnnlab loads the file too, with a warning naming the keys (a
 * misspelt weightsManifest still fails, as every weight is then missing).
 */
const MODEL_JSON_KEYS = new Set(['format', 'generatedBy', 'convertedBy', 'modelTopology', 'weightsManifest', 'trainingConfig', 'userDefinedMetadata',
  'modelInitializer', 'signature', 'initializerSignature']);
const GRAPH_MODEL_KEYS = ['modelInitializer', 'signature', 'initializerSignature'];

function checkTopLevelKeys(json: Record<string, unknown>, where: string): void {
  const unknown = Object.keys(json).filter((k) => !MODEL_JSON_KEYS.has(k));
  if (unknown.length) console.warn(`${where}: not read: ${unknown.map((k) => `'${k}'`).join(', ')} (not model.json fields; tfjs's are ${[...MODEL_JSON_KEYS].join(', ')})`);
  const graph = GRAPH_MODEL_KEYS.find((k) => json[k] !== undefined && json[k] !== null && !(isObject(json[k]) && Object.keys(json[k] as object).length === 0));
  if (graph) throw new ModelFormatError(`${where}: ${graph} belongs to a graph model (tf.loadGraphModel); a Layers model has none, and rnnlab would not run it`);
  if (json.userDefinedMetadata !== undefined && json.userDefinedMetadata !== null && !isObject(json.userDefinedMetadata)) {
    throw new ModelFormatError(`${where}: userDefinedMetadata must be an object, got ${describe(json.userDefinedMetadata)}`);
  }
}

/**
 * Keras 2 under Theano saved convolution kernels flipped along their spatial axes (Theano convolves, TensorFlow
 * cross-correlates); Keras flips them when it loads such an .h5 under another backend, but tensorflowjs_converter
 * copies them as stored, so a converted Conv1D would compute another function (tfjs 4.22 loads it so, silently).
 * rnnlab refuses such a file, naming the layer, rather than guess at a flip it cannot check against Theano. Other
 * layers' weights have the same layout under every backend, so a Theano file without convolutions loads.
 */
function checkTheanoKernels(outer: Record<string, unknown>, topo: Record<string, unknown>, where: string): void {
  const backend = outer.backend ?? topo.backend;
  if (typeof backend !== 'string' || backend.toLowerCase() !== 'theano') return;
  const conv = findConvolution(topo, 0);
  if (conv) {
    throw new ModelFormatError(`${where}: modelTopology.backend is 'theano', and layer '${conv.name}' (${conv.cls}) holds a convolution kernel, which Keras 2 under Theano stores flipped and tensorflowjs_converter copies unflipped; `
      + 'load the .h5 in Keras with the TensorFlow backend (Keras flips the kernels on loading), save it again and convert that file');
  }
}

function findConvolution(v: unknown, depth: number): { name: string; cls: string } | null {
  if (depth > 64) return null;
  if (Array.isArray(v)) {
    for (const x of v) { const f = findConvolution(x, depth + 1); if (f) return f; }
    return null;
  }
  if (!isObject(v)) return null;
  const cls = v.class_name ?? v.className;
  if (typeof cls === 'string' && /Conv/.test(cls)) {
    const name = isObject(v.config) && typeof v.config.name === 'string' ? v.config.name : '?';
    return { name, cls };
  }
  for (const x of Object.values(v)) { const f = findConvolution(x, depth + 1); if (f) return f; }
  return null;
}

/** Functional models read from a Sequential file that holds a model as a layer, with that layer ('inner' (Sequential)). */
const sequentialFiles = new WeakMap<Functional, string>();

/**
 * The model-as-layer of the Sequential file `model` was read from (tfjs's seq.add(otherModel)), which rnnlab reads as
 * a Functional model since its Sequential holds layers only; undefined for any other model.
 */
export function nestingSequentialFile(model: Sequential | Functional): string | undefined {
  return model instanceof Functional ? sequentialFiles.get(model) : undefined;
}

function parseTopology(json: unknown, where: string, maxParams: number, opts: ParseOptions): ParsedModel {
  if (!isObject(json)) throw new ModelFormatError(`${where}: expected a JSON object, got ${describe(json)}`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new ModelFormatError(`${where}: format ${JSON.stringify(json.format)} is not a Layers model; rnnlab reads format 'layers-model'${json.format === 'graph-model' ? ' (a graph model is what tensorflowjs_converter writes for a SavedModel; TensorFlow.js loads it with tf.loadGraphModel)' : ''}`);
  }
  const outer = json.modelTopology;
  if (!isObject(outer)) throw new ModelFormatError(`${where}: modelTopology is missing or not an object`);
  checkKeras3HardSigmoid(json, outer, where);
  const stored: Record<string, unknown> = isObject(outer.model_config) ? outer.model_config : outer;
  const topo = writtenByKeras2(json, outer) ? withKeras2BidirectionalMasking(stored) : stored;
  const cls = topo.class_name ?? topo.className;
  // tfjs writes 'Model' for functional models in older versions, Keras 2.4+ and tfjs 'Functional'.
  checkTopLevelKeys(json, where);
  checkTheanoKernels(outer, topo, where);
  // Keras 3's compile_config is checked only when the model is compiled (src/io/keras_training.ts), so {compile: false} skips it.
  const { compile_config: _compileConfig, ...layersTopo } = topo;
  checkRegisteredNames(layersTopo, `${where}: modelTopology`);
  checkKerasOnlyLayers(layersTopo, `${where}: modelTopology`);
  const training = fileTrainingConfig(json, outer, topo);
  if (cls === 'Functional' || cls === 'Model') return { ...parseFunctional(json, topo, where, maxParams), ...training };
  if (cls === undefined && Array.isArray(topo.node)) {
    throw new ModelFormatError(`${where}: modelTopology is a TensorFlow graph (GraphDef 'node' list), not a Layers model; TensorFlow.js loads it with tf.loadGraphModel, rnnlab reads format 'layers-model'`);
  }
  if (cls !== 'Sequential') {
    throw new ModelFormatError(`${where}: modelTopology is a ${typeof cls === 'string' ? `'${cls}'` : 'model of unknown class'}; rnnlab loads Sequential and Functional models`);
  }
  const cfg = topo.config;
  // A Sequential holding a model as a layer (tfjs's seq.add(otherModel)) is a chain of calls: read it as the graph it is.
  const entries0 = Array.isArray(cfg) ? cfg : isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : [];
  const nested = entries0.find(isNestedModelEntry);
  if (nested !== undefined) {
    const parsed = parseFunctional(json, { class_name: 'Functional', config: sequentialAsFunctional(cfg as Record<string, unknown> | unknown[], where) }, where, maxParams);
    sequentialFiles.set(parsed.functional!, `${entryName(nested)} (${String(nested.class_name ?? nested.className)})`);
    return { ...parsed, ...training };
  }
  let rawLayers: unknown;
  let name: string | undefined;
  let trainable: boolean | undefined;
  if (Array.isArray(cfg)) rawLayers = cfg;
  else if (isObject(cfg)) {
    rawLayers = cfg.layers;
    ({ name, trainable } = modelConfigFields(cfg, 'Sequential', `${where}: modelTopology.config`));
  } else throw new ModelFormatError(`${where}: modelTopology.config must hold the layer list`);
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ModelFormatError(`${where}: the model has no layers (modelTopology.config.layers is empty or missing)`);
  let shape: SymbolicShape | null = null;
  let inputLayer: Layer | undefined;
  const entries = [...rawLayers];
  const first = entries[0];
  if (isObject(first) && (first.class_name ?? first.className) === 'InputLayer') {
    const c = isObject(first.config) ? first.config : {};
    shape = declaredBatchShape(c, `${where}: layer 0 (InputLayer)`);
    if (!shape) throw new ModelFormatError(`${where}: layer 0 (InputLayer) declares no batch_input_shape`);
    // Always built for its checks (sparse, ragged, dtype, unknown keys); kept as a layer only where tfjs would keep it.
    const built = layerFromKeras(first, `${where}: layer 0`);
    if (keepsInputLayer(outer, first, opts)) inputLayer = built;
    entries.shift();
    if (entries.length === 0) throw new ModelFormatError(`${where}: the model has only an InputLayer`);
  }
  const offset = rawLayers.length - entries.length;
  const declared = new Map<number, SymbolicShape>();
  const layers = entries.map((e, i) => {
    if (isObject(e) && (e.class_name ?? e.className) === 'InputLayer') {
      // As Sequential.add refuses it: tfjs would apply it to the previous output, and an InputLayer takes no input.
      const n = i + offset;
      throw new ModelFormatError(`${where}: layer ${n}: InputLayer may only come first in a Sequential model; ${entryName(e)} comes after layer ${n - 1}, ${entryName(i > 0 ? entries[i - 1] : first)}, here (an InputLayer takes no input)`);
    }
    const l = layerFromKeras(e, `${where}: layer ${i + offset}`, i === 0 ? shape : null);
    if (i === 0 || !l.batchInputShape) return l;
    // Keras and tfjs apply a later layer to the previous output whatever shape it declares (files get one when
    // input_shape was passed to several layers): parsed once for its checks, it is built without that shape.
    declared.set(i, l.batchInputShape);
    return layerFromKeras(withoutInputShape(e as Record<string, unknown>), `${where}: layer ${i + offset}`);
  });
  layers.forEach((l, i) => {
    const extra = l.extraOutputsOption();
    if (extra) {
      throw new ModelFormatError(`${where}: layer ${i + offset} ('${l.name}', ${l.className}): ${snakeCase(extra)} is not supported in a Sequential model (the extra outputs would be dropped)`);
    }
  });
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new ModelFormatError(`${where}: two layers are named '${l.name}'`);
    names.add(l.name);
  }
  const batchInputShape = layers[0].batchInputShape;
  if (!batchInputShape) {
    throw new ModelFormatError(`${where}: the first layer ('${layers[0].name}') declares no batch_input_shape, so the weights' shapes cannot be known`);
  }
  const plan: PlannedWeight[] = [];
  const inputShapes: SymbolicShape[] = [];
  try {
    planModel(layers, batchInputShape, inputShapes, plan);
  } catch (e) {
    const misfit = e instanceof PlanError ? manifestMisfit(plan, json.weightsManifest, where) : '';
    throw new ModelFormatError(`${where}: ${misfit ? (e as PlanError).after(misfit) : (e as Error).message}`);
  }
  entries.forEach((e, i) => checkBuildConfig(e, inputShapes[i], `${where}: layer ${i + offset} ('${layers[i].name}')`));
  warnIgnoredInputShapes(declared, inputShapes, layers, offset, where);
  if (isObject(cfg) && cfg.build_input_shape !== undefined && cfg.build_input_shape !== null) {
    checkBuildConfig({ build_config: { input_shape: cfg.build_input_shape } }, batchInputShape, `${where}: modelTopology.config.build_input_shape`);
  }
  checkBuildConfig(topo, batchInputShape, `${where}: modelTopology`);
  const manifest = parseManifest(json.weightsManifest ?? [], where);
  return { name, trainable, layers, batchInputShape, plan: plan.map((p) => ({ ...p, modelName: name })), manifest, ...training, ...(inputLayer ? { inputLayer } : {}) };
}

/**
 * Why a layer could not be planned, where the file's own weights say: the first weight planned before it (or for it)
 * whose manifest entry has another shape. A config that does not fit the weights saved with it (a Dense's units
 * changed) gives the layers after it another input, and their refusal ("cannot take input") names a symptom, not the
 * weight. '' when every planned weight fits its entry, or the manifest cannot be read (its own error comes later).
 */
function manifestMisfit(planned: PlannedWeight[], rawManifest: unknown, where: string): string {
  let specs: WeightSpec[];
  let paired: Map<string, WeightSpec>;
  try {
    specs = parseManifest(rawManifest ?? [], where).flatMap((g) => g.weights).filter((s) => s.group !== 'optimizer');
    paired = pairByName(specs, new Map(planned.map((p) => [p.name, p])), where).paired;
  } catch {
    return '';
  }
  const p = planned.find((w) => { const s = paired.get(w.name); return s !== undefined && !shapeEq(s.shape, w.shape); });
  if (!p) return '';
  const s = paired.get(p.name)!;
  return `weight '${s.name}' has shape [${s.shape.join(', ')}] in the weights manifest, but layer '${p.layer.name}' (${p.layer.className}) needs [${p.shape.join(', ')}] for its config (the config and the weights saved with it do not fit)`;
}

const INPUT_SHAPE_KEYS = ['batch_input_shape', 'batchInputShape', 'batch_shape', 'batchShape', 'input_shape', 'inputShape', 'batch_size', 'batchSize'];

function withoutInputShape(entry: Record<string, unknown>): Record<string, unknown> {
  const config = { ...(entry.config as Record<string, unknown>) };
  for (const k of INPUT_SHAPE_KEYS) delete config[k];
  return { ...entry, config };
}

/** null (any size) agrees with every size, as in tfjs's check of a layer's input against its declared shape. */
const shapesAgree = (a: SymbolicShape, b: SymbolicShape) => a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);

/** One warning for the later layers whose declared input shape is not what they receive (tfjs warns too, then runs them). */
function warnIgnoredInputShapes(declared: Map<number, SymbolicShape>, inputShapes: SymbolicShape[], layers: Layer[], offset: number, where: string): void {
  const clashes = [...declared].filter(([i, d]) => !shapesAgree(d, inputShapes[i]))
    .map(([i, d]) => `layer ${i + offset} ('${layers[i].name}') declares input shape ${kerasShape(d)} but receives ${kerasShape(inputShapes[i])}`);
  if (clashes.length) console.warn(`${where}: ${clashes.join('; ')}; only the first layer of a Sequential model sets its input shape (Keras and TensorFlow.js ignore the others), so the declared shape is ignored`);
}

function parseFunctional(json: Record<string, unknown>, topo: Record<string, unknown>, where: string, maxParams: number): ParsedModel {
  const outer = json.modelTopology;
  const weighted = Array.isArray(json.weightsManifest) && json.weightsManifest.length > 0;
  const modelName = isObject(topo.config) && typeof topo.config.name === 'string' ? topo.config.name : undefined;
  const misfit = (planned: PlannedWeight[]) => (weighted ? manifestMisfit(planned.map((p) => ({ ...p, modelName })), json.weightsManifest, where) : '');
  const functional = functionalFromTopology(topo, where, maxParams, isObject(outer) ? outer.keras_version : undefined, weighted, misfit);
  const layerOf = new Map(allLayers(functional).map((l) => [l.name, l]));
  // A pretrained layer a custom layer holds keeps its own name, which names no layer of this model: its holder owns it.
  const holderOf = (name: string) => allLayers(functional).find((l) => l.weights.some((v) => v.name === name));
  const plan = functionalWeights(functional).map((w) => ({ name: w.name, shape: w.shape, layer: (layerOf.get(w.name.split('/')[0]) ?? holderOf(w.name))!, modelName: functional.name }));
  const manifest = parseManifest(json.weightsManifest ?? [], where);
  return { name: functional.name, layers: functional.layers, batchInputShape: functional.inputShape, plan, manifest, trainingConfig: json.trainingConfig, functional };
}

/**
 * Layers whose weights files may scope under an inner layer or cell: Keras's 'lstm/lstm_cell/kernel',
 * 'time_distributed/dense/kernel'; and rnnlab's older files, which saved a user cell's constructor weight in a stack as
 * '<stack>/RNNCell_<i>/g' (now '<stack>/g' where its leaf is unique), in an rnn and in a StackedRNNCells used on its own.
 */
const scopesInner = (l: Layer) => l instanceof RNN || l instanceof CellRNN || l instanceof StackedRNNCells || l instanceof Bidirectional || l instanceof TimeDistributed;

/**
 * The planned names a manifest name that is not itself planned may stand for. tfjs's loadWeights drops the segment
 * just above the leaf ('time_distributed/dense/kernel' -> 'time_distributed/kernel', 'lstm/lstm_cell/kernel' ->
 * 'lstm/kernel'); here only for a layer that holds an inner layer's or cell's weights, so a Dense never takes a
 * weight scoped elsewhere. Keras 3's converter writes the model's own name in front ('sequential/lstm/kernel', the
 * cell scope may follow), so a leading segment equal to the model's name is dropped as well.
 */
function derivedNames(base: string, planned: Map<string, PlannedWeight>, modelName: string | undefined): Set<string> {
  const segs = base.split('/');
  const forms = modelName !== undefined && segs.length > 1 && segs[0] === modelName ? [segs, segs.slice(1)] : [segs];
  const out = new Set<string>();
  for (const f of forms) {
    if (f !== segs && planned.has(f.join('/'))) out.add(f.join('/'));
    if (f.length < 3) continue;
    const unscoped = [...f.slice(0, -2), f[f.length - 1]].join('/');
    const p = planned.get(unscoped);
    if (p && scopesInner(p.layer)) out.add(unscoped);
  }
  return out;
}

/** Manifest names skipped because each could stand for more than one planned weight, or several for one. */
interface Ambiguity { names: string[]; candidates: string[] }

/**
 * Each planned name with the manifest spec that names it: its own name (a ':0' suffix dropped) first, then a derived
 * name (derivedNames) taken only where it is the one a spec derives and no other spec names or derives it, so a
 * weight can never land in another weight's place. A spec paired with nothing is reported by the caller; the
 * ambiguous ones are listed so the caller can say why they were skipped.
 */
function pairByName(specs: WeightSpec[], planned: Map<string, PlannedWeight>, where: string): { paired: Map<string, WeightSpec>; ambiguous: Ambiguity[] } {
  const paired = new Map<string, WeightSpec>();
  const ambiguous: Ambiguity[] = [];
  const bases = specs.map((s) => s.name.replace(/:\d+$/, ''));
  const rest: number[] = [];
  bases.forEach((b, i) => {
    if (planned.has(b) && !paired.has(b)) paired.set(b, specs[i]);
    else rest.push(i);
  });
  const modelName = planned.values().next().value?.modelName;
  const claims = new Map<string, number[]>();
  for (const i of rest) {
    const names = derivedNames(bases[i], planned, modelName);
    if (names.size > 1) ambiguous.push({ names: [specs[i].name], candidates: [...names].sort() });
    if (names.size !== 1) continue;
    const [name] = names;
    claims.set(name, [...(claims.get(name) ?? []), i]);
  }
  const claimed = new Set<number>();
  for (const [name, by] of claims) {
    if (paired.has(name)) continue;
    if (by.length === 1) { paired.set(name, specs[by[0]]); claimed.add(by[0]); }
    else ambiguous.push({ names: by.map((i) => specs[i].name), candidates: [name] });
  }
  pairUnscoped(specs, bases, rest.filter((i) => !claimed.has(i)), planned, paired, ambiguous, where);
  return { paired, ambiguous };
}

/**
 * tfjs scopes a weight's name by its layer only inside build/apply, so a weight a custom layer adds in its
 * constructor (or after build) is named and saved bare ('v' where rnnlab says 'cw/v'). A planned weight still
 * unpaired takes the bare spec of its leaf when exactly one such spec is left and no other unpaired weight has that
 * leaf; otherwise every spec and weight involved is reported as ambiguous.
 */
function pairUnscoped(specs: WeightSpec[], bases: string[], left: number[], planned: Map<string, PlannedWeight>,
  paired: Map<string, WeightSpec>, ambiguous: Ambiguity[], where: string): void {
  const leafOf = (p: PlannedWeight) => {
    // A graph's weights are found by their name's first segment: one naming no layer could be read into nothing.
    if (!p.layer) {
      throw new ModelFormatError(`${where}: the model's weight '${p.name}' belongs to no layer of the model (no layer is named '${p.name.split('/')[0]}'), `
        + 'so it cannot be loaded: a file names a weight \'<layer>/<weight>\' (a layer a custom layer holds keeps its own name when built before the custom layer)');
    }
    return p.name.startsWith(`${p.layer.name}/`) ? p.name.slice(p.layer.name.length + 1) : undefined;
  };
  const wanting = new Map<string, string[]>();
  for (const p of planned.values()) {
    const leaf = leafOf(p);
    if (leaf !== undefined && !paired.has(p.name)) wanting.set(leaf, [...(wanting.get(leaf) ?? []), p.name]);
  }
  for (const [leaf, names] of wanting) {
    const bare = left.filter((i) => bases[i] === leaf);
    if (bare.length === 0) continue;
    if (bare.length === 1 && names.length === 1) paired.set(names[0], specs[bare[0]]);
    else if (bare.length === 1) ambiguous.push({ names: [specs[bare[0]].name], candidates: [...names].sort() });
    else for (const name of names) ambiguous.push({ names: bare.map((i) => specs[i].name), candidates: [name] });
  }
}

const quoted = (names: string[], joiner: string) => names.map((n) => `'${n}'`).join(joiner);

/** Why the ambiguous manifest names were skipped, naming each and the weights it could be; '' when none. */
function ambiguityNote(ambiguous: Ambiguity[]): string {
  if (ambiguous.length === 0) return '';
  const each = ambiguous.slice(0, 5).map((a) => a.names.length === 1
    ? `'${a.names[0]}' could be ${quoted(a.candidates, ' or ')}`
    : `${quoted(a.names, ' and ')} could each be '${a.candidates[0]}'`);
  const more = ambiguous.length > 5 ? `; … (${ambiguous.length} in all)` : '';
  return `ambiguous weights manifest names were paired with no weight (rnnlab does not guess which one they mean): ${each.join('; ')}${more}`;
}

const shapeEq = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Pairs each planned weight with the manifest spec of the same name, never by position (tfjs neither): a graph's
 * weight order is not the file's, so same-shaped weights would swap silently. Any disagreement is an error naming
 * the layer, the weight and the shapes.
 */
export function matchWeights(plan: PlannedWeight[], manifest: ManifestGroup[], where: string, maxParams = DEFAULT_MAX_PARAMS, strict = true): (WeightSpec | undefined)[] {
  const specs = matchByName(plan, manifest, where, strict);
  // Checked after matching, so a mismatch is reported as such; before anything is allocated or read.
  const params = plan.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  if (params > maxParams) {
    throw new ModelTooLargeError(`${where}: the model declares ${params} parameters, over the limit of ${maxParams} (raise it with the maxParams load option)`, params, maxParams);
  }
  return specs;
}

/** A few names of a list, quoted, for an error message. */
const someNames = (names: string[], n = 5) => names.slice(0, n).map((x) => `'${x}'`).join(', ') + (names.length > n ? `, … (${names.length} in all)` : '');

/** strict false (tfjs's load option): a planned weight the manifest lacks is left undefined, extra ones are ignored. */
function matchByName(plan: PlannedWeight[], manifest: ManifestGroup[], where: string, strict: boolean): (WeightSpec | undefined)[] {
  const specs = manifest.flatMap((g) => g.weights).filter((s) => s.group !== 'optimizer');
  const planned = new Map(plan.map((p) => [p.name, p]));
  const { paired: byName, ambiguous } = pairByName(specs, planned, where);
  const named = plan.map((p) => byName.get(p.name));
  const note = ambiguityNote(ambiguous);
  const why = note ? `; ${note}` : '';
  const desc = (p: PlannedWeight) => `layer '${p.layer.name}' (${p.layer.className})`;
  plan.forEach((p, i) => {
    const s = named[i];
    if (s && !shapeEq(s.shape, p.shape)) {
      throw new ModelFormatError(`${where}: weight '${s.name}' has shape [${s.shape.join(', ')}] in the weights manifest, but ${desc(p)} needs [${p.shape.join(', ')}]`);
    }
  });
  plan.forEach((p, i) => {
    const s = named[i];
    // decodeWeights would read int32/bool values correctly, but tfjs refuses to assign them to a float32 weight
    // (Variable.assign: dtypes must match), and so does rnnlab.
    if (s && s.dtype !== 'float32') {
      throw new ModelFormatError(`${where}: weight '${s.name}' has dtype ${s.dtype} in the weights manifest, but ${desc(p)} holds float32 weights`);
    }
  });
  const nothingMatched = plan.length > 0 && specs.length > 0 && named.every((s) => s === undefined);
  if (!strict) {
    // tfjs's strict false skips every name that matches nothing; that all of them did is worth a word.
    if (nothingMatched) console.warn(`${where}: no weight name in the weights manifest matches a weight of the model, so every weight keeps its initial value (strict: false); ${namesOfBoth(specs, plan)}${why}`);
    else if (note) {
      // Silence here would leave a layer at its initial values with no word of why.
      const left = [...new Set(ambiguous.flatMap((a) => a.candidates))].filter((c) => !byName.has(c)).sort();
      console.warn(`${where}: ${note}` +
        (left.length ? `; so ${quoted(left, ', ')} keep${left.length === 1 ? 's its initial value' : ' their initial values'} (strict: false)` : ''));
    }
    return named;
  }
  if (nothingMatched) {
    throw new ModelFormatError(`${where}: no weight name in the weights manifest matches a weight of the model (weights are paired by name, as in TensorFlow.js); ${namesOfBoth(specs, plan)}${why}`);
  }
  const missing = plan.filter((_, i) => !named[i]);
  if (missing.length) {
    const p = missing[0];
    const have = specs.length ? specs.slice(0, 8).map((s) => s.name).join(', ') + (specs.length > 8 ? ', …' : '') : 'no weights';
    throw new ModelFormatError(`${where}: missing weight '${p.name}' (shape [${p.shape.join(', ')}]) for ${desc(p)}` +
      `${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}; the weights manifest has: ${have}${why}`);
  }
  const used = new Set(named.map((s) => s!.name));
  const extra = specs.filter((s) => !used.has(s.name));
  if (extra.length) {
    throw new ModelFormatError(`${where}: the weights manifest has ${extra.length} weight(s) no layer uses: ${extra.slice(0, 5).map((s) => `'${s.name}'`).join(', ')}${why}`);
  }
  return named as WeightSpec[];
}

function namesOfBoth(specs: WeightSpec[], plan: PlannedWeight[]): string {
  return `the manifest has ${someNames(specs.map((s) => s.name))}; the model's weights are ${someNames(plan.map((p) => p.name))}`;
}

/** Builds the model from parsed artifacts and decoded weights; the global RNG is left as it was. */
export function buildModel(parsed: ParsedModel, weights: Map<string, DecodedWeight>, specs: (WeightSpec | undefined)[], opts: { compile?: boolean }, where: string): Sequential | Functional {
  const rngState = globalRandom.getState();
  let model: Sequential | Functional;
  if (parsed.functional) model = parsed.functional;
  else try {
    // The saved values overwrite every weight, so drawing initial values would only cost time (seconds for big LSTMs).
    model = withoutInitializers(() => {
      const m = new Sequential({ name: parsed.name });
      for (const l of parsed.inputLayer ? [parsed.inputLayer, ...parsed.layers] : parsed.layers) m.add(l);
      if (!m.built) m.build(parsed.batchInputShape);
      if (parsed.trainable !== undefined) m.restoreOwnTrainable(parsed.trainable);
      return m;
    });
  } catch (e) {
    throw new ModelFormatError(`${where}: ${(e as Error).message}`);
  } finally {
    globalRandom.setState(rngState);
  }
  const vars = layerOrderWeights(model.layers);
  if (vars.length !== specs.length) throw new ModelFormatError(`${where}: the model built ${vars.length} weights but ${specs.length} were planned`);
  vars.forEach((v, i) => {
    // Only a non-strict load leaves a weight without a spec: it keeps its initial value.
    const spec = specs[i];
    if (!spec) return;
    const w = weights.get(spec.name)!;
    if (v.size !== w.values.length) throw new ModelFormatError(`${where}: weight '${w.name}' has ${w.values.length} values, ${v.name} needs ${v.size}`);
    // tfjs's loadLayersModel sets them with loadWeights, through each weight's constraint (LayerVariable.write).
    v.assignConstrained(w.values);
  });
  if (opts.compile !== false && parsed.trainingConfig !== undefined && parsed.trainingConfig !== null) {
    const field = parsed.trainingField;
    if (field) compileFromKeras(model, parsed.trainingConfig, field, where);
    else compileFromTrainingConfig(model, parsed.trainingConfig, where);
  }
  return model;
}
