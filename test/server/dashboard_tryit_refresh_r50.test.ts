/**
 * In Chromium: Try it takes a prediction made by a model whose run was deleted off the page when the model list is
 * made again (Refresh), saying why in the words the other views use, as it already did on the next click; a result
 * made by a model still listed stays.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { additionModel, imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession, runFolder } from './dashboard_harness.js';

const SUM = 'sum-gone-on-refresh';
const IMDB = 'imdb-gone-on-refresh';
const clearedText = (id: string) => `The model ${id} is no longer in the runs folder (its run was deleted or moved), so the results made by it were cleared.`;

describeInChromium('Try it clears the results of a model deleted since, on Refresh, in Chromium (r50)', () => {
  const dash = dashboardSession({
    hash: '#try',
    async runs(runsDir) {
      const sizes = { vocab: 100, maxlen: 20, units: 4, embeddingDim: 4 };
      const lstm = imdbModel('lstm', sizes);
      await runFolder(runsDir, IMDB, 'imdb', { model: 'lstm', vocab: 100, maxlen: 20 }, lstm, (dir) => saveImdbModel(dir, lstm, 'lstm', sizes, {}));
      const adder = additionModel({ digits: 1, hidden: 4, rnn: 'lstm' });
      await runFolder(runsDir, SUM, 'addition', { rnn: 'lstm', digits: 1, reverse: false }, adder, (dir) => adder.save(`file://${dir}`));
    },
    timeoutMs: 60_000,
  });

  const text = (sel: string) => dash.page.textContent(sel);
  const hidden = (sel: string) => dash.page.$eval(sel, (e) => (e as HTMLElement).hidden);
  const children = (sel: string) => dash.page.$$eval(`${sel} > *`, (es) => es.length);
  const options = (sel: string) => dash.page.$$eval(`${sel} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));
  const drawn = (sel: string) => dash.page.$eval(sel, (c) => (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c) !== undefined);
  const waitText = (sel: string, want: string) => dash.page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent === w, [sel, want], { timeout: 10_000 }).catch(() => undefined);
  async function refresh(): Promise<void> {
    await dash.page.click('#tab-runs');
    await dash.page.click('#runs-refresh');
    await dash.page.click('#tab-try');
  }

  it('clears the sum of a deleted addition model on Refresh and keeps the sentiment of a model still listed', async () => {
    await dash.page.selectOption('#sum-model', SUM);
    await dash.page.fill('#sum-query', '1+2');
    await dash.page.click('#sum-go');
    await dash.page.waitForSelector('#sum-result:not([hidden]) #sum-probs tbody tr');
    await dash.page.selectOption('#sentiment-model', IMDB);
    await dash.page.click('#sentiment-go');
    await dash.page.waitForSelector('#sentiment-result:not([hidden]) #heat-strip .tok');
    expect(await text('#sum-error')).toBe('');
    expect(await text('#sentiment-error')).toBe('');

    rmSync(join(dash.runsDir, SUM), { recursive: true });
    await refresh();
    await waitText('#sum-error', clearedText(SUM));
    expect(await text('#sum-error')).toBe(clearedText(SUM));
    expect(await hidden('#sum-result')).toBe(true);
    expect(await children('#sum-probs')).toBe(0);
    expect(await text('#sum-answer')).toBe('');
    expect(await options('#sum-model')).not.toContain(SUM);
    // Made by a model still listed: it stays, and nothing is said.
    expect(await hidden('#sentiment-result')).toBe(false);
    expect(await children('#heat-strip')).toBeGreaterThan(0);
    expect(await text('#sentiment-error')).toBe('');
  });

  it('clears the sentiment of a deleted IMDb model on Refresh, its heat strip and chart too', async () => {
    expect(await drawn('#sentiment-chart')).toBe(true);
    rmSync(join(dash.runsDir, IMDB), { recursive: true });
    await refresh();
    await waitText('#sentiment-error', clearedText(IMDB));
    expect(await text('#sentiment-error')).toBe(clearedText(IMDB));
    expect(await hidden('#sentiment-result')).toBe(true);
    expect(await children('#heat-strip')).toBe(0);
    expect(await text('#sentiment-label')).toBe('');
    expect(await drawn('#sentiment-chart')).toBe(false);
    expect(await options('#sentiment-model')).not.toContain(IMDB);
    // The sum's words stay until that form is used again: a second Refresh does not say it twice or take it back.
    expect(await text('#sum-error')).toBe(clearedText(SUM));
    expect(dash.pageErrors).toEqual([]);
  });
});
