/**
 * Crash-safe file writes: the bytes go to a temporary file in the same folder, are fsync'ed, and the file is
 * renamed over the target (atomic on POSIX file systems); the folder is fsync'ed too, so the rename itself
 * survives a power cut. A crash at any point leaves either the old file or the new one, never half of one.
 */
import { closeSync, constants as fsConstants, copyFileSync, existsSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process_alive.js';
import { describe } from '../describe.js';
import { makeFolders, rawErrnoWords } from '../local_files.js';
import { embedsTarget, pathTooLongWords, TEMP_HOST, tempName, TEMP_PREFIX } from '../temp_names.js';

export { embedsTarget, TEMP_HOST, TEMP_PREFIX } from '../temp_names.js';

/** Test hook: called with the temp path after the data is written and synced, before the rename. */
let beforeRename: ((tmp: string, target: string) => void) | null = null;
export function setBeforeRenameHook(fn: ((tmp: string, target: string) => void) | null): void {
  beforeRename = fn;
}

const TAGGED_NAME = /-(\d+)-[0-9a-f]{8}@([A-Za-z0-9._-]{1,32})$/;
/** Names written before the host was added: their writer is taken to be of this host. */
const UNTAGGED_NAME = /-(\d+)-[0-9a-f]{8}$/;

/** Who left this temp file (its pid, and its host where the name says), or null when the name is not such a temp file's. */
export function tempFileWriter(name: string): { pid: number; host: string | null } | null {
  if (!name.startsWith(TEMP_PREFIX)) return null;
  const tagged = TAGGED_NAME.exec(name);
  if (tagged) return { pid: Number(tagged[1]), host: tagged[2] };
  const old = UNTAGGED_NAME.exec(name);
  return old ? { pid: Number(old[1]), host: null } : null;
}

/** A write in progress keeps its temp file's mtime fresh; one untouched this long was left by an interrupted write. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** Whether process pid (of this host) may still be the writer of a file last written at sinceMs. */
export type WriterAlive = (pid: number, sinceMs: number) => boolean;

/**
 * The one rule for removing a temp file: it is a regular file named by writeFileAtomic, written on this host (or
 * named before hosts were), untouched for STALE_TEMP_AGE_MS, and its writer is not a live local process. Each test
 * alone can be fooled (a clock step, a reused pid, a pid from another machine or pid namespace), but a write in
 * progress never passes the age test, so nothing being written is removed. `alive` may refine the pid test (the
 * dashboard's also tells a reused pid from the writer); whatever it says, a fresh file stays.
 */
export function isStaleTempFile(file: string, alive: WriterAlive = processAlive, now = Date.now()): boolean {
  const writer = tempFileWriter(basename(file));
  if (!writer || (writer.host !== null && writer.host !== TEMP_HOST)) return false;
  try {
    const st = lstatSync(file);
    return st.isFile() && now - st.mtimeMs > STALE_TEMP_AGE_MS && !alive(writer.pid, st.mtimeMs);
  } catch {
    return false;
  }
}

/** Removes the file if it still is a stale temp file; says whether it did (false too when another sweeper was first). */
export function removeIfStaleTemp(file: string, alive: WriterAlive = processAlive): boolean {
  if (!isStaleTempFile(file, alive)) return false;
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the writers take, as fs.writeFileSync does: a string (UTF-8), or any typed array or DataView, written by its
 * bytes (a Float32Array of one value is 4 bytes). Anything else is refused: a number or an object would otherwise
 * write an empty file.
 */
export type FileData = string | ArrayBufferView;

function bytesOf(data: unknown, what: string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const shown = data instanceof ArrayBuffer ? 'an ArrayBuffer (wrap it: new Uint8Array(buffer))' : describe(data);
  throw new Error(`${what} must be a string, a Buffer, a typed array or a DataView, got ${shown}`);
}

/**
 * A failure that names no file the caller asked for (ENAMETOOLONG: the temp file's or the target's path) said of the
 * target: the temp name is never longer than NAME_MAX_BYTES, so a too-long name is the target's (or a folder's), and a
 * too-long path the target's, or where the target's fits, that of its temp file (pathTooLongWords).
 */
function sayingTarget(e: unknown, target: string, tmp: string): unknown {
  if ((e as NodeJS.ErrnoException)?.code !== 'ENAMETOOLONG') return e;
  return Object.assign(new Error(`cannot write ${target}: ${pathTooLongWords(target, tmp)}`), { code: 'ENAMETOOLONG', cause: e });
}

/** Writes and fsyncs data to a new temp file beside path; returns the temp file's path (removed again on failure). */
function writeTemp(path: string, data: FileData, what: string): string {
  const bytes = bytesOf(data, what);
  const dir = dirname(path);
  makeFolders(dir);
  const tmp = join(dir, tempName(basename(path)));
  let fd: number;
  try { fd = openSync(tmp, 'w', 0o644); } catch (e) { throw sayingTarget(e, path, tmp); }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  return tmp;
}

const removeQuietly = (f: string): void => { try { unlinkSync(f); } catch { /* already gone */ } };

/**
 * Several files that only make sense together (model.json and the weight files it describes), replaced as one: every
 * file is written and synced to a temp file first, so a full disk or a failed write changes nothing; each old file is
 * kept as a backup (a hard link, or a copy where links fail) before any rename, and a failed rename puts every old file
 * back; one that will not go back keeps its backup, and the error names it (oldFilesNotPutBack). If an old file
 * cannot be backed up, nothing is renamed and the save fails. Only a crash between two renames can mix old and new
 * files. Callers rename model.json last, so such a crash leaves the old model.json beside some new weight files: a
 * different architecture then fails to load on names or sizes, but a re-save of the same architecture keeps the same
 * file names and byte counts, and then loads the new weights partly under the old model.json silently.
 */
export function writeFilesAtomic(dir: string, files: { path: string; data: FileData }[]): void {
  const staged: { tmp: string; target: string; existed: boolean }[] = [];
  const backups: { backup: string; target: string }[] = [];
  const committed: { target: string; existed: boolean }[] = [];
  let failedAt = dir;
  try {
    for (const [i, f] of files.entries()) {
      const target = join(dir, f.path);
      failedAt = target;
      staged.push({ tmp: writeTemp(target, f.data, `writeFilesAtomic: files[${i}].data`), target, existed: false });
    }
    for (const s of staged) {
      s.existed = existsSync(s.target);
      if (!s.existed) continue;
      const backup = join(dirname(s.target), tempName(basename(s.target)));
      backupFile(s.target, backup);
      backups.push({ backup, target: s.target });
    }
    for (const { tmp, target, existed } of staged) {
      failedAt = target;
      if (beforeRename) beforeRename(tmp, target);
      try { renameSync(tmp, target); } catch (e) { throw sayingTarget(e, target, tmp); }
      committed.push({ target, existed });
    }
  } catch (e) {
    // Undo the renames: an old file comes back from its backup, a file that was not there goes away. A file that
    // was there is never removed (every one has a backup before the first rename).
    // A backup whose restore failed is the only copy of the old file left: it is kept, and the error says where.
    const notPutBack: { backup: string; target: string; why: unknown }[] = [];
    for (const { target, existed } of committed.reverse()) {
      const b = backups.find((x) => x.target === target);
      try {
        if (b) renameSync(b.backup, target); else if (!existed) unlinkSync(target);
      } catch (restoreError) {
        if (b) notPutBack.push({ ...b, why: restoreError });
      }
    }
    for (const s of staged) removeQuietly(s.tmp);
    for (const b of backups) if (!notPutBack.some((x) => x.backup === b.backup)) removeQuietly(b.backup);
    fsyncDir(dir);
    throw notPutBack.length > 0 ? oldFilesNotPutBack(e, failedAt, notPutBack) : nothingReplaced(e, failedAt);
  }
  for (const b of backups) removeQuietly(b.backup);
  fsyncDir(dir);
}

/**
 * A system's raw failure ("ENOSPC: no space left on device, write", which names no file) said of the file being
 * written, in local_files' words, and that the save changed nothing; the errno code stays for callers that branch on
 * it. Errors already worded (a folder that could not be made, a name too long, a backup refused) pass unchanged.
 */
function nothingReplaced(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !(e as Error)?.message?.startsWith(`${code}:`)) return e;
  return Object.assign(new Error(`cannot write ${target}: ${rawErrnoWords(e)}; nothing was replaced`, { cause: e }), { code });
}

/** What a user does before the next save where a failed save left an earlier copy under its backup's name. */
const SAVE_AGAIN = 'before saving there again';

/**
 * A failed save's message where the earlier copy could not be put back after it: "nothing was replaced" would send the
 * user to a place that lacks it, so the message names where it is (its backup, under a temp name), to be moved back
 * before the next save there, which removes the temp files of dead writers (sweepDeadWritersTemps), these backups
 * included. One wording for a file's backup (below) and a model folder's (src/tasks/text_output.ts).
 */
export function earlierNotPutBackMessage(p: { failure: string; earlier: string; why: string; backup: string; target: string }): string {
  return `${p.failure}, and the earlier ${p.earlier} could not be put back (${p.why}): it is in ${p.backup}; move it back to ${p.target} ${SAVE_AGAIN}`;
}

/** The failed save's error where some old files could not be put back after it (earlierNotPutBackMessage); the commit's errno code stays. */
function oldFilesNotPutBack(e: unknown, target: string, notPutBack: { backup: string; target: string; why: unknown }[]): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const raw = typeof code === 'string' && (e as Error)?.message?.startsWith(`${code}:`);
  const failure = raw ? `cannot write ${target}: ${rawErrnoWords(e)}` : ((e as Error)?.message ?? String(e));
  const [one] = notPutBack;
  const message = notPutBack.length === 1
    ? earlierNotPutBackMessage({ failure, earlier: one.target, why: rawErrnoWords(one.why), backup: one.backup, target: one.target })
    : `${failure}, and the earlier files could not be put back: ${notPutBack.map((x) => `${x.target} (${rawErrnoWords(x.why)}) is in ${x.backup}`).join(', ')}; move each back to its name ${SAVE_AGAIN}`;
  return Object.assign(new Error(message, { cause: e }), code === undefined ? {} : { code });
}

/** Keeps target's bytes at backup (a new name): a hard link where the file system allows, else a synced copy. */
function backupFile(target: string, backup: string): void {
  try {
    linkSync(target, backup);
    return;
  } catch { /* no hard links here (some FUSE/SMB mounts) or refused: copy instead */ }
  try {
    copyFileSync(target, backup, fsConstants.COPYFILE_EXCL);
    const fd = openSync(backup, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') removeQuietly(backup);
    throw new Error(`cannot back up ${target} before replacing it (${(e as Error).message}); nothing was replaced`);
  }
}

export function writeFileAtomic(path: string, data: FileData): void {
  const dir = dirname(path);
  const tmp = writeTemp(path, data, 'writeFileAtomic: data');
  try {
    if (beforeRename) beforeRename(tmp, path);
    renameSync(tmp, path);
  } catch (e) {
    // This process is alive, so no sweeper would take its temp file: it removes it itself.
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw sayingTarget(e, path, tmp);
  }
  fsyncDir(dir);
}

/**
 * The first half of writeFileAtomic, for a writer that replaces several files with few renames at the end (a run's
 * reports and record): data written and synced beside path, under a temp name; commitStaged renames it in.
 */
export function stageFile(path: string, data: FileData): string {
  return writeTemp(path, data, 'stageFile: data');
}

/** Renames a stageFile's temp file over its target (the temp file is removed if that fails). */
export function commitStaged(tmp: string, path: string): void {
  try {
    if (beforeRename) beforeRename(tmp, path);
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw sayingTarget(e, path, tmp);
  }
}

/** Removes a stageFile's temp file that will not be committed. */
export function discardStaged(tmp: string): void {
  removeQuietly(tmp);
}

/** Makes a folder's entries (a rename, a new file) durable. Not every platform allows it; that is not an error. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* Windows and some file systems refuse to fsync a directory. */
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Removes the temp files interrupted writes left in dir, by isStaleTempFile's rule; returns their paths. Model
 * saves and checkpoints call it after committing, without a lock: another process may be writing into the same
 * folder, and removing its temp file would fail its rename. A crash's leftover stays up to STALE_TEMP_AGE_MS more.
 */
export function sweepTempFiles(dir: string, alive: WriterAlive = processAlive): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.filter((n) => n.startsWith(TEMP_PREFIX)).map((n) => join(dir, n)).filter((f) => removeIfStaleTemp(f, alive));
}

/**
 * Whether the writer a file names (its pid and host) is gone: of this host, not this process, and no live process by
 * that pid. A writer of another host (or of no known host) is never taken for gone: its pid means nothing here.
 */
export function writerGone(writer: { pid: number; host: string | null }, alive: (pid: number) => boolean = processAlive): boolean {
  return writer.host === TEMP_HOST && writer.pid !== process.pid && !alive(writer.pid);
}

/**
 * Removes the temp files that earlier writes of `targets` left in dir when their process died (SIGKILL mid-save); a
 * temp name holds its target's name cut where long (tempTargetName), so `targets` is asked with that embedded form and
 * compares it with embedsTarget(embedded, name). Removed are those of this host, regular files, whose writer's pid is no
 * live process. No age test, unlike sweepTempFiles: a writer of the same names in the same folder alive now would race
 * this save for the very files anyway, and a dead one's file is never renamed. Called by a save after its commit; `kind` 'folder' removes the
 * staging folders a model-folder save (src/tasks/text_output.ts) names the same way. Returns the paths removed.
 */
export function sweepDeadWritersTemps(dir: string, targets: (embedded: string) => boolean, alive: (pid: number) => boolean = processAlive,
  kind: 'file' | 'folder' = 'file'): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const n of names) {
    const writer = tempFileWriter(n);
    if (!writer || !writerGone(writer, alive)) continue;
    const embedded = n.slice(TEMP_PREFIX.length).replace(TAGGED_NAME, '');
    if (!targets(embedded)) continue;
    const file = join(dir, n);
    try {
      const st = lstatSync(file);
      if (kind === 'file' ? !st.isFile() : !st.isDirectory()) continue;
      if (kind === 'file') unlinkSync(file);
      else rmSync(file, { recursive: true, force: true });
      removed.push(file);
    } catch { /* gone already, or another save took it */ }
  }
  return removed;
}
