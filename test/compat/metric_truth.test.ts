/** Precision/recall/AUC treat any non-zero target as a positive label, as Keras casts y_true to bool. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const P = [[0.9], [0.6], [0.3], [0.7], [0.2]];

describe('confusion metrics: target truth', () => {
  it('a soft or >1 target counts as positive (Keras), not only targets above 0.5', () => {
    // positives (non-zero): rows 0, 2, 3; predicted positive: rows 0, 1, 3 -> tp 2, fp 1, fn 1.
    // A 0.5 cut on the target would give tp 1, fp 2, fn 1 (precision 1/3, recall 1/2).
    const soft = [[0.3], [0], [2], [0.7], [0]];
    expect(rl.metrics.precision(soft, P).dataSync()[0]).toBeCloseTo(2 / 3, 6);
    expect(rl.metrics.recall(soft, P).dataSync()[0]).toBeCloseTo(2 / 3, 6);
  });

  it('a non-zero target gives the same counts as a target of 1, for precision, recall and AUC', () => {
    const hard = [[1], [0], [1], [1], [0]], soft = [[0.3], [0], [2], [0.7], [0]];
    for (const f of [rl.metrics.precision, rl.metrics.recall, rl.metrics.auc]) {
      expect(f(soft, P).dataSync()[0]).toBeCloseTo(f(hard, P).dataSync()[0], 6);
    }
    // a negative target value is non-zero too: Keras's bool cast makes it a positive label
    expect(rl.metrics.recall([[-1], [0], [0], [0], [0]], P).dataSync()[0]).toBe(1);
  });

  it('compiled precision/recall logged by evaluate follow the same rule', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], activation: 'sigmoid', kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['precision', 'recall'] });
    // sigmoid(x): x=2 -> .88 (pos), x=-2 -> .12 (neg); targets 0.4 and 0.4 are both positive labels
    const x = [[2], [-2], [2], [-2]], y = [[0.4], [0.4], [0], [0]];
    const out = await m.evaluate(x, y, { batchSize: 4 }) as unknown as Array<{ dataSync(): ArrayLike<number> }>;
    const [, prec, rec] = out.map((t) => t.dataSync()[0]);
    expect(prec).toBeCloseTo(1 / 2, 6); // tp row 0, fp row 2
    expect(rec).toBeCloseTo(1 / 2, 6); // tp row 0, fn row 1
  });
});
