/**
 * A trained IMDb model on disk, for `rnnlab predict`: the TensorFlow.js Layers files that model.save writes
 * (model.json + weights.bin, read back by rl.loadModel or tf.loadLayersModel), plus rnnlab-input.json, which
 * says how texts become the model's inputs (vocabulary, length, Keras's IMDb id scheme).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IMDB_IDS } from '../data/index.js';
import { loadModel } from '../io/index.js';
import { ModelFormatError } from '../io/errors.js';
import { Embedding } from '../layers/index.js';
import type { Sequential } from '../models/sequential.js';
import { IMDB_MODELS, type ImdbModelName, type ImdbModelOptions } from './lab_models.js';

export const INPUT_FILE = 'rnnlab-input.json';

/** Keras's IMDb id scheme, as rnnlab-input.json records it. */
const ID_SCHEME = { indexFrom: IMDB_IDS.indexFrom, startChar: IMDB_IDS.start, oovChar: IMDB_IDS.oov, padding: 'pre', truncating: 'pre' } as const;

export interface InputSpec {
  format: 'rnnlab-imdb-input';
  version: 1;
  model: ImdbModelName | null;
  options?: ImdbModelOptions;
  /** Keras's IMDb ids: rank + indexFrom, <START> = 1, <UNK> = 2, padded and cut at the front to maxlen. */
  vocab: number;
  maxlen: number;
  indexFrom: 3;
  startChar: 1;
  oovChar: 2;
  padding: 'pre';
  truncating: 'pre';
  metrics?: Record<string, number>;
}

export async function saveImdbModel(dir: string, model: Sequential, name: ImdbModelName, options: ImdbModelOptions & { vocab: number; maxlen: number },
  metrics?: Record<string, number>): Promise<void> {
  await model.save(dir);
  writeFileSync(path.join(dir, INPUT_FILE), imdbInputFile(name, options, metrics));
}

/** rnnlab-input.json's text for a model of `name` (rnnlab imdb saves it staged beside the model, as train does). */
export function imdbInputFile(name: ImdbModelName, options: ImdbModelOptions & { vocab: number; maxlen: number }, metrics?: Record<string, number>): string {
  const spec: InputSpec = { format: 'rnnlab-imdb-input', version: 1, model: name, options, vocab: options.vocab, maxlen: options.maxlen,
    ...ID_SCHEME, metrics };
  return JSON.stringify(spec, null, 2) + '\n';
}

/** The folder holding model.json: dir itself, or dir/model (a run folder). */
export function resolveModelDir(dir: string): string | null {
  // A path to the model.json itself names its folder (users pass the file as often as the folder).
  if (path.basename(dir) === 'model.json') {
    try {
      if (statSync(dir).isFile()) return path.dirname(dir);
    } catch { /* not there: no model */ }
    return null;
  }
  for (const d of [dir, path.join(dir, 'model')]) {
    try {
      if (statSync(d).isDirectory() && existsSync(path.join(d, 'model.json'))) return d;
    } catch { /* try the next */ }
  }
  return null;
}

/** Loads the model; without rnnlab-input.json (a model saved elsewhere) the input length and vocabulary come from its first layer. */
export async function loadImdbModel(dir: string): Promise<{ model: Sequential; input: InputSpec; dir: string }> {
  const d = resolveModelDir(dir);
  if (!d) throw new Error(`no saved model in ${dir} (expected model.json, or a run folder with model/model.json)`);
  const model = await loadModel(d);
  const file = path.join(d, INPUT_FILE);
  if (existsSync(file)) return { model, input: readInputSpec(file, model), dir: d };
  const shape = model.inputShape;
  const first = model.layers[0];
  if (shape.length !== 2 || typeof shape[1] !== 'number') {
    throw new Error(`${d}: the model reads input of shape [${shape.join(', ')}], not (batch, ids); it is not a text model rnnlab predict can feed`);
  }
  return {
    model, dir: d,
    input: { format: 'rnnlab-imdb-input', version: 1, model: null, vocab: first instanceof Embedding ? first.inputDim : 10000, maxlen: shape[1],
      ...ID_SCHEME },
  };
}

/** rnnlab-input.json is small; anything bigger is not one. */
const MAX_INPUT_SPEC_BYTES = 1 << 20;
const MAX_VOCAB = 10_000_000;
const MAX_MAXLEN = 1_000_000;
const FIXED = { format: 'rnnlab-imdb-input', version: 1, indexFrom: 3, startChar: 1, oovChar: 2, padding: 'pre', truncating: 'pre' } as const;
const OPTIONAL = new Set(['options', 'metrics']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads and checks rnnlab-input.json as strictly as model.json: every field known, of its type and range,
 * and consistent with the model (maxlen its input length, vocab within its Embedding).
 */
export function readInputSpec(file: string, model: Sequential): InputSpec {
  const fail = (why: string) => new ModelFormatError(`${file}: ${why}`);
  if (statSync(file).size > MAX_INPUT_SPEC_BYTES) throw fail(`larger than ${MAX_INPUT_SPEC_BYTES} bytes; this is not an rnnlab-input.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw fail(`not valid JSON (${(e as Error).message.split('\n')[0].slice(0, 200)})`);
  }
  if (!isObject(raw)) throw fail('must hold a JSON object');
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(FIXED, key) && !OPTIONAL.has(key) && key !== 'model' && key !== 'vocab' && key !== 'maxlen') throw fail(`unknown field ${JSON.stringify(key)}`);
  }
  const field = (key: string) => (Object.hasOwn(raw as Json, key) ? (raw as Json)[key] : undefined);
  for (const [key, value] of Object.entries(FIXED)) {
    if (field(key) !== value) throw fail(`field '${key}' must be ${JSON.stringify(value)}, got ${describe(field(key))}`);
  }
  const model_ = field('model');
  if (model_ !== null && !(IMDB_MODELS as readonly unknown[]).includes(model_)) throw fail(`field 'model' must be null or one of ${IMDB_MODELS.join(', ')}, got ${describe(model_)}`);
  const integer = (key: string, min: number, max: number): number => {
    const v = field(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw fail(`field '${key}' must be an integer from ${min} to ${max}, got ${describe(v)}`);
    return v;
  };
  const first = model.layers[0];
  const embeddingDim = first instanceof Embedding ? first.inputDim : MAX_VOCAB;
  // Ids below 4 are padding, start, out-of-vocabulary and the first word; ids at or above the Embedding's inputDim have no row.
  const vocab = integer('vocab', 4, Math.min(MAX_VOCAB, embeddingDim));
  const length = model.inputShape[1];
  const maxlen = typeof length === 'number' ? integer('maxlen', length, length) : integer('maxlen', 1, MAX_MAXLEN);
  const options = field('options');
  const metrics = field('metrics');
  if (options !== undefined && !(isObject(options) && Object.values(options).every((v) => ['number', 'boolean', 'string'].includes(typeof v)))) {
    throw fail("field 'options' must be an object of numbers, booleans and strings");
  }
  if (metrics !== undefined && !(isObject(metrics) && Object.values(metrics).every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw fail("field 'metrics' must be an object of finite numbers");
  }
  return { ...FIXED, model: model_ as ImdbModelName | null, vocab, maxlen, options: options as ImdbModelOptions | undefined, metrics: metrics as Record<string, number> | undefined };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
