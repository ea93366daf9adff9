/** `rnnlab train` and `rnnlab seq2seq` record the training time of every epoch they run, as docs/CLI.md promises. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { cleanup, readResults, run, tempDir } from './helpers.js';

afterAll(cleanup);

function expectEpochSeconds(seconds: unknown, epochs: number): void {
  expect(seconds).toHaveLength(epochs);
  for (const s of seconds as number[]) {
    expect(Number.isFinite(s)).toBe(true);
    expect(s).toBeGreaterThan(0);
  }
}

describe('secondsPerEpoch in results.json', () => {
  it('train: one positive time per epoch', async () => {
    const dir = tempDir('rnnlab-spe-train-');
    const data = writeCsv(dir, 'topics.csv', topicTexts(10, 3));
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', data, '--units', '4', '--embedding-dim', '4', '--epochs', '3', '--batch-size', '8', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const rec = readResults(out);
    expect(rec.models[0].history.loss).toHaveLength(3);
    expectEpochSeconds(rec.models[0].secondsPerEpoch, 3);
  }, 60_000);

  it('seq2seq: one positive time per epoch', async () => {
    const dir = tempDir('rnnlab-spe-s2s-');
    const pairs = path.join(dir, 'pairs.tsv');
    writeFileSync(pairs, Array.from({ length: 40 }, (_, i) => `${'abcd'[i % 4]}${'efgh'[(i >> 2) % 4]}\t${'efgh'[(i >> 2) % 4]}${'abcd'[i % 4]}`).join('\n') + '\n');
    const out = path.join(dir, 'run');
    const r = await run(['seq2seq', '--data', pairs, '--units', '8', '--embedding-dim', '4', '--epochs', '2', '--samples', '1', '--verbose', '0', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const rec = readResults(out);
    expect(rec.models[0].history.loss).toHaveLength(2);
    expectEpochSeconds(rec.models[0].secondsPerEpoch, 2);
  }, 60_000);
});
