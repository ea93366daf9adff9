/** What the text tasks write: the model folder, staged beside its final place and renamed in at the end. */
import { accessSync, constants, existsSync, lstatSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { earlierNotPutBackMessage, fsyncDir, sweepDeadWritersTemps, tempFileWriter } from '../io/atomic.js';
import { processAlive } from '../io/process_alive.js';
import { errnoWords, FOLDER_WORDS, makeFolders } from '../local_files.js';
import { embedsTarget, pathTooLongWords, tempName } from '../temp_names.js';
import type { Sequential } from '../models/sequential.js';
import { TEXT_SPEC_FILE, type TextClassifierSpec } from './text_classifier_file.js';

/**
 * The files rnnlab itself writes in a model folder: model.json, weights.bin (or tfjs's weight shards), the
 * rnnlab-*.json side files, and the temporary files of an interrupted atomic write: named as tempName names them, with
 * a writer's pid and host after the prefix (a user's `.rnnlab-tmp-notes.txt` is the user's, and refuses the save).
 */
export function isModelFolderFile(name: string): boolean {
  return /^(?:model\.json|weights\.bin|group\d+-shard\d+of\d+\.bin|rnnlab-[A-Za-z0-9_-]+\.json)$/.test(name) || tempFileWriter(name) !== null;
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
 * user put in it, or `dir` being a file) is left as it was and the save fails, naming it. So is a `dir` this process
 * cannot empty (a read-only model/): the check comes before the swap, which then cannot leave half of it behind.
 * A command that writes a run beside `dir` marks the earlier record first (markRunBeingReplaced); a library caller's
 * save touches no record.
 */
export async function saveModelFolder(dir: string, model: { save(url: string): Promise<unknown> }, files: Record<string, string>): Promise<void> {
  checkReplaceable(dir);
  const parent = path.dirname(path.resolve(dir));
  makeFolders(parent);
  removeDeadStagings(parent, path.basename(dir));
  // Named as temp files are, so a sweep reads its writer's pid and host back from the name.
  const staging = path.join(parent, tempName(path.basename(dir)));
  try {
    await model.save(`file://${staging}`);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(staging, name), text);
    if (existsSync(dir)) {
      // Checked again just before the swap: the folder may have changed while the model was saved.
      checkReplaceable(dir);
      checkEmptiable(dir);
      const old = path.join(parent, tempName(`${path.basename(dir)}-old`));
      renameSync(dir, old);
      try { renameSync(staging, dir); } catch (e) { putBack(old, dir, e); throw e; }
      // The new model is in place: an old one that will not go (changed meanwhile) is left under a temp name the next save removes.
      try { rmSync(old, { recursive: true, force: true }); } catch { /* see above */ }
    } else renameSync(staging, dir);
    fsyncDir(parent);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw saveFailure(e, dir, staging);
  }
}

/**
 * A failed write of the save in model.save's own words (src/io/atomic.ts: `cannot write FILE: why; nothing was
 * replaced`), so a full disk reads the same from the library and from a command. FILE is the model's file that could
 * not be written, named in `dir` rather than in the temp folder it was staged in (gone by now), or `dir` itself
 * for a failure of the folder's (the swap); the earlier model, if any, is in place.
 */
function saveFailure(e: unknown, dir: string, staging: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined || code.startsWith('ERR_')) return e;
  // The staging folder's name is longer than dir's: a name too long is said of dir.
  if (code === 'ENAMETOOLONG') return Object.assign(new Error(`cannot write ${dir}: ${pathTooLongWords(dir)}; nothing was replaced`), { code, cause: e });
  const said = (file: string, why: string) => Object.assign(new Error(`cannot write ${file}: ${why}; nothing was replaced`), { code, cause: e });
  const message = (e as Error).message ?? '';
  const staged = `cannot write ${staging}${path.sep}`, tail = '; nothing was replaced';
  if (message.startsWith(staged) && message.endsWith(tail)) {
    // atomic's words for a file of the staging folder (a name of the save's own: model.json, weights.bin, no ': ').
    const rest = message.slice(staged.length, -tail.length);
    const colon = rest.indexOf(': ');
    if (colon > 0) return said(path.join(dir, rest.slice(0, colon)), rest.slice(colon + 2));
  }
  // A raw failure: a side file's write (its path in the staging folder), or the swap of the folder.
  const failed = (e as NodeJS.ErrnoException).path;
  const file = typeof failed === 'string' && failed.startsWith(staging + path.sep) ? path.join(dir, failed.slice(staging.length + 1)) : dir;
  return said(file, FOLDER_WORDS[code] ?? errnoWords(e).split(staging).join(dir));
}

/**
 * The earlier model, moved aside for the swap, back as `dir` after the new one failed to go in (swapFailure). Where that
 * fails too, the earlier model is in neither place the usual words ("nothing was replaced") would send the user: the
 * error names where it is, to be moved back before the next save into that folder (which removes what dead saves left).
 * It has no errno code, so saveFailure passes it on as it is.
 */
function putBack(old: string, dir: string, swapFailure: unknown): void {
  try {
    renameSync(old, dir);
  } catch (e) {
    // Both failures in the folder words the rest of this file's messages use.
    const words = (x: unknown) => FOLDER_WORDS[(x as NodeJS.ErrnoException).code ?? ''] ?? errnoWords(x);
    throw new Error(earlierNotPutBackMessage({ failure: `cannot write ${dir}: ${words(swapFailure)}`, earlier: 'model', why: words(e), backup: old, target: dir }), { cause: e });
  }
}

/** Removes the staging and old-model folders of `base` that saves killed on this host left in parent. */
function removeDeadStagings(parent: string, base: string): void {
  sweepDeadWritersTemps(parent, (e) => embedsTarget(e, base) || embedsTarget(e, `${base}-old`), processAlive, 'folder');
}

/** Emptying `dir` after the swap needs write access to it; without it nothing is swapped and the save fails, naming it. */
function checkEmptiable(dir: string): void {
  try { accessSync(dir, constants.W_OK | constants.X_OK); } catch (e) {
    throw new Error(`cannot replace the model in ${dir}: ${errnoWords(e)} (its files could not be removed); the earlier model there was kept`);
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
