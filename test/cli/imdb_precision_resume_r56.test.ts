/**
 * rnnlab imdb --precision mixed_bfloat16 where it falls back: a --resume refusal (other options, no checkpoint) and a
 * tarball that cannot be read are all stderr says, while a run that goes ahead says the fallback once. The native
 * kernels are put on the portable instruction set here, where mixed_bfloat16 falls back on any CPU.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefusedAlone, IMDB_TINY, onPortableIsa, run, snapshotFiles, syntheticImdb, tempDir } from './helpers.js';

const native = onPortableIsa();
const fx = syntheticImdb('rnnlab-imdb-bf16-');

const BF16 = ['--precision', 'mixed_bfloat16'];
const args = (epochs: number, ...more: string[]) => [...IMDB_TINY, ...BF16, '--data', fx.tar, '--epochs', String(epochs), ...more];
const FALLBACK = /rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./g;

describe.skipIf(!native)('imdb --precision mixed_bfloat16 falling back', () => {
  let runDir = '';
  beforeAll(async () => {
    runDir = path.join(fx.root, 'run');
    const r = await run([...args(1), '--out', runDir]);
    expect(r.code, r.err).toBe(0);
  }, 60_000);

  it('a run that goes ahead says the fallback once', async () => {
    const r = await run([...args(1), '--out', path.join(tempDir(), 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(FALLBACK)).toHaveLength(1);
  }, 60_000);

  it('a resume with other options: the refusal alone, nothing in the run folder changed', async () => {
    const before = snapshotFiles(runDir);
    const r = await run(args(2, '--lr', '0.01', '--resume', runDir));
    expectRefusedAlone(r, 'imdb', /--lr 0\.01: the checkpoint in .* is of a run with --lr 0\.001/);
    expect(snapshotFiles(runDir)).toEqual(before);
  });

  it('a resume folder without a checkpoint: the refusal alone', async () => {
    const empty = path.join(tempDir(), 'empty');
    mkdirSync(empty);
    const r = await run(args(2, '--resume', empty));
    expectRefusedAlone(r, 'imdb', /--resume: no checkpoint in /);
  });

  it('a truncated tarball: its error alone, naming it', async () => {
    const dir = tempDir();
    const cut = path.join(dir, 'imdb.tar.gz');
    const whole = readFileSync(fx.tar);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = await run([...IMDB_TINY, ...BF16, '--data', cut, '--epochs', '1', '--out', path.join(dir, 'run')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(cut);
    expect(r.err).not.toMatch(/mixed_bfloat16 needs/);
  });

  // Last: it continues the run the tests above leave as it was.
  it('a resume with the same options goes on and says the fallback once', async () => {
    const r = await run(args(2, '--resume', runDir));
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(FALLBACK)).toHaveLength(1);
  }, 60_000);
});
