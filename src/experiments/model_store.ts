/**
 * A trained IMDb model on disk, for `rnnlab predict`: the TensorFlow.js Layers files that model.save writes
 * (model.json + weights.bin, read back by rl.loadModel or tf.loadLayersModel), plus rnnlab-input.json, which
 * says how texts become the model's inputs (vocabulary, length, Keras's IMDb id scheme).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IMDB_IDS } from '../data/index.js';
import { loadModel } from '../io/index.js';
import { Embedding } from '../layers/index.js';
import type { Sequential } from '../models/sequential.js';
import type { ImdbModelName, ImdbModelOptions } from './lab_models.js';

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
  const spec: InputSpec = { format: 'rnnlab-imdb-input', version: 1, model: name, options, vocab: options.vocab, maxlen: options.maxlen,
    ...ID_SCHEME, metrics };
  writeFileSync(path.join(dir, INPUT_FILE), JSON.stringify(spec, null, 2) + '\n');
}

/** The folder holding model.json: dir itself, or dir/model (a run folder). */
export function resolveModelDir(dir: string): string | null {
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
  if (existsSync(file)) return { model, input: JSON.parse(readFileSync(file, 'utf8')) as InputSpec, dir: d };
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
