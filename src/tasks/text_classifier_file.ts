/**
 * A text classifier on disk: the TensorFlow.js Layers files (model.json + weights.bin) plus rnnlab-text.json,
 * which carries what scoring raw text needs (the vectorizer with its vocabulary, maxlen and padding, and the
 * class names): Keras's TextVectorization saved beside the model. Models saved by `rnnlab imdb` (with
 * rnnlab-input.json) load too, as a two-class model on Keras's IMDb word ids.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../data/errors.js';
import { checkSpecHeader } from '../data/spec_header.js';
import { imdbEncodeRanks } from '../data/imdb_tokenize.js';
import { sharedWordIndex } from '../data/imdb_words.js';
import { padSequences, type PaddedBatch } from '../data/pad.js';
import { TextVectorizer, type TextVectorizerJSON } from '../data/text_vectorizer.js';
import { Embedding } from '../layers/index.js';
import { loadModel } from '../io/index.js';
import { INPUT_FILE, readInputSpec } from '../experiments/model_store.js';
import type { Sequential } from '../models/sequential.js';

export const TEXT_SPEC_FILE = 'rnnlab-text.json';

export interface TextClassifierSpec {
  format: 'rnnlab-text-classifier';
  version: 1;
  /** Class names by id; two classes: the sigmoid output is the probability of classes[1]. */
  classes: string[];
  vectorizer: TextVectorizerJSON;
  /** How the model was built (for the record; loading reads model.json). */
  model: { name: string; options: Record<string, unknown> };
  metrics?: Record<string, number>;
}

/** Turns raw texts into the model's [n, maxlen] input. */
export interface TextEncoder {
  maxlen: number;
  encode(texts: readonly string[]): PaddedBatch<'int32'>;
  /** Words of a text the model knows (for the "known words" count and per-word views). */
  knownWords(text: string): number;
}

export interface TextClassifier {
  dir: string;
  model: Sequential;
  classes: string[];
  encoder: TextEncoder;
  /** The parsed rnnlab-text.json, or null for an IMDb model. */
  spec: TextClassifierSpec | null;
}

/** The folder holding model.json: dir itself, or dir/model (a run folder); a path to the model.json names its folder, as for predict and export. */
export function findModelDir(dir: string): string {
  if (path.basename(dir) === 'model.json' && existsSync(dir) && statSync(dir).isFile()) return path.dirname(dir);
  for (const d of [dir, path.join(dir, 'model')]) if (existsSync(path.join(d, 'model.json'))) return d;
  throw new DataError(`${dir}: no saved model here (expected model.json, or a run folder with model/model.json)`);
}

export function validateSpec(json: unknown, file: string): TextClassifierSpec {
  const { j, bad } = checkSpecHeader(json, file, 'rnnlab-text-classifier', 1, ['classes', 'vectorizer', 'model', 'metrics']);
  const c = j.classes;
  if (!Array.isArray(c) || c.length < 2 || c.some((x) => typeof x !== 'string')) throw bad('classes', 'a list of at least two class names', c);
  if (new Set(c).size !== c.length) throw bad('classes', 'a list of distinct names', c);
  TextVectorizer.fromJSON(j.vectorizer, `${file}: vectorizer`);
  const m = j.model as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string') throw bad('model', 'an object with a name', m);
  if (j.metrics !== undefined && (typeof j.metrics !== 'object' || j.metrics === null || Array.isArray(j.metrics))) throw bad('metrics', 'an object', j.metrics);
  return json as TextClassifierSpec;
}

function checkAgainstModel(model: Sequential, classes: string[], vectorizer: TextVectorizer | null, maxlen: number, file: string): void {
  const out = model.outputShape[model.outputShape.length - 1];
  const want = classes.length === 2 ? 1 : classes.length;
  if (out !== want) throw new DataError(`${file}: ${classes.length} classes need ${want} output unit(s) but the model has ${out}`);
  const inLen = model.inputShape[1];
  if (model.inputShape.length !== 2 || (inLen !== null && inLen !== maxlen)) {
    throw new DataError(`${file}: maxlen ${maxlen} does not fit the model's input [${model.inputShape.join(', ')}]`);
  }
  const first = model.layers[0];
  if (vectorizer && first instanceof Embedding && vectorizer.vocabularySize > first.inputDim) {
    throw new DataError(`${file}: the vocabulary has ${vectorizer.vocabularySize} words but the model's Embedding takes ids below ${first.inputDim}`);
  }
}

function imdbEncoder(vocab: number, maxlen: number): TextEncoder {
  const index = sharedWordIndex();
  const ids = (t: string) => [1, ...imdbEncodeRanks(t, index).map((r) => (r + 3 < vocab ? r + 3 : 2))];
  return {
    maxlen,
    encode: (texts) => padSequences(texts.map(ids), { maxlen }),
    knownWords: (t) => imdbEncodeRanks(t, index).length,
  };
}

/**
 * A model on Keras's IMDb word ids (rnnlab imdb's, or a bare Layers model read as one) as a two-class classifier,
 * negative/positive: its sigmoid output is the probability of 'positive'. `file` names it in messages.
 */
export function imdbTextClassifier(dir: string, model: Sequential, vocab: number, maxlen: number, file = dir): TextClassifier {
  const classes = ['negative', 'positive'];
  checkAgainstModel(model, classes, null, maxlen, file);
  return { dir, model, classes, encoder: imdbEncoder(vocab, maxlen), spec: null };
}

export async function loadTextClassifier(dirOrRun: string, maxParams?: number): Promise<TextClassifier> {
  const dir = findModelDir(dirOrRun);
  const model = await loadModel(dir, maxParams === undefined ? {} : { maxParams });
  const specFile = path.join(dir, TEXT_SPEC_FILE);
  if (existsSync(specFile)) {
    let json: unknown;
    try { json = JSON.parse(readFileSync(specFile, 'utf8')); } catch (e) { throw new DataError(`${specFile}: not valid JSON (${(e as Error).message})`); }
    const spec = validateSpec(json, specFile);
    const v = TextVectorizer.fromJSON(spec.vectorizer, `${specFile}: vectorizer`);
    checkAgainstModel(model, spec.classes, v, v.maxlen!, specFile);
    const encoder: TextEncoder = {
      maxlen: v.maxlen!,
      encode: (texts) => v.encode(texts),
      knownWords: (t) => { let k = 0; for (const id of v.toSequences([t])[0]) if (id > 1) k++; return k; },
    };
    return { dir, model, classes: [...spec.classes], encoder, spec };
  }
  const imdbFile = path.join(dir, INPUT_FILE);
  if (existsSync(imdbFile)) {
    // Checked as predict checks it (every field, vocab within the Embedding, maxlen the input's length).
    const input = readInputSpec(imdbFile, model);
    return imdbTextClassifier(dir, model, input.vocab, input.maxlen, imdbFile);
  }
  throw new DataError(`${dir}: no ${TEXT_SPEC_FILE} (nor ${INPUT_FILE}): this folder holds a model but not how to turn text into its input`);
}
