/**
 * rnnlab imdb --precision mixed_bfloat16 with a refused flag combination: the usage error is all stderr says, as for
 * train and seq2seq. The native kernels are put on the portable instruction set here, where mixed_bfloat16 falls back
 * on any CPU, so the fallback message would be said if the precision were set first.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setGlobalPolicy } from '../../src/mixed_precision.js';
import { expectRefusedAlone, onPortableIsa, run, tempDir } from './helpers.js';

const native = onPortableIsa();

describe('imdb --precision mixed_bfloat16 with refused flags', () => {
  it.skipIf(!native)('mixed_bfloat16 falls back here, saying so (the premise of the tests below)', () => {
    const warned: string[] = [];
    expect(setGlobalPolicy('mixed_bfloat16', { warn: (m) => warned.push(m) }).name).toBe('float32');
    expect(warned.join('\n')).toMatch(/mixed_bfloat16 needs .*; running in float32 instead\./);
    setGlobalPolicy('float32');
  });

  it('--bucket without --mask-zero: the usage error alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const r = await run(['imdb', '--precision', 'mixed_bfloat16', '--model', 'lstm', '--bucket', '--out', out]);
    expectRefusedAlone(r, 'imdb', /--bucket cannot apply to --model lstm: .*add --mask-zero/, out);
  });

  it('a missing --data: the usage error alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const r = await run(['imdb', '--precision', 'mixed_bfloat16', '--data', path.join(dir, 'does-not-exist.tar.gz'), '--out', out]);
    expectRefusedAlone(r, 'imdb', /--data: no such file or folder/, out);
  });
});
