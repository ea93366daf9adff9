/**
 * rnnlab train --precision mixed_bfloat16 with a bad --data or --validation: the usage error is all stderr says, as for
 * imdb and addition; mixed_bfloat16's fallback message comes only once the inputs are checked. The native kernels are
 * put on the portable instruction set here, where mixed_bfloat16 falls back on any CPU, so the message would be said.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefusedAlone, onPortableIsa, run, tempDir } from './helpers.js';

const native = onPortableIsa();

describe('train --precision mixed_bfloat16 with bad inputs', () => {
  it.skipIf(!native)('the fallback is said where the inputs are good (the premise of the tests below)', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'd.csv');
    writeFileSync(data, 'text,label\n' + Array.from({ length: 8 }, (_, i) => `${i % 2 ? 'good fine' : 'bad awful'} ${i},${i % 2 ? 'pos' : 'neg'}`).join('\n') + '\n');
    const r = await run(['train', '--data', data, '--precision', 'mixed_bfloat16', '--model', 'gru', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6', '--out', path.join(dir, 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./);
  }, 60_000);

  it('a missing --data: the usage error alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const r = await run(['train', '--precision', 'mixed_bfloat16', '--data', path.join(dir, 'nonexist.csv'), '--out', out]);
    expectRefusedAlone(r, 'train', /--data: no such file or folder/, out);
  });

  it('a missing --validation: the usage error alone', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'd.csv');
    writeFileSync(data, 'text,label\ngood,pos\nbad,neg\n');
    const out = path.join(dir, 'run');
    const r = await run(['train', '--precision', 'mixed_bfloat16', '--data', data, '--validation', path.join(dir, 'nonexist.csv'), '--out', out]);
    expectRefusedAlone(r, 'train', /--validation: no such file or folder/, out);
  });
});
