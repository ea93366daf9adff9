/** Runs once per `vitest run`: writes the synthetic IMDb tarball every test can use, and removes it at the end. */
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
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-test-imdb-'));
  project.provide('syntheticImdbTarball', writeSyntheticImdb(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
