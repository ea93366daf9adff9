/** model.json + weight files on disk: the file:// half of TensorFlow.js's IO handlers, for Node. */
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { registerSaveHandler, type SaveOptions, type SaveResult, type SaveTarget } from '../models/saving.js';
import { Functional } from '../models/functional.js';
import { ModelBase } from '../models/model_base.js';
import type { Sequential } from '../models/sequential.js';
import type { TrainableModel } from '../models/trainable.js';
import { embedsTarget, fsyncDir, sweepDeadWritersTemps, sweepTempFiles, TEMP_PREFIX, writeFilesAtomic } from './atomic.js';
import { ModelFormatError } from './errors.js';
import { checkOptionKeys } from '../near_name.js';
import { withInitializersDrawn } from '../layers/layer.js';
import { buildModel, matchWeights, modelToArtifacts, nestingSequentialFile, parseModelJSON, type ModelJSON } from './model_json.js';
import { optimizerWeightsOf, restoreOptimizerWeights } from './optimizer_load.js';
import { decodeWeights, groupByteLength, type ManifestGroup, type WeightSpec } from './weights.js';
import { describe } from '../describe.js';
import { localPathOf } from '../local_files.js';
import { loadOnnxUrl, onnxPath, saveOnnx } from '../onnx/url.js';
import { specialFileWords } from '../onnx/export.js';
import { isLoadHandler, isSaveHandler, saveToHandler, type LoadIOHandler, type ModelArtifacts } from './handlers.js';

export type { ModelArtifacts };

/** Larger model.json files are refused: the topology of any real Sequential model is far smaller. */
const MAX_JSON_BYTES = 64 * 2 ** 20;

export type { SaveResult };

export interface LoadOptions {
  /** Compile with the saved trainingConfig when there is one (default true). */
  compile?: boolean;
  /** Refuse models declaring more parameters than this, before allocating anything (default 2^28). */
  maxParams?: number;
  /**
   * tfjs's strict (default true): every weight of the model must be in the file and every weight in the file must be
   * used. false: weights the file lacks keep their freshly drawn initial values, and extra weights are ignored.
   */
  strict?: boolean;
  /** tfjs's onProgress: called with fractions in [0, 1] as the weight files are read (up to 0.9), then 1 once the model is built. */
  onProgress?: (fraction: number) => void;
}

const LOAD_OPTIONS = ['compile', 'maxParams', 'strict', 'onProgress'];
/** tfjs's load options for browser and HTTP loading: refused by name (rnnlab reads file:// paths and IO handlers). */
const LOAD_REFUSED = Object.fromEntries(['requestInit', 'fetchFunc', 'weightPathPrefix', 'fromTFHub', 'weightUrlConverter', 'streamWeights']
  .map((k) => [k, 'rnnlab loads file:// paths and IO handlers, without HTTP']));

/**
 * The load options checked, once, by each public entry (loadModel, loadLayersModel, modelFromArtifacts,
 * layersModelFromArtifacts) before it hands them on: an unknown key (strictt) or one rnnlab does not implement is an
 * error naming it.
 */
function checkLoadOptions(opts: unknown, what: string): LoadOptions {
  const o = checkOptionKeys(what, opts, LOAD_OPTIONS, { refused: LOAD_REFUSED, nullIsNone: true, error: ModelFormatError });
  for (const k of ['compile', 'strict'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new ModelFormatError(`${what}: ${k} must be true or false, got ${JSON.stringify(o[k])}`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new ModelFormatError(`${what}: onProgress must be a function (fraction) => void`);
  const m = o.maxParams;
  if (m !== undefined && !(typeof m === 'number' && Number.isSafeInteger(m) && m > 0)) throw new ModelFormatError(`${what}: maxParams must be a positive integer, got ${String(m)}`);
  return o as LoadOptions;
}

/** Runs a load: strict false draws initial values (weights the file lacks keep them), else skips drawing. */
function loading<T>(opts: LoadOptions, fn: () => T): T {
  return opts.strict === false ? withInitializersDrawn(fn) : fn();
}

/** 'file://DIR', 'file:///abs/DIR', a plain path, or any of those ending in a .json file name. */
export function resolveModelPath(url: string, what: 'save' | 'load'): { dir: string; jsonName: string } {
  if (typeof url !== 'string' || url.trim() === '') throw new ModelFormatError(`${what}: expected a 'file://DIR' URL or a path, got ${JSON.stringify(url)}`);
  const local = localPathOf(url);
  if ('scheme' in local) throw new ModelFormatError(`${what}: unsupported URL scheme '${local.scheme}://'; rnnlab reads and writes file:// URLs and paths`);
  const abs = resolve(local.path);
  // Keras's own formats (model.save('m.keras') in keras.io's examples): a folder of that name would look like one.
  const keras = /\.(keras|h5|hdf5)$/i.exec(abs);
  if (keras && (what === 'save' || !isDirectory(abs))) {
    throw new ModelFormatError(`${what}: ${JSON.stringify(url)} names a Keras .${keras[1]} file, a format rnnlab does not ${what === 'save' ? 'write' : 'read'}; `
      + `rnnlab ${what === 'save' ? 'writes' : 'reads'} TensorFlow.js's model.json + weights (give a folder, 'file://DIR')${what === 'load' ? ', as tensorflowjs_converter writes from a Keras file' : ''}, or an ONNX file`);
  }
  if (abs.toLowerCase().endsWith('.json')) return { dir: dirname(abs), jsonName: basename(abs) };
  return { dir: abs, jsonName: 'model.json' };
}

function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

const SHARD_FILE = /^(weights\.bin|group\d+-shard\d+of\d+(\.bin)?)$/;

/** save's options: rnnlab's file layout, the trainingConfig switch and tfjs's includeOptimizer (src/io/optimizer_save.ts). */
const SAVE_OPTIONS = ['shardSizeBytes', 'includeTrainingConfig', 'weightsFileName', 'includeOptimizer'];
/** tfjs's SaveConfig options rnnlab does not implement: refused by name. */
const SAVE_REFUSED: Record<string, string> = {
  trainableOnly: 'model files hold every weight',
};

/** model.save('file://DIR'): model.json + weights.bin (or shards), each written atomically, model.json last. */
export async function saveModel(model: TrainableModel, url: SaveTarget, opts: SaveOptions = {}): Promise<SaveResult> {
  if (!(model instanceof ModelBase)) {
    throw new ModelFormatError(`rl.io.saveModel: model must be an rnnlab model (rl.sequential(), rl.model() or a loaded one), got ${describe(model)}`);
  }
  opts = checkOptionKeys('save', opts, SAVE_OPTIONS, { refused: SAVE_REFUSED, nullIsNone: true, error: ModelFormatError }) as SaveOptions;
  if (isSaveHandler(url)) {
    // A handler receives every weight in one buffer, as tfjs's do: file layout options have nothing to act on.
    const layout = (['shardSizeBytes', 'weightsFileName'] as const).find((k) => opts[k] !== undefined && opts[k] !== null);
    if (layout) throw new ModelFormatError(`save: option '${layout}' does not apply to an IO handler (it receives all weights in one buffer)`);
    return await saveToHandler(model, url, opts) as SaveResult;
  }
  if (typeof url !== 'string') throw new ModelFormatError("save: expected a 'file://DIR' URL, a path, or an IO handler with a save(artifacts) method");
  if (onnxPath(url) !== null) {
    refuseOnnxOptions('save', opts);
    return saveOnnx(model, url);
  }
  const { dir, jsonName } = resolveModelPath(url, 'save');
  checkWeightsFileName(opts.weightsFileName, jsonName);
  const { json, files } = modelToArtifacts(model, opts);
  const others = weightsOfOtherModels(dir, jsonName);
  refuseSharedWeights(dir, jsonName, files.map((f) => f.path), others);
  writeArtifacts(dir, jsonName, json, files, others);
  const text = JSON.stringify(json.modelTopology);
  return {
    modelPath: join(dir, jsonName),
    weightPaths: files.map((f) => join(dir, f.path)),
    modelArtifactsInfo: {
      dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: Buffer.byteLength(text),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(json.weightsManifest)), weightDataBytes: files.reduce((s, f) => s + f.data.length, 0),
    },
  };
}

/**
 * save's weightsFileName: the manifest lists it and loading reads it from the model's folder, so it must be a name
 * loading accepts (no folders, no '..', not absolute) and must not replace the model file or be taken for one.
 * Checked before anything is written.
 */
function checkWeightsFileName(name: unknown, jsonName: string): void {
  if (name === undefined || name === null) return;
  if (typeof name !== 'string' || name === '') {
    throw new ModelFormatError(`save: weightsFileName must be a non-empty file name, got ${JSON.stringify(name) ?? String(name)}`);
  }
  if (name === '.' || name === '..' || /[/\\\0]/.test(name) || /^[a-zA-Z]:/.test(name)) {
    throw new ModelFormatError(`save: weightsFileName ${JSON.stringify(name)} must be a plain file name (no folder, no '..', not absolute): the weights go beside ${jsonName}, where loading reads them`);
  }
  if (name.toLowerCase() === jsonName.toLowerCase()) {
    throw new ModelFormatError(`save: weightsFileName ${JSON.stringify(name)} is the model file's own name: ${jsonName} would replace the weights`);
  }
  if (name.toLowerCase().endsWith('.json')) {
    throw new ModelFormatError(`save: weightsFileName ${JSON.stringify(name)} ends in .json, the model files' extension (a model .json there would be replaced, and the weights taken for a model); use a name such as ${JSON.stringify(name.replace(/\.json$/i, '.bin'))}`);
  }
  if (name.startsWith(TEMP_PREFIX)) {
    throw new ModelFormatError(`save: weightsFileName ${JSON.stringify(name)} starts with ${TEMP_PREFIX}, which marks unfinished writes that are swept away`);
  }
}

/**
 * The weight files each other model .json in dir lists (file -> that .json's name). A folder may hold several
 * models (DIR/a.json beside DIR/model.json); saving one must neither overwrite nor remove the others' weights.
 * Files that are not readable JSON, or hold no weightsManifest, are not models this could break.
 */
function weightsOfOtherModels(dir: string, jsonName: string): Map<string, string> {
  const used = new Map<string, string>();
  let names: string[];
  try { names = readdirSync(dir); } catch { return used; }
  for (const n of names) {
    if (n === jsonName || !n.toLowerCase().endsWith('.json')) continue;
    for (const p of manifestPaths(join(dir, n))) if (!used.has(p)) used.set(p, n);
  }
  return used;
}

/** The weight paths a model .json lists, normalized as loading resolves them; none when it is not such a file. */
export function manifestPaths(path: string): string[] {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_JSON_BYTES) return [];
    const manifest = (JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest?: unknown })?.weightsManifest;
    if (!Array.isArray(manifest)) return [];
    return manifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths.filter((p: unknown): p is string => typeof p === 'string' && p !== '') : []))
      .map((p) => posix.normalize(p));
  } catch {
    return [];
  }
}

/** Refuses a save whose files would overwrite what another model .json in the folder uses. */
function refuseSharedWeights(dir: string, jsonName: string, paths: string[], others: Map<string, string>): void {
  const clash = [...paths, jsonName].find((p) => others.has(p));
  if (clash === undefined) return;
  const stem = jsonName.replace(/\.json$/i, '');
  throw new ModelFormatError(`save: ${join(dir, others.get(clash)!)} reads its weights from ${clash}, which saving ${jsonName} there would overwrite `
    + `(that model would then load these weights, or fail to load); nothing was written. Pass {weightsFileName: '${stem}.bin'} or save to another folder`);
}

/**
 * Writes weight files, then the .json (the commit point), then removes weight files the folder no longer needs:
 * those this .json listed before and no longer does, and for model.json any tfjs-named shard, as tfjs's layout
 * leaves only the current model's. Files another model .json lists (others) are never removed.
 */
function writeArtifacts(dir: string, jsonName: string, json: ModelJSON, files: { path: string; data: Uint8Array }[], others: Map<string, string>): void {
  const previous = manifestPaths(join(dir, jsonName));
  // All or nothing: a failure anywhere leaves the folder's previous model whole (the .json renamed last).
  writeFilesAtomic(dir, [...files, { path: jsonName, data: `${JSON.stringify(json, null, 1)}\n` }]);
  const keep = new Set(files.map((f) => f.path));
  const stale = (n: string) => !keep.has(n) && !others.has(n) && n !== jsonName && !n.includes('/') && !n.toLowerCase().endsWith('.json');
  const remove = new Set(previous.filter(stale));
  if (jsonName === 'model.json') for (const n of readdirSync(dir)) if (SHARD_FILE.test(n) && stale(n)) remove.add(n);
  for (const n of remove) { try { unlinkSync(join(dir, n)); } catch { /* gone already */ } }
  // A save killed mid-write leaves a full-size temp file per file; the next save of this model removes those at once.
  const named = [jsonName, ...keep, ...previous];
  const ours = (e: string) => named.some((n) => embedsTarget(e, n)) || (jsonName === 'model.json' && SHARD_FILE.test(e) && !others.has(e));
  sweepDeadWritersTemps(dir, ours);
  sweepTempFiles(dir);
  fsyncDir(dir);
}

export function readJSONFile(path: string, label: string, Err: new (m: string, o?: { cause?: unknown }) => Error = ModelFormatError): unknown {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Err(`${label}: ${path} is a folder, not a file`);
    // A named pipe's or a device's size is 0 ("is empty" would be wrong), and reading a pipe waits for a writer.
    const special = specialFileWords(st);
    if (special) throw new Err(`${label}: ${path} is ${special}, not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof Err) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new Err(code === 'ENOENT' ? `${label}: ${path} does not exist` : `${label}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (size === 0) throw new Err(`${label}: ${path} is empty`);
  if (size > MAX_JSON_BYTES) throw new Err(`${label}: ${path} is ${size} bytes, too large to be a model description`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Err(`${label}: ${path} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

function weightReader(dir: string, where: string): { read: (p: string) => Uint8Array; size: (p: string) => number } {
  const fail = (p: string, e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    return new ModelFormatError(code === 'ENOENT' ? `${where}: weights file '${p}' listed in the manifest is missing from ${dir}` :
      `${where}: cannot read weights file '${p}': ${(e as Error).message}`, { cause: e });
  };
  // A named pipe or a device reads as 0 bytes by its size, and reading a pipe waits for a writer: refused before either.
  const regular = (p: string) => {
    let st;
    try { st = statSync(join(dir, p)); } catch (e) { throw fail(p, e); }
    const special = specialFileWords(st);
    if (special) throw new ModelFormatError(`${where}: weights file '${p}' listed in the manifest is ${special}, not a regular file`);
    if (st.isDirectory()) throw new ModelFormatError(`${where}: weights file '${p}' listed in the manifest is a folder, not a file`);
    return st;
  };
  return {
    size: (p) => regular(p).size,
    read: (p) => { regular(p); try { return readFileSync(join(dir, p)); } catch (e) { throw fail(p, e); } },
  };
}

/** rl.loadModel('file://DIR'): reads a TensorFlow.js Layers Sequential model (rnnlab's, tfjs's, or one converted from Keras). */
export async function loadModel(url: string | LoadIOHandler, opts: LoadOptions = {}): Promise<Sequential> {
  const checked = checkLoadOptions(opts, 'loadModel');
  if (isLoadHandler(url)) return onlySequential(await handlerModel(url, checked), 'artifacts');
  if (onnxPath(url) !== null) {
    refuseOnnxOptions('loadModel', opts);
    return loadOnnxUrl(url);
  }
  return onlySequential(await layersModelAt(url, checked), url);
}

/** An ONNX file is saved and loaded with no options: the first one given is an error naming it. */
function refuseOnnxOptions(where: string, opts: object | undefined): void {
  const given = Object.keys(opts ?? {}).find((k) => (opts as Record<string, unknown>)[k] !== undefined);
  if (given !== undefined) throw new ModelFormatError(`${where}: option '${given}' does not apply to an ONNX file`);
}

/** rl.loadLayersModel('file://DIR'), as tfjs's: a Sequential or a Functional model. */
export async function loadLayersModel(url: string | LoadIOHandler, opts: LoadOptions = {}): Promise<Sequential | Functional> {
  const checked = checkLoadOptions(opts, 'loadLayersModel');
  if (isLoadHandler(url)) return handlerModel(url, checked);
  // An ONNX file loads as through rl.loadModel (a Sequential, no options), rather than read as a folder.
  if (onnxPath(url) !== null) {
    refuseOnnxOptions('loadLayersModel', opts);
    return loadOnnxUrl(url);
  }
  return layersModelAt(url, checked);
}

/** A model from an IO handler's artifacts, its optimizer state restored as from a folder. */
async function handlerModel(handler: LoadIOHandler, opts: LoadOptions): Promise<Sequential | Functional> {
  const loaded = artifactsModel(await handler.load(), opts);
  await restoreOptimizer(loaded, 'artifacts');
  return loaded.model;
}

/** loadLayersModel from a path, its options already checked. */
async function layersModelAt(url: string, opts: LoadOptions): Promise<Sequential | Functional> {
  const { dir, jsonName } = resolveModelPath(url, 'load');
  const where = jsonName === 'model.json' ? `${dir}/model.json` : join(dir, jsonName);
  const maxParams = opts.maxParams;
  const json = readJSONFile(join(dir, jsonName), 'loadModel');
  const model = loading(opts, () => {
    const parsed = parseModelJSON(json, where, maxParams);
    const specs = matchWeights(parsed.plan, parsed.manifest, where, maxParams, opts.strict !== false);
    const groups = usedGroups(parsed.manifest, specs, opts.compile !== false && parsed.trainingConfig != null);
    const reader = weightReader(dir, where);
    let read = reader.read;
    const progress = opts.onProgress;
    if (progress) {
      const total = groups.reduce((s, g) => s + g.paths.reduce((t, p) => t + reader.size(p), 0), 0);
      let done = 0;
      read = (p) => {
        const bytes = reader.read(p);
        done += bytes.length;
        progress(total > 0 ? 0.9 * Math.min(1, done / total) : 0.9);
        return bytes;
      };
    }
    const weights = decodeWeights(groups, read, where, reader.size);
    const built = withMetadata(buildModel(parsed, weights, specs, opts, where), (json as { userDefinedMetadata?: unknown }).userDefinedMetadata);
    return { model: built, optimizerWeights: optimizerWeightsOf(built, weights, specs, where) };
  });
  await restoreOptimizer(model, where);
  opts.onProgress?.(1);
  return model.model;
}

/** model.json's userDefinedMetadata onto the loaded model (tfjs's loadLayersModel does the same; checked as an object on parsing). */
function withMetadata<M extends Sequential | Functional>(model: M, metadata: unknown): M {
  if (metadata !== undefined && metadata !== null) model.setUserDefinedMetadata(metadata as object);
  return model;
}

/** Sets the optimizer state tfjs saved with includeOptimizer (tfjs's loadLayersModel does the same). */
async function restoreOptimizer(loaded: Loaded, where: string): Promise<void> {
  const { model, optimizerWeights } = loaded;
  if (!optimizerWeights || !model.optimizer) return;
  try {
    await restoreOptimizerWeights(model.optimizer, optimizerWeights);
  } catch (e) {
    throw new ModelFormatError(`${where}: the optimizer weights (weightsManifest group 'optimizer') do not fit the ${model.optimizer.kerasName} optimizer of trainingConfig: ${(e as Error).message}; load with {compile: false} to skip them`, { cause: e });
  }
}

interface Loaded { model: Sequential | Functional; optimizerWeights: ReturnType<typeof optimizerWeightsOf> }

function onlySequential(m: Sequential | Functional, where: string): Sequential {
  const nested = nestingSequentialFile(m);
  if (nested !== undefined) {
    throw new ModelFormatError(`${where}: holds a Sequential model with a model as a layer, ${nested}, which rnnlab reads as a Functional model (an rnnlab Sequential holds layers only); load it with rl.loadLayersModel (loadModel returns Sequential models)`);
  }
  if (m instanceof Functional) throw new ModelFormatError(`${where}: holds a Functional model; load it with rl.loadLayersModel (loadModel returns Sequential models)`);
  return m;
}

/** Only the groups holding weights we use: an 'optimizer' group only when the model is compiled from the file. */
function usedGroups(manifest: ManifestGroup[], specs: (WeightSpec | undefined)[], withOptimizer: boolean): ManifestGroup[] {
  const names = new Set(specs.flatMap((s) => (s ? [s.name] : [])));
  return manifest.filter((g) => g.weights.some((w) => names.has(w.name) || (withOptimizer && w.group === 'optimizer')));
}

/** Builds a model from in-memory tfjs artifacts, e.g. those a tfjs model hands to tf.io.withSaveHandler. */
export function modelFromArtifacts(a: ModelArtifacts, opts: LoadOptions = {}): Sequential {
  return onlySequential(withoutOptimizerState(artifactsModel(a, checkLoadOptions(opts, 'modelFromArtifacts')), 'modelFromArtifacts'), 'artifacts');
}

/** modelFromArtifacts for any Layers model: a Sequential or a Functional one. */
export function layersModelFromArtifacts(a: ModelArtifacts, opts: LoadOptions = {}): Sequential | Functional {
  return withoutOptimizerState(artifactsModel(a, checkLoadOptions(opts, 'layersModelFromArtifacts')), 'layersModelFromArtifacts');
}

/**
 * The synchronous loaders cannot apply saved optimizer state (tfjs's optimizer.setWeights is asynchronous), and
 * dropping it would be accepting and ignoring it: such artifacts are refused with the two ways that work.
 */
function withoutOptimizerState(loaded: Loaded, fn: string): Sequential | Functional {
  if (!loaded.optimizerWeights) return loaded.model;
  throw new ModelFormatError(`${fn}: the artifacts hold optimizer state (weightSpecs group 'optimizer', ${loaded.optimizerWeights.length} weights), which this synchronous loader cannot restore; use await rl.loadLayersModel(rl.io.fromMemory(artifacts)) to restore it, or pass {compile: false} to load the model without an optimizer`);
}

/**
 * layersModelFromArtifacts, its options already checked. The optimizer weights come back beside the model: setting
 * them is asynchronous (tfjs's optimizer.setWeights), so only the asynchronous loaders apply them; the synchronous
 * ones refuse artifacts that hold them.
 */
function artifactsModel(a: ModelArtifacts, opts: LoadOptions): Loaded {
  const where = 'artifacts';
  if (typeof a !== 'object' || a === null) throw new ModelFormatError('modelFromArtifacts: expected {modelTopology, weightSpecs, weightData}');
  // The graph-model fields tfjs's artifacts may carry are checked as in a model.json (refused unless empty).
  const { modelInitializer, signature, initializerSignature } = a;
  const json = { format: a.format, modelTopology: a.modelTopology, trainingConfig: a.trainingConfig,
    weightsManifest: [{ paths: ['weightData'], weights: a.weightSpecs ?? [] }], modelInitializer, signature, initializerSignature };
  const model = loading(opts, () => {
    const parsed = parseModelJSON(json, where, opts.maxParams);
    const specs = matchWeights(parsed.plan, parsed.manifest, where, opts.maxParams, opts.strict !== false);
    const bytes = weightDataBytes(a.weightData);
    const expected = parsed.manifest.reduce((s, g) => s + groupByteLength(g), 0);
    if (bytes.length !== expected) {
      throw new ModelFormatError(`${where}: weightData holds ${bytes.length} bytes but weightSpecs describe ${expected} (${bytes.length < expected ? 'truncated or missing data' : 'more bytes than the specs describe'})`);
    }
    const weights = decodeWeights(parsed.manifest, () => bytes, where);
    const built = withMetadata(buildModel(parsed, weights, specs, opts, where), a.userDefinedMetadata);
    return { model: built, optimizerWeights: optimizerWeightsOf(built, weights, specs, where) };
  });
  opts.onProgress?.(1);
  return model;
}

/**
 * The bytes of in-memory weightData: an ArrayBuffer, any typed array or DataView, or a list of them (tfjs's shards).
 * A view is read by its own bytes (byteOffset, byteLength): its element count is not a byte count, and its
 * buffer may hold more than the view.
 */
function weightDataBytes(wd: unknown): Uint8Array {
  if (wd === undefined || wd === null) return new Uint8Array(0);
  const one = (b: unknown, at: string): Uint8Array => {
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (b instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer)) return new Uint8Array(b);
    throw new ModelFormatError(`artifacts: ${at} must be an ArrayBuffer, a typed array or a DataView, got ${describe(b)}`);
  };
  if (!Array.isArray(wd)) return one(wd, 'weightData');
  return Buffer.concat(wd.map((b, i) => one(b, `weightData[${i}]`)));
}

registerSaveHandler(saveModel);
