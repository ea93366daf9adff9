/**
 * The live-training view across reloads and tabs in Chromium: a reload shows the newest job when nothing trains
 * (it used to show the oldest), a reload in the middle of a job comes back to that job with its curve, and a job
 * cancelled from a second tab is shown cancelled in the first.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { request, startTestServer, type TestServer } from './helpers.js';

const TINY = { task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1 };

let server: TestServer;
let browser: Chromium | undefined;
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function startJob(body: Record<string, unknown>): Promise<string> {
  const r = await request(server.base, 'POST', '/api/jobs', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect([200, 201, 202], r.text).toContain(r.status);
  return r.body.job.id as string;
}

async function waitForStatus(id: string, status: string): Promise<void> {
  for (;;) {
    const r = await request(server.base, 'GET', `/api/jobs/${id}`);
    if (r.body.job.status === status) return;
    if (!['queued', 'running'].includes(r.body.job.status)) throw new Error(`job ${id} ended ${r.body.job.status}: ${r.body.job.error}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function openTrain(p: Page): Promise<void> {
  await openDashboard(browser!, `${server.base}/#train`, pageErrors, { page: p, timeoutMs: 60_000 });
  await p.waitForSelector('#conn-dot.live');
}

describeInChromium('the live-training view across reloads and tabs', () => {
  beforeAll(async () => {
    // A pause after each batch keeps the long job running while the page reloads.
    server = await startTestServer({ batchDelayMs: 40 });
    browser = await launchChromium();
    ({ ctx, page } = browser);
    page.setDefaultTimeout(60_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the newest job after a reload when nothing trains', async () => {
    const first = await startJob({ ...TINY, name: 'first' });
    await waitForStatus(first, 'completed');
    const second = await startJob({ ...TINY, name: 'second' });
    await waitForStatus(second, 'completed');
    await openTrain(page);
    expect(await page.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(second);
    await page.waitForFunction(() => (document.querySelector('#live-title')?.textContent ?? '').includes('second (completed)'));
  });

  it('comes back to the running job and its curve after a reload, and sees a cancel made in another tab', async () => {
    const long = await startJob({ ...TINY, trainingSize: 2000, epochs: 50, name: 'long' });
    await waitForStatus(long, 'running');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#conn-dot.live');
    expect(await page.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(long);
    await page.waitForFunction(() => Number(document.querySelector('#live-points')?.getAttribute('data-count')) > 0);

    const other = await ctx.newPage();
    await openTrain(other);
    expect(await other.$eval('#live-job', (s) => (s as HTMLSelectElement).value)).toBe(long);
    await other.click(`#jobs li[data-job="${long}"] button`);
    await page.waitForSelector(`#jobs li[data-job="${long}"][data-status="cancelled"]`);
    await waitForStatus(long, 'cancelled');
    await other.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
