/**
 * The IMDb tarball for tests: the real one when this machine has it, else the synthetic one that
 * test/helpers/global_setup.ts writes once per run. One skip policy for tests that need the real data.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { envPath } from '../../src/env.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMDB_FILE = 'aclImdb_v1.tar.gz';

/** The real tarball: RNNLAB_DATA (the file or a folder holding it), else ../shared/data/ beside the checkout. */
export function realImdbTarball(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = envPath('RNNLAB_DATA', env);
  if (given) {
    const file = existsSync(given) && statSync(given).isDirectory() ? join(given, IMDB_FILE) : given;
    if (!existsSync(file)) throw new Error(`RNNLAB_DATA=${given} holds no ${IMDB_FILE}: unset it, or point it at the tarball or its folder`);
    return resolve(file);
  }
  const beside = resolve(REPO_ROOT, '../shared/data', IMDB_FILE);
  return existsSync(beside) ? beside : undefined;
}

/** The synthetic aclImdb_v1.tar.gz of this test run (a few hundred made-up reviews). */
export function syntheticImdbTarball(): string {
  const file = inject('syntheticImdbTarball');
  if (!file || !existsSync(file)) throw new Error('the synthetic IMDb tarball is missing: run the tests through vitest.config.ts, whose globalSetup writes it');
  return file;
}

/** The real tarball when present, else the synthetic one: for tests of code paths, not of real numbers. */
export function imdbTarball(): string {
  return realImdbTarball() ?? syntheticImdbTarball();
}

export const REAL_IMDB = realImdbTarball();
/** For `describe.skipIf(NO_REAL_IMDB)` / `it.skipIf(NO_REAL_IMDB)` on tests of real counts and accuracies. */
export const NO_REAL_IMDB = REAL_IMDB === undefined;

/**
 * A title for a suite of real-data tests. Without the real data it carries the reason for the skip, and the
 * reason is printed once, since the default reporter shows skipped suites only as a count.
 */
export function realDataOnly(title: string): string {
  if (!NO_REAL_IMDB) return title;
  const why = `skipped: needs the real ${IMDB_FILE}; set RNNLAB_DATA or put it in ../shared/data/`;
  console.info(`"${title}" ${why}`);
  return `${title} (${why})`;
}
