/**
 * Keras's class_weight on an imbalanced three-class set, as a user's own labels come (integers 0/1/2 in a JSON Lines
 * export): the weights are scikit-learn's 'balanced' over the training part, and they move the softmax towards
 * the rare classes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainTextClassifier } from '../../src/tasks/text_train.js';
import { Tensor } from '../../src/tensor.js';
import { writeJsonl } from './helpers.js';

const TEXT = 'the same words every time';
const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-weight-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("classWeight 'balanced' with three imbalanced classes", () => {
  it('weighs by the training counts, and the softmax meets the weighted optimum: a third each', async () => {
    // One text, labelled 0 (80%), 1 (15%) and 2 (5%): nothing to tell the rows apart, so the best answer is the
    // prior, P(2) = 0.05 unweighted and 1/3 balanced-weighted (w[c] * share[c] is the same for every class).
    const rows = Array.from({ length: 240 }, (_, i) => ({ text: TEXT, label: i % 20 === 0 ? 2 : i % 20 <= 3 ? 1 : 0 }));
    const data = writeJsonl(root, 'imbalanced.jsonl', rows);
    const base = { data, model: 'gru', epochs: 20, batchSize: 32, seed: 4, validationSplit: 0.25, learningRate: 0.01, embeddingDim: 8, units: 8 };
    const probabilities = (r: Awaited<ReturnType<typeof trainTextClassifier>>) => {
      const p = r.model.predict(new Tensor(r.vectorizer.encode([TEXT]).data, [1, r.vectorizer.maxlen!], 'int32')).values;
      return Array.from(p);
    };
    const plain = await trainTextClassifier(base);
    const weighted = await trainTextClassifier({ ...base, classWeight: 'balanced' });
    // 240 rows: 192/36/12, of which 144/27/9 train after the stratified 0.25 split; n / (classes * count).
    expect(weighted.counts.perClassTrain).toEqual({ 0: 144, 1: 27, 2: 9 });
    expect(weighted.classWeights).toEqual({ 0: 180 / (3 * 144), 1: 180 / (3 * 27), 2: 180 / (3 * 9) });
    expect(weighted.classes).toEqual(['0', '1', '2']);
    // Trained to convergence: under seeds 4, 5 and 6 every probability lands within 0.02 of its optimum.
    probabilities(plain).forEach((p, c) => expect(Math.abs(p - [0.8, 0.15, 0.05][c])).toBeLessThan(0.05));
    probabilities(weighted).forEach((p) => expect(Math.abs(p - 1 / 3)).toBeLessThan(0.06));
  });
});
