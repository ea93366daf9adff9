/** The `Examples:` line's note on the share --validation-split held out: the split's own share, said even on tiny data. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(cleanup);
const SMALL = ['--units', '4', '--embedding-dim', '4', '--epochs', '1'];

describe('rnnlab train: the held-out note', () => {
  it('is not blamed on the split when --limit cut the training part', async () => {
    // 12 examples of each of 3 classes: the split holds out 1 of each, 3 of 36 (8%, near 0.1); --limit 3 then
    // leaves 3 training examples, which is the limit's doing, not the split's.
    const dir = tempDir('rnnlab-heldout-limit-');
    const data = writeCsv(dir, 'topics.csv', topicTexts(12, 5));
    const r = await run(['train', '--data', data, '--limit', '3', ...SMALL, '--out', path.join(dir, 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Examples: 3 train, 3 validation$/m);
  }, 60_000);

  it('says so on tiny data when the share held out is far from the fraction asked', async () => {
    // Two of one class and one of another: the split holds out 1 of 3 (33%) for 0.1.
    const dir = tempDir('rnnlab-heldout-tiny-');
    const rows = topicTexts(2, 6, ['arts', 'sports']).slice(0, 3);
    expect(rows.map((x) => x.label).sort()).toEqual(['arts', 'arts', 'sports']);
    const data = writeCsv(dir, 'three.csv', rows);
    const r = await run(['train', '--data', data, ...SMALL, '--out', path.join(dir, 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Examples: 2 train, 1 validation \(33% held out for --validation-split 0\.1: the split is stratified and rounds per class/m);
  }, 60_000);
});
