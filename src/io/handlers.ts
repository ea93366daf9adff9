/**
 * TensorFlow.js's in-memory IO handlers: model.save(rl.io.withSaveHandler(fn)) hands the artifacts (topology,
 * weight specs, one weight buffer) to fn; rl.loadLayersModel(rl.io.fromMemory(...)) builds a model from them;
 * rl.models.modelFromJSON builds a model from a topology alone, with freshly drawn weights (tfjs's).
 */
import { withInitializersDrawn } from '../layers/layer.js';
import { withCustomObjects } from '../layers/serialization.js';
import { Functional } from '../models/functional.js';
import { Sequential } from '../models/sequential.js';
import type { SaveResult } from '../models/saving.js';
import type { TrainableModel } from '../models/trainable.js';
import { ModelFormatError } from './errors.js';
import { modelToArtifacts, modelTopology, parseModelJSON } from './model_json.js';
import { registerConfigCodec, type SaveOptions } from '../models/saving.js';
import { convertKeys, withMemoryForms } from './keras_config.js';

/** TensorFlow.js ModelArtifacts held in memory (what tf.io.withSaveHandler receives). */
export interface ModelArtifacts {
  modelTopology: unknown;
  weightSpecs?: unknown;
  weightData?: ArrayBuffer | ArrayBufferView | (ArrayBuffer | ArrayBufferView)[];
  trainingConfig?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  /** tfjs's other artifact fields: metadata, and the graph-model ones a Layers model must not carry (refused). */
  userDefinedMetadata?: object;
  modelInitializer?: object;
  signature?: object;
  initializerSignature?: object;
}

/** What tfjs's save handlers return; rnnlab passes on whatever the user's function returns. */
export type HandlerSaveResult = Partial<SaveResult> & Record<string, unknown>;

export interface SaveIOHandler { save(artifacts: ModelArtifacts): Promise<HandlerSaveResult> | HandlerSaveResult }
export interface LoadIOHandler { load(): Promise<ModelArtifacts> | ModelArtifacts }
export type IOHandler = SaveIOHandler | LoadIOHandler;

export function isSaveHandler(h: unknown): h is SaveIOHandler {
  return typeof h === 'object' && h !== null && typeof (h as SaveIOHandler).save === 'function';
}

export function isLoadHandler(h: unknown): h is LoadIOHandler {
  return typeof h === 'object' && h !== null && typeof (h as LoadIOHandler).load === 'function';
}

/** tf.io.withSaveHandler(fn): a handler whose save() calls fn with the model's artifacts. */
export function withSaveHandler(fn: (artifacts: ModelArtifacts) => Promise<HandlerSaveResult> | HandlerSaveResult): SaveIOHandler {
  if (typeof fn !== 'function') throw new Error('io.withSaveHandler: expected a function (artifacts) => result');
  return { save: fn };
}

/**
 * tf.io.fromMemory(artifacts) or the older fromMemory(modelTopology, weightSpecs, weightData, trainingConfig):
 * a handler whose load() resolves to those artifacts.
 */
export function fromMemory(modelArtifacts: ModelArtifacts | object, weightSpecs?: unknown, weightData?: ModelArtifacts['weightData'], trainingConfig?: unknown): LoadIOHandler {
  if (typeof modelArtifacts !== 'object' || modelArtifacts === null) throw new Error('io.fromMemory: expected model artifacts {modelTopology, weightSpecs, weightData} or a topology');
  const given = modelArtifacts as Record<string, unknown>;
  const artifacts: ModelArtifacts = 'modelTopology' in given && weightSpecs === undefined
    ? { ...(given as unknown as ModelArtifacts) }
    : { modelTopology: modelArtifacts, weightSpecs, weightData, trainingConfig };
  return { load: () => artifacts };
}

/** The artifacts tfjs's save handlers receive: the model.json fields plus all weights in one buffer. */
export function modelArtifactsOf(model: TrainableModel, opts: SaveOptions = {}): ModelArtifacts & { weightData: ArrayBuffer } {
  const { json, files } = modelToArtifacts(model, { ...opts, shardSizeBytes: null });
  const bytes = new Uint8Array(files.reduce((s, f) => s + f.data.length, 0));
  let at = 0;
  for (const f of files) { bytes.set(f.data, at); at += f.data.length; }
  return { modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: bytes.buffer, trainingConfig: json.trainingConfig,
    ...(json.userDefinedMetadata !== undefined ? { userDefinedMetadata: json.userDefinedMetadata } : {}) } as ModelArtifacts & { weightData: ArrayBuffer };
}

/** model.save(handler): builds the artifacts and returns what the handler's save() returns. */
export async function saveToHandler(model: TrainableModel, handler: SaveIOHandler, opts?: SaveOptions): Promise<HandlerSaveResult> {
  return handler.save(modelArtifactsOf(model, opts));
}

/**
 * tf.models.modelFromJSON({modelTopology}) or modelFromJSON(topology): the architecture with new weights drawn by
 * each layer's initializers. A config that names weight files is refused: load those with loadLayersModel.
 * tfjs's second argument, customObjects ({className: LayerClass}, or tfjs's [class, fromConfig] pairs), finds those
 * classes by the name the JSON gives them, ahead of those rl.serialization.registerClass filed, for this call only.
 */
export async function modelFromJSON(config: unknown, customObjects?: unknown): Promise<Sequential | Functional> {
  const where = 'modelFromJSON';
  let given = config;
  if (typeof given === 'string') {
    try { given = JSON.parse(given); } catch (e) { throw new ModelFormatError(`${where}: the string is not JSON: ${(e as Error).message}`); }
  }
  if (typeof given !== 'object' || given === null) throw new ModelFormatError(`${where}: expected {modelTopology} or a model topology object`);
  const g = given as Record<string, unknown>;
  if (g.weightsManifest !== undefined) throw new ModelFormatError(`${where}: weightsManifest is not read here (the weights would be ignored); load the files with rl.loadLayersModel`);
  const topology = 'modelTopology' in g ? g.modelTopology : g;
  return withCustomObjects(where, customObjects, () => modelFromTopology(topology, where));
}

/**
 * A model from a Keras topology ({class_name, config}) with weights drawn by its initializers. tfjs builds both
 * modelFromJSON's and Sequential.fromConfig's model by adding each config entry, so a first InputLayer stays the
 * model's input unless Keras wrote the topology (parseModelJSON's keepInputLayer).
 */
function modelFromTopology(topology: unknown, where: string): Sequential | Functional {
  const parsed = withInitializersDrawn(() => parseModelJSON({ format: 'layers-model', modelTopology: topology }, where, undefined, { keepInputLayer: true }));
  if (parsed.functional) return parsed.functional;
  const m = new Sequential({ name: parsed.name });
  for (const l of parsed.inputLayer ? [parsed.inputLayer, ...parsed.layers] : parsed.layers) m.add(l);
  if (!m.built && parsed.batchInputShape) m.build(parsed.batchInputShape);
  if (parsed.trainable !== undefined) m.restoreOwnTrainable(parsed.trainable);
  return m;
}

// model.getConfig(): the topology's config with tfjs's camelCase keys; Sequential.fromConfig(cls, config): the reverse.
registerConfigCodec({
  toConfig: (model) => withMemoryForms(() => convertKeys((modelTopology(model) as { config: unknown }).config, 'camel', `${model.name}.getConfig`) as Record<string, unknown>),
  fromConfig: (className, config, where) => {
    if (typeof config !== 'object' || config === null) throw new Error(`${where}: expected a config object {name, layers: [...]} (model.getConfig()), got ${String(config)}`);
    // Keras 1 wrote a Sequential's config as the bare list of layers.
    const c = Array.isArray(config) ? { layers: config } : config;
    return withMemoryForms(() => modelFromTopology({ class_name: className, config: convertKeys(c, 'snake', where) }, where));
  },
});
