/** What the text tasks write: the model folder, staged beside its final place and renamed in at the end. */
import { existsSync, lstatSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fsyncDir, TEMP_PREFIX } from '../io/atomic.js';
import { makeFolders } from '../local_files.js';
import type { Sequential } from '../models/sequential.js';
import { TEXT_SPEC_FILE, type TextClassifierSpec } from './text_classifier_file.js';

/**
 * The files rnnlab itself writes in a model folder: model.json, weights.bin (or tfjs's weight shards), the
 * rnnlab-*.json side files, and the temporary files of an interrupted atomic write.
 */
export function isModelFolderFile(name: string): boolean {
  return /^(?:model\.json|weights\.bin|group\d+-shard\d+of\d+\.bin|rnnlab-[A-Za-z0-9_-]+\.json)$/.test(name) || name.startsWith(TEMP_PREFIX);
}

/** What in `dir` is not rnnlab's (see isModelFolderFile): the names a replacement of the folder would lose. */
export function foreignModelFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isFile() || !isModelFolderFile(e.name)).map((e) => e.name).sort();
}

/**
 * What of <out>/model a run saving its model there would replace that rnnlab did not write: model itself when it is
 * not a folder (or a link), the foreign files in it, or, before any run wrote there (earlierRun false), a non-empty
 * model/. Names are relative to out.
 */
export function modelClashes(out: string, earlierRun: boolean): string[] {
  const dir = path.join(out, 'model');
  let m;
  try { m = lstatSync(dir); } catch { return []; }
  if (!m.isDirectory()) return ['model'];
  const foreign = foreignModelFiles(dir);
  if (foreign.length) return foreign.map((n) => `model/${n}`);
  return !earlierRun && readdirSync(dir).length > 0 ? ['model/'] : [];
}

/** Saves model + rnnlab-text.json as `dir` (e.g. <out>/model); a failure leaves no half-saved model. */
export async function saveTextClassifier(dir: string, model: Sequential, spec: TextClassifierSpec): Promise<void> {
  await saveModelFolder(dir, model, { [TEXT_SPEC_FILE]: JSON.stringify(spec, null, 1) + '\n' });
}

/**
 * Saves a model plus side files (name -> text) as `dir`, staged in a temporary sibling and renamed in when complete.
 * An existing `dir` is replaced only when it holds nothing but a model rnnlab saved; anything else there (a file the
 * user put in it, or `dir` being a file) is left as it was and the save fails, naming it.
 */
export async function saveModelFolder(dir: string, model: { save(url: string): Promise<unknown> }, files: Record<string, string>): Promise<void> {
  checkReplaceable(dir);
  const parent = path.dirname(path.resolve(dir));
  makeFolders(parent);
  const staging = path.join(parent, `${TEMP_PREFIX}${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
  try {
    await model.save(`file://${staging}`);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(staging, name), text);
    if (existsSync(dir)) {
      // Checked again just before the swap: the folder may have changed while the model was saved.
      checkReplaceable(dir);
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

function checkReplaceable(dir: string): void {
  let isDir: boolean;
  try { isDir = statSync(dir).isDirectory(); } catch { return; }
  if (!isDir) throw new Error(`cannot save the model as ${dir}: a file of that name is in the way`);
  const foreign = foreignModelFiles(dir);
  if (foreign.length) {
    throw new Error(`cannot save the model in ${dir}: it holds ${foreign.map((n) => `'${n}'`).join(', ')}, which rnnlab did not write; nothing was replaced`);
  }
}
