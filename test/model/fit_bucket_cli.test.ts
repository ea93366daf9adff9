/** `rnnlab imdb --bucket`: trains on real reviews with bucketed batches, seeded; refused (exit 2, naming the flag) where it cannot apply. */
import { describe, expect, it } from 'vitest';
import { isolatedCache, readResults, requireData, run, tempDir } from '../cli/helpers.js';

const data = requireData();
isolatedCache();

const small = ['--limit', '120', '--epochs', '1', '--maxlen', '80', '--units', '8', '--embedding-dim', '8', '--batch-size', '16'];

describe('rnnlab imdb --bucket', () => {
  it('trains a masked LSTM with bucketed batches, the same numbers for the same seed, and records it', async () => {
    const runOnce = async () => {
      const out = tempDir();
      const r = await run(['imdb', '--model', 'lstm', '--mask-zero', '--bucket', ...small, '--data', data, '--out', out, '--verbose', '0']);
      expect(r.err).not.toMatch(/error/);
      expect(r.code).toBe(0);
      // The embedding takes any length: batches are trimmed to their longest review.
      expect(r.out).toMatch(/^embedding(_\d+)? \(Embedding\) +\(None, None, 8\)/m);
      return readResults(out);
    };
    const a = await runOnce(), b = await runOnce();
    expect(a.config.bucket).toBe(true);
    expect(a.models[0].history.loss).toHaveLength(1);
    expect(a.models[0].history).toEqual(b.models[0].history);
    expect(a.metrics).toEqual(b.metrics);
  });

  it('is refused without --mask-zero and for models that read padding, naming --bucket', async () => {
    const noMask = await run(['imdb', '--model', 'lstm', '--bucket', ...small, '--data', data]);
    expect(noMask.code).toBe(2);
    expect(noMask.err).toMatch(/--bucket cannot apply to --model lstm: .*does not mask padding \(maskZero\).*add --mask-zero/);
    const cnn = await run(['imdb', '--model', 'cnn_lstm', '--mask-zero', '--bucket', ...small, '--data', data]);
    expect(cnn.code).toBe(2);
    expect(cnn.err).toMatch(/--bucket cannot apply to --model cnn_lstm: conv1d(_\d+)? \(Conv1D\) reads every step/);
    const ff = await run(['imdb', '--model', 'ff_raw', '--mask-zero', '--bucket', ...small, '--data', data]);
    expect(ff.code).toBe(2);
    expect(ff.err).toMatch(/--bucket cannot apply to --model ff_raw: the model must start with an Embedding/);
  });
});
