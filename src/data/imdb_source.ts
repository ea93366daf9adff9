import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { downloadFile } from './download.js';
import { DataError } from './errors.js';
import { envFlag, envPath } from '../env.js';

export const IMDB_FILE = 'aclImdb_v1.tar.gz';
export const IMDB_URL = 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz';
/** Size of the official tarball; only downloads are checked against it (local copies may differ). */
export const IMDB_SIZE = 84_125_825;

export interface SourceOptions {
  /** The tarball, or a folder holding aclImdb_v1.tar.gz (the CLI's --data). */
  path?: string;
  /** Where the download and the derived-array cache live; else RNNLAB_CACHE, else ~/.cache/rnnlab. */
  cacheDir?: string;
  /** Allow the download from Stanford; false also when RNNLAB_OFFLINE=1. */
  download?: boolean;
  /** Download URL and size, for mirrors (and tests against a local server). */
  url?: string;
  expectedSize?: number;
  progress?: boolean;
  /** Environment to read RNNLAB_DATA / RNNLAB_CACHE / RNNLAB_OFFLINE from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export function resolveCacheDir(options: Pick<SourceOptions, 'cacheDir' | 'env'> = {}): string {
  const env = options.env ?? process.env;
  if (options.cacheDir) return resolve(options.cacheDir);
  if (envPath('RNNLAB_CACHE', env)) return resolve(envPath('RNNLAB_CACHE', env)!);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'rnnlab');
  return join(homedir(), '.cache', 'rnnlab');
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A file as given, or aclImdb_v1.tar.gz inside a folder. */
function locate(p: string): string | undefined {
  const abs = resolve(p);
  if (isFile(abs)) return abs;
  if (isDir(abs) && isFile(join(abs, IMDB_FILE))) return join(abs, IMDB_FILE);
  return undefined;
}

function offline(env: NodeJS.ProcessEnv): boolean {
  return envFlag('RNNLAB_OFFLINE', env);
}

/**
 * Finds the tarball: 1. `path`, 2. RNNLAB_DATA, 3. the cache folder, 4. download into the cache folder.
 * An explicit path or RNNLAB_DATA that does not hold the file is an error rather than a silent fallback.
 */
export async function resolveImdbTarball(options: SourceOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const cacheDir = resolveCacheDir(options);
  const url = options.url ?? IMDB_URL;
  const checked: string[] = [];
  if (options.path !== undefined) {
    const found = locate(options.path);
    if (found) return found;
    throw notFound([`path: ${resolve(options.path)} (no such file, or a folder without ${IMDB_FILE})`], cacheDir, url);
  }
  const dataVar = envPath('RNNLAB_DATA', env);
  if (dataVar) {
    const found = locate(dataVar);
    if (found) return found;
    throw notFound([`RNNLAB_DATA: ${resolve(dataVar)} (no such file, or a folder without ${IMDB_FILE})`], cacheDir, url);
  }
  checked.push('path: not given', 'RNNLAB_DATA: not set');
  const cached = join(cacheDir, IMDB_FILE);
  if (isFile(cached)) return cached;
  checked.push(`cache folder: no ${cached}`);
  if (options.download === false || (options.download === undefined && offline(env))) {
    checked.push('download: disabled (download: false or RNNLAB_OFFLINE)');
    throw notFound(checked, cacheDir, url);
  }
  try {
    await downloadFile(url, cached, { expectedSize: options.expectedSize ?? IMDB_SIZE, progress: options.progress });
  } catch (err) {
    checked.push(`download: ${(err as Error).message}`);
    throw notFound(checked, cacheDir, url, err);
  }
  return cached;
}

function notFound(checked: string[], cacheDir: string, url: string, cause?: unknown): DataError {
  return new DataError(
    [
      'IMDb data not found. Checked:',
      ...checked.map((c) => `  - ${c}`),
      `Provide ${IMDB_FILE} in one of four ways:`,
      '  1. pass its path, or a folder holding it (option `path`, CLI --data);',
      '  2. set RNNLAB_DATA to the file or a folder holding it;',
      `  3. put it in the cache folder ${cacheDir} (option \`cacheDir\` or RNNLAB_CACHE choose the folder);`,
      `  4. let rnnlab download it from ${url} (needs network; off with \`download: false\` or RNNLAB_OFFLINE=1).`,
    ].join('\n'),
    { cause },
  );
}
