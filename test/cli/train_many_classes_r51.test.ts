/**
 * train over thousands of classes: the record and report keep the confusion matrix's bounded form (a C x C matrix
 * outgrows JSON.stringify at 5,000 classes and writes hundreds of MB at 3,000), and a write that fails after the
 * model is saved leaves --out as it was before the run, saying which file it could not write.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { confusionTable, confusionTop, FULL_CONFUSION_MAX_CLASSES, TOP_CONFUSIONS } from '../../src/tasks/text_result.js';
import { ConfusionCounts, type ClassificationMetrics } from '../../src/tasks/text_metrics.js';
import { cleanup, readResults, run, schemaProblems, snapshotFiles, tempDir, TRAIN_FAST } from './helpers.js';

afterAll(() => cleanup());
afterEach(() => setBeforeRenameHook(null));

const CLASSES = 2000;
const TINY = ['--model', 'ff_embed', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--threads', '1'];

/** CLASSES classes of two rows each: the stratified split holds one of each out, so validation has every class. */
function manyClasses(cwd: string): string {
  const rows = Array.from({ length: CLASSES }, (_, i) => [`w${i} x,c${i}`, `w${i} y,c${i}`]).flat();
  const file = path.join(cwd, 'many.csv');
  writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
  return file;
}

/** Every entry under dir, folders marked with a trailing slash. */
function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : '')).sort();
}

describe(`train over ${CLASSES} classes`, () => {
  it('writes a bounded, valid record (confusionTop, no C x C matrix) and a report of the top confusions', async () => {
    const cwd = tempDir(), out = path.join(cwd, 'run');
    const r = await run(['train', '--data', manyClasses(cwd), ...TINY, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const record = readResults(out);
    expect(schemaProblems(record)).toEqual([]);
    expect(record.status).toBe('completed');
    // Linear in the classes (per-class scores), never quadratic: a full matrix alone would be CLASSES^2 cells twice over.
    expect(statSync(path.join(out, 'results.json')).size).toBeLessThan(2_000_000);
    expect(statSync(path.join(out, 'report.html')).size).toBeLessThan(2_000_000);
    expect(record.details.confusion).toBeUndefined();
    const c = record.details.confusionTop;
    expect(c.support).toHaveLength(CLASSES);
    expect(c.support.every((s: number) => s === 1)).toBe(true);
    expect(c.correct.reduce((a: number, b: number) => a + b, 0)).toBe(Math.round(record.metrics.validationAccuracy * CLASSES));
    const wrong = CLASSES - c.correct.reduce((a: number, b: number) => a + b, 0);
    expect(c.top.length).toBe(Math.min(TOP_CONFUSIONS, wrong));
    expect(c.top.reduce((a: number, t: number[]) => a + t[2], 0) + c.otherCount).toBe(wrong);
    expect(c.predicted.reduce((a: number, b: number) => a + b, 0)).toBe(CLASSES);
    expect(record.tables[1].columns).toEqual(['true', 'predicted', 'count', 'share of true class']);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('Most frequent confusions');
    // Said last, once everything is written.
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(`Saved: ${path.join(out, 'model')} and ${path.join(out, 'results.json')}`);
  }, 60_000);

  it('a full disk at the final results.json, after the model is saved: exit 1 naming the file, and --out as before', async () => {
    const cwd = tempDir(), out = path.join(cwd, 'run');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine\n');
    const before = snapshotFiles(out);
    // Writes to results.json into a folder without a record: this run's start record (0), its running record (1), its final one (2).
    let seen = 0;
    setBeforeRenameHook((_tmp, target) => {
      if (target === path.join(out, 'results.json') && seen++ === 2) throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    });
    const r = await run(['train', '--data', manyClasses(cwd), ...TINY, '--out', out]);
    setBeforeRenameHook(null);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot write the run folder ${out}: no space left on the device (writing ${path.join(out, 'results.json')})`);
    expect(r.err).toContain(`this run's model/ and files were removed; ${out} holds what it held before the run`);
    expect(r.out).not.toContain('Saved:');
    expect(entries(out)).toEqual(['notes.txt']);
    expect(snapshotFiles(out)).toEqual(before);
  }, 60_000);
});

describe('train into an earlier run, a write failing after the model is saved', () => {
  const rows = Array.from({ length: 24 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} word${i},${i % 2}`);
  for (const stopAt of ['report.html', 'report.png', 'results.json']) {
    it(`at ${stopAt}: the earlier run is put back byte for byte, no copy left behind`, async () => {
      const cwd = tempDir(), out = path.join(cwd, 'run'), data = path.join(cwd, 'd.csv');
      writeFileSync(data, `text,label\n${rows.join('\n')}\n`);
      const train = (seed: number) => run(['train', '--data', data, ...TRAIN_FAST, '--seed', String(seed), '--threads', '1', '--out', out]);
      expect((await train(1)).code).toBe(0);
      const before = snapshotFiles(out);
      // Writes to results.json: the earlier record marked running (0), this run's running record (1), its final one (2).
      let seen = 0;
      setBeforeRenameHook((_tmp, target) => {
        if (target === path.join(out, stopAt) && (stopAt !== 'results.json' || seen++ === 2)) throw new Error(`stopped at ${stopAt}`);
      });
      const r = await train(2);
      setBeforeRenameHook(null);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`cannot write ${path.join(out, stopAt)}: stopped at ${stopAt}`);
      expect(r.err).toContain(`${out} holds what it held before the run`);
      expect(r.out).not.toContain('Saved:');
      expect(snapshotFiles(out)).toEqual(before);
      expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
    }, 60_000);
  }
});

describe('the confusion matrix in the record and report', () => {
  /** The counts of a matrix confusion[true][predicted], one example at a time. */
  const counted = (confusion: number[][]): ConfusionCounts => {
    const c = new ConfusionCounts(confusion.length);
    confusion.forEach((row, t) => row.forEach((v, p) => { for (let i = 0; i < v; i++) c.add(t, p); }));
    return c;
  };
  const metrics = (confusion: number[][]): ClassificationMetrics =>
    ({ perClass: confusion.map((_, i) => ({ name: `c${i}`, precision: 0, recall: 0, f1: 0, support: 0 })), confusion: counted(confusion) } as unknown as ClassificationMetrics);
  const diagonal = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 3 : 0)));

  it('keeps the whole matrix up to the threshold, the top confusions one class over it', () => {
    expect(confusionTable(metrics(diagonal(FULL_CONFUSION_MAX_CLASSES))).columns).toHaveLength(FULL_CONFUSION_MAX_CLASSES + 1);
    const over = diagonal(FULL_CONFUSION_MAX_CLASSES + 1);
    over[5][7] = 2;
    const t = confusionTable(metrics(over));
    expect(t.columns).toEqual(['true', 'predicted', 'count', 'share of true class']);
    expect(t.rows).toEqual([['c5', 'c7', 2, '40.00%']]);
  });

  it('counts per class and keeps the largest off-diagonal cells, ties in class order', () => {
    const m = [[5, 2, 1], [0, 4, 3], [2, 0, 1]];
    expect(confusionTop(counted(m), 2)).toEqual({
      correct: [5, 4, 1], support: [8, 7, 3], predicted: [7, 6, 5], top: [[1, 2, 3], [0, 1, 2]], otherCells: 2, otherCount: 3,
    });
    expect(confusionTop(counted(m), 10).top).toEqual([[1, 2, 3], [0, 1, 2], [2, 0, 2], [0, 2, 1]]);
  });
});
