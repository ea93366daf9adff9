/**
 * In Chromium: with more models than the dashboard lists at first (100), it asks GET /api/models for that many only,
 * says how many there are, and "List more models" (by keyboard) reaches the older ones and the untrained networks,
 * which come last. A reload lists as many as were asked for, and an older answer of the list never replaces a newer one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { imdbRunId, startTestServer, tempDir, writeImdbRuns, type TestServer } from './helpers.js';

/** Five more than the first page, so the newest 100 are listed and imdbRunId(0..4) are not. */
const RUNS = 105;
/** With the three untrained networks. */
const MODELS = RUNS + 3;

describeInChromium('the dashboard\'s models list a page at a time, in Chromium', () => {
  let server: TestServer;
  let browser: Chromium | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const asked: string[] = [];
  const optionValues = (sel: string) => page.$$eval(`${sel} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));
  const reloadModels = (name: string) => page.evaluate(`import('/js/models.js').then((m) => { window.${name} = m.reloadModels(); return 1; })`);
  /** A run newer than every other, with a model. */
  const addRun = (id: string) => {
    mkdirSync(join(server.runsDir, id, 'model'), { recursive: true });
    const startedAt = '2026-01-01T00:00:00.000Z';
    writeFileSync(join(server.runsDir, id, 'results.json'), JSON.stringify({ command: 'imdb', startedAt, finishedAt: startedAt, config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: { testAccuracy: 0.8 } }));
    writeFileSync(join(server.runsDir, id, 'model', 'model.json'), '{}');
  };

  beforeAll(async () => {
    const runsDir = tempDir();
    writeImdbRuns(runsDir, RUNS, { metrics: { testAccuracy: 0.8 }, withModel: true });
    server = await startTestServer({ runsDir });
    browser = await launchChromium();
    browser.page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/models') asked.push(new URL(r.url()).search); });
    page = await openDashboard(browser, `${server.base}/#try`, pageErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for the first page only, offers its models and says how many there are', async () => {
    expect(asked).toEqual(['?limit=100&offset=0']);
    const offered = await optionValues('#sentiment-model');
    expect(offered).toHaveLength(100);
    expect(offered).toContain(imdbRunId(RUNS - 1));
    expect(offered).not.toContain(imdbRunId(0));
    expect(await page.isVisible('#try-models-pager')).toBe(true);
    expect(await page.textContent('#try-models-pager .models-page-text')).toBe(`100 of ${MODELS} models listed, newest first; the untrained networks come last.`);
    // Inside the network has no untrained network to default to yet: its pair is still a choice of listed models.
    expect(await optionValues('#grad-a')).not.toContain('fresh:simple_rnn');
    expect(await page.inputValue('#grad-a')).not.toBe('');
  });

  it('lists more models from the keyboard, reaching the oldest run\'s model and the untrained networks', async () => {
    await page.focus('#try-models-pager .models-more');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('#sentiment-model option').length === n, RUNS);
    expect(asked.slice(1)).toEqual(['?limit=200&offset=0']);
    await page.selectOption('#sentiment-model', imdbRunId(0));
    expect(await page.inputValue('#sentiment-model')).toBe(imdbRunId(0));
    expect(await page.textContent('#try-models-pager .models-page-text')).toBe(`All ${MODELS} models listed.`);
    expect(await page.isDisabled('#try-models-pager .models-more')).toBe(true);

    await page.getByRole('tab', { name: 'Inside the network' }).click();
    expect(await page.isVisible('#inside-models-pager')).toBe(true);
    expect(await page.textContent('#inside-models-pager .models-page-text')).toBe(`All ${MODELS} models listed.`);
    expect(await optionValues('#grad-a')).toHaveLength(MODELS);
    expect(await optionValues('#grad-a')).toEqual(expect.arrayContaining(['fresh:simple_rnn', 'fresh:lstm', 'fresh:gru', imdbRunId(0)]));
    expect(await optionValues('#proj-model')).toContain(imdbRunId(0));
    expect(pageErrors).toEqual([]);
  });

  it('reloads as many models as were listed, and keeps the user\'s choice', async () => {
    addRun('20260101-000000-newest');
    await reloadModels('r45Reload');
    await page.evaluate('window.r45Reload.then(() => 1)');
    expect(asked.at(-1)).toBe('?limit=200&offset=0');
    const offered = await optionValues('#sentiment-model');
    expect(offered).toHaveLength(RUNS + 1);
    expect(offered).toContain('20260101-000000-newest');
    expect(await page.inputValue('#sentiment-model')).toBe(imdbRunId(0));
  });

  it('never replaces a list with an older answer that comes after it', async () => {
    const routes: Route[] = [];
    await page.route('**/api/models?*', (route) => { routes.push(route); });
    await reloadModels('r45Older');
    await expect.poll(() => routes.length).toBe(1);
    await reloadModels('r45Newer');
    await expect.poll(() => routes.length).toBe(2);
    await routes[1].continue();
    await page.evaluate('window.r45Newer.then(() => 1)');
    // The older request reaches the server only now, after a run was added: its answer says more, but is older.
    addRun('20260102-000000-later');
    await routes[0].continue();
    await page.evaluate('window.r45Older.then(() => 1)');
    await page.unroute('**/api/models?*');
    expect(await optionValues('#sentiment-model')).not.toContain('20260102-000000-later');
    expect(await optionValues('#sentiment-model')).toHaveLength(RUNS + 1);
    expect(pageErrors).toEqual([]);
  });
});
