// experiment gradients: --seed reaches the long-range task (its sequences and weights), and the record lists every
// model it trained and the optimizer settings that shaped the numbers.
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { gradientsExperiment, longRangeRuns } from '../../src/experiments/gradients.js';
import { longRangeSeeds } from '../../src/experiments/long_range.js';
import type { ImdbArrays } from '../../src/experiments/imdb_task.js';
import { cleanup, readResults, run, tempDir } from '../cli/helpers.js';
import { makeTarGz, reviewEntries } from '../data/fixtures.js';

afterAll(cleanup);

const SMALL = { epochs: 1, samples: 32, steps: 8, units: 4 };

function reviews(n: number, maxlen: number, vocab: number): ImdbArrays {
  const r = new rl.Random(11);
  const x = Float32Array.from({ length: n * maxlen }, () => 1 + r.int(vocab - 1));
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  return { xTrain: rl.tensor2d(x, [n, maxlen]), yTrain: rl.tensor2d(y, [n, 1]), xTest: rl.tensor2d(x, [n, maxlen]), yTest: rl.tensor2d(y, [n, 1]),
    vocab, maxlen, nTrain: n, nTest: n, loadSeconds: 0, meanLength: maxlen };
}

describe('the long-range task follows the seed', () => {
  it('seed s: training sequences from s, held-out from s + 1, weights from s + 2 (the default 1 keeps 1, 2, 3)', () => {
    expect(longRangeSeeds()).toEqual({ train: 1, heldOut: 2, weights: 3 });
    expect(longRangeSeeds({ seed: 5 })).toEqual({ train: 5, heldOut: 6, weights: 7 });
  });

  it('another seed gives other numbers; the same seed the same ones; no seed is seed 1', async () => {
    // The numbers (layer names count up per model built, epoch times vary).
    const strip = (runs: Awaited<ReturnType<typeof longRangeRuns>>) => runs.map((r) => ({ accuracy: r.accuracy, initial: r.initial.inputNorms, trained: r.trained.inputNorms, loss: r.record.history.loss }));
    const a = strip(await longRangeRuns({ ...SMALL, seed: 1 }));
    const again = strip(await longRangeRuns({ ...SMALL, seed: 1 }));
    const dflt = strip(await longRangeRuns(SMALL));
    const b = strip(await longRangeRuns({ ...SMALL, seed: 4 }));
    expect(again).toEqual(a);
    expect(dflt).toEqual(a);
    expect(b[1].initial).not.toEqual(a[1].initial);
    expect(b[1].loss).not.toEqual(a[1].loss);
  });
});

describe('gradientsExperiment records what it trained', () => {
  it('models: the IMDb models of --epochs and the long-range ones; config: optimizer, lr and the long-range seed', async () => {
    const res = await gradientsExperiment(reviews(16, 6, 20), {
      models: ['lstm'], units: 4, embeddingDim: 4, batchSize: 8, batches: 1, epochs: 2, lr: 0.5, optimizer: 'sgd', verbose: 0, seed: 3,
      longRange: { ...SMALL, seed: 3 },
    });
    expect(res.models!.map((m) => m.name)).toEqual(['lstm', 'long-range simpleRNN', 'long-range lstm']);
    const [lstm, , longLstm] = res.models!;
    expect(lstm.history.loss).toHaveLength(2);
    expect(lstm.secondsPerEpoch).toHaveLength(2);
    for (const s of lstm.secondsPerEpoch) expect(s).toBeGreaterThan(0);
    expect(lstm.params).toBe(20 * 4 + 4 * 4 * (4 + 4 + 1) + 5);
    expect(longLstm.history.loss).toHaveLength(1);
    expect(longLstm.metrics!.heldOutAccuracy).toBe(res.numbers!.longRangeLstmAccuracy);
    expect(res.config).toMatchObject({ optimizer: 'sgd', lr: 0.5, seed: 3, longRange: { seed: 3, epochs: 1, samples: 32, steps: 8, units: 4 } });
  });

  it('nothing trained: no models, the optimizer default and no lr', async () => {
    const res = await gradientsExperiment(reviews(8, 5, 20), { models: ['simple_rnn'], units: 3, embeddingDim: 3, batchSize: 8, batches: 1, longRange: false });
    expect(res.models).toEqual([]);
    expect(res.config).toMatchObject({ optimizer: 'adam', lr: null, longRange: false });
  });
});

describe('rnnlab experiment gradients', () => {
  it('--seed reaches the long-range task: another seed, other long-range numbers, recorded in config.longRange', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'aclImdb_v1.tar.gz');
    writeFileSync(data, makeTarGz(reviewEntries(6)));
    const once = async (seed: number) => {
      const out = path.join(dir, `seed${seed}`);
      const r = await run(['experiment', 'gradients', '--data', data, '--limit', '8', '--maxlen', '10', '--batch-size', '8', '--batches', '1', '--units', '4',
        '--embedding-dim', '4', '--long-range-epochs', '1', '--verbose', '0', '--seed', String(seed), '--out', out]);
      expect(r.code, r.err).toBe(0);
      return readResults(out);
    };
    const [a, b] = [await once(2), await once(9)];
    expect(a.config.longRange.seed).toBe(2);
    expect(b.config.longRange.seed).toBe(9);
    expect(b.metrics.longRangeLstmInputFirstToLast).not.toBe(a.metrics.longRangeLstmInputFirstToLast);
    expect(a.models.map((m: { name: string }) => m.name)).toEqual(['long-range simpleRNN', 'long-range lstm']);
    // The reviews it read, as an imdb run records them: --limit changes the numbers once --epochs trains.
    expect(a.config.limit).toBe(8);
    expect(a.data).toMatchObject({ nTrain: 8, nTest: 8, vocab: 10000, maxlen: 10, limit: 8 });
  }, 60_000);

  it('records limit null (all the reviews) as given', async () => {
    const res = await gradientsExperiment(reviews(8, 5, 20), { models: ['simple_rnn'], units: 3, embeddingDim: 3, batchSize: 8, batches: 1, longRange: false, limit: null });
    expect(res.config.limit).toBeNull();
    expect(res.data).toMatchObject({ nTrain: 8, limit: null });
  });

  it('a data error names the whole command', async () => {
    const dir = tempDir();
    const junk = path.join(dir, 'junk.tar.gz');
    writeFileSync(junk, 'not a tarball\n');
    const r = await run(['experiment', 'gradients', '--data', junk, '--out', path.join(dir, 'out'), '--long-range-epochs', '0']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab experiment gradients: data error: .*junk\.tar\.gz/);
  });
});
