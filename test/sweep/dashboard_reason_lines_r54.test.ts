/**
 * In Chromium: a failed run's reason in the Sweeps view's run table keeps its lines (the error, then its indented
 * [cause] lines, as sweep.json holds it); the table's cells otherwise run everything onto one line. The reason stays
 * text: markup in it is shown as written, never made into elements.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { summarize, type RunEntry } from '../../src/sweep/summary.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from '../server/dashboard_harness.js';

/** A reason as a failed run's record holds one since f71a9c9: the error, then its cause's lines, indented. */
const REASON = 'Error: cannot read <b>data</b>/train.tsv\n    [cause]: Error: line 3: expected 2 fields\n    got 3';

function writeSweep(runsDir: string, id: string) {
  const runs: RunEntry[] = [
    { id: 'hidden-4', axes: { hidden: 4 }, seed: 1, status: 'completed', attempts: 1, value: 0.5 },
    { id: 'hidden-8', axes: { hidden: 8 }, seed: 1, status: 'failed', attempts: 1, error: REASON },
  ];
  const summary = summarize(runs, 'per_char_accuracy', 'max');
  mkdirSync(join(runsDir, id, 'runs'), { recursive: true });
  const spec = { command: 'addition', flags: {}, grid: { hidden: [4, 8] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
  const at = '2025-01-02T00:00:00.000Z';
  writeFileSync(join(runsDir, id, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: at,
    runs: runs.map((r) => ({ ...r, ...(r.status === 'completed' ? { metrics: { perCharAccuracy: r.value } } : {}) })), summary }));
}

describeInChromium('a failed run\'s multi-line reason in the Sweeps view, in Chromium', () => {
  const dash = dashboardSession({ hash: '#sweeps', runs: (runsDir) => writeSweep(runsDir, 'reasons') });

  it('shows each line of the reason, its cause indented, as text', async () => {
    await dash.page.click('#tab-sweeps');
    await dash.page.waitForSelector('#sweeps-table tbody tr[data-sweep="reasons"]');
    await dash.page.click('#sweeps-table tbody tr[data-sweep="reasons"] button');
    await dash.page.waitForFunction(() => document.querySelector('#sweep-title')?.textContent?.startsWith('reasons:'));
    await dash.page.evaluate(() => { (document.querySelector('#sweep-runs')!.closest('details') as HTMLDetailsElement).open = true; });
    const cell = await dash.page.$eval('#sweep-runs tbody tr:nth-child(2) td:last-child', (td) => {
      const box = td as HTMLElement;
      const lineHeight = parseFloat(getComputedStyle(box).lineHeight) || parseFloat(getComputedStyle(box).fontSize) * 1.2;
      // innerText is the text as laid out: lines run together where the cell collapses them.
      return { text: box.textContent, shown: box.innerText, elements: box.children.length, lines: Math.round(box.getBoundingClientRect().height / lineHeight) };
    });
    expect(cell.text).toBe(REASON);
    expect(cell.shown).toBe(REASON);
    expect(cell.elements).toBe(0);
    expect(cell.lines).toBeGreaterThanOrEqual(3);
    expect(dash.pageErrors).toEqual([]);
  });
});
