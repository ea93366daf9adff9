/**
 * `rnnlab imdb --resume` with --bucket turned on or off: every checkpoint keeps whether the run bucketed, and a resume
 * that differs is refused naming --bucket and both values, before any review is read. A checkpoint of an earlier
 * rnnlab, which did not keep it, still resumes with the same --bucket, and another one is refused by the model
 * comparison, whose list of model flags names --bucket. On a synthetic tarball, in process.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, IMDB_TINY, run, syntheticImdb } from './helpers.js';

const fx = syntheticImdb('rnnlab-resume-bucket-');
const args = (epochs: number, ...more: string[]) => [...IMDB_TINY, '--mask-zero', '--data', fx.tar, '--epochs', String(epochs), ...more];
const ckptFile = (dir: string) => join(dir, 'checkpoint', 'checkpoint.json');

/** A copy of a run whose checkpoint keeps no --bucket, as one of an rnnlab before it was kept. */
function withoutKeptBucket(from: string, name: string): string {
  const to = join(fx.root, name);
  cpSync(from, to, { recursive: true });
  const c = JSON.parse(readFileSync(ckptFile(to), 'utf8'));
  expect(Object.hasOwn(c.state.extra.run, '--bucket')).toBe(true);
  delete c.state.extra.run['--bucket'];
  writeFileSync(ckptFile(to), JSON.stringify(c));
  return to;
}

describe('rnnlab imdb --resume and --bucket', () => {
  let bucketed = '', plain = '';
  beforeAll(async () => {
    bucketed = join(fx.root, 'bucketed');
    plain = join(fx.root, 'plain');
    for (const [out, more] of [[bucketed, ['--bucket']], [plain, []]] as const) {
      const r = await run([...args(1, ...more), '--out', out]);
      expect(r.code, r.err).toBe(0);
    }
  }, 120_000);

  it('keeps --bucket in the checkpoint', () => {
    expect(JSON.parse(readFileSync(ckptFile(bucketed), 'utf8')).state.extra.run['--bucket']).toBe(true);
    expect(JSON.parse(readFileSync(ckptFile(plain), 'utf8')).state.extra.run['--bucket']).toBe(false);
  });

  it('a --bucket run resumed without it is refused naming --bucket, and nothing changes', async () => {
    const before = readFileSync(ckptFile(bucketed));
    const r = await run(args(2, '--resume', bucketed));
    expectRefused(r, 'imdb', /^rnnlab imdb: error: --no-bucket \(the default\): the checkpoint in .* is of a run with --bucket; --resume continues a run with the options it started with, so give --bucket /);
    expect(r.err).not.toMatch(/Embedding|input_length/);
    expect(readFileSync(ckptFile(bucketed)).equals(before)).toBe(true);
  });

  it('a run without --bucket resumed with it is refused naming --bucket', async () => {
    const r = await run(args(2, '--bucket', '--resume', plain));
    expectRefused(r, 'imdb', /^rnnlab imdb: error: --bucket: the checkpoint in .* is of a run with --no-bucket;/);
  });

  it('a checkpoint that does not keep --bucket resumes with the same one, and names --bucket among the model flags for another', async () => {
    const old = withoutKeptBucket(bucketed, 'old-bucketed');
    const other = await run(args(2, '--resume', old));
    expectRefused(other, 'imdb', /^rnnlab imdb: error: --resume: the checkpoint in .* was written for a different model: .*; give the model flags of the run it continues \(.*--mask-zero, --bucket, --optimizer, \.\.\.\)$/);
    const same = await run(args(2, '--bucket', '--resume', old));
    expect(same.code, same.err).toBe(0);
    expect(same.err).toMatch(/restored the checkpoint/);
  }, 120_000);
});
