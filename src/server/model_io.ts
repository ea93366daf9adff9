/**
 * Saving and loading the trained model of a run folder, in <run>/model/ as the CLI does: the TensorFlow.js
 * Layers files of model.save. IMDb models go through the CLI's model store, which adds how texts become ids
 * (so `rnnlab predict --model <run>/model` works on dashboard runs).
 */
import path from 'node:path';
import { resolveModelDir, saveImdbModel } from '../experiments/model_store.js';
import type { ImdbModelName } from '../experiments/lab_models.js';
import { loadModel } from '../io/index.js';
import type { Sequential } from '../models/sequential.js';

/** The folder holding the run's saved model (model.json), or null. */
export function savedModelDir(runDir: string): string | null {
  return resolveModelDir(runDir);
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

/** The model saved in a run folder, or null when there is none. Throws with the reason when it cannot be read. */
export async function loadSavedModel(runDir: string, maxParams?: number): Promise<Sequential | null> {
  const dir = resolveModelDir(runDir);
  if (!dir) return null;
  return loadModel(`file://${dir}`, maxParams === undefined ? {} : { maxParams });
}

/** What a saved model reads: a review's ids (IMDb) or a one-hot sum (addition). */
export type ModelMeta =
  | { task: 'imdb'; kind: string; vocab: number; maxlen: number }
  | { task: 'addition'; kind: string; digits: number; reverse: boolean };

export interface ModelInfo {
  /** The run id (folder name), or "fresh:<kind>" for an untrained network. */
  id: string;
  label: string;
  meta: ModelMeta;
  source: 'memory' | 'disk' | 'fresh';
  /** Headline accuracy, when known. */
  accuracy?: number | null;
  createdAt?: string;
}
