/**
 * Local files as users name them and as the system fails on them: the one reading of a path or file:// URL that the
 * model loaders, rl.data.csv and the ONNX entries share, and errno codes in words for error messages.
 */
import { fileURLToPath } from 'node:url';

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
