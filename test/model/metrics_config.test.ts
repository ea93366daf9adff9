// Per-output metrics in a saved training config (src/metrics/registry.ts): one list when every output has the same
// metrics, else {outputName: [metrics]} (Keras's dict form; tfjs writes an object per output too), read back per
// output so a metric given to o1 does not spread to o2.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { metricsConfigOf, metricsFromConfig } from '../../src/metrics/registry.js';
import { twoHeads } from '../helpers/two_heads.js';

const asIs = (m: unknown): string => {
  if (typeof m !== 'string') throw new Error(`not a name: ${String(m)}`);
  return m;
};

describe('metrics in the training config', () => {
  it('the same metrics for every output stay one list', () => {
    expect(metricsConfigOf([['accuracy', 'mse'], ['accuracy', 'mse']], ['o1', 'o2'])).toEqual(['accuracy', 'mse']);
    expect(metricsConfigOf([[]], ['out'])).toEqual([]);
  });

  it('per-output metrics are written per output and compile back to the same logs', () => {
    const m = twoHeads();
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], metrics: { o1: 'accuracy', o2: ['mae', 'mse'] } });
    const saved = JSON.parse(JSON.stringify(metricsConfigOf(m.outputMetrics!, m.outputNames)));
    expect(saved).toEqual({ o1: ['accuracy'], o2: ['mae', 'mse'] });
    const back = twoHeads();
    back.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], metrics: metricsFromConfig(saved, back.outputNames, asIs, 'load') });
    expect(back.metricsNames).toEqual(m.metricsNames);
    expect(back.metricsNames).toEqual(['loss', 'o1_loss', 'o2_loss', 'o1_accuracy', 'o2_mae', 'o2_mse']);
  });

  it('an output without metrics is left out, and reads back without any', () => {
    const m = twoHeads();
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], metrics: { o1: ['accuracy'] } });
    const saved = metricsConfigOf(m.outputMetrics!, m.outputNames);
    expect(saved).toEqual({ o1: ['accuracy'] });
    const back = twoHeads();
    back.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], metrics: metricsFromConfig(saved, back.outputNames, asIs, 'load') });
    expect(back.metricsNames).toEqual(['loss', 'o1_loss', 'o2_loss', 'o1_accuracy']);
  });

  it('reads tfjs\'s forms (a name or a list per output, {} for none) and refuses an unknown output or a bad name', () => {
    expect(metricsFromConfig({ o1: 'acc', o2: ['mae'] }, ['o1', 'o2'], asIs, 'load')).toEqual({ o1: ['acc'], o2: ['mae'] });
    expect(metricsFromConfig({}, ['o1'], asIs, 'load')).toEqual({});
    expect(metricsFromConfig(undefined, ['o1'], asIs, 'load')).toEqual([]);
    expect(() => metricsFromConfig({ o3: ['mae'] }, ['o1', 'o2'], asIs, 'load')).toThrow("load: metrics names output 'o3', but the model's outputs are o1, o2");
    expect(() => metricsFromConfig('mae', ['o1'], asIs, 'load')).toThrow('load: metrics must be a list of names or {outputName: names}, got string');
    expect(() => metricsFromConfig([3], ['o1'], asIs, 'load')).toThrow('not a name: 3');
  });
});
