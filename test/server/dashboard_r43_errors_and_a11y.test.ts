/**
 * In Chromium: failures that used to reach only the console are shown in the page (Runs Refresh and paging on a 500,
 * the Sweeps list on a 500 without "No sweeps yet" beside it, a ticked run whose record cannot be read, the Lab tab
 * without compiled examples); the tabs, progress bars and job entries have what assistive technology needs; a selected
 * row's link is readable (WCAG AA 4.5:1); and on a 360 px phone the page never widens past the screen (the weight
 * histograms used to make it 534 px), a status badge stays one word and the run's report stays reachable. Overlapping
 * loads, held back by intercepted requests, leave the overlay's ticked runs and the pager's page as they should be, show
 * an answer newer than the one shown without waiting for later reloads, and never let an older Lab answer hide newer sections.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInChromium, openDashboard } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { get, imdbRunId, writeImdbRuns } from './helpers.js';

/** One page more than the table's 50, so the pager shows. */
const RUNS = 51;
const NEWEST = imdbRunId(RUNS - 1);
/** Unreadable, and sorted first by the time its name gives, so it is on the first page. */
const CORRUPT = '20300101-000000-corrupt1';

const fail = (status: number, error: string) => (route: Route) =>
  route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error }) });

/** A promise the test settles when it chooses, to hold a request back until then. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { open, opened };
}

/** WCAG's contrast ratio of two CSS rgb()/rgba() colours (the alpha ignored: both are opaque here). */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number).map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describeInChromium('dashboard errors, accessibility and the phone layout, in Chromium', () => {
  const dash = dashboardSession({
    hash: '#runs',
    runs: (runsDir) => {
      writeImdbRuns(runsDir, RUNS);
      writeFileSync(join(runsDir, NEWEST, 'report.html'), '<!doctype html><title>report</title>');
      mkdirSync(join(runsDir, CORRUPT));
      writeFileSync(join(runsDir, CORRUPT, 'results.json'), '{"command": ');
    },
  });

  const shown = (sel: string) => dash.page.$eval(sel, (e) => !(e as HTMLElement).hidden && (e as HTMLElement).offsetParent !== null);

  it('points every tab at its tabpanel, which names the tab back', async () => {
    const pairs = await dash.page.$$eval('nav [role="tab"]', (tabs) => tabs.map((t) => {
      const panel = document.getElementById(t.getAttribute('aria-controls') ?? '');
      return { tab: t.id, role: panel?.getAttribute('role'), labelledBy: panel?.getAttribute('aria-labelledby') };
    }));
    expect(pairs).toHaveLength(6);
    for (const p of pairs) expect(p).toEqual({ tab: p.tab, role: 'tabpanel', labelledBy: p.tab });
  });

  it('shows a 500 of Refresh and of the pager in the view, keeping the page that was shown', async () => {
    await dash.page.waitForSelector(`#runs-table tbody tr[data-run="${NEWEST}"]`);
    expect(await dash.page.textContent('#runs-page-text')).toBe(`runs 1–50 of ${RUNS + 1}`);
    await dash.page.route('**/api/runs?*', fail(500, 'cannot read the runs folder'));
    await dash.page.click('#runs-refresh');
    await dash.page.waitForFunction(() => document.querySelector('#runs-error')?.textContent !== '');
    expect(await dash.page.textContent('#runs-error')).toBe('cannot read the runs folder');
    expect(await dash.page.getAttribute('#runs-error', 'role')).toBe('alert');
    expect(await dash.page.isDisabled('#runs-refresh')).toBe(false);

    // Older fails: the pager still describes the page shown, so Newer stays disabled and Older can be tried again.
    await dash.page.evaluate(() => { document.querySelector('#runs-error')!.textContent = ''; });
    await dash.page.click('#runs-older');
    await dash.page.waitForFunction(() => document.querySelector('#runs-error')?.textContent !== '');
    expect(await dash.page.textContent('#runs-page-text')).toBe(`runs 1–50 of ${RUNS + 1}`);
    expect(await dash.page.isDisabled('#runs-newer')).toBe(true);
    expect(await dash.page.isDisabled('#runs-older')).toBe(false);

    await dash.page.unroute('**/api/runs?*');
    await dash.page.click('#runs-refresh');
    await dash.page.waitForFunction(() => document.querySelector('#runs-error')?.textContent === '');
    expect(await dash.page.textContent('#runs-page-text')).toBe(`runs 1–50 of ${RUNS + 1}`);
    await dash.page.click('#runs-older');
    await dash.page.waitForFunction((n) => document.querySelector('#runs-page-text')?.textContent === `runs 51–${n} of ${n}`, RUNS + 1);
    await dash.page.click('#runs-newer');
    await dash.page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 1–50'));
    expect(await dash.page.textContent('#runs-error')).toBe('');
    expect(dash.pageErrors).toEqual([]);
  });

  it('unticks a run whose record cannot be read and says why', async () => {
    const reason = (await get(dash.server.base, `/api/runs/${CORRUPT}`)).body.summary.error as string;
    expect(reason).toBe('results.json is not valid JSON');
    const box = `input[aria-label="overlay ${CORRUPT}"]`;
    const series = await dash.page.getAttribute('#runs-loss', 'data-series');
    await dash.page.click(box);
    await dash.page.waitForFunction(() => document.querySelector('#runs-overlay-error')?.textContent !== '');
    expect(await dash.page.textContent('#runs-overlay-error')).toBe(`${CORRUPT} cannot be drawn: ${reason}`);
    expect(await dash.page.isChecked(box)).toBe(false);
    expect(await dash.page.$eval(`tr[data-run="${CORRUPT}"]`, (tr) => tr.classList.contains('selected'))).toBe(false);
    expect(await dash.page.getAttribute('#runs-loss', 'data-series')).toBe(series);
    // The next tick of a readable run takes the message away.
    await dash.page.click(`input[aria-label="overlay ${imdbRunId(RUNS - 2)}"]`);
    await dash.page.waitForFunction(() => document.querySelector('#runs-overlay-error')?.textContent === '');
    await dash.page.click(`input[aria-label="overlay ${imdbRunId(RUNS - 2)}"]`);
  });

  it('gives a selected row\'s report link at least 4.5:1 contrast', async () => {
    const sel = `#runs-table tbody tr.selected[data-run="${NEWEST}"]`;
    await dash.page.waitForSelector(sel);
    const colours = await dash.page.$eval(sel, (tr) => ({ link: getComputedStyle(tr.querySelector('a')!).color, row: getComputedStyle(tr).backgroundColor }));
    expect(colours.row).toBe('rgb(234, 242, 255)');
    expect(contrast(colours.link, colours.row)).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps a ticked, readable run on the overlay when a refresh fetches its curves again during an earlier drawing', async () => {
    const [A, B] = [imdbRunId(RUNS - 2), imdbRunId(RUNS - 3)];
    const box = (id: string) => `input[aria-label="overlay ${id}"]`;
    const series = () => dash.page.getAttribute('#runs-loss', 'data-series');
    const tick = async (id: string) => {
      const before = await series();
      await dash.page.click(box(id));
      await dash.page.waitForFunction((b) => document.querySelector('#runs-loss')?.getAttribute('data-series') !== b, before);
    };
    await dash.page.waitForSelector(`tr.selected[data-run="${NEWEST}"]`);
    await tick(A);
    const withA = await series();
    await tick(B);

    // Older fetches the three ticked runs' curves again (they are off that page): A's answer comes, B's is held.
    const bHeld = gate(), bAsked = gate(), aHeld = gate(), aAskedAgain = gate();
    let bCalls = 0, aCalls = 0;
    // B fails every time (a later fetch that read it would keep it ticked); the first failure is held back.
    await dash.page.route(`**/api/runs/${B}`, async (route) => {
      if (++bCalls === 1) {
        bAsked.open();
        await bHeld.opened;
      }
      await fail(500, 'B is busy')(route);
    });
    await dash.page.route(`**/api/runs/${A}`, async (route) => {
      if (++aCalls === 1) return route.continue();
      aAskedAgain.open();
      await aHeld.opened;
      await route.continue();
    });
    const aAnswered = dash.page.waitForResponse((r) => r.url().endsWith(`/api/runs/${A}`));
    await dash.page.click('#runs-older');
    await Promise.all([bAsked.opened, aAnswered]);
    // Refresh drops the curves of runs off the page, A's included, and fetches them again; that fetch is held.
    await dash.page.click('#runs-refresh');
    await aAskedAgain.opened;
    // The earlier drawing ends while A's curves are being fetched again: it draws A with the curves it had, and not B,
    // which the later drawing's fetch has refused.
    bHeld.open();
    await dash.page.waitForFunction((n) => document.querySelector('#runs-loss')?.getAttribute('data-series') === n, withA);
    aHeld.open();
    await dash.page.waitForFunction(() => !(document.querySelector('#runs-refresh') as HTMLButtonElement).disabled);
    expect(await dash.page.textContent('#runs-overlay-error')).toBe(`${B} cannot be drawn: B is busy`);
    await dash.page.unroute(`**/api/runs/${B}`);
    await dash.page.unroute(`**/api/runs/${A}`);
    expect(await series()).toBe(withA);

    await dash.page.click('#runs-newer');
    await dash.page.waitForSelector(`tr[data-run="${A}"]`);
    expect(await dash.page.isChecked(box(A))).toBe(true);
    expect(await dash.page.isChecked(box(B))).toBe(false);
    await tick(A);
    expect(dash.pageErrors).toEqual([]);
  });

  it('keeps the pager on the page shown when an earlier, slower page load fails after a later one loaded', async () => {
    await dash.page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 1–50'));
    const held = gate(), asked = gate();
    let calls = 0;
    await dash.page.route('**/api/runs?*', async (route) => {
      if (++calls > 1) return route.continue();
      asked.open();
      await held.opened;
      await fail(500, 'the first page load failed')(route);
    });
    await dash.page.click('#runs-older');
    await asked.opened;
    await dash.page.click('#runs-older');
    const lastPage = `runs 51–${RUNS + 1} of ${RUNS + 1}`;
    await dash.page.waitForFunction((t) => document.querySelector('#runs-page-text')?.textContent === t, lastPage);
    held.open();
    // The failure is still reported, but the pager keeps describing the rows the table shows.
    await dash.page.waitForFunction(() => document.querySelector('#runs-error')?.textContent === 'the first page load failed');
    await dash.page.unroute('**/api/runs?*');
    expect(await dash.page.textContent('#runs-page-text')).toBe(lastPage);
    expect(await dash.page.$$eval('#runs-table tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.run))).toEqual([imdbRunId(1), imdbRunId(0)]);
    expect(await dash.page.isDisabled('#runs-newer')).toBe(false);
    expect(await dash.page.isDisabled('#runs-older')).toBe(true);
    await dash.page.click('#runs-newer');
    await dash.page.waitForFunction(() => document.querySelector('#runs-page-text')?.textContent?.startsWith('runs 1–50'));
    expect(await dash.page.textContent('#runs-error')).toBe('');
  });

  it('keeps a run ticked and drawn when an earlier drawing\'s fetch of it fails after a later drawing read it', async () => {
    const [A, X] = [imdbRunId(RUNS - 2), imdbRunId(0)];
    const box = (id: string) => `input[aria-label="overlay ${id}"]`;
    const series = () => dash.page.getAttribute('#runs-loss', 'data-series');
    const click = async (sel: string) => {
      const before = await series();
      await dash.page.click(sel);
      await dash.page.waitForFunction((b) => document.querySelector('#runs-loss')?.getAttribute('data-series') !== b, before);
    };
    await dash.page.waitForSelector(`tr.selected[data-run="${NEWEST}"]`);
    await click(box(A));

    // Older fetches A again (it is off that page); that first fetch is held, then refused.
    const held = gate(), asked = gate();
    let calls = 0;
    await dash.page.route(`**/api/runs/${A}`, async (route) => {
      if (++calls > 1) return route.continue();
      asked.open();
      await held.opened;
      await fail(500, 'A is busy')(route);
    });
    // Older, called as its button does, keeping its promise: it settles once its drawing has ended.
    await dash.page.evaluate("import('/js/runs.js').then((m) => { window.r43Older = m.reloadRuns(null, 50); return 1; })");
    await asked.opened;
    await dash.page.waitForSelector(`tr[data-run="${X}"]`);
    // Ticking X draws again: that drawing reads A (its fetch answered) and draws NEWEST, A and X.
    await click(box(X));
    const drawn = await series();
    expect(drawn).toBe('3');
    held.open();
    await dash.page.evaluate('window.r43Older.then(() => 1)');
    await dash.page.unroute(`**/api/runs/${A}`);
    expect(await series()).toBe(drawn);
    expect(await dash.page.textContent('#runs-overlay-error')).toBe('');

    await dash.page.click(box(X));
    await dash.page.click('#runs-newer');
    await dash.page.waitForSelector(`tr[data-run="${A}"]`);
    expect(await dash.page.isChecked(box(A))).toBe(true);
    await click(box(A));
    expect(await series()).toBe('1');
    expect(dash.pageErrors).toEqual([]);
  });

  it('shows a list answer newer than the one shown while later reloads are under way, and never an older one', async () => {
    const text = (n: number) => `runs 1–50 of ${n}`;
    await dash.page.waitForFunction((t) => document.querySelector('#runs-page-text')?.textContent === t, text(RUNS + 1));
    const addRun = (id: string) => {
      mkdirSync(join(dash.server.runsDir, id));
      writeFileSync(join(dash.server.runsDir, id, 'results.json'), JSON.stringify({ command: 'imdb', startedAt: '2026-01-01T00:00:00Z', config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: {} }));
    };
    const hasRow = async (id: string) => (await dash.page.$(`#runs-table tbody tr[data-run="${id}"]`)) !== null;
    const routes: Route[] = [];
    await dash.page.route('**/api/runs?*', (route) => { routes.push(route); });
    // A reload as a job's events start it; the promise settles once its answer is shown or dropped.
    const reload = async (n: number) => {
      await dash.page.evaluate(`import('/js/runs.js').then((m) => { window.r43Reload${n} = m.reloadRuns(); return 1; })`);
      await expect.poll(() => routes.length).toBe(n);
    };
    const answer = async (n: number) => {
      await routes[n - 1].continue();
      await dash.page.evaluate(`window.r43Reload${n}.then(() => 1)`);
    };
    const [FIRST, SECOND] = ['20260101-000000-first', '20260102-000000-second'];

    addRun(FIRST);
    await reload(1);
    await reload(2);
    // The first answer shows though the second reload is under way: reloads faster than answers must not starve the table.
    await answer(1);
    expect(await hasRow(FIRST)).toBe(true);
    expect(await dash.page.textContent('#runs-page-text')).toBe(text(RUNS + 2));
    await answer(2);

    // The fourth answer shows; the third, older one comes later with a run more, and is dropped.
    await reload(3);
    await reload(4);
    await answer(4);
    addRun(SECOND);
    await answer(3);
    expect(await hasRow(SECOND)).toBe(false);
    expect(await dash.page.textContent('#runs-page-text')).toBe(text(RUNS + 2));
    expect(await dash.page.textContent('#runs-error')).toBe('');
    await dash.page.unroute('**/api/runs?*');

    for (const id of [FIRST, SECOND]) rmSync(join(dash.server.runsDir, id), { recursive: true });
    await dash.page.click('#runs-refresh');
    await dash.page.waitForFunction((t) => document.querySelector('#runs-page-text')?.textContent === t, text(RUNS + 1));
    expect(dash.pageErrors).toEqual([]);
  });

  it('names the live progress bar, and a job\'s entry is a named button with a named progress bar', async () => {
    await dash.page.click('#tab-train');
    const live = dash.page.getByRole('progressbar', { name: 'training progress of the job shown' });
    expect(await live.count()).toBe(1);
    // A running job's entry, drawn by the jobs list's own code into a list of its own (no job needs to train).
    // A string, so vitest's transform leaves the page's own dynamic import alone.
    const shownIds = await dash.page.evaluate(`(async () => {
      const { renderJobList } = await import('/js/job_list.js');
      const list = document.createElement('ul');
      list.id = 'r43-jobs';
      document.querySelector('#view-train').append(list);
      const job = { id: 'j1', name: 'adder', status: 'running', phase: 'training', command: 'rnnlab addition',
        progress: { epoch: 1, epochs: 2, batch: 1, steps: 4, fraction: 0.25, elapsedSeconds: 1, etaSeconds: 3 } };
      window.r43Shown = [];
      renderJobList(list, [job], null, (id) => window.r43Shown.push(id));
      return window.r43Shown;
    })()`);
    expect(shownIds).toEqual([]);
    const entry = dash.page.locator('#r43-jobs li[data-job="j1"]');
    expect(await entry.getAttribute('tabindex')).toBe('-1');
    // Its one <button> element is still its Cancel, which scripts address as `li[data-job] button`.
    expect(await entry.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')))).toEqual(['cancel adder']);
    const show = dash.page.locator('#r43-jobs').getByRole('button', { name: 'show the curves of adder (running)' });
    expect(await show.count()).toBe(1);
    const bar = dash.page.locator('#r43-jobs').getByRole('progressbar', { name: 'progress of adder' });
    expect(await bar.count()).toBe(1);
    expect(await bar.evaluate((p) => (p as HTMLProgressElement).value)).toBe(0.25);
    await show.focus();
    await dash.page.keyboard.press('Enter');
    await dash.page.keyboard.press('Space');
    expect(await dash.page.evaluate(() => (window as unknown as { r43Shown: string[] }).r43Shown)).toEqual(['j1', 'j1']);
    await dash.page.evaluate(() => document.querySelector('#r43-jobs')!.remove());
  });

  it('shows a 500 of the sweeps list instead of "No sweeps yet"', async () => {
    await dash.page.route('**/api/sweeps', fail(500, 'cannot list the sweeps'));
    await dash.page.click('#tab-sweeps');
    await dash.page.waitForFunction(() => document.querySelector('#sweeps-error')?.textContent !== '');
    expect(await dash.page.textContent('#sweeps-error')).toBe('cannot list the sweeps');
    expect(await dash.page.getAttribute('#sweeps-error', 'role')).toBe('alert');
    expect(await shown('#sweeps-empty')).toBe(false);
    await dash.page.unroute('**/api/sweeps');
    await dash.page.click('#sweeps-refresh');
    await dash.page.waitForFunction(() => document.querySelector('#sweeps-error')?.textContent === '');
    // The folder holds no sweep: now that the server says so, the view may too.
    expect(await shown('#sweeps-empty')).toBe(true);
  });

  it('hides the Lab\'s empty output and sections while the examples cannot be loaded', async () => {
    const message = 'the lab examples are not compiled: run npm run lab:build first';
    await dash.page.route('**/api/lab', fail(409, message));
    await dash.page.click('#tab-lab');
    await dash.page.waitForFunction(() => document.querySelector('#lab-error')?.textContent !== '');
    expect(await dash.page.textContent('#lab-error')).toBe(message);
    expect(await shown('#lab-output')).toBe(false);
    expect(await shown('#lab-sections-card')).toBe(false);
    await dash.page.unroute('**/api/lab');
    // This checkout's own answer: with the examples compiled, the view comes back whole.
    const real = await get(dash.server.base, '/api/lab');
    await dash.page.click('#tab-runs');
    await dash.page.click('#tab-lab');
    if (real.status === 200) {
      await dash.page.waitForSelector('#lab-output:not([hidden])');
      expect(await dash.page.textContent('#lab-error')).toBe('');
      expect(await shown('#lab-sections-card')).toBe(true);
    } else {
      await dash.page.waitForFunction((m) => document.querySelector('#lab-error')?.textContent === m, real.body.error);
      expect(await shown('#lab-output')).toBe(false);
    }
    expect(dash.pageErrors).toEqual([]);
  });

  it('keeps the Lab\'s sections after a passing 500, and hides them only while the examples are not compiled', async () => {
    const sections = [{ id: 1, title: 'a tensor', file: '01_tensor.ts', source: 'const x = 1;' }];
    const reopen = async () => {
      await dash.page.click('#tab-runs');
      await dash.page.click('#tab-lab');
    };
    await dash.page.route('**/api/lab', (route) => route.fulfill({ json: { sections, run: null } }));
    await reopen();
    await dash.page.waitForSelector('#lab-sections details[data-section="1"]');
    expect(await shown('#lab-sections-card')).toBe(true);
    await dash.page.unroute('**/api/lab');

    await dash.page.route('**/api/lab', fail(500, 'cannot read the lab'));
    await reopen();
    await dash.page.waitForFunction(() => document.querySelector('#lab-error')?.textContent === 'cannot read the lab');
    expect(await shown('#lab-sections-card')).toBe(true);
    expect(await shown('#lab-output')).toBe(true);
    expect(await dash.page.$$eval('#lab-sections details', (ds) => ds.map((d) => (d as HTMLElement).dataset.section))).toEqual(['1']);
    await dash.page.unroute('**/api/lab');

    await dash.page.route('**/api/lab', fail(409, 'the lab examples are not compiled'));
    await reopen();
    await dash.page.waitForFunction(() => document.querySelector('#lab-error')?.textContent === 'the lab examples are not compiled');
    expect(await shown('#lab-sections-card')).toBe(false);
    expect(await shown('#lab-output')).toBe(false);
    await dash.page.unroute('**/api/lab');

    // The 409 dropped the sections: a passing 500 then has none to show again.
    await dash.page.route('**/api/lab', fail(500, 'cannot read the lab'));
    await reopen();
    await dash.page.waitForFunction(() => document.querySelector('#lab-error')?.textContent === 'cannot read the lab');
    expect(await shown('#lab-sections-card')).toBe(false);
    expect(await dash.page.$$eval('#lab-sections details', (ds) => ds.length)).toBe(0);
    await dash.page.unroute('**/api/lab');

    // A slow 409 answering after a later load showed the sections describes an older state: it hides nothing.
    const held = gate(), asked = gate();
    let calls = 0;
    await dash.page.route('**/api/lab', async (route) => {
      if (++calls > 1) return route.fulfill({ json: { sections, run: null } });
      asked.open();
      await held.opened;
      await fail(409, 'the lab examples are not compiled')(route);
    });
    await dash.page.evaluate("import('/js/lab.js').then((m) => { window.r43Lab = m.reloadLab(); return 1; })");
    await asked.opened;
    await dash.page.evaluate("import('/js/lab.js').then((m) => m.reloadLab()).then(() => 1)");
    expect(await shown('#lab-sections-card')).toBe(true);
    held.open();
    await dash.page.evaluate('window.r43Lab.then(() => 1)');
    await dash.page.unroute('**/api/lab');
    expect(await shown('#lab-sections-card')).toBe(true);
    expect(await shown('#lab-output')).toBe(true);
    expect(await dash.page.$$eval('#lab-sections details', (ds) => ds.map((d) => (d as HTMLElement).dataset.section))).toEqual(['1']);
    expect(await dash.page.textContent('#lab-error')).toBe('');
    await dash.page.click('#tab-runs');
  });

  it('keeps a 360 px phone page 360 px wide with histograms, badges on one line, and the report one tap away', async () => {
    const phone = await dash.browser.ctx.newPage();
    await phone.setViewportSize({ width: 360, height: 800 });
    // The newest run's record with a dashboard job's weight histograms (a file run has none).
    await phone.route(`**/api/runs/${NEWEST}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const h = (min: number, max: number) => ({ min, max, counts: [1, 3, 5, 3, 1] });
      body.results.details = { ...body.results.details, histograms: [{ epoch: 1, weights: [
        { name: 'lstm/kernel', shape: [100, 400], values: h(-0.2, 0.2), gradients: h(-0.01, 0.01) },
        { name: 'dense/kernel', shape: [100, 1], values: h(-0.3, 0.3), gradients: null }] }] };
      await route.fulfill({ response: res, json: body });
    });
    const errors: string[] = [];
    await openDashboard(dash.browser, `${dash.server.base}/#runs`, errors, { page: phone });
    await phone.waitForSelector(`#runs-table tbody tr[data-run="${NEWEST}"]`);
    const width = () => phone.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(360);
    // Each badge's word on one line: a word split across lines has two boxes.
    const lines = await phone.$$eval('#runs-table tbody .badge', (bs) => bs.map((b) => {
      const r = document.createRange();
      r.selectNodeContents(b);
      return `${b.textContent}:${r.getClientRects().length}`;
    }));
    expect(lines).toContain('invalid:1');
    expect(lines.every((l) => l.endsWith(':1'))).toBe(true);

    await phone.click(`button[aria-label="details of ${NEWEST}"]`);
    await phone.waitForSelector('#run-histograms:not([hidden]) .hist-weight');
    expect(await phone.$$eval('#run-histograms .hist-weight', (ws) => ws.length)).toBe(2);
    expect(await width()).toBeLessThanOrEqual(360);
    // The report column is hidden here; the detail card links the report.
    expect(await phone.$$eval('#runs-table a[href$="report.html"]', (as) => as.filter((a) => (a as HTMLElement).offsetParent !== null).length)).toBe(0);
    const link = phone.getByRole('link', { name: 'open the run\'s report' });
    expect(await link.isVisible()).toBe(true);
    const href = (await link.getAttribute('href'))!;
    expect(href).toBe(`/api/runs/${NEWEST}/report.html`);
    expect((await get(dash.server.base, href)).status).toBe(200);
    // A run without a report has no link.
    await phone.click(`button[aria-label="details of ${imdbRunId(RUNS - 2)}"]`);
    await phone.waitForFunction((id) => document.querySelector<HTMLElement>('#run-detail')?.dataset.run === id, imdbRunId(RUNS - 2));
    expect(await link.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await phone.close();
  });
});
