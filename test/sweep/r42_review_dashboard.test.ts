/**
 * In Chromium: the Sweeps view says which axes have no completed run (sweep.json's summary.unmeasured) in the words
 * the terminal and report.html use, rather than leaving them out unsaid; a sweep without such an axis says nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { summarize, unmeasuredLine, type RunEntry } from '../../src/sweep/summary.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from '../server/dashboard_harness.js';

const ok = (id: string, axes: RunEntry['axes'], value: number): RunEntry => ({ id, axes, seed: 1, status: 'completed', attempts: 1, value });
const failed = (id: string, axes: RunEntry['axes']): RunEntry => ({ id, axes, seed: 1, status: 'failed', attempts: 0, error: 'refused' });

/**
 * A finished addition sweep record in which only failed runs vary `lr` (and `layers`, with `unmeasured: 2`); with
 * 'list', the grid's runs (hidden 4, 8) all failed and only a list entry setting hidden completed.
 */
function writeSweep(runsDir: string, id: string, unmeasured: number | 'list') {
  const runs = [ok('hidden-4', { hidden: 4 }, 0.5), ok('hidden-8', { hidden: 8 }, 0.7), failed('lr', { hidden: 4, lr: 9 })];
  if (unmeasured === 'list') runs.splice(0, 3, failed('hidden-4', { hidden: 4 }), failed('hidden-8', { hidden: 8 }), ok('list', { hidden: 16, lr: 9 }, 0.6));
  if (typeof unmeasured === 'number' && unmeasured > 1) runs.push(failed('layers', { hidden: 4, layers: 3 }));
  if (unmeasured === 0) runs.pop();
  const summary = unmeasured === 'list' ? summarize(runs, 'per_char_accuracy', 'max', [], { hidden: [4, 8] }) : summarize(runs, 'per_char_accuracy', 'max');
  mkdirSync(join(runsDir, id, 'runs'), { recursive: true });
  const spec = { command: 'addition', flags: {}, grid: { hidden: [4, 8] }, samples: null, sampleSeed: 1, list: unmeasured === 'list' ? [{ hidden: 16, lr: 9 }] : [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
  const at = '2025-01-02T00:00:00.000Z';
  writeFileSync(join(runsDir, id, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: at,
    runs: runs.map((r) => ({ ...r, ...(r.status === 'completed' ? { metrics: { perCharAccuracy: r.value } } : {}) })), summary }));
  return summary;
}

describeInChromium('axes with no completed run in the Sweeps view, in Chromium', () => {
  const lines: Record<string, string | null> = {};
  const dash = dashboardSession({
    hash: '#sweeps',
    runs: (runsDir) => {
      lines.one = unmeasuredLine(writeSweep(runsDir, 'one', 1));
      lines.two = unmeasuredLine(writeSweep(runsDir, 'two', 2));
      lines.none = unmeasuredLine(writeSweep(runsDir, 'none', 0));
      lines.list = unmeasuredLine(writeSweep(runsDir, 'list', 'list'));
    },
  });

  /** Opens the sweep; its effect boxes' axes and the unmeasured lines shown. */
  async function shown(id: string) {
    await dash.page.click('#tab-sweeps');
    await dash.page.waitForSelector(`#sweeps-table tbody tr[data-sweep="${id}"]`);
    await dash.page.click(`#sweeps-table tbody tr[data-sweep="${id}"] button`);
    await dash.page.waitForFunction((sweep) => document.querySelector('#sweep-title')?.textContent?.startsWith(`${sweep}:`), id);
    return {
      axes: await dash.page.$$eval('#sweep-effects .effect', (es) => es.map((e) => (e as HTMLElement).dataset.axis)),
      unmeasured: await dash.page.$$eval('#sweep-effects .unmeasured', (ps) => ps.map((p) => p.textContent)),
    };
  }

  it('shows the line the terminal prints, for one axis and for two', async () => {
    expect(lines.one).toBe('No run varying lr has completed: its effect is not shown.');
    expect(await shown('one')).toEqual({ axes: ['hidden'], unmeasured: [lines.one] });
    expect(lines.two).toBe('No run varying lr, layers has completed: their effects are not shown.');
    expect(await shown('two')).toEqual({ axes: ['hidden'], unmeasured: [lines.two] });
  });

  it('says only list entries completed where a completed list entry sets the axis', async () => {
    expect(lines.list).toBe('Of the runs varying hidden, only list entries have completed, and list entries count in no axis\'s effect: its effect is not shown.');
    expect(await shown('list')).toEqual({ axes: [], unmeasured: [lines.list] });
  });

  it('shows no such line when every axis has a completed run', async () => {
    expect(lines.none).toBeNull();
    expect(await shown('none')).toEqual({ axes: ['hidden'], unmeasured: [] });
    expect(dash.pageErrors).toEqual([]);
  });
});
