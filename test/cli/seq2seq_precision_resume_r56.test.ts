/**
 * rnnlab seq2seq --precision mixed_bfloat16 where it falls back: a --resume refusal (other options, no checkpoint, a
 * damaged one) and the split's refusal are all stderr says, while a resume with the same options still compares the
 * precision in force (float32 both times) and goes on, saying the fallback once. The native kernels are put on the
 * portable instruction set here, where mixed_bfloat16 falls back on any CPU.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefusedAlone, onPortableIsa, run, snapshotFiles, tempDir } from './helpers.js';

const native = onPortableIsa();

const BF16 = ['--precision', 'mixed_bfloat16'];
const QUICK = ['--generate', 'reverse-words', '--embedding-dim', '4', '--beam', '0', '--samples', '0', '--verbose', '0', '--threads', '1'];
/** The run the resumes continue: 20 pairs, 4 units. */
const RUN = [...QUICK, '--count', '20', '--units', '4'];
const FALLBACK = /rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./g;

describe.skipIf(!native)('seq2seq --precision mixed_bfloat16 falling back, with --resume', () => {
  let runDir = '';
  beforeAll(async () => {
    runDir = path.join(tempDir(), 'run');
    const r = await run(['seq2seq', ...BF16, ...RUN, '--epochs', '1', '--out', runDir]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(FALLBACK)).toHaveLength(1);
  }, 60_000);

  it('a resume with other options: the refusal alone, nothing in the run folder changed', async () => {
    const before = snapshotFiles(runDir);
    const r = await run(['seq2seq', ...BF16, ...QUICK, '--count', '20', '--units', '8', '--epochs', '2', '--resume', runDir]);
    expectRefusedAlone(r, 'seq2seq', /--units 8: the checkpoint in .* is of a run with --units 4/);
    expect(snapshotFiles(runDir)).toEqual(before);
  });

  it('a resume folder without a checkpoint: the refusal alone', async () => {
    const empty = path.join(tempDir(), 'empty');
    mkdirSync(empty);
    const r = await run(['seq2seq', ...BF16, ...RUN, '--epochs', '2', '--resume', empty]);
    expectRefusedAlone(r, 'seq2seq', /--resume: no checkpoint in /);
  });

  it('a damaged checkpoint.json: the refusal alone, naming it', async () => {
    const damaged = path.join(tempDir(), 'damaged');
    mkdirSync(path.join(damaged, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(damaged, 'checkpoint', 'checkpoint.json'), '{"not json');
    const r = await run(['seq2seq', ...BF16, ...RUN, '--epochs', '2', '--resume', damaged]);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/checkpoint\.json/);
    expect(r.err).not.toMatch(/mixed_bfloat16 needs/);
  });

  it('a --validation-split that leaves no pair to hold out: the refusal alone', async () => {
    const out = path.join(tempDir(), 'run');
    const r = await run(['seq2seq', ...BF16, ...QUICK, '--units', '4', '--count', '3', '--validation-split', '0.1', '--epochs', '1', '--out', out]);
    expectRefusedAlone(r, 'seq2seq', /--validation-split: 0\.1 of 3 pairs leaves 0 for validation/);
  });

  // Last: it continues the run the tests above leave as it was.
  it('a resume with the same options compares the precision in force (float32 both times), goes on, and says the fallback once', async () => {
    const r = await run(['seq2seq', ...BF16, ...RUN, '--epochs', '2', '--resume', runDir]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(FALLBACK)).toHaveLength(1);
  }, 60_000);
});
