/**
 * Crash-safe file writes: the bytes go to a temporary file in the same folder, are fsync'ed, and the file is
 * renamed over the target (atomic on POSIX file systems); the folder is fsync'ed too, so the rename itself
 * survives a power cut. A crash at any point leaves either the old file or the new one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Temporary files start with this, so a folder scan can recognise (and sweep) what a crash left behind. */
const TEMP_PREFIX = '.rnnlab-tmp-';

/** Test hook: called with the temp path after the data is written and synced, before the rename. */
let beforeRename: ((tmp: string, target: string) => void) | null = null;
export function setBeforeRenameHook(fn: ((tmp: string, target: string) => void) | null): void {
  beforeRename = fn;
}

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(tmp, 'w', 0o644);
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
  if (beforeRename) beforeRename(tmp, path);
  renameSync(tmp, path);
  fsyncDir(dir);
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

/** Removes temp files a crashed writer left in dir (best effort). */
export function sweepTempFiles(dir: string): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    if (n.startsWith(TEMP_PREFIX)) {
      try { unlinkSync(join(dir, n)); } catch { /* raced with another sweeper */ }
    }
  }
}
