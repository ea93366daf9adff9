/**
 * In Chromium: a refused field inside the closed "Optimizer and seed" section, or the run name, is revealed and
 * focused (the section stayed closed and focus fell to the page; the name was never marked), and a refusal naming no
 * field leaves focus on Start; a job's outcome reaches the live region at once (it never did: only the throttled
 * status line, "idle", was said); the details of a run or sweep deleted since they were opened close with a notice
 * after Refresh, and Try it says in its own words that a deleted model is gone (it quoted the API's "GET /api/models");
 * the heatmaps of "Inside the network" skip no heading level (h2 → h4).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { get, imdbRunId, startTestServer, tempDir, writeImdbRuns, type TestServer } from './helpers.js';

const SWEEP = 'gone-sweep';

/** A finished one-run sweep record. */
function writeSweep(runsDir: string, id: string): void {
  mkdirSync(join(runsDir, id, 'runs'), { recursive: true });
  const spec = { command: 'addition', flags: {}, grid: { hidden: [4] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
  const at = '2025-01-02T00:00:00.000Z';
  writeFileSync(join(runsDir, id, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: at,
    runs: [{ id: 'hidden-4_seed-1', axes: { hidden: 4 }, seed: 1, status: 'completed', attempts: 1, value: 0.5, metrics: { perCharAccuracy: 0.5 } }], summary: null }));
}

describeInChromium('focus, announcements, stale details and headings in Chromium (r48)', () => {
  let server: TestServer;
  let browser: Chromium | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let runsDir: string;
  /** The run folder of the job the form trains. */
  let adderRun: string;

  const focused = () => page.evaluate(() => {
    const a = document.activeElement as HTMLInputElement;
    return `${a.tagName}#${a.id}[${a.name ?? ''}]`;
  });
  const waitFocus = (expected: string) => page.waitForFunction((want) => {
    const a = document.activeElement as HTMLInputElement;
    return `${a.tagName}#${a.id}[${a.name ?? ''}]` === want;
  }, expected, { timeout: 5000 }).catch(() => undefined);

  async function fillAddition(): Promise<void> {
    await page.selectOption('#f-task', 'addition');
    const add = 'fieldset[data-task="addition"]';
    await page.fill(`${add} input[name="digits"]`, '2');
    await page.fill(`${add} input[name="trainingSize"]`, '200');
    await page.fill(`${add} input[name="hidden"]`, '4');
    await page.fill(`${add} input[name="epochs"]`, '1');
  }

  /** Empties the learning rate (in the section that may be closed), so each test's refusal is its own. */
  const clearLr = () => page.$eval('#train-form input[name="lr"]', (i) => {
    (i as HTMLInputElement).value = '';
    i.dispatchEvent(new Event('input', { bubbles: true }));
  });

  /** Presses Start from the keyboard and waits for the form's message to become `expected`. */
  async function startRefused(expected: RegExp): Promise<void> {
    await page.focus('#train-start');
    await page.keyboard.press('Enter');
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#train-error')!.textContent ?? ''), expected.source);
  }

  beforeAll(async () => {
    runsDir = tempDir();
    writeImdbRuns(runsDir, 2);
    writeFileSync(join(runsDir, imdbRunId(1), 'report.html'), '<!doctype html><title>report</title><p>report</p>');
    writeSweep(runsDir, SWEEP);
    server = await startTestServer({ runsDir });
    browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
    page = await openDashboard(browser, `${server.base}/#train`, pageErrors, { timeoutMs: 60_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens the closed section of a refused field and focuses it', async () => {
    await fillAddition();
    await page.click('#train-form details summary');
    await page.fill('#train-form input[name="lr"]', '100');
    await page.click('#train-form details summary');
    expect(await page.$eval('#train-form details', (d) => (d as HTMLDetailsElement).open)).toBe(false);
    await startRefused(/^lr /);
    await waitFocus('INPUT#[lr]');
    expect(await focused()).toBe('INPUT#[lr]');
    expect(await page.$eval('#train-form details', (d) => (d as HTMLDetailsElement).open)).toBe(true);
    const message = await page.$eval('#train-form input[name="lr"]', (i) => {
      const m = i.parentElement!.querySelector('.field-error') as HTMLElement;
      return [m.textContent, m.checkVisibility(), i.getAttribute('aria-describedby') === m.id];
    });
    expect(message).toEqual([await page.textContent('#train-error'), true, true]);
  });

  it('marks and focuses a refused run name', async () => {
    await clearLr();
    await page.fill('#f-name', 'bad name');
    await startRefused(/^name /);
    await waitFocus('INPUT#f-name[name]');
    expect(await focused()).toBe('INPUT#f-name[name]');
    expect(await page.getAttribute('#f-name', 'aria-invalid')).toBe('true');
    expect(await page.$eval('#f-name', (i) => i.parentElement!.querySelector('.field-error')?.textContent)).toBe(await page.textContent('#train-error'));
  });

  it('leaves focus on Start after a refusal naming no field', async () => {
    await clearLr();
    await page.fill('#f-name', 'adder');
    await page.route('**/api/jobs', (route) => (route.request().method() === 'POST'
      ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'a job is already running', status: 409 }) })
      : route.fallback()));
    try {
      await startRefused(/^a job is already running$/);
    } finally {
      await page.unroute('**/api/jobs');
    }
    await waitFocus('BUTTON#train-start[]');
    expect(await focused()).toBe('BUTTON#train-start[]');
  });

  it('says a job\'s outcome in the live region as soon as it ends', async () => {
    await clearLr();
    await page.fill('#f-name', 'adder');
    await page.evaluate(() => {
      const region = document.querySelector('#status-announce')!;
      (window as unknown as { said: string[] }).said = [];
      new MutationObserver(() => (window as unknown as { said: string[] }).said.push(region.textContent ?? ''))
        .observe(region, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#train-start');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#jobs li')?.dataset.status === 'completed', null, { timeout: 120_000 });
    const jobs = (await get(server.base, '/api/jobs')).body.jobs as { name: string; runId: string; status: string }[];
    const adder = jobs.find((j) => j.name === 'adder')!;
    expect(adder.status).toBe('completed');
    adderRun = adder.runId;
    const outcome = await page.waitForFunction(() => (window as unknown as { said: string[] }).said.find((s) => s.startsWith('adder: ')), null, { timeout: 4000 })
      .then((h) => h.jsonValue()).catch(() => undefined);
    expect(outcome).toBe(await page.$eval('#jobs li .job-phase', (e) => `adder: ${e.textContent}`));
    expect(outcome).toMatch(/^adder: done · exact answers /);
  }, 150_000);

  it('skips no heading level in the Inside view\'s heatmaps', async () => {
    await page.goto(`${server.base}/#inside`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#states-model', adderRun);
    await page.fill('#states-input', '12+34');
    await page.click('#states-go');
    await page.waitForSelector('#states-maps .map');
    const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) => hs.filter((h) => h.checkVisibility()).map((h) => Number(h.tagName[1])));
    const skips = levels.filter((l, i) => i > 0 && l > levels[i - 1] + 1);
    expect(skips).toEqual([]);
    expect(await page.$$eval('#states-maps .map', (ms) => ms.map((m) => m.firstElementChild!.tagName))).toContain('H3');
  });

  it('says in its own words that a deleted model is gone, and lists it no more', async () => {
    await page.goto(`${server.base}/#try`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#sum-model', adderRun);
    await page.fill('#sum-query', '12+34');
    await page.click('#sum-go');
    await page.waitForSelector('#sum-result:not([hidden])');
    rmSync(join(runsDir, adderRun), { recursive: true });
    await page.click('#sum-go');
    await page.waitForFunction(() => document.querySelector('#sum-error')!.textContent !== '');
    const error = await page.textContent('#sum-error');
    expect(error).toBe(`the model ${adderRun} is no longer in the runs folder (its run was deleted or moved); the model list is updated: pick another`);
    await page.waitForFunction((id) => ![...document.querySelectorAll<HTMLOptionElement>('#sum-model option')].some((o) => o.value === id), adderRun, { timeout: 5000 });
    expect(await page.$eval('#sum-result', (e) => (e as HTMLElement).hidden)).toBe(true);
  });

  it('closes the details of a run deleted since they were opened, on Refresh', async () => {
    await page.goto(`${server.base}/#runs`);
    await page.waitForSelector('body[data-ready="true"]');
    const id = imdbRunId(1);
    await page.click(`button[aria-label="details of ${id}"]`);
    await page.waitForFunction((run) => document.querySelector<HTMLElement>('#run-detail')!.dataset.run === run && !document.querySelector<HTMLElement>('#run-detail')!.hidden, id);
    expect(await page.$eval('#run-detail-report', (e) => (e as HTMLElement).hidden)).toBe(false);
    rmSync(join(runsDir, id), { recursive: true });
    await page.click('#runs-refresh');
    await page.waitForFunction((run) => ![...document.querySelectorAll<HTMLElement>('#runs-table tbody tr')].some((tr) => tr.dataset.run === run), id);
    await page.waitForSelector('#run-detail-error:not([hidden])', { timeout: 5000 }).catch(() => undefined);
    expect(await page.$eval('#run-detail', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.textContent('#run-detail-error')).toBe(`Run ${id} is no longer in the runs folder (deleted or moved), so its details were closed.`);
  });

  it('closes the details of a sweep deleted since they were opened, on Refresh', async () => {
    await page.goto(`${server.base}/#sweeps`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click(`button[aria-label="open sweep ${SWEEP}"]`);
    await page.waitForSelector('#sweep-detail:not([hidden])');
    rmSync(join(runsDir, SWEEP), { recursive: true });
    await page.click('#sweeps-refresh');
    await page.waitForFunction((id) => ![...document.querySelectorAll<HTMLElement>('#sweeps-table tbody tr')].some((tr) => tr.dataset.sweep === id), SWEEP);
    expect(await page.$eval('#sweep-detail', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.textContent('#sweep-detail-error')).toBe(`Sweep ${SWEEP} is no longer in the runs folder (deleted or moved), so its details were closed.`);
    expect(pageErrors).toEqual([]);
  });
});
