/**
 * The text tasks count confusion[true][predicted] sparsely (per-class counts and the off-diagonal cells that occur),
 * so a classifier over tens of thousands of classes is measured without a C x C matrix (20,000 classes would be
 * 400 million cells, 3.2 GB as numbers), with the same per-class scores, averages and bounded form.
 */
import { describe, expect, it } from 'vitest';
import { ConfusionCounts, classificationMetrics } from '../../src/tasks/text_metrics.js';
import { confusionTable, confusionTop } from '../../src/tasks/text_result.js';

describe('sparse confusion counts', () => {
  const C = 20_000;
  const classes = Array.from({ length: C }, (_, i) => `c${i}`);
  const yTrue = Int32Array.from([0, 0, 5, 5, C - 1, 7, 7]);
  const predicted = [0, 3, 5, 3, 0, 7, 3];
  const probs = new Float32Array(yTrue.length * C);
  predicted.forEach((p, i) => { probs[i * C + p] = 0.9; if (yTrue[i] !== p) probs[i * C + yTrue[i]] = 0.05; });
  const m = classificationMetrics(yTrue, probs, classes);

  it('scores thousands of classes from the cells that occur', () => {
    expect(m.accuracy).toBeCloseTo(3 / 7, 12);
    expect(m.confusion.classes).toBe(C);
    expect(m.confusion.confusions().sort((a, b) => a[0] - b[0])).toEqual([[0, 3, 1], [5, 3, 1], [7, 3, 1], [C - 1, 0, 1]]);
    const at = (c: number) => m.perClass[c];
    expect([at(0).precision, at(0).recall, at(0).support]).toEqual([0.5, 0.5, 2]);
    expect([at(3).precision, at(3).recall, at(3).support]).toEqual([0, 0, 0]);
    expect([at(5).precision, at(5).recall, at(7).precision, at(7).recall]).toEqual([1, 0.5, 1, 0.5]);
    expect([at(C - 1).precision, at(C - 1).recall, at(C - 1).support]).toEqual([0, 0, 1]);
    // Averaged over the five classes that occur as a true or predicted class, as sklearn's report.
    expect(m.macro.f1).toBeCloseTo((0.5 + 0 + 2 / 3 + 2 / 3 + 0) / 5, 12);
    expect(m.weighted.recall).toBeCloseTo((0.5 * 2 + 0.5 * 2 + 0.5 * 2 + 0) / 7, 12);
  });

  it('gives the record\'s and report\'s bounded form: the largest confusions, ties in class order', () => {
    const top = confusionTop(m.confusion);
    expect(top.top).toEqual([[0, 3, 1], [5, 3, 1], [7, 3, 1], [C - 1, 0, 1]]);
    expect([top.otherCells, top.otherCount]).toEqual([0, 0]);
    expect([top.correct[0], top.support[0], top.predicted[0], top.predicted[3], top.support[C - 1]]).toEqual([1, 2, 2, 3, 1]);
    expect(top.support.reduce((a, b) => a + b, 0)).toBe(yTrue.length);
    expect(confusionTable(m).rows).toEqual([
      ['c0', 'c3', 1, '50.00%'], ['c5', 'c3', 1, '50.00%'], ['c7', 'c3', 1, '50.00%'], [`c${C - 1}`, 'c0', 1, '100.00%'],
    ]);
  });

  it('a few classes still give the whole matrix', () => {
    const c = new ConfusionCounts(3);
    for (const [t, p] of [[0, 0], [0, 2], [2, 1], [2, 1], [1, 1]]) c.add(t, p);
    expect(c.dense()).toEqual([[1, 0, 1], [0, 1, 0], [0, 2, 0]]);
  });

  it('a class id outside the classes is an error naming it, not a corrupted count', () => {
    expect(() => classificationMetrics(Int32Array.from([0, 3]), new Float32Array(6).fill(1 / 3), ['a', 'b', 'c']))
      .toThrow('confusion counts: true class 3 is not one of the 3 classes\' ids 0..2');
    expect(() => new ConfusionCounts(2).add(0, -1)).toThrow('predicted class -1 is not one of the 2 classes\' ids 0..1');
  });
});
