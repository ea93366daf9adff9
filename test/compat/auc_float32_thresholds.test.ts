/**
 * AUC counts as Keras 3 does over its evenly spaced thresholds, in float32: a float32 prediction equal to
 * float32(k / 199) is not above threshold k, though float64 k / 199 lies below it; predictions are clipped to [0, 1].
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// k = 3: float32(3 / 199) is above float64 3 / 199.
const k = 3;
const onThreshold = Math.fround(k / 199), below = Math.fround((k - 0.5) / 199);
const t = [1, 0, 1, 0], p = [0.9, onThreshold, below, 0.1];

describe('AUC thresholds in float32', () => {
  it('the case is one where float64 and float32 thresholds disagree', () => {
    expect(onThreshold).toBeGreaterThan(k / 199);
  });

  it('rl.metrics.auc: a negative exactly on a threshold is not above it (Keras: 0.625)', () => {
    // Keras: the negative at float32(3/199) and the positive at float32(2.5/199) fall in the same bucket, so the
    // ROC steps diagonally there: 0.625; counting the negative above threshold 3 gives 0.5.
    expect(rl.metrics.auc(t, p).dataSync()[0]).toBeCloseTo(0.625, 6);
  });

  it('compiled auc through evaluate gives the same', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ inputShape: [1], units: 1, useBias: false, kernelInitializer: 'ones' })] });
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['auc'] });
    const out = m.evaluate(rl.tensor2d(p, [4, 1]), rl.tensor2d(t, [4, 1])) as rl.Tensor[];
    expect(out[1].dataSync()[0]).toBeCloseTo(0.625, 6);
  });

  it('predictions outside [0, 1] are clipped, as Keras', () => {
    // Clipped: the positive at 1 is above every inner threshold, the negative at 0 above none: a perfect ranking.
    expect(rl.metrics.auc([1, 0], [1.5, -0.5]).dataSync()[0]).toBeCloseTo(1, 6);
  });
});
