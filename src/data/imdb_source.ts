import { statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { downloadFile } from './download.js';
import { DataError, requireInteger } from './errors.js';
import { envFlag, envPath, type EnvVars } from '../env.js';

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
  env?: EnvVars;
}

const shown = (v: unknown) => (typeof v === 'string' ? `'${v}' (a string)` : Array.isArray(v) ? 'an array' : String(v));

/** Refuses an option that is neither a boolean nor absent: 'false', 'no' or 0 would otherwise read as true or false by accident. */
export function requireBooleanOption(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw new DataError(`${name} must be a boolean (true or false), got ${shown(v)}`);
}

/**
 * Refuses a source option of the wrong type, naming it: `download: 'false'` must not start a download, and a
 * number as a path must not reach Node's path functions, whose TypeError names no option.
 */
export function checkSourceOptions(o: SourceOptions): void {
  for (const name of ['path', 'cacheDir', 'url'] as const) {
    const v: unknown = o[name];
    // null is "not given", as for the Keras options (numWords: null); '' would read as the working folder.
    if (v !== undefined && v !== null && (typeof v !== 'string' || v === '')) throw new DataError(`${name} must be a non-empty string, got ${shown(v)}`);
  }
  for (const name of ['download', 'progress'] as const) requireBooleanOption(name, o[name]);
  if (o.expectedSize !== undefined) requireInteger('expectedSize', o.expectedSize, 1);
  const env: unknown = o.env;
  if (env === undefined) return;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new DataError(`env must be an object of environment variables, as process.env, got ${shown(env)}`);
  }
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && typeof v !== 'string') throw new DataError(`env.${k} must be a string, as environment variables are, got ${shown(v)}`);
  }
}

export function resolveCacheDir(options: Pick<SourceOptions, 'cacheDir' | 'env'> = {}): string {
  checkSourceOptions({ cacheDir: options.cacheDir, env: options.env });
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

/**
 * Why p cannot be where the IMDb data is (a file, taken as the tarball, or a folder holding aclImdb_v1.tar.gz), or
 * undefined when it can: the loader's own test, exported so that --data is refused naming the flag before anything
 * runs (the CLI, scripts/lab.mjs). Only names are looked at; a file that is not the tarball is found when it is read.
 */
export function imdbPathProblem(p: string): string | undefined {
  const abs = resolve(p);
  let st: Stats;
  try {
    st = statSync(abs);
  } catch {
    return 'no such file or folder';
  }
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return isFile(join(abs, IMDB_FILE)) ? undefined : `a folder without ${IMDB_FILE}`;
  return 'neither a file nor a folder';
}

/**
 * A file as given, or aclImdb_v1.tar.gz inside a folder; else the not-found error with imdbPathProblem's own reason,
 * so the loader never words it otherwise than --data's up-front check.
 */
function locate(p: string, source: string, cacheDir: string, url: string): string {
  const abs = resolve(p);
  const problem = imdbPathProblem(abs);
  if (problem !== undefined) throw notFound([`${source}: ${abs} (${problem})`], cacheDir, url);
  return isDir(abs) ? join(abs, IMDB_FILE) : abs;
}

function offline(env: EnvVars): boolean {
  return envFlag('RNNLAB_OFFLINE', env);
}

/**
 * Finds the tarball: 1. `path`, 2. RNNLAB_DATA, 3. the cache folder, 4. download into the cache folder.
 * An explicit path or RNNLAB_DATA that does not hold the file is an error rather than a silent fallback.
 */
export async function resolveImdbTarball(options: SourceOptions = {}): Promise<string> {
  checkSourceOptions(options);
  const env = options.env ?? process.env;
  const cacheDir = resolveCacheDir(options);
  const url = options.url ?? IMDB_URL;
  const checked: string[] = [];
  if (options.path !== undefined && options.path !== null) return locate(options.path, 'path', cacheDir, url);
  const dataVar = envPath('RNNLAB_DATA', env);
  if (dataVar) return locate(dataVar, 'RNNLAB_DATA', cacheDir, url);
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
