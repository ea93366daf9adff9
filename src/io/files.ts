/** model.json + weight files on disk: the file:// half of TensorFlow.js's IO handlers, for Node. */
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerSaveHandler, type SaveOptions, type SaveResult, type SaveTarget } from '../models/saving.js';
import { Functional } from '../models/functional.js';
import type { Sequential } from '../models/sequential.js';
import type { TrainableModel } from '../models/trainable.js';
import { fsyncDir, sweepTempFiles, writeFileAtomic } from './atomic.js';
import { ModelFormatError } from './errors.js';
import { buildModel, matchWeights, modelToArtifacts, parseModelJSON, type ModelJSON } from './model_json.js';
import { decodeWeights, type ManifestGroup, type WeightSpec } from './weights.js';
import { loadOnnxUrl, onnxPath, saveOnnx } from '../onnx/url.js';
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
}

function maxParamsOf(opts: LoadOptions): number | undefined {
  const m = opts.maxParams;
  if (m !== undefined && !(Number.isSafeInteger(m) && m > 0)) throw new ModelFormatError(`loadModel: maxParams must be a positive integer, got ${String(m)}`);
  return m;
}

/** 'file://DIR', 'file:///abs/DIR', a plain path, or any of those ending in a .json file name. */
export function resolveModelPath(url: string, what: 'save' | 'load'): { dir: string; jsonName: string } {
  if (typeof url !== 'string' || url.trim() === '') throw new ModelFormatError(`${what}: expected a 'file://DIR' URL or a path, got ${JSON.stringify(url)}`);
  let p = url;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url);
  if (scheme) {
    if (scheme[1].toLowerCase() !== 'file') throw new ModelFormatError(`${what}: unsupported URL scheme '${scheme[1]}://'; rnnlab reads and writes file:// URLs and paths`);
    p = url.startsWith('file:///') ? fileURLToPath(url) : url.slice('file://'.length);
  }
  const abs = resolve(p);
  if (abs.toLowerCase().endsWith('.json')) return { dir: dirname(abs), jsonName: basename(abs) };
  return { dir: abs, jsonName: 'model.json' };
}

const SHARD_FILE = /^(weights\.bin|group\d+-shard\d+of\d+(\.bin)?)$/;

/** model.save('file://DIR'): model.json + weights.bin (or shards), each written atomically, model.json last. */
export async function saveModel(model: TrainableModel, url: SaveTarget, opts: SaveOptions = {}): Promise<SaveResult> {
  if (isSaveHandler(url)) return await saveToHandler(model, url, opts) as SaveResult;
  if (typeof url !== 'string') throw new ModelFormatError("save: expected a 'file://DIR' URL, a path, or an IO handler with a save(artifacts) method");
  if (onnxPath(url) !== null) return saveOnnx(model, url);
  const { dir, jsonName } = resolveModelPath(url, 'save');
  const { json, files } = modelToArtifacts(model, opts);
  writeArtifacts(dir, jsonName, json, files);
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

/** Writes weight files, then model.json (the commit point), then removes shard files no longer referenced. */
function writeArtifacts(dir: string, jsonName: string, json: ModelJSON, files: { path: string; data: Uint8Array }[]): void {
  for (const f of files) writeFileAtomic(join(dir, f.path), f.data);
  writeFileAtomic(join(dir, jsonName), `${JSON.stringify(json, null, 1)}\n`);
  const keep = new Set(files.map((f) => f.path));
  if (jsonName === 'model.json') {
    for (const n of readdirSync(dir)) {
      if (SHARD_FILE.test(n) && !keep.has(n)) { try { unlinkSync(join(dir, n)); } catch { /* gone already */ } }
    }
  }
  sweepTempFiles(dir);
  fsyncDir(dir);
}

export function readJSONFile(path: string, label: string, Err: new (m: string, o?: { cause?: unknown }) => Error = ModelFormatError): unknown {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Err(`${label}: ${path} is a folder, not a file`);
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
  return {
    size: (p) => { try { return statSync(join(dir, p)).size; } catch (e) { throw fail(p, e); } },
    read: (p) => { try { return readFileSync(join(dir, p)); } catch (e) { throw fail(p, e); } },
  };
}

/** rl.loadModel('file://DIR'): reads a TensorFlow.js Layers Sequential model (rnnlab's, tfjs's, or one converted from Keras). */
export async function loadModel(url: string | LoadIOHandler, opts: LoadOptions = {}): Promise<Sequential> {
  if (isLoadHandler(url)) return modelFromArtifacts(await url.load(), opts);
  if (onnxPath(url) !== null) return loadOnnxUrl(url);
  return onlySequential(await loadLayersModel(url, opts), url);
}

/** rl.loadLayersModel('file://DIR'), as tfjs's: a Sequential or a Functional model. */
export async function loadLayersModel(url: string | LoadIOHandler, opts: LoadOptions = {}): Promise<Sequential | Functional> {
  if (isLoadHandler(url)) return layersModelFromArtifacts(await url.load(), opts);
  const { dir, jsonName } = resolveModelPath(url, 'load');
  const where = jsonName === 'model.json' ? `${dir}/model.json` : join(dir, jsonName);
  const maxParams = maxParamsOf(opts);
  const json = readJSONFile(join(dir, jsonName), 'loadModel');
  const parsed = parseModelJSON(json, where, maxParams);
  const specs = matchWeights(parsed.plan, parsed.manifest, where, maxParams);
  const groups = usedGroups(parsed.manifest, specs);
  const { read, size } = weightReader(dir, where);
  const weights = decodeWeights(groups, read, where, size);
  return buildModel(parsed, weights, specs, opts, where);
}

function onlySequential(m: Sequential | Functional, where: string): Sequential {
  if (m instanceof Functional) throw new ModelFormatError(`${where}: holds a Functional model; load it with rl.loadLayersModel (loadModel returns Sequential models)`);
  return m;
}

/** Only the groups holding weights we use (tfjs may add an 'optimizer' group we ignore). */
function usedGroups(manifest: ManifestGroup[], specs: WeightSpec[]): ManifestGroup[] {
  const names = new Set(specs.map((s) => s.name));
  return manifest.filter((g) => g.weights.some((w) => names.has(w.name)));
}

/** Builds a model from in-memory tfjs artifacts, e.g. those a tfjs model hands to tf.io.withSaveHandler. */
export function modelFromArtifacts(a: ModelArtifacts, opts: LoadOptions = {}): Sequential {
  return onlySequential(layersModelFromArtifacts(a, opts), 'artifacts');
}

/** modelFromArtifacts for any Layers model: a Sequential or a Functional one. */
export function layersModelFromArtifacts(a: ModelArtifacts, opts: LoadOptions = {}): Sequential | Functional {
  const where = 'artifacts';
  if (typeof a !== 'object' || a === null) throw new ModelFormatError('modelFromArtifacts: expected {modelTopology, weightSpecs, weightData}');
  const json = { format: a.format, modelTopology: a.modelTopology, trainingConfig: a.trainingConfig,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }] };
  const parsed = parseModelJSON(json, where, maxParamsOf(opts));
  const specs = matchWeights(parsed.plan, parsed.manifest, where, maxParamsOf(opts));
  const wd = a.weightData;
  const bytes = wd === undefined ? new Uint8Array(0) : wd instanceof Uint8Array ? wd
    : Array.isArray(wd) ? Buffer.concat(wd.map((b) => new Uint8Array(b))) : new Uint8Array(wd);
  const weights = decodeWeights(parsed.manifest, () => bytes, where);
  return buildModel(parsed, weights, specs, opts, where);
}

registerSaveHandler(saveModel);
