/**
 * In Chromium: "Inside the network" and the embedding projector say in their own words that a model whose run was
 * deleted since it was listed is gone (they quoted the API's "no trained model ...: pick one from GET /api/models"),
 * and take what that model had shown off the page, on the next click or on Refresh; and two jobs that end together
 * are both said in the live region (the second outcome replaced the first before a screen reader read it).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { additionModel, imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession, runFolder } from './dashboard_harness.js';
import { get, PAUSE_MS, post, SMALL_SUM, until } from './helpers.js';

const SUM = 'sum-gone';
const CLICKED = 'imdb-gone-clicked';
const REFRESHED = 'imdb-gone-refreshed';
const clickedText = (id: string) => `the model ${id} is no longer in the runs folder (its run was deleted or moved); the model list is updated: pick another`;
const clearedText = (id: string) => `The model ${id} is no longer in the runs folder (its run was deleted or moved), so the results made by it were cleared.`;

describeInChromium('a deleted model in the Inside view and the projector, and outcomes said together, in Chromium (r49)', () => {
  const dash = dashboardSession({
    hash: '#inside',
    async runs(runsDir) {
      const sizes = { vocab: 100, maxlen: 20, units: 4, embeddingDim: 4 };
      for (const id of [CLICKED, REFRESHED]) {
        const lstm = imdbModel('lstm', sizes);
        await runFolder(runsDir, id, 'imdb', { model: 'lstm', vocab: 100, maxlen: 20 }, lstm, (dir) => saveImdbModel(dir, lstm, 'lstm', sizes, {}));
      }
      const adder = additionModel({ digits: 1, hidden: 4, rnn: 'lstm' });
      await runFolder(runsDir, SUM, 'addition', { rnn: 'lstm', digits: 1, reverse: false }, adder, (dir) => adder.save(`file://${dir}`));
    },
    // The jobs of the last test wait in their first batch's pause until cancelled.
    server: { batchDelayMs: PAUSE_MS },
    timeoutMs: 60_000,
  });

  const text = (sel: string) => dash.page.textContent(sel);
  const waitText = (sel: string, want: string) => dash.page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent === w, [sel, want], { timeout: 10_000 }).catch(() => undefined);
  const options = (sel: string) => dash.page.$$eval(`${sel} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));
  /** Whether a chart is drawn on the canvas, and the test hooks its view sets. */
  const chartOn = (sel: string) => dash.page.$eval(sel, (c) => {
    const C = (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart;
    return { drawn: C.getChart(c) !== undefined, points: (c as HTMLElement).dataset.points ?? null };
  });

  it('says a deleted model is gone when Show is clicked, and clears its heatmaps and its a+b comparison', async () => {
    await dash.page.selectOption('#states-model', SUM);
    await dash.page.fill('#states-input', '1+2');
    await dash.page.click('#states-go');
    await dash.page.waitForSelector('#states-maps .map');
    await dash.page.selectOption('#comm-model', SUM);
    await dash.page.fill('#comm-a', '2');
    await dash.page.fill('#comm-b', '3');
    await dash.page.click('#comm-go');
    await dash.page.waitForSelector('#comm-result:not([hidden])');
    expect(await text('#comm-error')).toBe('');

    rmSync(join(dash.runsDir, SUM), { recursive: true });
    await dash.page.click('#states-go');
    await waitText('#states-error', clickedText(SUM));
    expect(await text('#states-error')).toBe(clickedText(SUM));
    expect(await dash.page.$eval('#states-result', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await dash.page.$$eval('#states-maps > *, #states-layer > *', (es) => es.length)).toBe(0);
    expect(await text('#states-summary')).toBe('');
    expect(await options('#states-model')).not.toContain(SUM);
    // The comparison made by the same model goes too, saying why beside its own form.
    expect(await text('#comm-error')).toBe(clearedText(SUM));
    expect(await dash.page.$eval('#comm-result', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await dash.page.$$eval('#comm-matrix > *', (es) => es.length)).toBe(0);
    expect(await options('#comm-model')).not.toContain(SUM);
  });

  it('says a deleted model is gone when Project is clicked, and takes its projection off the page', async () => {
    await dash.page.selectOption('#proj-model', CLICKED);
    await dash.page.fill('#proj-words', '50');
    await dash.page.click('#proj-go');
    await dash.page.waitForSelector('#proj-chart[data-points]');
    expect(await text('#proj-summary')).not.toBe('');

    rmSync(join(dash.runsDir, CLICKED), { recursive: true });
    await dash.page.click('#proj-go');
    await waitText('#proj-error', clickedText(CLICKED));
    expect(await text('#proj-error')).toBe(clickedText(CLICKED));
    expect(await chartOn('#proj-chart')).toEqual({ drawn: false, points: null });
    expect(await text('#proj-summary')).toBe('');
    expect(await options('#proj-model')).not.toContain(CLICKED);
  });

  it('takes the projection of a model deleted since off the page on Refresh, saying why', async () => {
    await dash.page.selectOption('#proj-model', REFRESHED);
    await dash.page.click('#proj-go');
    await dash.page.waitForSelector('#proj-chart[data-points]');
    expect(await text('#proj-error')).toBe('');

    rmSync(join(dash.runsDir, REFRESHED), { recursive: true });
    await dash.page.click('#tab-runs');
    await dash.page.click('#runs-refresh');
    await dash.page.click('#tab-inside');
    await waitText('#proj-error', clearedText(REFRESHED));
    expect(await text('#proj-error')).toBe(clearedText(REFRESHED));
    expect(await chartOn('#proj-chart')).toEqual({ drawn: false, points: null });
    expect(await options('#proj-model')).not.toContain(REFRESHED);
    expect(dash.pageErrors).toEqual([]);
  });

  it('says both outcomes of two jobs that end together in the live region', async () => {
    await dash.show('#train');
    const ids: string[] = [];
    for (const name of ['first', 'second']) ids.push((await post(dash.server.base, '/api/jobs', { ...SMALL_SUM, name })).body.job.id);
    // The page has seen the first job training and the second waiting: both are going on, for the page too.
    await until(async () => (await get(dash.server.base, `/api/jobs/${ids[0]}`)).body.job.progress?.batch >= 1, 60_000, 'the first batch');
    await dash.page.waitForFunction((want) => want.every((id) => ['running', 'queued'].includes(document.querySelector<HTMLElement>(`#jobs li[data-job="${id}"]`)?.dataset.status ?? '')), ids);
    for (const id of [...ids].reverse()) expect((await post(dash.server.base, `/api/jobs/${id}/cancel`, {})).status).toBeLessThan(300);
    await dash.page.waitForFunction((want) => want.every((id) => document.querySelector<HTMLElement>(`#jobs li[data-job="${id}"]`)?.dataset.status === 'cancelled'), ids);
    const said = await Promise.all(ids.map((id, i) => dash.page.$eval(`#jobs li[data-job="${id}"] .job-phase`, (e, name) => `${name}: ${e.textContent}`, ['first', 'second'][i])));
    // What the accessibility tree holds for the region: both outcomes, the one that ended first first.
    const region = dash.page.locator('#status-announce');
    const both = `${said[1]}. ${said[0]}`;
    await until(async () => (await region.ariaSnapshot()).includes(both), 4000, 'both outcomes in the live region').catch(() => undefined);
    expect(await region.ariaSnapshot()).toBe(`- text: ${JSON.stringify(both)}`);
  }, 120_000);
});
