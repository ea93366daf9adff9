/**
 * In Chromium: with more models than one GET /api/models page holds (1000), the dashboard fetches every page, so Try
 * it offers the oldest run's model and Inside the network the untrained ones, which come last in the list.
 */
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { imdbRunId, writeImdbRuns } from './helpers.js';

const RUNS = 1010;

describeInChromium('the dashboard with more models than one page of GET /api/models, in Chromium', () => {
  const asked: string[] = [];
  const dash = dashboardSession({
    hash: '#try',
    runs: (runsDir) => writeImdbRuns(runsDir, RUNS, { metrics: { testAccuracy: 0.8 }, withModel: true }),
    beforeOpen: (page) => page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/models') asked.push(new URL(r.url()).search); }),
    setupTimeoutMs: 120_000,
  });
  const optionValues = (sel: string) => dash.page.$$eval(`${sel} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));

  it('asks for the list a page at a time, until the total', async () => {
    expect(asked).toEqual(['?limit=1000&offset=0', '?limit=1000&offset=1000']);
  });

  it('offers every trained model in Try it, the oldest (on the second page) included, each once', async () => {
    const offered = await optionValues('#sentiment-model');
    expect(offered).toHaveLength(RUNS);
    expect(new Set(offered).size).toBe(RUNS);
    expect(offered).toContain(imdbRunId(0));
    expect(await dash.page.getByRole('combobox', { name: 'Model' }).first().isDisabled()).toBe(false);
  });

  it('offers the untrained networks (last in the list) in Inside the network', async () => {
    const offered = await optionValues('#grad-a');
    expect(offered).toEqual(expect.arrayContaining(['fresh:simple_rnn', 'fresh:lstm', 'fresh:gru', imdbRunId(0)]));
    expect(offered).toHaveLength(RUNS + 3);
    expect(dash.pageErrors).toEqual([]);
  });
});
