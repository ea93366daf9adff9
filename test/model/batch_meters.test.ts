/**
 * trainOnBatch keeps one set of metric meters per compile (fitDataset calls it per batch): each call must still
 * report its own batch only, a new compile's metrics must replace the old ones, and a metric refused at a batch
 * must be refused again at the next.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const XA = [[1, 2, 3], [0, 1, 0], [2, 2, 2]];
const YA = [[1, 0], [0, 1], [1, 0]];
const XB = [[5, 4, 3], [1, 1, 1]];
const YB = [[0, 1], [1, 0]];

function model(): rl.Sequential {
  rl.setSeed(11);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), rl.layers.dense({ units: 2, activation: 'softmax' })] });
  m.compile({ optimizer: rl.train.sgd(0.3), loss: 'categoricalCrossentropy', metrics: ['accuracy', 'mae', 'precision'] });
  return m;
}

const round = (v: number[]) => v.map((x) => +x.toFixed(6));

describe('trainOnBatch metrics', () => {
  it('each call reports its own batch, measured before the update (as testOnBatch on the same weights)', () => {
    const m = model();
    for (const [x, y] of [[XA, YA], [XB, YB], [XA, YA], [XB, YB]] as const) {
      const before = m.testOnBatch(x, y) as number[];
      expect(round(m.trainOnBatch(x, y) as number[])).toEqual(round(before));
    }
  });

  it('a new compile brings its own metrics', () => {
    const m = model();
    expect((m.trainOnBatch(XA, YA) as number[]).length).toBe(4);
    m.compile({ optimizer: rl.train.sgd(0.3), loss: 'categoricalCrossentropy', metrics: ['mse'] });
    const before = m.testOnBatch(XB, YB) as number[];
    expect(round(m.trainOnBatch(XB, YB) as number[])).toEqual(round(before));
    expect(m.metricsNames).toEqual(['loss', 'mse']);
  });

  it('a metric that does not fit the output is refused at every call, before any weight moves', () => {
    // Built at the first batch: compile cannot see the one-unit output.
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, kernelInitializer: 'ones' })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['categoricalAccuracy'] });
    const x = [[1, 2], [3, 4]], y = [[1], [0]];
    for (let i = 0; i < 2; i++) expect(() => m.trainOnBatch(x, y)).toThrow(/metric 'categoricalAccuracy' does not fit output .*one unit/);
    expect(Array.from(m.getWeights()[0].dataSync())).toEqual([1, 1]);
  });
});
