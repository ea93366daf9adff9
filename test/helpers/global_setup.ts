/**
 * Runs once per `vitest run`: points TMPDIR at one fresh folder for the whole run (so every temporary folder a test,
 * or a command it starts, makes lies inside it and goes with it, even from a test that does not clean up after
 * itself), writes the synthetic IMDb tarball every test can use there, and removes the folder at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeSyntheticImdb } from './synthetic_imdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    syntheticImdbTarball: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'rnnlab-test-run-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  const dir = mkdtempSync(join(root, 'rnnlab-test-imdb-'));
  project.provide('syntheticImdbTarball', writeSyntheticImdb(dir));
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    // A process a test started may still be writing there as the run ends: retry, then leave it with a warning
    // rather than failing a run whose tests passed.
    try { rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }); } catch (e) { console.warn(`could not remove ${root}: ${(e as Error).message}`); }
  };
}
