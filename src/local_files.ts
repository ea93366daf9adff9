/**
 * Local files as users name them and as the system fails on them: the one reading of a path or file:// URL that the
 * model loaders, rl.data.csv and the ONNX entries share, errno codes in words for error messages, and folders made
 * one level at a time.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAME_MAX_BYTES, nameTooLongWords } from './temp_names.js';

/**
 * A path, or a file:// URL as one ('file:///abs/x' as pathToFileURL writes it, %20 for a space; 'file://x' a relative
 * path); any other scheme (http, https) is returned by name for the caller to refuse in its own words.
 */
export function localPathOf(url: string): { path: string } | { scheme: string } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url);
  if (!scheme) return { path: url };
  if (scheme[1].toLowerCase() !== 'file') return { scheme: scheme[1] };
  return { path: /^file:\/\/\//i.test(url) ? fileURLToPath(url) : url.slice('file://'.length) };
}

/** Why a file could not be read, in words: the common errno codes said plainly, any other by its message. */
export function errnoWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error)?.message ?? String(e);
}

/** Why a folder could not be made or written, in words, by the errno code (also the run folder's late write failures). */
export const FOLDER_WORDS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the file system is read-only', ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up', ENOTDIR: 'a part of its path is a file', EEXIST: 'a file of that name is in the way',
};

/** Why a write into a folder failed, in words: the folder gone (ENOENT), else by FOLDER_WORDS or errnoWords. */
export function folderWriteWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' ? 'the folder is gone' : FOLDER_WORDS[code ?? ''] ?? errnoWords(e);
}

/**
 * A raw errno failure ("ENOSPC: no space left on device, write") in words ("no space left on the device"); a message
 * already worded (a FolderError's, naming the folder) as it is.
 */
export function rawErrnoWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = (e as Error)?.message ?? String(e);
  return code !== undefined && FOLDER_WORDS[code] && message.startsWith(`${code}:`) ? FOLDER_WORDS[code] : message;
}

/** An error making a folder: says which folder and why, and keeps the errno code for callers that branch on it. */
export class FolderError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'FolderError';
  }
}

function isFolder(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** Why dir could not be made, in words: ENAMETOOLONG by its name's length (temp_names.ts's words), else as FOLDER_WORDS. */
function mkdirWords(dir: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENAMETOOLONG') return nameTooLongWords(path.basename(dir));
  return FOLDER_WORDS[code ?? ''] ?? (e as Error)?.message ?? String(e);
}

/** The FolderError of a failed mkdir of dir. */
export function folderError(dir: string, e: unknown): FolderError {
  const code = (e as NodeJS.ErrnoException)?.code;
  // mkdir fails with ENOENT although the folder above exists on file systems that take no new folders (/proc).
  const why = code === 'ENOENT' && existsSync(path.dirname(dir)) ? `no folder can be made in ${path.dirname(dir)}` : mkdirWords(dir, e);
  return new FolderError(`cannot make the folder ${dir}: ${why}`, code);
}

/**
 * Makes dir and every missing folder above it, one level at a time, as mkdirSync(dir, { recursive: true }) would;
 * returns the outermost folder it made (undefined when dir existed). Not Node's recursive mkdir: under a file system
 * that takes no new folders it retries forever, synchronously, deaf even to Ctrl-C. A failure is a FolderError.
 */
export function makeFolders(dir: string): string | undefined {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !existsSync(at) && path.dirname(at) !== at; at = path.dirname(at)) missing.unshift(at);
  const made: string[] = [];
  for (const at of missing) {
    try {
      mkdirSync(at);
      made.push(at);
    } catch (e) {
      // Made meanwhile by another process: fine when it is a folder (not a file, nor a link leading nowhere), and
      // not this call's to report (a caller removing what it made must leave another run's folder alone).
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && isFolder(at)) continue;
      // A failure deeper down (a name too long) leaves nothing of this call's behind: the folders above it are empty.
      for (const m of made.reverse()) { try { rmdirSync(m); } catch { break; } }
      throw folderError(at, e);
    }
  }
  const outermost = made[0];
  if (!isFolder(dir)) throw folderError(path.resolve(dir), Object.assign(new Error('EEXIST'), { code: 'EEXIST' }));
  return outermost;
}

/**
 * Why no files could be written in dir, made first if missing (null when they can), found without leaving anything
 * behind: the nearest folder of dir's path that exists must be a folder this process may write, and where dir is
 * still to be made, a trial folder made and at once removed there must succeed (some file systems refuse new
 * folders whatever the permissions say).
 */
export function folderWriteProblem(dir: string): string | null {
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  if (!isFolder(at)) return `${at} is a file`;
  try { accessSync(at, constants.W_OK | constants.X_OK); } catch (e) { return folderWords(e, at); }
  // An existing dir gets no trial: it would change the folder's modification time, and a refused run must leave an
  // earlier --out exactly as it was (root, whom access() never refuses, then learns of /proc or /sys at the end).
  if (at === path.resolve(dir)) return null;
  // A name no file system takes (ENAMETOOLONG) would pass the trial below, made with a short name.
  for (let up = path.resolve(dir); up !== at; up = path.dirname(up)) {
    if (Buffer.byteLength(path.basename(up)) > NAME_MAX_BYTES) return nameTooLongWords(path.basename(up));
  }
  const trial = path.join(at, `.rnnlab-trial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try { mkdirSync(trial); } catch (e) { return folderWords(e, at, trial); }
  // The trial folder is empty and this process's own: a failure to remove it is no reason to refuse --out.
  try { rmdirSync(trial); } catch { /* left as an empty hidden folder */ }
  return null;
}

/** Why no folder can be made in `at` (an existing folder), `made` the one tried there, if any. */
function folderWords(e: unknown, at: string, made = at): string {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT' ? `no folder can be made in ${at}` : mkdirWords(made, e);
}
