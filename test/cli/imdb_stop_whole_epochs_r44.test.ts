/**
 * An IMDb run stopped inside an epoch (the dashboard's cancel; compare's Ctrl-C) reports its train accuracy and
 * seconds per epoch over its whole epochs, as compare's table does: the cut epoch's numbers are of the batches it got.
 * imdb's record (imdbBody, which `rnnlab imdb` and a dashboard job write) and compare's row agree on them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareModels } from '../../src/experiments/compare.js';
import { imdbBody } from '../../src/experiments/imdb_result.js';
import { loadImdbArrays, trainImdb, type ImdbArrays } from '../../src/experiments/imdb_task.js';
import { makeTarGz, reviewEntries, writeFixture } from '../data/fixtures.js';
import { removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-imdb-whole-r44-');
const savedCache = process.env.RNNLAB_CACHE;
let data: ImdbArrays;
beforeAll(async () => {
  process.env.RNNLAB_CACHE = join(root, 'cache');
  const tar = writeFixture(root, 'imdb.tar.gz', makeTarGz(reviewEntries(40)));
  data = await loadImdbArrays({ data: tar, vocab: 60, maxlen: 12 });
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.RNNLAB_CACHE;
  else process.env.RNNLAB_CACHE = savedCache;
  removeDir(root);
});

/** Stops training after `batches` batches of the second epoch. */
function stopInSecondEpoch(batches: number) {
  const stop = new AbortController();
  return { signal: stop.signal, onBatchEnd: (epoch: number, batch: number) => { if (epoch === 1 && batch === batches - 1) stop.abort(); } };
}

const SMALL = { units: 4, embeddingDim: 4, batchSize: 8, epochs: 3, verbose: 0 as const };

describe('an IMDb run stopped inside an epoch', () => {
  it('imdb: the record\'s train accuracy, its finding and seconds per epoch are of the whole epochs', async () => {
    const run = await trainImdb('lstm', data, { ...SMALL, ...stopInSecondEpoch(2) });
    expect(run.cancelled).toBe(true);
    expect(run.history.loss).toHaveLength(2);
    const firstEpochAccuracy = run.history.accuracy[0];
    // The cut epoch's accuracy (of its 2 batches) differs from the first whole epoch's on these reviews.
    expect(run.history.accuracy[1]).not.toBe(firstEpochAccuracy);
    const body = imdbBody(run, data, null);
    expect(body.metrics.trainAccuracy).toBe(firstEpochAccuracy);
    expect(body.models[0].metrics?.trainAccuracy).toBe(firstEpochAccuracy);
    expect(body.metrics.trainLoss).toBe(run.history.loss[0]);
    expect(run.meanSecondsPerEpoch).toBe(run.secondsPerEpoch[0]);
    expect(body.finding).toMatch(/^lstm was stopped after 1 epoch\(s\) and part of the next, before the test evaluation/);
  }, 60_000);

  it('compare: its row agrees with the imdb record (one count of the cut epoch)', async () => {
    const res = await compareModels(data, ['lstm'], { ...SMALL, ...stopInSecondEpoch(2) });
    expect(res.rows[0]).toMatchObject({ epochs: 1, partialLastEpoch: true, trainAccuracy: res.runs[0].history.accuracy[0] });
    expect(res.runs[0].partialLastEpoch).toBe(true);
  }, 60_000);

  it('a stop on the epoch\'s last batch cuts nothing: every epoch begun is whole', async () => {
    const steps = Math.ceil(data.nTrain / SMALL.batchSize);
    const run = await trainImdb('lstm', data, { ...SMALL, ...stopInSecondEpoch(steps) });
    expect(run.cancelled).toBe(true);
    expect(run.partialLastEpoch).toBe(false);
    expect(imdbBody(run, data, null).metrics.trainAccuracy).toBe(run.history.accuracy[1]);
  }, 60_000);
});
