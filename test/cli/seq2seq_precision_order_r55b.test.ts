/**
 * rnnlab seq2seq --precision mixed_bfloat16 with bad pairs: the usage error is all stderr says, as for train;
 * mixed_bfloat16's fallback message comes only once --data / --generate are checked. The native kernels are put on the
 * portable instruction set here, where mixed_bfloat16 falls back on any CPU, so the message would be said.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefusedAlone, onPortableIsa, run, tempDir } from './helpers.js';

const native = onPortableIsa();

const BF16 = ['--precision', 'mixed_bfloat16'];

describe('seq2seq --precision mixed_bfloat16 with bad pairs', () => {
  it.skipIf(!native)('the fallback is said where the pairs are good (the premise of the tests below)', async () => {
    const dir = tempDir();
    const r = await run(['seq2seq', ...BF16, '--generate', 'reverse-words', '--count', '20', '--epochs', '1', '--units', '4', '--embedding-dim', '4',
      '--beam', '0', '--samples', '0', '--verbose', '0', '--threads', '1', '--out', path.join(dir, 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./);
  }, 60_000);

  it('a --data line without a tab: the usage error alone, naming the file and line', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'pairs.tsv');
    writeFileSync(data, 'abc\tcba\nno tab here\n');
    const out = path.join(dir, 'run');
    const r = await run(['seq2seq', ...BF16, '--data', data, '--out', out]);
    expectRefusedAlone(r, 'seq2seq', /--data: .*pairs\.tsv:2: no tab/, out);
  });

  it('a folder as --data: the usage error alone', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'pairs');
    mkdirSync(folder);
    const out = path.join(dir, 'run');
    const r = await run(['seq2seq', ...BF16, '--data', folder, '--out', out]);
    expectRefusedAlone(r, 'seq2seq', /--data/, out);
  });

  it('neither --data nor --generate: the usage error alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const r = await run(['seq2seq', ...BF16, '--out', out]);
    expectRefusedAlone(r, 'seq2seq', /give the pairs with --data PATH/, out);
  });

  it('a missing --data: the usage error alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const r = await run(['seq2seq', ...BF16, '--data', path.join(dir, 'does-not-exist.tsv'), '--out', out]);
    expectRefusedAlone(r, 'seq2seq', /--data: no such file or folder/, out);
  });
});
