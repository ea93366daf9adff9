/** What the text tasks write: the model folder, staged beside its final place and renamed in at the end. */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fsyncDir, TEMP_PREFIX } from '../io/atomic.js';
import type { Sequential } from '../models/sequential.js';
import { TEXT_SPEC_FILE, type TextClassifierSpec } from './text_classifier_file.js';

/** Saves model + rnnlab-text.json as `dir` (e.g. <out>/model); a failure leaves no half-saved model. */
export async function saveTextClassifier(dir: string, model: Sequential, spec: TextClassifierSpec): Promise<void> {
  await saveModelFolder(dir, model, { [TEXT_SPEC_FILE]: JSON.stringify(spec, null, 1) + '\n' });
}

/** Saves a model plus side files (name -> text) as `dir`, staged in a temporary sibling and renamed in when complete. */
export async function saveModelFolder(dir: string, model: { save(url: string): Promise<unknown> }, files: Record<string, string>): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  const staging = path.join(parent, `${TEMP_PREFIX}${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
  try {
    await model.save(`file://${staging}`);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(staging, name), text);
    if (existsSync(dir)) {
      const old = `${staging}-old`;
      renameSync(dir, old);
      renameSync(staging, dir);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(staging, dir);
    fsyncDir(parent);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
