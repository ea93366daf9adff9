/**
 * Compare's record and finding from fabricated runs (no training): a cut epoch counts nowhere, ties are named at the
 * printed digits, one model is not ranked, and a model too large for its weights is refused before anything trains.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareBody, compareFinding, type CompareResult, type CompareRow } from '../../src/experiments/compare.js';
import { imdbModelRecord } from '../../src/experiments/imdb_result.js';
import type { ImdbArrays, ImdbRun } from '../../src/experiments/imdb_task.js';
import { modelSizeProblem } from '../../src/cli/imdb.js';
import { DATA as TARBALL, run as runCli, tempDir } from '../cli/helpers.js';

const DATA = { nTrain: 2000, nTest: 2000, vocab: 1000, maxlen: 50, meanLength: 40, loadSeconds: 0.1 } as ImdbArrays;

function fakeRun(over: Partial<ImdbRun>): Omit<ImdbRun, 'model'> {
  return {
    name: 'lstm', params: 1000, summary: [], config: { batchSize: 64, epochs: 2 }, history: { loss: [0.7, 0.6], accuracy: [0.5315, 0.6696] },
    secondsPerEpoch: [2, 0.5], meanSecondsPerEpoch: 1.25, trainAccuracy: 0.6696, trainLoss: 0.6, testAccuracy: NaN, testLoss: NaN,
    evalSeconds: 0, totalSeconds: 3, cancelled: true, ...over,
  };
}

function row(over: Partial<CompareRow>): CompareRow {
  return { model: 'lstm', params: 1000, epochs: 2, batchSize: 64, secondsPerEpoch: 1, trainAccuracy: 0.8, testAccuracy: 0.7, testLoss: 0.5, totalSeconds: 3, ...over };
}

function bodyOf(runs: Omit<ImdbRun, 'model'>[], rows: CompareRow[]) {
  const res: CompareResult = { rows, runs, table: { columns: [], rows: [] }, charts: [], finding: '', classes: [], confusionByModel: {} };
  return compareBody(res, DATA, { limit: 2000 });
}

describe('compare record: a stop that cut an epoch', () => {
  it('gives models[i].metrics the train numbers of the whole epochs, as metrics.<model> and the table', () => {
    // Stopped in epoch 2: the second history entry is of the batches it got.
    const body = bodyOf([fakeRun({})], [row({ epochs: 1, partialLastEpoch: true, trainAccuracy: 0.5315, testAccuracy: NaN, secondsPerEpoch: 2 })]);
    const model = body.models[0] as { metrics: Record<string, number>; history: Record<string, number[]> };
    expect(model.metrics.trainAccuracy).toBe(0.5315);
    expect(model.metrics.trainLoss).toBe(0.7);
    expect((body.metrics as Record<string, { trainAccuracy: number }>).lstm.trainAccuracy).toBe(model.metrics.trainAccuracy);
    // The history still holds every epoch begun.
    expect(model.history.accuracy).toEqual([0.5315, 0.6696]);
  });

  it('has no train numbers when the stop came in epoch 1', () => {
    const r = fakeRun({ history: { loss: [0.69], accuracy: [0.5] }, secondsPerEpoch: [0.3], trainAccuracy: 0.5, trainLoss: 0.69 });
    const body = bodyOf([r], [row({ epochs: 0, partialLastEpoch: true, trainAccuracy: NaN, testAccuracy: NaN, secondsPerEpoch: NaN })]);
    const metrics = (body.models[0] as { metrics: Record<string, number> }).metrics;
    expect(metrics.trainAccuracy).toBeNaN();
    expect(metrics.trainLoss).toBeNaN();
  });

  it('keeps the last epoch of a run whose epochs are whole (imdb and completed compare models)', () => {
    const r = fakeRun({ cancelled: false, testAccuracy: 0.7 });
    expect((imdbModelRecord(r).metrics as Record<string, number>).trainAccuracy).toBe(0.6696);
    expect((imdbModelRecord(r, 2).metrics as Record<string, number>).trainAccuracy).toBe(0.6696);
  });
});

describe('compare finding', () => {
  const done = { cancelled: false };

  it('names every model tied for the fastest at the printed seconds', () => {
    const rows = [row({ model: 'ff_raw', secondsPerEpoch: 0.00363, testAccuracy: 0.7 }), row({ model: 'simple_rnn', secondsPerEpoch: 0.00421, testAccuracy: 0.65 }), row({ model: 'lstm', secondsPerEpoch: 0.5, testAccuracy: 0.6 })];
    const f = compareFinding(rows, [done, done, done], false);
    expect(f).toContain('; ff_raw, simple_rnn tie for the fastest at 0.004 s per epoch.');
    expect(f).not.toContain('is the fastest');
  });

  it('gives the margin over the runner-up in printed percentage points', () => {
    const rows = [row({ model: 'lstm', testAccuracy: 0.695, params: 1080501 }), row({ model: 'simple_rnn', testAccuracy: 0.528, secondsPerEpoch: 0.6 }), row({ model: 'ff_raw', testAccuracy: 0.51, secondsPerEpoch: 0.01 })];
    expect(compareFinding(rows, [done, done, done], false)).toBe('lstm reaches the best test accuracy (69.50%, 1,080,501 parameters), 16.70 percentage points above simple_rnn (52.80%); '
      + 'ff_raw is the fastest at 0.010 s per epoch. The feed-forward net on raw ids stays near chance (51.00%): word ids are labels, not quantities.');
  });

  it('gives the margin of a tie over the next model below it', () => {
    const rows = [row({ model: 'cnn', testAccuracy: 0.75 }), row({ model: 'gru', testAccuracy: 0.75, secondsPerEpoch: 2 }), row({ model: 'lstm', testAccuracy: 0.7 })];
    expect(compareFinding(rows, [done, done, done], false)).toMatch(/^cnn, gru tie for the best test accuracy \(75\.00%\), 5\.00 percentage points above lstm \(70\.00%\); cnn, lstm tie for the fastest/);
  });

  it('does not rank a one-model compare, and says when it is near chance', () => {
    const f = compareFinding([row({ model: 'gru', testAccuracy: 0.3, params: 1234, secondsPerEpoch: 0.25 })], [done], true);
    expect(f).toBe('gru reaches 30.00% test accuracy (1,234 parameters) at 0.25 s per epoch; with one model there is nothing to compare it with. '
      + 'It is still near chance (below 60%): train longer or on more reviews.');
    expect(f).not.toMatch(/best|fastest/);
  });
});

describe('compare refuses a model too large to allocate, before training', () => {
  it('names the model, the weight and the flags', () => {
    const flags = { vocab: 10000, maxlen: 10, embeddingDim: 100, units: 100000 };
    expect(modelSizeProblem('lstm', flags)).toMatch(/^lstm's layer \S+ would hold a weight of 100,000 × 400,000 = 40,000,000,000 numbers, more than one array can hold \([\d,]+\): lower --vocab, --embedding-dim, --units or --layers$/);
    expect(modelSizeProblem('ff_raw', flags)).toBeNull();
    expect(modelSizeProblem('lstm', { ...flags, units: 100 })).toBeNull();
    expect(modelSizeProblem('ff_embed', { ...flags, vocab: 100000, embeddingDim: 100000, units: 10 })).toMatch(/^ff_embed's layer .* lower --vocab, --embedding-dim, --maxlen or --units$/);
  });

  it('exits 2 from the command line before loading the reviews or writing the run', async () => {
    const out = tempDir();
    const r = await runCli(['compare', '--models', 'ff_raw,lstm', '--units', '100000', '--maxlen', '10', '--data', TARBALL, '--out', `${out}/run`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lstm's layer .* more than one array can hold .*--units/);
    expect(r.err).not.toMatch(/Invalid typed array length/);
    expect(r.out).not.toMatch(/Loading IMDb|\[1\/2\]/);
    expect(existsSync(`${out}/run/results.json`)).toBe(false);
  });
});
