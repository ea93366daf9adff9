/**
 * The dashboard in Chromium holds one job stream, the shown job's, while Live training is shown: showing another job
 * closes it and opens that job's, a finished job's stream ends by itself once it has sent the job, and leaving the view
 * closes it; the curves drawn are the shown job's.
 */
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { afterFirstBatch, finished, PAUSE_MS, post, SMALL_SUM } from './helpers.js';

describeInChromium("the dashboard's job stream", () => {
  let done: string;
  let running: string;
  const dash = dashboardSession({
    hash: '#train',
    serverStarted: async (server) => {
      done = (await post(server.base, '/api/jobs', { ...SMALL_SUM, name: 'done' })).body.job.id;
      await finished(server.base, done);
      // The next job stops after its first batch until the test cancels it: it stays running, its stream open.
      server.d.jobs.batchDelayMs = PAUSE_MS;
      running = (await post(server.base, '/api/jobs', { ...SMALL_SUM, name: 'running' })).body.job.id;
      await afterFirstBatch(server, running);
    },
    // Every EventSource the page makes, and whether it closed it.
    beforeOpen: (page) => page.addInitScript(() => {
      const w = window as unknown as { streams: { url: string; closed: boolean }[]; EventSource: typeof EventSource };
      w.streams = [];
      const Real = w.EventSource;
      w.EventSource = class extends Real {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          const seen = { url: String(url), closed: false };
          w.streams.push(seen);
          const close = this.close.bind(this);
          this.close = () => { seen.closed = true; close(); };
        }
      };
    }),
    timeoutMs: 60_000,
    setupTimeoutMs: 180_000,
  });

  /** The job streams the page has opened and not closed, by job id, in the order opened. */
  const openJobStreams = () => dash.page.evaluate(() => (window as unknown as { streams: { url: string; closed: boolean }[] }).streams
    .filter((s) => !s.closed && s.url.includes('/api/jobs/')).map((s) => decodeURIComponent(s.url.split('/api/jobs/')[1].split('/')[0])));
  const jobStreamsOpened = () => dash.page.evaluate(() => (window as unknown as { streams: { url: string }[] }).streams.filter((s) => s.url.includes('/api/jobs/')).length);

  async function expectOpen(ids: string[]): Promise<void> {
    await dash.page.waitForFunction((want) => {
      const w = window as unknown as { streams: { url: string; closed: boolean }[] };
      const open = w.streams.filter((s) => !s.closed && s.url.includes('/api/jobs/')).map((s) => decodeURIComponent(s.url.split('/api/jobs/')[1].split('/')[0]));
      return JSON.stringify(open) === JSON.stringify(want);
    }, ids, { timeout: 30_000 }).catch(() => undefined);
    expect(await openJobStreams()).toEqual(ids);
  }
  const count = (sel: string) => dash.page.getAttribute(sel, 'data-count').then(Number);

  it("opens the shown job's stream only, switches it with the job shown, and holds none off the view", async () => {
    // The running job is shown, its curve so far drawn from its stream's first event.
    await expectOpen([running]);
    await dash.page.waitForFunction(() => Number(document.querySelector('#live-points')?.getAttribute('data-count')) >= 1);
    expect(await dash.page.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(running);

    // The finished job: its stream sends the job whole and ends, and the page closes it; the running job's is closed.
    await dash.page.click(`#jobs li[data-job="${done}"] .job-show`);
    await dash.page.waitForFunction(() => document.querySelector('#live-epochs')?.getAttribute('data-count') === '2');
    await expectOpen([]);
    expect(await count('#live-points')).toBe(18);
    const opened = await jobStreamsOpened();

    // Shown again, its whole detail is still here: no new stream.
    await dash.page.click(`#jobs li[data-job="${running}"] .job-show`);
    await expectOpen([running]);
    await dash.page.click(`#jobs li[data-job="${done}"] .job-show`);
    await expectOpen([]);
    expect(await jobStreamsOpened()).toBe(opened + 1);

    // Off the view, none; back on it, the shown job's (the running one, picked again).
    await dash.page.click(`#jobs li[data-job="${running}"] .job-show`);
    await expectOpen([running]);
    await dash.page.click('#tab-runs');
    await expectOpen([]);
    await dash.page.click('#tab-train');
    await expectOpen([running]);
    await dash.page.waitForFunction(() => Number(document.querySelector('#live-points')?.getAttribute('data-count')) >= 1);

    // The job ends: its stream says so and the page closes it.
    await post(dash.server.base, `/api/jobs/${running}/cancel`, {});
    await dash.page.waitForSelector(`#jobs li[data-job="${running}"][data-status="cancelled"]`);
    await expectOpen([]);
    expect(dash.pageErrors).toEqual([]);
  }, 180_000);
});
