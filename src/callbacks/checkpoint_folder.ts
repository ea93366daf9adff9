/** Whether the checkpoint callbacks can write their folder, found before training rather than after an epoch. */
import { rmdirSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { folderWriteProblem } from '../local_files.js';

/**
 * Why no checkpoint could be written under path (null if it can), in model.save's words, without writing one: a
 * templated path ('ckpt/epoch-{epoch}') is checked up to its first templated part, the folder its checkpoints go in.
 */
export function checkpointFolderProblem(path: string): { dir: string; why: string } | null {
  const parts = resolve(path).split(sep);
  const templated = parts.findIndex((p) => p.includes('{'));
  const dir = templated < 0 ? resolve(path) : parts.slice(0, templated).join(sep) || sep;
  let at = dir;
  while (!exists(at) && dirname(at) !== at) at = dirname(at);
  if (!isFolder(at)) return { dir, why: at === dir ? 'a file of that name is in the way' : 'a part of its path is a file' };
  const why = folderWriteProblem(dir);
  return why === null ? null : { dir, why };
}

/** Whether anything is at p (a path through a file, ENOTDIR, is nothing). */
function exists(p: string): boolean {
  try { statSync(p); return true; } catch { return false; }
}
const isFolder = (p: string) => statSync(p).isDirectory();

/** The outermost folder of dir's path that is not there yet (null when dir is): what a first write into dir makes. */
export function firstMissingFolder(dir: string): string | null {
  let missing: string | null = null;
  for (let at = resolve(dir); !exists(at) && dirname(at) !== at; at = dirname(at)) missing = at;
  return missing;
}

/**
 * After a failed first write into dir: removes the folders it made, from dir up to `top`, each only while empty (rmdir
 * refuses a folder with anything in it), so a save that wrote nothing leaves no empty folder behind.
 */
export function removeEmptyFolders(dir: string, top: string): void {
  for (let at = resolve(dir); ; at = dirname(at)) {
    try { rmdirSync(at); } catch { return; }
    if (at === top || dirname(at) === at) return;
  }
}
