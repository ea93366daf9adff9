/**
 * The Runs view keeps the runs ticked for the overlay across its pages (paging used to untick every run not on the
 * page shown), and drops one only when the server answers that it is gone. Also the dropout field's open top,
 * [0, 1) from /api/config's dropoutRange, flagged as it is typed.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain browser JavaScript, no types
import { isGone, offPage } from '../../web/js/run_selection.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { imdbRunId, writeImdbRuns } from './helpers.js';

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
  const dash = dashboardSession({ hash: '#runs', runs: (runsDir) => writeImdbRuns(runsDir, RUNS, { loss: [0.5, 0.4] }) });

  const box = (id: string) => `#runs-table tr[data-run="${id}"] input[type="checkbox"]`;
  /** Waits until the loss chart overlays `n` series (one training curve per ticked run). */
  const waitForSeries = (n: number) => dash.page.waitForFunction((k) => document.querySelector<HTMLElement>('#runs-loss')?.dataset.series === String(k), n);

  it('keeps runs ticked on one page while another is shown, and drops a deleted one', async () => {
    // The newest run is ticked at first; tick another on the first page and one on the second.
    await dash.page.waitForSelector(box(idOf(RUNS - 1)));
    expect(await dash.page.isChecked(box(idOf(RUNS - 1)))).toBe(true);
    await dash.page.check(box(idOf(RUNS - 2)));
    await waitForSeries(2);
    await dash.page.click('#runs-older');
    await dash.page.waitForSelector(box(idOf(0)));
    await dash.page.check(box(idOf(0)));
    await waitForSeries(3);
    await dash.page.click('#runs-newer');
    await dash.page.waitForSelector(box(idOf(RUNS - 1)));
    expect([await dash.page.isChecked(box(idOf(RUNS - 1))), await dash.page.isChecked(box(idOf(RUNS - 2)))]).toEqual([true, true]);
    await waitForSeries(3);
    // The run ticked on the second page is deleted: the next refresh finds it gone (404) and drops it.
    rmSync(join(dash.runsDir, idOf(0)), { recursive: true });
    await dash.page.click('#runs-refresh');
    await waitForSeries(2);
    await dash.page.click('#runs-older');
    await dash.page.waitForSelector(box(idOf(1)));
    expect(await dash.page.$(box(idOf(0)))).toBeNull();
    expect(dash.pageErrors).toEqual([]);
  });

  it('flags a dropout of 1 or more as it is typed, from the range /api/config sends', async () => {
    await dash.page.click('#tab-train');
    await dash.page.selectOption('#f-task', 'imdb');
    const dropout = 'fieldset[data-task="imdb"] [name="dropout"]';
    await dash.page.fill(dropout, '1');
    expect(await dash.page.getAttribute(dropout, 'aria-invalid')).toBe('true');
    expect(await dash.page.textContent('fieldset[data-task="imdb"] label:has([name="dropout"]) .field-error')).toBe('dropout must be from 0 up to but not including 1');
    await dash.page.fill(dropout, '0.5');
    expect(await dash.page.getAttribute(dropout, 'aria-invalid')).toBe('false');
    expect(await dash.page.$('fieldset[data-task="imdb"] label:has([name="dropout"]) .field-error')).toBeNull();
    expect(dash.pageErrors).toEqual([]);
  });
});
