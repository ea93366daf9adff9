/**
 * evaluate --label-map naming one label twice by two spellings of one number ('1' and '1.0', one class as the data's
 * labels are read) is refused as a label given twice is, before the model is read.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(() => cleanup());

/** evaluate with a model that does not exist: a --label-map the parser accepts gets as far as --model's check. */
async function withMap(map: string) {
  const dir = tempDir('rnnlab-label-map-value-');
  return run(['evaluate', '--model', path.join(dir, 'none'), '--data', path.join(dir, 'none.csv'), '--label-map', map]);
}

describe('evaluate --label-map by value', () => {
  it('refuses two spellings of one number sent to different classes, naming both, exit 2', async () => {
    const r = await withMap('1=pos,1.0=neg,0=neg');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab evaluate: error: --label-map maps one label twice: '1' and '1\.0' are spellings of one number \(to 'pos' and 'neg'\); give it once\n/);
    expect(r.out).toBe('');
  });

  it('refuses them to one class too, as a label given twice is', async () => {
    for (const [map, a, b] of [['0.0=neg,1=pos,00=neg', '0.0', '00'], ['1e0=pos,+1=pos', '1e0', '+1'], ['-0=neg,0=neg', '-0', '0']]) {
      const r = await withMap(map);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--label-map maps one label twice: '${a}' and '${b}' are spellings of one number`);
    }
  });

  it('accepts different numbers, words that only look alike, and integers past 2^53 (kept as written)', async () => {
    for (const map of ['1=pos,10=neg', '1=pos,0.1=neg', 'one=pos,1=pos', '9007199254740993=pos,9007199254740992=neg']) {
      const r = await withMap(map);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^rnnlab evaluate: error: --model: no such file or folder/);
    }
  });
});
