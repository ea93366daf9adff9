/**
 * `rnnlab experiment gradients` refuses an IMDb data file it cannot read as imdb and compare do, before any run is
 * recorded: a --data that does not exist, or a folder without the tarball, is a usage error (exit code 2), a file that
 * is not the IMDb tarball a data error naming it (exit code 1), and neither --out nor a default run folder is written.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefused, run as cli, syntheticImdb, tempDir } from './helpers.js';

syntheticImdb('rnnlab-exp-data-');
const GRADIENTS = ['experiment', 'gradients', '--limit', '8', '--maxlen', '12', '--vocab', '60', '--batches', '1', '--batch-size', '4', '--long-range-epochs', '0', '--threads', '1'];
const IMDB = ['imdb', '--model', 'lstm', '--limit', '8', '--maxlen', '12', '--vocab', '60', '--epochs', '1', '--threads', '1'];

/** The first stderr line of a run, with its command's name taken out (to compare two commands' messages). */
const firstLine = (err: string, cmd: string) => err.split('\n')[0].replace(`rnnlab ${cmd}: `, 'rnnlab CMD: ');

/** Runs gradients and imdb on the same --data, in a fresh folder, each with its --out; the same with no --out, in cwd. */
async function bothOn(data: (root: string) => string) {
  const root = tempDir();
  const path = data(root);
  const out = join(root, 'out');
  const g = await cli([...GRADIENTS, '--data', path, '--out', out]);
  const i = await cli([...IMDB, '--data', path, '--out', join(root, 'imdb-out')]);
  const cwd = process.cwd(), here = join(root, 'cwd');
  mkdirSync(here);
  process.chdir(here);
  try {
    const byDefault = await cli([...GRADIENTS, '--data', path]);
    return { g, i, out, path, byDefault, defaultFolder: readdirSync(here) };
  } finally {
    process.chdir(cwd);
  }
}

describe('experiment gradients with a --data it cannot read', () => {
  it('that does not exist: a usage error naming it, as imdb\'s, and no run folder', async () => {
    const r = await bothOn((root) => join(root, 'missing.tar.gz'));
    expectRefused(r.g, 'experiment gradients', /--data: no such file or folder: .*missing\.tar\.gz/, r.out);
    expect(firstLine(r.g.err, 'experiment gradients')).toBe(firstLine(r.i.err, 'imdb'));
    expect(r.byDefault.code).toBe(2);
    expect(r.defaultFolder).toEqual([]);
  });

  it('that is not a tarball: a data error naming it, as imdb\'s, and nothing written', async () => {
    const r = await bothOn((root) => { const f = join(root, 'garbage.tar.gz'); writeFileSync(f, 'this is not a gzip file\n'.repeat(40)); return f; });
    expect(r.g.code).toBe(1);
    expect(r.i.code).toBe(1);
    expect(r.g.err).toMatch(/^rnnlab experiment gradients: data error: .*garbage\.tar\.gz/);
    expect(firstLine(r.g.err, 'experiment gradients')).toBe(firstLine(r.i.err, 'imdb'));
    expect(r.g.out).not.toMatch(/Wrote/);
    expect(existsSync(r.out)).toBe(false);
    expect(r.byDefault.code).toBe(1);
    expect(r.byDefault.err).toMatch(/data error: .*garbage\.tar\.gz/);
    expect(r.defaultFolder).toEqual([]);
  });

  it('a folder without the tarball: a usage error naming it, as imdb\'s, and no run folder', async () => {
    const r = await bothOn((root) => { const d = join(root, 'empty'); mkdirSync(d); return d; });
    expectRefused(r.g, 'experiment gradients', /--data: a folder without aclImdb_v1\.tar\.gz: .*empty/, r.out);
    expect(firstLine(r.g.err, 'experiment gradients')).toBe(firstLine(r.i.err, 'imdb'));
    expect(r.byDefault.code).toBe(2);
    expect(r.defaultFolder).toEqual([]);
  });
});
