/**
 * The live-training view across reloads and tabs in Chromium: a reload shows the newest job when nothing trains
 * (it used to show the oldest), a reload in the middle of a job comes back to that job with its curve, and a job
 * cancelled from a second tab is shown cancelled in the first.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInChromium, openDashboard } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { request, type TestServer } from './helpers.js';

const TINY = { task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1 };

async function startJob(server: TestServer, body: Record<string, unknown>): Promise<string> {
  const r = await request(server.base, 'POST', '/api/jobs', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect([200, 201, 202], r.text).toContain(r.status);
  return r.body.job.id as string;
}

async function waitForStatus(server: TestServer, id: string, status: string): Promise<void> {
  for (;;) {
    const r = await request(server.base, 'GET', `/api/jobs/${id}`);
    if (r.body.job.status === status) return;
    if (!['queued', 'running'].includes(r.body.job.status)) throw new Error(`job ${id} ended ${r.body.job.status}: ${r.body.job.error}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describeInChromium('the live-training view across reloads and tabs', () => {
  let second: string;
  // The page opens once both jobs are done: what a reload finds when nothing trains.
  const dash = dashboardSession({
    hash: '#train',
    // A pause after each batch keeps the long job running while the page reloads.
    server: { batchDelayMs: 40 },
    serverStarted: async (server) => {
      const first = await startJob(server, { ...TINY, name: 'first' });
      await waitForStatus(server, first, 'completed');
      second = await startJob(server, { ...TINY, name: 'second' });
      await waitForStatus(server, second, 'completed');
    },
    timeoutMs: 60_000,
    setupTimeoutMs: 120_000,
  });

  async function openTrain(p: Page): Promise<void> {
    await openDashboard(dash.browser, `${dash.server.base}/#train`, dash.pageErrors, { page: p, timeoutMs: 60_000 });
    await p.waitForSelector('#conn-dot.live');
  }

  it('shows the newest job after a reload when nothing trains', async () => {
    await dash.page.waitForSelector('#conn-dot.live');
    expect(await dash.page.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(second);
    await dash.page.waitForFunction(() => (document.querySelector('#live-title')?.textContent ?? '').includes('second (completed)'));
  });

  it('comes back to the running job and its curve after a reload, and sees a cancel made in another tab', async () => {
    const long = await startJob(dash.server, { ...TINY, trainingSize: 2000, epochs: 50, name: 'long' });
    await waitForStatus(dash.server, long, 'running');
    await dash.page.reload();
    await dash.page.waitForSelector('body[data-ready="true"]');
    await dash.page.waitForSelector('#conn-dot.live');
    expect(await dash.page.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(long);
    await dash.page.waitForFunction(() => Number(document.querySelector('#live-points')?.getAttribute('data-count')) > 0);

    const other = await dash.browser.ctx.newPage();
    await openTrain(other);
    expect(await other.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(long);
    await other.click(`#jobs li[data-job="${long}"] button`);
    await dash.page.waitForSelector(`#jobs li[data-job="${long}"][data-status="cancelled"]`);
    await waitForStatus(dash.server, long, 'cancelled');
    await other.close();
    expect(dash.pageErrors).toEqual([]);
  }, 120_000);
});
