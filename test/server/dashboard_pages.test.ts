/**
 * The dashboard in Chromium: the IMDb form's layers and dropout fields (shown on the command line, refused by the
 * server with the field marked), and the Runs view a page at a time.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { request, startTestServer, tempDir, writeImdbRuns, type TestServer } from './helpers.js';

let server: TestServer;
let browser: Chromium | undefined;
let page: Page;
const pageErrors: string[] = [];
const RUNS = 60;
const field = (name: string) => `fieldset[data-task="imdb"] [name="${name}"]`;

describeInChromium('layers, dropout and the runs pages in Chromium', () => {
  beforeAll(async () => {
    const runsDir = tempDir();
    writeImdbRuns(runsDir, RUNS);
    server = await startTestServer({ runsDir });
    browser = await launchChromium();
    page = await openDashboard(browser, `${server.base}/#runs`, pageErrors);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the newest 50 runs and pages to the older ones and back', async () => {
    const rows = () => page.$$eval('#runs-table tbody tr', (trs) => trs.map((t) => (t as HTMLElement).dataset.run));
    await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length > 0);
    expect(await rows()).toHaveLength(50);
    expect(await page.textContent('#runs-page-text')).toBe(`runs 1–50 of ${RUNS}`);
    expect(await page.isDisabled('#runs-newer')).toBe(true);
    await page.click('#runs-older');
    await page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 51'));
    expect(await page.textContent('#runs-page-text')).toBe(`runs 51–${RUNS} of ${RUNS}`);
    // The oldest runs: folder 0 started first.
    expect((await rows()).sort()[0]).toBe('20250101-100000-imdb-lstm');
    expect(await page.isDisabled('#runs-older')).toBe(true);
    await page.click('#runs-newer');
    await page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 1–'));
    expect(await rows()).toContain(`20250101-1${String(RUNS - 1).padStart(5, '0')}-imdb-lstm`);
  });

  it('sends layers and dropout with an IMDb job, as the command line shows', async () => {
    await page.click('#tab-train');
    await page.selectOption('#f-task', 'imdb');
    await page.selectOption('#f-model', 'gru');
    await page.fill(field('layers'), '2');
    await page.fill(field('dropout'), '0.2');
    expect(await page.textContent('#cmdline')).toMatch(/--layers 2 --dropout 0\.2/);
    await page.fill(field('dropout'), '1');
    await page.evaluate(() => { document.querySelector('#train-error')!.textContent = ''; });
    await page.click('#train-start');
    await page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
    expect(await page.textContent('#train-error')).toBe('dropout must be from 0 up to but not including 1, got 1');
    expect(await page.getAttribute(field('dropout'), 'aria-invalid')).toBe('true');
    expect((await request(server.base, 'GET', '/api/jobs')).body.jobs).toHaveLength(0);
    expect(pageErrors).toEqual([]);
  });
});
