/**
 * In Chromium: the Runs table in the server's order (an unreadable record by the time its folder's name gives, as
 * the server pages it, not last); a details card that cannot be loaded (a run deleted since the list was drawn: 404; a damaged
 * sweep.json: 422) is hidden and the server's message shown above it; both used to leave the previous run or sweep
 * on screen, the error only in the console. And the embedding projector puts every word inside its axes: with
 * Chart.js's parsing off, the points (in frequency order) were taken for sorted by x, so the x axis spanned only the
 * first and last word and a third of the words fell outside the plot, their labels drawn beyond the axes.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { get, imdbRunId, writeFinishedSweep, writeImdbRuns } from './helpers.js';

const GONE = 'zz-deleted';

describeInChromium('details that cannot be loaded, and the projector\'s axes, in Chromium', () => {
  const dash = dashboardSession({
    hash: '#runs',
    runs(runsDir) {
      writeImdbRuns(runsDir, 2);
      mkdirSync(join(runsDir, GONE));
      writeFileSync(join(runsDir, GONE, 'results.json'), JSON.stringify({ command: 'imdb', startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:00:00.000Z', config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: {} }));
      // Unreadable records: one whose folder name gives a time later than every run's, one whose name gives none.
      for (const id of ['20300101-000000-broken', 'add-broken']) {
        mkdirSync(join(runsDir, id));
        writeFileSync(join(runsDir, id, 'results.json'), '{"command": ');
      }
      writeFinishedSweep(runsDir, 'good-sweep');
      writeFinishedSweep(runsDir, 'bad-sweep', { damaged: true });
    },
  });

  const shown = (sel: string) => dash.page.$eval(sel, (e) => !(e as HTMLElement).hidden && (e as HTMLElement).offsetParent !== null);

  it('orders the Runs table newest first as the server\'s page does, unreadable records by their folder name\'s time', async () => {
    await dash.page.waitForSelector('#runs-table tbody tr[data-run="add-broken"]');
    const rows = await dash.page.$$eval('#runs-table tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.run));
    expect(rows).toEqual((await get(dash.server.base, '/api/runs')).body.runs.map((r: { id: string }) => r.id));
    expect(rows).toEqual(['20300101-000000-broken', imdbRunId(1), imdbRunId(0), GONE, 'add-broken']);
  });

  it('hides the previous run\'s card and shows the 404 of a run deleted since the list was drawn', async () => {
    await dash.page.click(`button[aria-label="details of ${imdbRunId(1)}"]`);
    await dash.page.waitForFunction((id) => document.querySelector<HTMLElement>('#run-detail')?.dataset.run === id && !document.querySelector<HTMLElement>('#run-detail')!.hidden, imdbRunId(1));
    rmSync(join(dash.runsDir, GONE), { recursive: true });
    const message = (await get(dash.server.base, `/api/runs/${GONE}`)).body.error as string;
    expect(message).toMatch(new RegExp(`^no run '${GONE}'`));
    await dash.page.click(`button[aria-label="details of ${GONE}"]`);
    await dash.page.waitForSelector('#run-detail-error:not([hidden])');
    expect(await dash.page.textContent('#run-detail-error')).toBe(message);
    expect(await dash.page.getAttribute('#run-detail-error', 'role')).toBe('alert');
    expect(await shown('#run-detail')).toBe(false);
    // A run that loads brings the card back and takes the message away.
    await dash.page.click(`button[aria-label="details of ${imdbRunId(0)}"]`);
    await dash.page.waitForFunction((id) => document.querySelector<HTMLElement>('#run-detail')?.dataset.run === id && !document.querySelector<HTMLElement>('#run-detail')!.hidden, imdbRunId(0));
    expect(await shown('#run-detail-error')).toBe(false);
    expect(dash.pageErrors).toEqual([]);
  });

  it('hides the previous sweep\'s card and shows the 422 of a damaged sweep.json', async () => {
    expect((await get(dash.server.base, '/api/sweeps/good-sweep')).status).toBe(200);
    const message = (await get(dash.server.base, '/api/sweeps/bad-sweep')).body.error as string;
    expect(message).toBe('bad-sweep/sweep.json: spec.metric is not a string');
    await dash.page.click('#tab-sweeps');
    await dash.page.click('button[aria-label="open sweep good-sweep"]');
    await dash.page.waitForSelector('#sweep-detail:not([hidden])');
    expect(await dash.page.textContent('#sweep-title')).toBe('good-sweep: rnnlab addition');
    await dash.page.click('button[aria-label="open sweep bad-sweep"]');
    await dash.page.waitForSelector('#sweep-detail-error:not([hidden])');
    expect(await dash.page.textContent('#sweep-detail-error')).toBe(message);
    expect(await shown('#sweep-detail')).toBe(false);
    expect(await dash.page.$$eval('#sweeps-table tbody tr.selected', (rows) => rows.map((r) => (r as HTMLElement).dataset.sweep))).toEqual(['bad-sweep']);
    await dash.page.click('button[aria-label="open sweep good-sweep"]');
    await dash.page.waitForSelector('#sweep-detail:not([hidden])');
    expect(await shown('#sweep-detail-error')).toBe(false);
    expect(dash.pageErrors).toEqual([]);
  });

  it('projects every word inside the axes, and the tooltip of the outermost words names them', async () => {
    await dash.page.click('#tab-inside');
    await dash.page.selectOption('#proj-model', 'fresh:lstm');
    await dash.page.fill('#proj-words', '300');
    await dash.page.click('#proj-go');
    await dash.page.waitForSelector('#proj-chart[data-points="300"]');
    const view = await dash.page.evaluate(() => {
      const C = (window as unknown as { Chart: { getChart(c: Element): any } }).Chart; // eslint-disable-line @typescript-eslint/no-explicit-any
      const chart = C.getChart(document.querySelector('#proj-chart')!);
      const { left, right, top, bottom } = chart.chartArea;
      const pts = chart.data.datasets[0].data as { x: number; word: string }[];
      const px = chart.getDatasetMeta(0).data as { x: number; y: number }[];
      const outside = px.filter((p) => p.x < left || p.x > right || p.y < top || p.y > bottom).length;
      const order = pts.map((_, i) => i).sort((a, b) => pts[a].x - pts[b].x);
      const ends = [order[0], order[order.length - 1]].map((i) => ({ word: pts[i].word, x: px[i].x, y: px[i].y }));
      return { outside, ends, axis: [chart.scales.x.min, chart.scales.x.max], data: [pts[order[0]].x, pts[order[order.length - 1]].x] };
    });
    expect(view.outside).toBe(0);
    expect(view.axis[0]).toBeLessThanOrEqual(view.data[0]);
    expect(view.axis[1]).toBeGreaterThanOrEqual(view.data[1]);
    for (const end of view.ends) {
      await dash.page.locator('#proj-chart').hover({ position: { x: end.x, y: end.y } });
      const words = await dash.page.evaluate(() => {
        const C = (window as unknown as { Chart: { getChart(c: Element): any } }).Chart; // eslint-disable-line @typescript-eslint/no-explicit-any
        return (C.getChart(document.querySelector('#proj-chart')!).tooltip.dataPoints ?? []).map((d: { raw: { word: string } }) => d.raw.word) as string[];
      });
      expect(words).toContain(end.word);
    }
    expect(dash.pageErrors).toEqual([]);
  });
});
