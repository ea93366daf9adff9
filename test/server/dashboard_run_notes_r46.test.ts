/**
 * In Chromium: a `rnnlab train` run's notes (results.json details.notes: labels that differ only in case are
 * different classes) are shown in its run details, as text (a label holding markup is shown, not rendered), and a
 * run without notes shows none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { describeInChromium } from '../helpers/browser.js';
import { topicTexts, writeJsonl } from '../tasks/helpers.js';
import { dashboardSession } from './dashboard_harness.js';
import { tempDir, writeImdbRuns, imdbRunId } from './helpers.js';

async function train(data: string, out: string): Promise<void> {
  let err = '';
  const code = await main(['train', '--data', data, '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--batch-size', '16', '--maxlen', '20', '--out', out],
    { out: { write: () => true }, err: { write: (t: string) => { err += t; return true; } } });
  expect(code, err).toBe(0);
}

describeInChromium('a run\'s notes in its details, in Chromium', () => {
  let notes: string[] = [];
  const dash = dashboardSession({
    hash: '#runs',
    runs: async (runsDir) => {
      // One topic's rows labelled in two cases, the label holding markup: train notes that they are two classes.
      const [first] = [...new Set(topicTexts(1, 1).map((r) => r.label))];
      let k = 0;
      const rows = topicTexts(20, 1).map((r) => (r.label === first ? { ...r, label: k++ % 2 ? '<b>Sport</b>' : '<b>sport</b>' } : r));
      await train(writeJsonl(tempDir(), 'data.jsonl', rows), join(runsDir, 'cased'));
      notes = JSON.parse(readFileSync(join(runsDir, 'cased', 'results.json'), 'utf8')).details.notes;
      writeImdbRuns(runsDir, 1);
    },
    setupTimeoutMs: 120_000,
  });

  const open = async (id: string) => {
    await dash.page.click(`button[aria-label="details of ${id}"]`);
    await dash.page.waitForFunction((run) => document.querySelector<HTMLElement>('#run-detail')?.dataset.run === run && !document.querySelector<HTMLElement>('#run-detail')!.hidden, id);
  };

  it('shows each note of the record, as text', async () => {
    expect(notes).toEqual([expect.stringMatching(/^note: labels "<b>Sport<\/b>" and "<b>sport<\/b>" are different classes/)]);
    await open('cased');
    expect(await dash.page.isHidden('#run-notes-box')).toBe(false);
    expect(await dash.page.$$eval('#run-notes li', (lis) => lis.map((li) => li.textContent))).toEqual(notes);
    // The label's markup is text: no element made of it.
    expect(await dash.page.$$eval('#run-notes b', (bs) => bs.length)).toBe(0);
    expect(dash.pageErrors).toEqual([]);
  }, 60_000);

  it('shows no notes for a run that has none', async () => {
    await open(imdbRunId(0));
    expect(await dash.page.isHidden('#run-notes-box')).toBe(true);
    expect(await dash.page.$$eval('#run-notes li', (lis) => lis.length)).toBe(0);
    // Its card says it recorded nothing beyond its curves, notes included.
    expect(await dash.page.textContent('#run-detail-empty')).toMatch(/no notes/);
    expect(await dash.page.isHidden('#run-detail-empty')).toBe(false);
  }, 60_000);
});
