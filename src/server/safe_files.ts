/**
 * Reading files from a folder someone else may have filled (a runs folder, a model folder): only regular
 * files whose real path lies inside the root are read, asynchronously and up to a size cap. A symlink out
 * of the root, a FIFO, a device or a folder is refused without being opened for a blocking read, and no
 * error repeats an absolute path or the file's content (beyond the name of a key a JSON file gives twice).
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';
import { jsonDepth } from '../io/strict_json.js';
import { HttpError } from './http.js';

export type UnsafeReason = 'missing' | 'outside' | 'not-regular' | 'too-large' | 'unreadable' | 'bad-json';

const STATUS: Record<UnsafeReason, number> = { missing: 404, outside: 403, 'not-regular': 403, 'too-large': 413, unreadable: 500, 'bad-json': 422 };

/** Why a file inside a root was not read; `rel` is the path as given, relative to the root. */
export class UnsafeFileError extends HttpError {
  constructor(readonly reason: UnsafeReason, readonly rel: string, message: string) {
    super(STATUS[reason], message);
    this.name = 'UnsafeFileError';
  }
}

export interface ReadLimits {
  /** Largest file read; a bigger one is refused before reading. */
  maxBytes: number;
}

/** The real path of root/rel when it is inside the real root; relative paths only, no "..". */
export async function resolveInside(root: string, rel: string): Promise<string> {
  const parts = rel.split(/[\\/]/);
  if (path.isAbsolute(rel) || rel.includes('\0') || parts.some((p) => p === '..')) {
    throw new UnsafeFileError('outside', rel, 'a path that is absolute, climbs with ".." or holds a NUL byte is not read');
  }
  let realRoot: string, real: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new UnsafeFileError('missing', rel, `the folder holding ${rel} does not exist`);
  }
  try {
    real = await realpath(path.join(realRoot, rel));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR';
    throw new UnsafeFileError(missing ? 'missing' : 'unreadable', rel, missing ? `${rel} does not exist` : `${rel} cannot be read`);
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new UnsafeFileError('outside', rel, `${rel} leads outside the folder (a symbolic link?); it is not read`);
  }
  return real;
}

/** Opens a resolved path without following a last symlink and without blocking on a FIFO, and checks what it is. */
async function openRegular(real: string, rel: string, limits: ReadLimits) {
  let fh;
  try {
    fh = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UnsafeFileError('missing', rel, `${rel} does not exist`);
    if (code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') throw new UnsafeFileError('not-regular', rel, `${rel} is not a regular file; it is not read`);
    throw new UnsafeFileError('unreadable', rel, `${rel} cannot be read (${code ?? 'error'})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UnsafeFileError('not-regular', rel, `${rel} is not a regular file; it is not read`);
    if (st.size > limits.maxBytes) throw new UnsafeFileError('too-large', rel, `${rel} is ${st.size} bytes, over the limit of ${limits.maxBytes} bytes`);
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** root/rel opened for reading, with its size, or an UnsafeFileError; the caller closes the handle. */
export async function openFileInside(root: string, rel: string, limits: ReadLimits) {
  return openRegular(await resolveInside(root, rel), rel, limits);
}

/** The bytes of root/rel, or an UnsafeFileError. */
export async function readFileInside(root: string, rel: string, limits: ReadLimits): Promise<Buffer> {
  const { fh, size } = await openRegular(await resolveInside(root, rel), rel, limits);
  try {
    // One byte more than the size seen: a file that grew since the stat is still read whole, up to the cap.
    let buf = Buffer.alloc(size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length && filled <= limits.maxBytes) buf = Buffer.concat([buf, Buffer.alloc(Math.min(buf.length, limits.maxBytes + 1 - filled))]);
      if (filled > limits.maxBytes) throw new UnsafeFileError('too-large', rel, `${rel} is over the limit of ${limits.maxBytes} bytes`);
    }
    return buf.subarray(0, filled);
  } finally {
    await fh.close();
  }
}

/**
 * root/rel parsed as JSON; a parse error says where, never what the file holds. A file that gives a key twice in one
 * object is refused, naming the key: JSON.parse would keep the last silently, and the file says two things.
 */
export async function readJsonInside(root: string, rel: string, limits: ReadLimits & { maxDepth?: number }): Promise<unknown> {
  const text = (await readFileInside(root, rel, limits)).toString('utf8');
  const maxDepth = limits.maxDepth ?? 256;
  if (jsonDepth(text, maxDepth) > maxDepth) throw new UnsafeFileError('bad-json', rel, `${rel} nests arrays or objects more than ${maxDepth} levels deep`);
  try {
    return parseJsonOnce(text, rel);
  } catch (e) {
    if (e instanceof RepeatedKeyError) throw new UnsafeFileError('bad-json', rel, `${e.message}; it is not read`);
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new UnsafeFileError('bad-json', rel, `${rel} is not valid JSON${at === undefined ? '' : ` (error at byte ${at})`}`);
  }
}

/** Whether root/rel is a regular file inside the root that could be read (false for missing; throws for the rest). */
export async function regularFileInside(root: string, rel: string, limits: ReadLimits): Promise<boolean> {
  try {
    await (await openRegular(await resolveInside(root, rel), rel, limits)).fh.close();
    return true;
  } catch (e) {
    if (e instanceof UnsafeFileError && e.reason === 'missing') return false;
    throw e;
  }
}
