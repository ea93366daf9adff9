/**
 * tfjs-layers' metric functions take (yTrue, yPred) only; a third argument (Keras's threshold, sample weights,
 * fromLogits) would change nothing, so rl.metrics refuses it naming the function, as rl.losses does.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const t = [[1], [0], [1]], p = [[0.6], [0.65], [0.9]];

describe('rl.metrics: arguments past (yTrue, yPred)', () => {
  it('every function refuses a third argument, naming itself', () => {
    const extra: unknown[] = [0.7, [1, 0, 0], { fromLogits: true }, { thresholds: 0.7 }];
    for (const [name, f] of Object.entries(rl.metrics)) {
      if (typeof f !== 'function') continue;
      for (const x of extra) {
        expect(() => (f as (...a: unknown[]) => unknown)(t, p, x), `${name}(t, p, ${JSON.stringify(x)})`)
          .toThrow(`metrics.${name} takes (yTrue, yPred) only, got 3 arguments`);
      }
    }
    expect(() => (rl.metrics.binaryAccuracy as (...a: unknown[]) => unknown)(t, p, undefined, 1)).toThrow('metrics.binaryAccuracy takes (yTrue, yPred) only, got 4 arguments');
  });

  it('an undefined third argument (a forwarding wrapper) is not an option and works', () => {
    const f = rl.metrics.binaryAccuracy as (...a: unknown[]) => rl.Tensor;
    expect(Array.from(f(t, p, undefined).dataSync())).toEqual([1, 0, 1]);
  });
});
