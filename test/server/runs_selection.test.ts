/**
 * The Runs view keeps the runs ticked for the overlay across its pages (paging used to untick every run not on the
 * page shown), and drops one only when the server answers that it is gone. Also the dropout field's open top,
 * [0, 1) from /api/config's dropoutRange, flagged as it is typed.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain browser JavaScript, no types
import { isGone, offPage } from '../../web/js/run_selection.js';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { imdbRunId, startTestServer, tempDir, writeImdbRuns, type TestServer } from './helpers.js';

const RUNS = 60;
const idOf = imdbRunId;

describe('the selection logic', () => {
  it('keeps ticked runs that another page shows, and calls a run gone only on a 404', () => {
    expect(offPage(new Set(['a', 'b', 'c']), ['b', 'x'])).toEqual(['a', 'c']);
    expect(offPage(new Set(['a']), ['a'])).toEqual([]);
    expect([isGone({ status: 404 }), isGone({ status: 500 }), isGone({ status: 0 }), isGone(new Error('x'))]).toEqual([true, false, false, false]);
  });
});

describeInChromium('ticked runs across the Runs pages in Chromium', () => {
  let server: TestServer;
  let browser: Chromium | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let runsDir: string;

  const box = (id: string) => `#runs-table tr[data-run="${id}"] input[type="checkbox"]`;
  /** Waits until the loss chart overlays `n` series (one training curve per ticked run). */
  const waitForSeries = (n: number) => page.waitForFunction((k) => document.querySelector<HTMLElement>('#runs-loss')?.dataset.series === String(k), n);

  beforeAll(async () => {
    runsDir = tempDir();
    writeImdbRuns(runsDir, RUNS, { loss: [0.5, 0.4] });
    server = await startTestServer({ runsDir });
    browser = await launchChromium();
    page = await openDashboard(browser, `${server.base}/#runs`, pageErrors);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps runs ticked on one page while another is shown, and drops a deleted one', async () => {
    // The newest run is ticked at first; tick another on the first page and one on the second.
    await page.waitForSelector(box(idOf(RUNS - 1)));
    expect(await page.isChecked(box(idOf(RUNS - 1)))).toBe(true);
    await page.check(box(idOf(RUNS - 2)));
    await waitForSeries(2);
    await page.click('#runs-older');
    await page.waitForSelector(box(idOf(0)));
    await page.check(box(idOf(0)));
    await waitForSeries(3);
    await page.click('#runs-newer');
    await page.waitForSelector(box(idOf(RUNS - 1)));
    expect([await page.isChecked(box(idOf(RUNS - 1))), await page.isChecked(box(idOf(RUNS - 2)))]).toEqual([true, true]);
    await waitForSeries(3);
    // The run ticked on the second page is deleted: the next refresh finds it gone (404) and drops it.
    rmSync(join(runsDir, idOf(0)), { recursive: true });
    await page.click('#runs-refresh');
    await waitForSeries(2);
    await page.click('#runs-older');
    await page.waitForSelector(box(idOf(1)));
    expect(await page.$(box(idOf(0)))).toBeNull();
    expect(pageErrors).toEqual([]);
  });

  it('flags a dropout of 1 or more as it is typed, from the range /api/config sends', async () => {
    await page.click('#tab-train');
    await page.selectOption('#f-task', 'imdb');
    const dropout = 'fieldset[data-task="imdb"] [name="dropout"]';
    await page.fill(dropout, '1');
    expect(await page.getAttribute(dropout, 'aria-invalid')).toBe('true');
    expect(await page.textContent('fieldset[data-task="imdb"] label:has([name="dropout"]) .field-error')).toBe('dropout must be from 0 up to but not including 1');
    await page.fill(dropout, '0.5');
    expect(await page.getAttribute(dropout, 'aria-invalid')).toBe('false');
    expect(await page.$('fieldset[data-task="imdb"] label:has([name="dropout"]) .field-error')).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
