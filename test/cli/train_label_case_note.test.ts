/**
 * Labels are trimmed (inside quotes too) but keep their case, as Keras keeps labels as given: `Pos` and `pos` train as
 * two classes, and train says so on stderr rather than leaving it to be noticed in the class list.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caseOnlyClassNotes, classesDifferingInCase } from '../../src/data/text_labels.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(cleanup);
const SMALL = ['--units', '4', '--embedding-dim', '4', '--epochs', '1', '--threads', '1'];

function csv(dir: string, labels: string[]): string {
  const f = path.join(dir, 'labels.csv');
  writeFileSync(f, ['text,label', ...labels.map((l, i) => `film number ${i} here,${l}`)].join('\n') + '\n');
  return f;
}

describe('labels that differ only in case', () => {
  it('are grouped, each group in class order, and said in one note per group', () => {
    expect(classesDifferingInCase(['NEG', 'Pos', 'neg', 'pos', 'mid'])).toEqual([['NEG', 'neg'], ['Pos', 'pos']]);
    expect(classesDifferingInCase(['neg', 'pos'])).toEqual([]);
    expect(caseOnlyClassNotes(['A', 'a', 'b', 'B ', 'B'])).toEqual([
      'note: labels "A" and "a" are different classes (labels keep their case); if they mean one class, write them one way',
      'note: labels "b", "B " and "B" are different classes (labels keep their case); if they mean one class, write them one way',
    ]);
  });

  it('surrounding spaces are trimmed, quoted or not, and case is kept', async () => {
    const dir = tempDir('rnnlab-label-trim-');
    const f = path.join(dir, 'trim.csv');
    writeFileSync(f, 'text,label\ngood film,pos\nfine film," pos"\nbad film,neg \nawful film,"neg "\nok film,Pos\n');
    expect((await loadTextDataset(f)).labels).toEqual(['pos', 'pos', 'neg', 'neg', 'Pos']);
  });

  it('train notes them on stderr, trains them as separate classes and exits 0', async () => {
    const dir = tempDir('rnnlab-label-case-');
    const data = csv(dir, Array.from({ length: 16 }, (_, i) => ['Pos', 'NEG', 'neg', 'pos'][i % 4]));
    const r = await run(['train', '--data', data, ...SMALL, '--out', path.join(dir, 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Classes: NEG, Pos, neg, pos \(softmax head\)$/m);
    expect(r.err).toContain('rnnlab train: note: labels "NEG" and "neg" are different classes (labels keep their case)');
    expect(r.err).toContain('rnnlab train: note: labels "Pos" and "pos" are different classes');
  }, 60_000);

  it('train prints no note when the classes differ otherwise', async () => {
    const dir = tempDir('rnnlab-label-nocase-');
    const data = csv(dir, Array.from({ length: 12 }, (_, i) => (i % 2 ? 'pos' : 'neg')));
    const r = await run(['train', '--data', data, ...SMALL, '--out', path.join(dir, 'run')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain('note:');
  }, 60_000);
});
