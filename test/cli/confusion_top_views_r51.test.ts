/**
 * Over 100 classes a record keeps the confusion matrix's bounded form (details.confusionTop); every view of such a
 * run shows that form: `rnnlab evaluate` prints the most frequent confusions, never the C x C matrix, and the
 * dashboard's run details show their table with the report's columns (before, they showed nothing).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from '../server/dashboard_harness.js';
import { FULL_CONFUSION_MAX_CLASSES, TOP_CONFUSIONS } from '../../src/tasks/text_result.js';
import { cleanup, readResults, run, tempDir } from './helpers.js';

afterAll(() => cleanup());

const CLASSES = FULL_CONFUSION_MAX_CLASSES + 50;
const TINY = ['--model', 'ff_embed', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--threads', '1'];
const COLUMNS = ['true', 'predicted', 'count', 'share of true class'];

/** CLASSES classes of two rows each: one epoch of a tiny model confuses most of them. */
function manyClasses(cwd: string): string {
  const rows = Array.from({ length: CLASSES }, (_, i) => [`w${i} x,c${i}`, `w${i} y,c${i}`]).flat();
  const file = path.join(cwd, 'many.csv');
  writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
  return file;
}

async function train(data: string, out: string): Promise<void> {
  const r = await run(['train', '--data', data, ...TINY, '--out', out]);
  expect(r.code, r.err).toBe(0);
}

describe(`evaluate over ${FULL_CONFUSION_MAX_CLASSES} classes`, () => {
  it('prints the most frequent confusions of its record, not the whole matrix', async () => {
    const cwd = tempDir(), data = manyClasses(cwd), model = path.join(cwd, 'run'), out = path.join(cwd, 'eval');
    await train(data, model);
    const r = await run(['evaluate', '--model', model, '--data', data, '--threads', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const record = readResults(out), c = record.details.confusionTop, names: string[] = record.data.classes;
    expect(c.top.length).toBeGreaterThan(0);
    const lines = r.out.split('\n');
    expect(r.out).not.toContain('Confusion matrix');
    const at = lines.findIndex((l) => l.startsWith('Most frequent confusions'));
    const more = c.otherCells ? `; ${c.otherCells} other confusion(s) of ${c.otherCount} example(s) not shown` : '';
    expect(lines[at]).toBe(`Most frequent confusions (${CLASSES} classes: over ${FULL_CONFUSION_MAX_CLASSES}, the whole matrix is not shown${more}):`);
    expect(lines[at + 1].split(/\s{2,}/)).toEqual(COLUMNS);
    // Each of the record's top confusions, in its order: true and predicted class, count, share of the true class.
    const rows = lines.slice(at + 3, at + 3 + c.top.length).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual(c.top.map(([t, p, n]: number[]) => [names[t], names[p], String(n), `${((100 * n) / c.support[t]).toFixed(2)}%`]));
    expect(c.top.length).toBeLessThanOrEqual(TOP_CONFUSIONS);
    // Bounded: the per-class scores, the confusions and a few lines more, never a line per cell or a row of CLASSES numbers.
    expect(lines.length).toBeLessThan(CLASSES + TOP_CONFUSIONS + 40);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(200);
  }, 120_000);
});

describeInChromium(`the dashboard's details of a run over ${FULL_CONFUSION_MAX_CLASSES} classes, in Chromium`, () => {
  let record: Record<string, any>;
  const dash = dashboardSession({
    hash: '#runs',
    runs: async (runsDir) => {
      await train(manyClasses(tempDir()), path.join(runsDir, 'many'));
      record = readResults(path.join(runsDir, 'many'));
    },
  });
  beforeAll(() => expect(record.details.confusionTop).toBeDefined());

  it('shows the table of the most frequent confusions, as the record keeps them', async () => {
    const { page } = dash;
    await page.click('button[aria-label="details of many"]');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#run-detail')?.dataset.run === 'many');
    expect(await page.isHidden('#run-confusion-box')).toBe(false);
    expect(await page.textContent('#run-confusion-title')).toBe('Most frequent confusions');
    expect(await page.$$eval('#run-confusion th', (ths) => ths.map((th) => th.textContent))).toEqual(COLUMNS);
    const c = record.details.confusionTop, names: string[] = record.data.classes;
    const shown = await page.$$eval('#run-confusion tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(shown).toEqual(c.top.map(([t, p, n]: number[]) => [names[t], names[p], String(n), `${((100 * n) / c.support[t]).toFixed(2)}%`]));
    const caption = await page.textContent('#run-confusion caption');
    expect(caption).toContain(`${CLASSES} classes`);
    if (c.otherCells) expect(caption).toContain(`${c.otherCells} other confusion(s) of ${c.otherCount} example(s) not shown`);
    expect(await page.isHidden('#run-detail-empty')).toBe(true);
    expect(dash.pageErrors).toEqual([]);
  }, 60_000);
});
