import { describe, expect, it } from 'vitest';
import { evaluationLines } from '../../src/tasks/text_format.js';
import { classificationMetrics, rocAuc, toClassProbabilities, worstExamples } from '../../src/tasks/text_metrics.js';

describe('classification metrics against hand-computed values', () => {
  // P(positive) for five examples; predictions at 0.5: 1 0 0 1 1.
  const yTrue = Int32Array.from([1, 1, 0, 0, 1]);
  const p1 = [0.9, 0.4, 0.35, 0.8, 0.7];
  const probs = toClassProbabilities(p1, 2);
  const m = classificationMetrics(yTrue, probs, ['neg', 'pos']);

  it('accuracy, loss, confusion matrix', () => {
    expect(m.accuracy).toBeCloseTo(0.6, 12);
    expect(m.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.65) + Math.log(0.2) + Math.log(0.7)) / 5, 6);
    expect(m.confusion.dense()).toEqual([[1, 1], [1, 2]]);
  });

  it('per-class precision / recall / F1, macro and weighted averages', () => {
    expect(m.perClass[0]).toMatchObject({ name: 'neg', support: 2 });
    expect(m.perClass[0].precision).toBeCloseTo(0.5, 12);
    expect(m.perClass[0].recall).toBeCloseTo(0.5, 12);
    expect(m.perClass[1].precision).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[1].f1).toBeCloseTo(2 / 3, 12);
    expect(m.macro.f1).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(m.weighted.precision).toBeCloseTo((0.5 * 2 + (2 / 3) * 3) / 5, 12);
  });

  it('ROC AUC is the share of (positive, negative) pairs ranked right, ties half', () => {
    expect(m.auc).toBeCloseTo(4 / 6, 12);
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 1, 0], [0.2, 0.3, 0.1])).toBe(1);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNull();
  });

  it('a class never predicted has precision 0; three classes have no AUC', () => {
    const y = Int32Array.from([0, 1, 2, 2]);
    const p = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.6, 0.3, 0.1, 0.2, 0.3, 0.5];
    const mm = classificationMetrics(y, p, ['a', 'b', 'c']);
    expect(mm.confusion.dense()).toEqual([[1, 0, 0], [0, 1, 0], [1, 0, 1]]);
    expect(mm.perClass[2]).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(mm.perClass[0].precision).toBeCloseTo(0.5, 12);
    expect(mm.auc).toBeNull();
  });

  it('macro averages leave out a class that neither occurs nor is predicted (sklearn\'s labels), and keep one that is only predicted', () => {
    // Every example is 'pos' and predicted so: a perfect report, not a macro F1 of 0.5 from the absent 'neg'.
    const all = classificationMetrics(Int32Array.from([1, 1, 1]), [0.2, 0.8, 0.1, 0.9, 0.3, 0.7], ['neg', 'pos']);
    expect(all.perClass[0]).toMatchObject({ support: 0, f1: 0 });
    expect(all.macro).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(all.weighted).toEqual({ precision: 1, recall: 1, f1: 1 });
    // Three classes, 'c' absent from the data but predicted once: it counts (precision 0), 'b' absent and unpredicted does not.
    const some = classificationMetrics(Int32Array.from([0, 0, 0]), [0.9, 0.05, 0.05, 0.8, 0.1, 0.1, 0.2, 0.1, 0.7], ['a', 'b', 'c']);
    expect(some.perClass.map((c) => c.f1)).toEqual([0.8, 0, 0]);
    expect(some.macro.f1).toBeCloseTo(0.4, 12);
    expect(some.macro.precision).toBeCloseTo(0.5, 12);
  });

  it('worst examples are the lowest true-class probabilities; the report starts with the accuracy', () => {
    const texts = ['t0', 't1', 't2', 't3', 't4'];
    const worst = worstExamples(yTrue, probs, ['neg', 'pos'], texts, texts.map((t) => `f:${t}`), 2);
    expect(worst.map((w) => w.text)).toEqual(['t3', 't1']);
    expect(worst[0]).toMatchObject({ label: 'neg', predicted: 'pos', where: 'f:t3' });
    expect(worst[0].trueProbability).toBeCloseTo(0.2, 6);
    const lines = evaluationLines(m, worst);
    expect(lines[0]).toBe('Accuracy: 60.00%');
    expect(lines[1]).toMatch(/^Loss: \d\.\d{4}$/);
    expect(lines.join('\n')).toMatch(/ROC AUC \(pos\): 0\.6667/);
    expect(lines.join('\n')).toMatch(/neg\s+1\s+1\npos\s+1\s+2/);
  });
});
