/**
 * The dashboard in Chromium: the IMDb form's layers and dropout fields (shown on the command line, refused by the
 * server with the field marked), and the Runs view a page at a time.
 */
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { request, writeImdbRuns } from './helpers.js';

const RUNS = 60;
const field = (name: string) => `fieldset[data-task="imdb"] [name="${name}"]`;

describeInChromium('layers, dropout and the runs pages in Chromium', () => {
  const dash = dashboardSession({ hash: '#runs', runs: (runsDir) => writeImdbRuns(runsDir, RUNS) });

  it('shows the newest 50 runs and pages to the older ones and back', async () => {
    const rows = () => dash.page.$$eval('#runs-table tbody tr', (trs) => trs.map((t) => (t as HTMLElement).dataset.run));
    await dash.page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length > 0);
    expect(await rows()).toHaveLength(50);
    expect(await dash.page.textContent('#runs-page-text')).toBe(`runs 1–50 of ${RUNS}`);
    expect(await dash.page.isDisabled('#runs-newer')).toBe(true);
    await dash.page.click('#runs-older');
    await dash.page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 51'));
    expect(await dash.page.textContent('#runs-page-text')).toBe(`runs 51–${RUNS} of ${RUNS}`);
    // The oldest runs: folder 0 started first.
    expect((await rows()).sort()[0]).toBe('20250101-100000-imdb-lstm');
    expect(await dash.page.isDisabled('#runs-older')).toBe(true);
    await dash.page.click('#runs-newer');
    await dash.page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 1–'));
    expect(await rows()).toContain(`20250101-1${String(RUNS - 1).padStart(5, '0')}-imdb-lstm`);
  });

  it('sends layers and dropout with an IMDb job, as the command line shows', async () => {
    await dash.page.click('#tab-train');
    await dash.page.selectOption('#f-task', 'imdb');
    await dash.page.selectOption('#f-model', 'gru');
    await dash.page.fill(field('layers'), '2');
    await dash.page.fill(field('dropout'), '0.2');
    expect(await dash.page.textContent('#cmdline')).toMatch(/--layers 2 --dropout 0\.2/);
    await dash.page.fill(field('dropout'), '1');
    await dash.page.evaluate(() => { document.querySelector('#train-error')!.textContent = ''; });
    await dash.page.click('#train-start');
    await dash.page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
    expect(await dash.page.textContent('#train-error')).toBe('dropout must be from 0 up to but not including 1, got 1');
    expect(await dash.page.getAttribute(field('dropout'), 'aria-invalid')).toBe('true');
    expect((await request(dash.server.base, 'GET', '/api/jobs')).body.jobs).toHaveLength(0);
    expect(dash.pageErrors).toEqual([]);
  });
});
