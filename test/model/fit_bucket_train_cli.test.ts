/** `rnnlab train --bucket`: bucketed batches for the user's own texts, seeded; refused (exit 2, naming the flag) where it cannot apply. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../cli/helpers.js';
import { topicTexts, writeCsv } from '../tasks/helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-bucket-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rnnlab train --bucket', () => {
  const csv = () => writeCsv(root, 'texts.csv', topicTexts(90, 3, ['arts', 'sports']));
  const args = (out: string) => ['train', '--data', csv(), '--units', '8', '--embedding-dim', '8', '--epochs', '2', '--batch-size', '8', '--out', out];

  it('trains a masked LSTM with bucketed batches, the same numbers for the same seed', async () => {
    const once = async (name: string) => {
      const out = path.join(root, name);
      const r = await run([...args(out), '--mask-zero', '--bucket']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    };
    const a = await once('a'), b = await once('b');
    expect(a.config).toMatchObject({ bucket: true, maskZero: true });
    expect(a.models[0].history.loss).toHaveLength(2);
    expect(a.models[0].history).toEqual(b.models[0].history);
  });

  it('is refused without --mask-zero (naming --bucket) and for cnn, which cannot take --mask-zero', async () => {
    const noMask = await run([...args(path.join(root, 'c')), '--bucket']);
    expect(noMask.code).toBe(2);
    expect(noMask.err).toMatch(/rnnlab train: error: --bucket: cannot apply to model lstm: .*does not mask padding \(maskZero\)/);
    const cnn = await run([...args(path.join(root, 'd')), '--model', 'cnn', '--mask-zero', '--bucket']);
    expect(cnn.code).toBe(2);
    // cnn cannot take --mask-zero at all (no layer of it reads the mask), so --bucket never gets that far.
    expect(cnn.err).toMatch(/--mask-zero: changes nothing for cnn/);
  });
});
