/**
 * A cancelled run's partial last epoch is drawn but not counted: the runs list's seconds per epoch is the mean over
 * whole epochs, as the CLI's (it used to average the cut epoch's few seconds in as a whole one), and the live view of
 * a job cancelled mid-epoch counts its whole epochs (it said "1 epochs so far" beside "cancelled after 0 epochs and
 * part of epoch 1"), also for the job rebuilt from its folder after a restart, while its curves keep the cut epoch.
 */
import { describe, expect, it } from 'vitest';
import type { RunHead } from '../../src/server/runs.js';
import { summarize } from '../../src/server/runs.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { afterFirstBatch, finished, get, PAUSE_MS, post, SMALL_SUM, startTestServer, tempDir } from './helpers.js';

type ModelHead = RunHead['models'][number];
const model = (name: string, loss: number[], secondsPerEpoch: number[]): ModelHead =>
  ({ name, params: 10, history: { loss }, secondsPerEpoch, metrics: {}, summary: [] }) as unknown as ModelHead;
const head = (models: ModelHead[], cancellation: RunHead['cancellation']): RunHead => ({
  command: 'imdb', runName: 'r', status: cancellation ? 'cancelled' : 'completed', pid: null, startedAt: '2025-01-01T10:00:00.000Z',
  finishedAt: '2025-01-01T10:01:00.000Z', error: null, models, metrics: {}, config: {}, cancellation,
});

describe("the runs list's seconds per epoch of a cancelled run", () => {
  const dir = tempDir();

  it('leaves the partial last epoch out of the mean, as it leaves it out of the epochs', () => {
    const s = summarize('r', dir, head([model('lstm', [0.7, 0.6, 0.65], [10, 12, 3])], { afterEpochs: 2, partialLastEpoch: true }));
    expect(s.epochs).toBe(2);
    expect(s.secondsPerEpoch).toBe(11);
  });

  it('keeps a last epoch that was whole: one cancelled between epochs, or a run not cancelled', () => {
    const between = summarize('r', dir, head([model('lstm', [0.7, 0.6, 0.65], [10, 12, 5])], { afterEpochs: 3, partialLastEpoch: false }));
    expect([between.epochs, between.secondsPerEpoch]).toEqual([3, 9]);
    const done = summarize('r', dir, head([model('lstm', [0.7, 0.6, 0.65], [10, 12, 5])], null));
    expect([done.epochs, done.secondsPerEpoch]).toEqual([3, 9]);
  });

  it('in a comparison, cuts only the model stopped (the last recorded): the ones before it trained whole epochs', () => {
    const s = summarize('r', dir, head([model('simple_rnn', [0.7, 0.6], [4, 6]), model('lstm', [0.7, 0.6], [8, 1])], { afterEpochs: 1, partialLastEpoch: true }));
    expect(s.secondsPerEpoch).toBe(6);
    expect(s.epochs).toBe(2);
    // A model before the stopped one may have trained more epochs (compare's per-model default epochs): the count is
    // the most whole epochs of any model, not the longest history less one.
    const more = summarize('r', dir, head([model('lstm', [0.7, 0.6, 0.5, 0.4, 0.3], [4, 4, 4, 4, 4]), model('gru', [0.7, 0.6], [8, 1])], { afterEpochs: 1, partialLastEpoch: true }));
    expect(more.epochs).toBe(5);
  });

  it('has no mean when the cut epoch was the only one', () => {
    expect(summarize('r', dir, head([model('lstm', [0.7], [3])], { afterEpochs: 0, partialLastEpoch: true })).secondsPerEpoch).toBeNull();
  });
});

describeInChromium('the live view of a job cancelled mid-epoch, in Chromium', () => {
  let id: string;
  const dash = dashboardSession({
    hash: '#train',
    // A pause after every batch holds the job in its first epoch until the cancel.
    server: { batchDelayMs: PAUSE_MS },
    serverStarted: async (server) => {
      id = (await post(server.base, '/api/jobs', { ...SMALL_SUM, name: 'cut' })).body.job.id as string;
      await afterFirstBatch(server, id);
    },
    timeoutMs: 60_000,
    setupTimeoutMs: 120_000,
  });

  const shown = async () => ({
    count: await dash.page.getAttribute('#live-epochs', 'data-count'),
    line: (await dash.page.textContent('#live-epochs'))! + ' ' + (await dash.page.textContent('#live-epochs-word'))!,
    progress: await dash.page.textContent('#live-progress-text'),
    // The end-of-epoch points on the loss chart: the cut epoch's stays drawn.
    ends: await dash.page.evaluate(() => {
      const C = (window as unknown as { Chart: { getChart(c: Element): { data: { datasets: { label: string; data: { x: number }[] }[] } } } }).Chart;
      return C.getChart(document.querySelector('#live-loss')!)!.data.datasets.find((d) => d.label === 'train, end of epoch')?.data.map((p) => p.x) ?? [];
    }),
  });

  it('counts whole epochs once cancelled, and draws the cut one', async () => {
    await dash.page.waitForSelector('#conn-dot.live');
    await post(dash.server.base, `/api/jobs/${id}/cancel`, {});
    const job = await finished(dash.server.base, id);
    expect(job).toMatchObject({ status: 'cancelled', phase: 'cancelled after 0 epochs and part of epoch 1', partialLastEpoch: true });
    expect((await get(dash.server.base, `/api/jobs/${id}`)).body.job.epochs).toHaveLength(1);
    await dash.page.waitForFunction(() => (document.querySelector('#live-title')?.textContent ?? '').includes('cut (cancelled)'));
    expect(await shown()).toEqual({ count: '0', line: '0 epochs', progress: expect.stringContaining('cancelled after 0 epochs and part of epoch 1'), ends: [1] });
    expect(dash.pageErrors).toEqual([]);
  }, 120_000);

  it('counts them so for the job rebuilt from its folder after a restart', async () => {
    await dash.server.close();
    dash.server = await startTestServer({ runsDir: dash.runsDir });
    const restored = (await get(dash.server.base, '/api/jobs')).body.jobs.find((j: { name: string }) => j.name === 'cut');
    expect(restored).toMatchObject({ status: 'cancelled', partialLastEpoch: true, epochCount: 1 });
    await dash.page.goto(`${dash.server.base}/#train`);
    await dash.page.waitForSelector('body[data-ready="true"]');
    await dash.page.waitForFunction(() => (document.querySelector('#live-title')?.textContent ?? '').includes('cut (cancelled)'));
    await dash.page.waitForFunction(() => document.querySelector('#live-loss') !== null && (document.querySelector('#live-points')?.textContent ?? '') !== '');
    await dash.page.waitForFunction(() => {
      const C = (window as unknown as { Chart: { getChart(c: Element): { data: { datasets: unknown[] } } | undefined } }).Chart;
      return (C.getChart(document.querySelector('#live-loss')!)?.data.datasets.length ?? 0) > 0;
    });
    expect(await shown()).toEqual({ count: '0', line: '0 epochs', progress: expect.stringContaining('cancelled after 0 epochs and part of epoch 1'), ends: [1] });
    expect(dash.pageErrors).toEqual([]);
  }, 120_000);
});
