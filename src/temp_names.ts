/**
 * The one naming rule for the temporary files (and staging folders) rnnlab writes beside a target before renaming
 * them over it: <prefix><target's name, cut to fit>-<writer's pid>-<8 hex digits>@<host>. A leaf, so io/ (atomic
 * writes), onnx/ (export) and tasks/ (model folders) share it without importing each other.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Temporary files start with this, so a folder scan can recognise (and sweep) what a crash left behind. */
export const TEMP_PREFIX = '.rnnlab-tmp-';

/**
 * This host in temp names: a pid only means something on the machine (and pid namespace) that wrote it, and a runs
 * folder may be shared with sweep workers elsewhere. Host names are [A-Za-z0-9.-] by RFC; anything else becomes '_'.
 */
export const TEMP_HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 32) || 'unknown';

/** The longest file name most file systems take, in bytes (ext4, XFS, btrfs; APFS and NTFS count characters, never more). */
export const NAME_MAX_BYTES = 255;

// Room for the tail whatever the process: '-' + a pid of up to 10 digits + '-' + 8 hex + '@' + a host of up to 32.
// Fixed rather than this process's own, so every writer and sweeper of a host embeds a target's name the same way.
const TAIL_MAX_BYTES = 1 + 10 + 1 + 8 + 1 + 32;
const EMBED_MAX_BYTES = NAME_MAX_BYTES - Buffer.byteLength(TEMP_PREFIX) - TAIL_MAX_BYTES;
const HASH_CHARS = 8;

/** The first `bytes` bytes of s in UTF-8, cut before a character that would not fit whole. */
function cutToBytes(s: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const size = Buffer.byteLength(ch);
    if (used + size > bytes) break;
    used += size;
    end += ch.length;
  }
  return s.slice(0, end);
}

/**
 * A target's name as temp names embed it: whole where the temp name then fits NAME_MAX_BYTES, else its head cut on a
 * character boundary plus '~' and 8 hex digits of its hash, so two long names that share a head stay apart. Writers
 * name temps with it and sweeps match a temp to its target with it (embedsTarget).
 */
export function tempTargetName(name: string): string {
  if (Buffer.byteLength(name) <= EMBED_MAX_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARS);
  return `${cutToBytes(name, EMBED_MAX_BYTES - 1 - HASH_CHARS)}~${hash}`;
}

/** Whether a temp name's embedded part (see tempTargetName) is target's: its current form, or the whole name older writers embedded. */
export function embedsTarget(embedded: string, target: string): boolean {
  return embedded === target || embedded === tempTargetName(target);
}

/** A fresh temp name for the file (or folder) named `target` (a name, not a path), at most NAME_MAX_BYTES long. */
export function tempName(target: string): string {
  return `${TEMP_PREFIX}${tempTargetName(target)}-${process.pid}-${randomBytes(4).toString('hex')}@${TEMP_HOST}`;
}

/** Why a path cannot be written when the file system said ENAMETOOLONG: its name, or else its whole path, is too long. */
export function nameTooLongWords(name: string): string {
  const bytes = Buffer.byteLength(name);
  return bytes > NAME_MAX_BYTES ? `the file name is too long (${bytes} bytes; file systems take ${NAME_MAX_BYTES} at most)`
    : 'the path is too long for the file system';
}

/** The longest path the system takes, counting its closing NUL (PATH_MAX): Linux's 4096, macOS's 1024. */
export const PATH_MAX_BYTES = process.platform === 'darwin' ? 1024 : 4096;

/**
 * Why no file system can hold `target`, whatever is on disk (a folder or file name over NAME_MAX_BYTES, or the whole
 * path over PATH_MAX), in pathTooLongWords' words; null where it may. Known before any write, so a flag naming such a
 * path is refused up front rather than by the ENAMETOOLONG of its first write.
 */
export function impossiblePathWords(target: string): string | null {
  const parts = target.split(process.platform === 'win32' ? /[\\/]/ : '/');
  if (Buffer.byteLength(target) < PATH_MAX_BYTES && parts.every((p) => Buffer.byteLength(p) <= NAME_MAX_BYTES)) return null;
  return pathTooLongWords(target);
}

/**
 * Why `target` cannot be written when the file system said ENAMETOOLONG, said of the part that is too long: a folder
 * name or the file name over NAME_MAX_BYTES, else the whole path, else (the target's path fitting) the temp file's
 * path beside it, `temp`, which embeds the target's name with a tail and so can pass PATH_MAX where the target does not.
 */
export function pathTooLongWords(target: string, temp?: string): string {
  const parts = target.split(process.platform === 'win32' ? /[\\/]/ : '/');
  const last = parts.length - 1;
  const over = parts.findIndex((p) => Buffer.byteLength(p) > NAME_MAX_BYTES);
  if (over === last) return nameTooLongWords(parts[last]);
  if (over >= 0) {
    return `the folder name '${parts[over]}' is too long (${Buffer.byteLength(parts[over])} bytes; file systems take ${NAME_MAX_BYTES} at most)`;
  }
  const bytes = Buffer.byteLength(target);
  if (temp === undefined || bytes >= PATH_MAX_BYTES || Buffer.byteLength(temp) < PATH_MAX_BYTES) return nameTooLongWords(parts[last]);
  return `its path (${bytes} bytes) leaves no room for the temporary file written beside it first (${Buffer.byteLength(temp)} bytes; `
    + `paths take ${PATH_MAX_BYTES - 1} at most): a shorter folder or file name makes room`;
}
