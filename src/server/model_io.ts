/**
 * Saving and loading the trained model of a run folder, in <run>/model/ as the CLI does: the TensorFlow.js
 * Layers files of model.save. IMDb models go through the CLI's model store, which adds how texts become ids
 * (so `rnnlab predict --model <run>/model` works on dashboard runs).
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { resolveModelDir, saveImdbModel } from '../experiments/model_store.js';
import type { ImdbModelName } from '../experiments/lab_models.js';
import { loadModel } from '../io/index.js';
import type { Sequential } from '../models/sequential.js';
import type { Num } from '../report/record.js';
import { loadTextClassifier, type TextClassifier } from '../tasks/text_classifier_file.js';
import type { JobConfig } from './job_spec.js';

/** The folder holding the run's saved model (model.json), or null. */
export function savedModelDir(runDir: string): string | null {
  return resolveModelDir(runDir);
}

/** The most entries checkModelFiles walks: a model folder holds a handful of files. */
const MAX_MODEL_ENTRIES = 10_000;

/**
 * A run folder from someone else must not make the server read elsewhere or block: the model folder's real path lies
 * inside the run folder, and every entry in it, in its sub-folders too (a weights manifest may name one), is a regular
 * file or a folder (no symlink, no FIFO: the weights are read with blocking calls that follow links). The error never
 * says where a link led.
 */
function checkModelFiles(runDir: string, modelDir: string): void {
  const root = realpathSync(runDir);
  const real = realpathSync(modelDir);
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error('the model folder leads outside the run folder');
  const folders = [''];
  let seen = 0;
  while (folders.length) {
    const rel = folders.pop()!;
    for (const name of readdirSync(path.join(modelDir, rel))) {
      if (++seen > MAX_MODEL_ENTRIES) throw new Error(`the model folder holds more than ${MAX_MODEL_ENTRIES} entries`);
      const entry = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(modelDir, entry));
      if (st.isDirectory()) folders.push(entry);
      else if (!st.isFile()) throw new Error(`${entry} in the model folder is not a regular file`);
    }
  }
}

/** Saves the trained model into <runDir>/model. */
export async function saveRunModel(runDir: string, model: Sequential, meta: ModelMeta, options: Record<string, unknown>, metrics?: Record<string, number>): Promise<void> {
  const dir = path.join(runDir, 'model');
  if (meta.task === 'imdb') {
    await saveImdbModel(dir, model, meta.kind as ImdbModelName, { ...options, vocab: meta.vocab, maxlen: meta.maxlen }, metrics);
  } else {
    await model.save(`file://${dir}`);
  }
}

/**
 * Saves a dashboard job's trained model into <runDir>/model, with the options the CLI's model store records. The
 * job's own process does this (job_child.ts): a large model is then neither copied to the server nor rebuilt and
 * written there, which would hold up its event loop for seconds.
 */
export async function saveJobModel(runDir: string, c: JobConfig, model: Sequential, meta: ModelMeta, metrics: Record<string, Num>): Promise<void> {
  const options = c.task === 'imdb' ? { embeddingDim: c.embeddingDim, units: c.units, maskZero: c.maskZero,
    ...(c.layers !== undefined ? { layers: c.layers } : {}), ...(c.dropout !== undefined ? { dropout: c.dropout } : {}) } : {};
  const finite = Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
  await saveRunModel(runDir, model, meta, options, finite);
}

/** The model saved in a run folder, or null when there is none. Throws with the reason when it cannot be read. */
export async function loadSavedModel(runDir: string, maxParams?: number): Promise<Sequential | null> {
  const dir = resolveModelDir(runDir);
  if (!dir) return null;
  checkModelFiles(runDir, dir);
  return loadModel(`file://${dir}`, maxParams === undefined ? {} : { maxParams });
}

/**
 * The text classifier of a `rnnlab train` run, loaded as `rnnlab predict --model RUN` loads it (model.json with
 * rnnlab-text.json), after the checks every run model gets here: its files stay inside the run folder, and a model
 * declaring more than maxParams parameters is refused by the load itself, before any weight is read. Null when the
 * folder holds no model.
 */
export async function loadSavedTextClassifier(runDir: string, maxParams?: number): Promise<TextClassifier | null> {
  const dir = resolveModelDir(runDir);
  if (!dir) return null;
  checkModelFiles(runDir, dir);
  return loadTextClassifier(dir, maxParams);
}

/** What a saved lab model reads: a review's ids (IMDb) or a one-hot sum (addition). */
export type ModelMeta =
  | { task: 'imdb'; kind: string; vocab: number; maxlen: number }
  | { task: 'addition'; kind: string; digits: number; reverse: boolean };

/** A `rnnlab train` classifier reads raw text, which its own vectorizer turns into ids; `classes` in the model's order. */
export interface TextModelMeta { task: 'text'; kind: string; classes: string[]; maxlen: number | null }

/** What any model the dashboard serves reads. */
export type ServedModelMeta = ModelMeta | TextModelMeta;

export interface ModelInfo {
  /** The run id (folder name), or "fresh:<kind>" for an untrained network. */
  id: string;
  label: string;
  meta: ServedModelMeta;
  source: 'disk' | 'fresh';
  /** Headline accuracy, when known. */
  accuracy?: number | null;
  createdAt?: string;
}
