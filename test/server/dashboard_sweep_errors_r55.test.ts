/**
 * In Chromium, the Sweeps view shows why something could not be read as text in the page, not only in a tooltip
 * or an API answer: an unreadable sweep's error in its row of the list, and a run's unreadable worker.json (the
 * server's stampError) in the run's row, under its reason, with the run table opened to show it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';

const REASON = 'Error: cannot read data/train.tsv\n    [cause]: Error: line 3: expected 2 fields';
const STAMP_ERROR = 'stamps/runs/h8/worker.json gives the key "state" more than once; it is not read';

function writeSweeps(runsDir: string): void {
  const dir = join(runsDir, 'stamps');
  const at = '2025-01-02T00:00:00.000Z';
  const spec = { command: 'addition', flags: {}, grid: { hidden: [4, 8] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
  const runs = [
    { id: 'h4', axes: { hidden: 4 }, seed: 1, status: 'failed', attempts: 1, error: REASON },
    { id: 'h8', axes: { hidden: 8 }, seed: 1, status: 'pending', attempts: 0 },
  ];
  for (const r of runs) mkdirSync(join(dir, 'runs', r.id), { recursive: true });
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: null, runs, summary: null }));
  // A stamp of a worker long gone, its state given twice.
  writeFileSync(join(dir, 'runs', 'h8', 'worker.json'), `{"worker":"w2","runId":"h8","host":"elsewhere","pid":1,"state":"completed","state":"running","startedAt":"${at}","updatedAt":"${at}","epoch":1,"epochs":3,"attempts":0}`);
  mkdirSync(join(runsDir, 'broken'));
  writeFileSync(join(runsDir, 'broken', 'sweep.json'), '{"schemaVersion": 1, "kind": "sweep", ');
}

describeInChromium('what the Sweeps view could not read, in Chromium', () => {
  const dash = dashboardSession({ hash: '#sweeps', runs: writeSweeps });

  it("shows an unreadable sweep's error in its row, as text", async () => {
    await dash.page.click('#tab-sweeps');
    const row = await dash.page.waitForSelector('#sweeps-table tbody tr[data-sweep="broken"]');
    const { error } = (await (await fetch(`${dash.server.base}/api/sweeps`)).json()).sweeps.find((s: { id: string }) => s.id === 'broken');
    expect(error).toMatch(/^broken\/sweep\.json is not valid JSON/);
    const shown = await row.innerText();
    expect(shown).toContain('unreadable');
    expect(shown).toContain(error);
    expect(dash.pageErrors).toEqual([]);
  });

  it("shows a run's unreadable worker.json in its row, under the reason lines, with the run table open", async () => {
    await dash.page.click('#sweeps-table tbody tr[data-sweep="stamps"] button');
    await dash.page.waitForFunction(() => document.querySelector('#sweep-title')?.textContent?.startsWith('stamps:'));
    expect(await dash.page.$eval('#sweep-runs', (t) => (t.closest('details') as HTMLDetailsElement).open)).toBe(true);
    const cells = await dash.page.$$eval('#sweep-runs tbody tr', (rows) => rows.map((tr) => {
      const td = tr.querySelector('td:last-child') as HTMLElement;
      return { text: td.textContent, shown: td.innerText, elements: td.children.length };
    }));
    expect(cells[0]).toEqual({ text: REASON, shown: REASON, elements: 0 });
    expect(cells[1]).toEqual({ text: STAMP_ERROR, shown: STAMP_ERROR, elements: 0 });
    expect(await dash.page.isVisible('#sweep-runs tbody tr:nth-child(2) td:last-child')).toBe(true);
    expect(dash.pageErrors).toEqual([]);
  });
});
