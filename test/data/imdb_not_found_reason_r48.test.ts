/**
 * The loader's "IMDb data not found" error gives the very reason --data's up-front check (imdbPathProblem) gives for
 * the same path, for the `path` option and for RNNLAB_DATA alike, so the CLI and the loader never disagree.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { imdbPathProblem, resolveImdbTarball } from '../../src/data/imdb_source.js';
import { removeDir, tempDir } from './fixtures.js';

const root = tempDir();
afterAll(() => removeDir(root));

/** The loader's error for `p` given as the `path` option and as RNNLAB_DATA, offline, with an empty cache. */
async function refusals(p: string): Promise<string[]> {
  const cacheDir = join(root, 'cache');
  const out: string[] = [];
  for (const attempt of [resolveImdbTarball({ path: p, cacheDir, download: false, env: {} }), resolveImdbTarball({ cacheDir, download: false, env: { RNNLAB_DATA: p } })]) {
    const err = await attempt.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    out.push((err as Error).message);
  }
  return out;
}

describe('the IMDb loader says why a given path holds no data, as --data does', () => {
  it('a path that does not exist', async () => {
    const missing = join(root, 'nope.tar.gz');
    expect(imdbPathProblem(missing)).toBe('no such file or folder');
    const [byPath, byVar] = await refusals(missing);
    expect(byPath).toContain(`  - path: ${missing} (no such file or folder)\n`);
    expect(byVar).toContain(`  - RNNLAB_DATA: ${missing} (no such file or folder)\n`);
  });

  it('a folder without the tarball', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(imdbPathProblem(empty)).toBe('a folder without aclImdb_v1.tar.gz');
    const [byPath, byVar] = await refusals(empty);
    expect(byPath).toContain(`  - path: ${empty} (a folder without aclImdb_v1.tar.gz)\n`);
    expect(byVar).toContain(`  - RNNLAB_DATA: ${empty} (a folder without aclImdb_v1.tar.gz)\n`);
    // The one reason, not the old "either of two" guess.
    expect(byPath).not.toContain('no such file');
  });

  it.skipIf(process.platform === 'win32')('a path that is neither a file nor a folder (a FIFO)', async () => {
    const fifo = join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(imdbPathProblem(fifo)).toBe('neither a file nor a folder');
    const [byPath, byVar] = await refusals(fifo);
    expect(byPath).toContain(`  - path: ${fifo} (neither a file nor a folder)\n`);
    expect(byVar).toContain(`  - RNNLAB_DATA: ${fifo} (neither a file nor a folder)\n`);
  });

  it('a file that is not a tarball passes both checks alike: it is refused when read, not here', async () => {
    const junk = join(root, 'junk.tar.gz');
    writeFileSync(junk, 'not a tarball\n');
    expect(imdbPathProblem(junk)).toBeUndefined();
    expect(await resolveImdbTarball({ path: junk, download: false, env: {} })).toBe(junk);
    expect(await resolveImdbTarball({ download: false, env: { RNNLAB_DATA: junk } })).toBe(junk);
  });
});
