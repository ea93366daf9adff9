/**
 * In Chromium: a refused field inside the closed "Optimizer and seed" section, or the run name, is revealed and
 * focused (the section stayed closed and focus fell to the page; the name was never marked), and a refusal naming no
 * field leaves focus on Start; a job's outcome reaches the live region at once (it never did: only the throttled
 * status line, "idle", was said); the details of a run or sweep deleted since they were opened close with a notice
 * after Refresh, and Try it says in its own words that a deleted model is gone (it quoted the API's "GET /api/models");
 * the heatmaps of "Inside the network" skip no heading level (h2 → h4).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { get, imdbRunId, writeFinishedSweep, writeImdbRuns } from './helpers.js';

const SWEEP = 'gone-sweep';

describeInChromium('focus, announcements, stale details and headings in Chromium (r48)', () => {
  const dash = dashboardSession({
    hash: '#train',
    runs(runsDir) {
      writeImdbRuns(runsDir, 2);
      writeFileSync(join(runsDir, imdbRunId(1), 'report.html'), '<!doctype html><title>report</title><p>report</p>');
      writeFinishedSweep(runsDir, SWEEP);
    },
    viewport: { width: 1280, height: 900 },
    timeoutMs: 60_000,
  });
  /** The run folder of the job the form trains. */
  let adderRun: string;

  const focused = () => dash.page.evaluate(() => {
    const a = document.activeElement as HTMLInputElement;
    return `${a.tagName}#${a.id}[${a.name ?? ''}]`;
  });
  const waitFocus = (expected: string) => dash.page.waitForFunction((want) => {
    const a = document.activeElement as HTMLInputElement;
    return `${a.tagName}#${a.id}[${a.name ?? ''}]` === want;
  }, expected, { timeout: 5000 }).catch(() => undefined);

  async function fillAddition(): Promise<void> {
    await dash.page.selectOption('#f-task', 'addition');
    const add = 'fieldset[data-task="addition"]';
    await dash.page.fill(`${add} input[name="digits"]`, '2');
    await dash.page.fill(`${add} input[name="trainingSize"]`, '200');
    await dash.page.fill(`${add} input[name="hidden"]`, '4');
    await dash.page.fill(`${add} input[name="epochs"]`, '1');
  }

  /** Empties the learning rate (in the section that may be closed), so each test's refusal is its own. */
  const clearLr = () => dash.page.$eval('#train-form input[name="lr"]', (i) => {
    (i as HTMLInputElement).value = '';
    i.dispatchEvent(new Event('input', { bubbles: true }));
  });

  /** Presses Start from the keyboard and waits for the form's message to become `expected`. */
  async function startRefused(expected: RegExp): Promise<void> {
    await dash.page.focus('#train-start');
    await dash.page.keyboard.press('Enter');
    await dash.page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#train-error')!.textContent ?? ''), expected.source);
  }

  it('opens the closed section of a refused field and focuses it', async () => {
    await fillAddition();
    await dash.page.click('#train-form details summary');
    await dash.page.fill('#train-form input[name="lr"]', '100');
    await dash.page.click('#train-form details summary');
    expect(await dash.page.$eval('#train-form details', (d) => (d as HTMLDetailsElement).open)).toBe(false);
    await startRefused(/^lr /);
    await waitFocus('INPUT#[lr]');
    expect(await focused()).toBe('INPUT#[lr]');
    expect(await dash.page.$eval('#train-form details', (d) => (d as HTMLDetailsElement).open)).toBe(true);
    const message = await dash.page.$eval('#train-form input[name="lr"]', (i) => {
      const m = i.parentElement!.querySelector('.field-error') as HTMLElement;
      return [m.textContent, m.checkVisibility(), i.getAttribute('aria-describedby') === m.id];
    });
    expect(message).toEqual([await dash.page.textContent('#train-error'), true, true]);
  });

  it('marks and focuses a refused run name', async () => {
    await clearLr();
    await dash.page.fill('#f-name', 'bad name');
    await startRefused(/^name /);
    await waitFocus('INPUT#f-name[name]');
    expect(await focused()).toBe('INPUT#f-name[name]');
    expect(await dash.page.getAttribute('#f-name', 'aria-invalid')).toBe('true');
    expect(await dash.page.$eval('#f-name', (i) => i.parentElement!.querySelector('.field-error')?.textContent)).toBe(await dash.page.textContent('#train-error'));
  });

  it('leaves focus on Start after a refusal naming no field', async () => {
    await clearLr();
    await dash.page.fill('#f-name', 'adder');
    await dash.page.route('**/api/jobs', (route) => (route.request().method() === 'POST'
      ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'a job is already running', status: 409 }) })
      : route.fallback()));
    try {
      await startRefused(/^a job is already running$/);
    } finally {
      await dash.page.unroute('**/api/jobs');
    }
    await waitFocus('BUTTON#train-start[]');
    expect(await focused()).toBe('BUTTON#train-start[]');
  });

  it('says a job\'s outcome in the live region as soon as it ends', async () => {
    await clearLr();
    await dash.page.fill('#f-name', 'adder');
    await dash.page.evaluate(() => {
      const region = document.querySelector('#status-announce')!;
      (window as unknown as { said: string[] }).said = [];
      new MutationObserver(() => (window as unknown as { said: string[] }).said.push(region.textContent ?? ''))
        .observe(region, { childList: true, characterData: true, subtree: true });
    });
    await dash.page.click('#train-start');
    await dash.page.waitForFunction(() => document.querySelector<HTMLElement>('#jobs li')?.dataset.status === 'completed', null, { timeout: 120_000 });
    const jobs = (await get(dash.server.base, '/api/jobs')).body.jobs as { name: string; runId: string; status: string }[];
    const adder = jobs.find((j) => j.name === 'adder')!;
    expect(adder.status).toBe('completed');
    adderRun = adder.runId;
    const outcome = await dash.page.waitForFunction(() => (window as unknown as { said: string[] }).said.find((s) => s.startsWith('adder: ')), null, { timeout: 4000 })
      .then((h) => h.jsonValue()).catch(() => undefined);
    expect(outcome).toBe(await dash.page.$eval('#jobs li .job-phase', (e) => `adder: ${e.textContent}`));
    expect(outcome).toMatch(/^adder: done · exact answers /);
  }, 150_000);

  it('skips no heading level in the Inside view\'s heatmaps', async () => {
    await dash.show('#inside');
    await dash.page.selectOption('#states-model', adderRun);
    await dash.page.fill('#states-input', '12+34');
    await dash.page.click('#states-go');
    await dash.page.waitForSelector('#states-maps .map');
    const levels = await dash.page.$$eval('h1, h2, h3, h4, h5, h6', (hs) => hs.filter((h) => h.checkVisibility()).map((h) => Number(h.tagName[1])));
    const skips = levels.filter((l, i) => i > 0 && l > levels[i - 1] + 1);
    expect(skips).toEqual([]);
    expect(await dash.page.$$eval('#states-maps .map', (ms) => ms.map((m) => m.firstElementChild!.tagName))).toContain('H3');
  });

  it('says in its own words that a deleted model is gone, and lists it no more', async () => {
    await dash.show('#try');
    await dash.page.selectOption('#sum-model', adderRun);
    await dash.page.fill('#sum-query', '12+34');
    await dash.page.click('#sum-go');
    await dash.page.waitForSelector('#sum-result:not([hidden])');
    rmSync(join(dash.runsDir, adderRun), { recursive: true });
    await dash.page.click('#sum-go');
    await dash.page.waitForFunction(() => document.querySelector('#sum-error')!.textContent !== '');
    const error = await dash.page.textContent('#sum-error');
    expect(error).toBe(`the model ${adderRun} is no longer in the runs folder (its run was deleted or moved); the model list is updated: pick another`);
    await dash.page.waitForFunction((id) => ![...document.querySelectorAll<HTMLOptionElement>('#sum-model option')].some((o) => o.value === id), adderRun, { timeout: 5000 });
    expect(await dash.page.$eval('#sum-result', (e) => (e as HTMLElement).hidden)).toBe(true);
  });

  it('closes the details of a run deleted since they were opened, on Refresh', async () => {
    await dash.show('#runs');
    const id = imdbRunId(1);
    await dash.page.click(`button[aria-label="details of ${id}"]`);
    await dash.page.waitForFunction((run) => document.querySelector<HTMLElement>('#run-detail')!.dataset.run === run && !document.querySelector<HTMLElement>('#run-detail')!.hidden, id);
    expect(await dash.page.$eval('#run-detail-report', (e) => (e as HTMLElement).hidden)).toBe(false);
    rmSync(join(dash.runsDir, id), { recursive: true });
    await dash.page.click('#runs-refresh');
    await dash.page.waitForFunction((run) => ![...document.querySelectorAll<HTMLElement>('#runs-table tbody tr')].some((tr) => tr.dataset.run === run), id);
    await dash.page.waitForSelector('#run-detail-error:not([hidden])', { timeout: 5000 }).catch(() => undefined);
    expect(await dash.page.$eval('#run-detail', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await dash.page.textContent('#run-detail-error')).toBe(`Run ${id} is no longer in the runs folder (deleted or moved), so its details were closed.`);
  });

  it('closes the details of a sweep deleted since they were opened, on Refresh', async () => {
    await dash.show('#sweeps');
    await dash.page.click(`button[aria-label="open sweep ${SWEEP}"]`);
    await dash.page.waitForSelector('#sweep-detail:not([hidden])');
    rmSync(join(dash.runsDir, SWEEP), { recursive: true });
    await dash.page.click('#sweeps-refresh');
    await dash.page.waitForFunction((id) => ![...document.querySelectorAll<HTMLElement>('#sweeps-table tbody tr')].some((tr) => tr.dataset.sweep === id), SWEEP);
    expect(await dash.page.$eval('#sweep-detail', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await dash.page.textContent('#sweep-detail-error')).toBe(`Sweep ${SWEEP} is no longer in the runs folder (deleted or moved), so its details were closed.`);
    expect(dash.pageErrors).toEqual([]);
  });
});
