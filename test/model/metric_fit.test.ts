// A compiled metric that cannot be computed with its output's loss (which fixes the targets' form) or width is
// refused at compile, naming the metric and the output; where the width is unknown at compile (a Sequential
// without an input shape), the first batch refuses it before any weight moves. Keras and tfjs check neither.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2, 3], [0, -1, 0.5], [2, 2, -1], [-0.5, 0, 1]];

function dense(units: number, inputShape?: number[]): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.dense({ units, ...(inputShape ? { inputShape } : {}), name: 'out' } as never)] });
}

describe('compile refuses a metric that does not fit the loss or the output', () => {
  const cases: [string, string, number, RegExp][] = [
    ['mse', 'sparseCategoricalAccuracy', 2, /needs class-id targets, which only the sparseCategoricalCrossentropy loss takes/],
    ['categoricalCrossentropy', 'sparse_categorical_accuracy', 3, /needs class-id targets/],
    ['mse', 'sparseCategoricalCrossentropy', 2, /needs class-id targets/],
    ['sparseCategoricalCrossentropy', 'categoricalAccuracy', 3, /needs targets shaped like the output, but the sparseCategoricalCrossentropy loss takes class ids \(use 'accuracy' or 'sparseCategoricalAccuracy'\)/],
    ['sparseCategoricalCrossentropy', 'binaryAccuracy', 3, /needs targets shaped like the output/],
    ['sparseCategoricalCrossentropy', 'mae', 3, /needs targets shaped like the output.*\(use 'sparseCategoricalCrossentropy' or 'crossentropy'\)/],
    ['binaryCrossentropy', 'categoricalAccuracy', 1, /which has one unit: it would always be 1 \(use 'binaryAccuracy' or 'accuracy'\)/],
    ['binaryCrossentropy', 'categoricalCrossentropy', 1, /which has one unit: it would always be 0/],
  ];
  for (const [loss, metric, units, why] of cases) {
    it(`${metric} with ${loss} on ${units} unit(s)`, () => {
      const m = dense(units, [3]);
      let err: Error | null = null;
      try { m.compile({ optimizer: 'sgd', loss, metrics: [metric] }); } catch (e) { err = e as Error; }
      expect(err?.message).toMatch(new RegExp(`^${m.name}\\.compile: metric '${metric}' does not fit output 'out' \\(shape \\[null, ${units}\\], loss \\w+\\): '${metric}' `));
      expect(err?.message).toMatch(why);
    });
  }

  it('a refused compile leaves the earlier compile in place', () => {
    const m = dense(2, [3]);
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const before = m.evaluate(rl.tensor2d(X), rl.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]])) as rl.Scalar[];
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['sparseCategoricalAccuracy'] })).toThrow(/sparseCategoricalAccuracy/);
    expect(m.metricsNames).toEqual(['loss', 'mae']);
    expect(m.optimizer?.kerasName).toBe('SGD');
    const after = m.evaluate(rl.tensor2d(X), rl.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]])) as rl.Scalar[];
    expect(after.map((t) => t.dataSync()[0])).toEqual(before.map((t) => t.dataSync()[0]));
  });

  it('the combinations Keras computes meaningfully still compile and give numbers', () => {
    const ok: [string, string[], number][] = [
      ['sparseCategoricalCrossentropy', ['accuracy', 'sparseCategoricalAccuracy', 'crossentropy', 'sparseCategoricalCrossentropy'], 3],
      ['categoricalCrossentropy', ['accuracy', 'categoricalAccuracy', 'binaryAccuracy', 'precision', 'mse'], 3],
      ['mse', ['categoricalCrossentropy', 'mae'], 2],
      ['binaryCrossentropy', ['accuracy', 'binaryAccuracy', 'crossentropy', 'auc'], 1],
    ];
    for (const [loss, metrics, units] of ok) {
      const m = dense(units, [3]);
      m.compile({ optimizer: 'sgd', loss, metrics });
      const y = loss === 'sparseCategoricalCrossentropy' ? rl.tensor1d([0, 2, 1, 0]) : rl.tensor2d(X.map((_, i) => Array.from({ length: units }, (_, c) => ((i + c) % 2))));
      const r = m.evaluate(rl.tensor2d(X), y) as rl.Scalar[];
      expect(r).toHaveLength(metrics.length + 1);
      for (const t of r) expect(Number.isFinite(t.dataSync()[0])).toBe(true);
    }
  });

  it('a functional model names the output whose metric does not fit; other outputs may take it', () => {
    const input = rl.input({ shape: [3] });
    const trunk = rl.layers.dense({ units: 4, name: 'trunk' }).apply(input) as rl.SymbolicTensor;
    const o1 = rl.layers.dense({ units: 2, name: 'o1' }).apply(trunk) as rl.SymbolicTensor;
    const o2 = rl.layers.dense({ units: 3, activation: 'softmax', name: 'o2' }).apply(trunk) as rl.SymbolicTensor;
    const m = rl.model({ inputs: input, outputs: [o1, o2] });
    expect(() => m.compile({ optimizer: 'sgd', loss: ['mse', 'sparseCategoricalCrossentropy'], metrics: ['sparseCategoricalAccuracy'] }))
      .toThrow(/compile: metric 'sparseCategoricalAccuracy' does not fit output 'o1' \(shape \[null, 2\], loss meanSquaredError\)/);
    m.compile({ optimizer: 'sgd', loss: ['mse', 'sparseCategoricalCrossentropy'], metrics: { o2: 'sparseCategoricalAccuracy' } });
    expect(m.metricsNames).toEqual(['loss', 'o1_loss', 'o2_loss', 'o2_sparseCategoricalAccuracy']);
  });
});

describe('an output width unknown at compile is checked at the first batch', () => {
  it('evaluate and fit name the metric and the output, and fit moves no weight', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'head' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['categoricalAccuracy'] });
    const x = rl.tensor2d(X), y = rl.tensor2d([[1], [0], [1], [0]]);
    expect(() => m.evaluate(x, y)).toThrow(/metric 'categoricalAccuracy' does not fit output 'head' \(batch shape \[4, 1\]\): 'categoricalAccuracy' compares classes across the output's last axis, which has one unit/);
    const weights = m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights).toHaveLength(2);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/metric 'categoricalAccuracy' does not fit output 'head'/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
  });
});
