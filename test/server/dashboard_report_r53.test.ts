/** In Chromium: a run whose report is too large to serve shows why, in the runs table and in its details. */
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MAX_SERVED_BYTES } from '../../src/server/static.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { imdbRunId, writeImdbRuns } from './helpers.js';

describeInChromium('a report too large to serve in Chromium (r53)', () => {
  const dash = dashboardSession({
    hash: '#runs',
    runs(runsDir) {
      writeImdbRuns(runsDir, 2);
      writeFileSync(join(runsDir, imdbRunId(0), 'report.html'), '<p>');
      truncateSync(join(runsDir, imdbRunId(0), 'report.html'), MAX_SERVED_BYTES + 1);
      writeFileSync(join(runsDir, imdbRunId(1), 'report.html'), '<p>report</p>');
    },
    viewport: { width: 1280, height: 900 },
    timeoutMs: 60_000,
  });

  it('the table says "not served" with the reason, the details give the reason without a link', async () => {
    const cell = (id: string) => dash.page.$eval(`#runs-table tbody tr[data-run="${id}"] td:last-child`, (td) => ({ text: td.textContent, title: td.querySelector('span')?.title ?? null, link: !!td.querySelector('a') }));
    await dash.page.waitForSelector(`#runs-table tbody tr[data-run="${imdbRunId(0)}"]`);
    const huge = await cell(imdbRunId(0));
    expect(huge).toEqual({ text: 'not served', title: expect.stringMatching(/^report\.html is \d+ bytes, over the 64 MiB/), link: false });
    expect(await cell(imdbRunId(1))).toEqual({ text: 'report', title: null, link: true });
    await dash.page.click(`button[aria-label="details of ${imdbRunId(0)}"]`);
    await dash.page.waitForFunction((run) => document.querySelector<HTMLElement>('#run-detail')!.dataset.run === run && !document.querySelector<HTMLElement>('#run-detail')!.hidden, imdbRunId(0));
    expect(await dash.page.$eval('#run-detail-report', (e) => ({ shown: !(e as HTMLElement).hidden, link: !e.querySelector('a')!.hidden, why: e.querySelector('#run-detail-report-why')!.textContent }))).toEqual({ shown: true, link: false, why: huge.title });
    await dash.page.click(`button[aria-label="details of ${imdbRunId(1)}"]`);
    await dash.page.waitForFunction((run) => document.querySelector<HTMLElement>('#run-detail')!.dataset.run === run, imdbRunId(1));
    expect(await dash.page.$eval('#run-detail-report', (e) => ({ shown: !(e as HTMLElement).hidden, link: !e.querySelector('a')!.hidden, why: e.querySelector('#run-detail-report-why')!.textContent }))).toEqual({ shown: true, link: true, why: '' });
    expect(dash.pageErrors).toEqual([]);
  });
});
