// Loading a saved training config: metric names stay as saved, and an older flat metric list that does not fit
// every output still loads (each output keeps the metrics that fit it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

function clsAndReg(): rl.Functional {
  rl.setSeed(3);
  const input = rl.input({ shape: [4] });
  const trunk = rl.layers.dense({ units: 5, activation: 'tanh', name: 'trunk' }).apply(input) as rl.SymbolicTensor;
  const cls = rl.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(trunk) as rl.SymbolicTensor;
  const reg = rl.layers.dense({ units: 1, name: 'reg' }).apply(trunk) as rl.SymbolicTensor;
  return rl.model({ inputs: input, outputs: [cls, reg] }) as rl.Functional;
}

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-load-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Saves m, then rewrites its model.json's trainingConfig.metrics as an older version wrote it. */
async function savedWith(m: rl.Functional | rl.Sequential, name: string, metrics: unknown): Promise<string> {
  await m.save(`file://${join(dir, name)}`);
  const file = join(dir, name, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.trainingConfig.metrics = metrics;
  writeFileSync(file, JSON.stringify(json));
  return `file://${join(dir, name)}`;
}

describe('loading an older flat metric list on a two-output model', () => {
  const x = rl.tensor2d([[1, 0, -1, 2], [0.5, 1, 1, -1], [2, -2, 0, 1]]);
  const y = [rl.tensor1d([0, 2, 1]), rl.tensor2d([[0.5], [-1], [2]])];

  it('keeps, per output, the metrics that fit it and warns naming the dropped ones', async () => {
    const m = clsAndReg();
    m.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], metrics: ['acc'] });
    const url = await savedWith(m, 'flat', ['acc', 'mae']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let back: rl.Functional;
    try {
      back = await rl.loadLayersModel(url) as rl.Functional;
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/'mae' for output 'cls'/);
      expect(String(warn.mock.calls[0][0])).not.toMatch(/'acc'/);
    } finally { warn.mockRestore(); }
    expect(back.metricsNames).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_acc', 'reg_acc', 'reg_mae']);
    const got = (back.evaluate(x, y) as rl.Scalar[]).map((t) => t.dataSync()[0]);
    const [, , regLoss] = (m.evaluate(x, y) as rl.Scalar[]).map((t) => t.dataSync()[0]);
    // reg_mae is the mean |y - pred| of the regression head, computed here by hand.
    const pred = (m.predict(x) as rl.Tensor[])[1].dataSync();
    const mae = [0.5, -1, 2].reduce((s, v, i) => s + Math.abs(v - pred[i]), 0) / 3;
    expect(got[2]).toBeCloseTo(regLoss, 6);
    expect(got[5]).toBeCloseTo(mae, 5);
  });

  it('a per-output metric dict that does not fit is an error pointing at {compile: false}, which loads it', async () => {
    const m = clsAndReg();
    m.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], metrics: { reg: ['mae'] } });
    const url = await savedWith(m, 'dict', { cls: ['mae'], reg: ['mae'] });
    await expect(rl.loadLayersModel(url)).rejects.toThrow(/metric 'mae' does not fit output 'cls'.*\{compile: false\}/s);
    const loaded = await rl.loadLayersModel(url, { compile: false }) as rl.Functional;
    expect(loaded.outputNames).toEqual(['cls', 'reg']);
  });

  it('compile called directly stays strict about a flat list', () => {
    const m = clsAndReg();
    expect(() => m.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], metrics: ['acc', 'mae'] }))
      .toThrow(/metric 'mae' does not fit output 'cls'/);
  });
});

describe('metric names survive a save/load round trip', () => {
  function classifier(): rl.Sequential {
    rl.setSeed(5);
    const m = rl.sequential();
    m.add(rl.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] }));
    return m;
  }
  const x = rl.tensor2d([[1, 0], [0, 1], [1, 1], [-1, 0]]);
  const y = rl.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]);

  it('keeps metricsNames and the history keys', async () => {
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'categoricalAccuracy', 'categorical_accuracy'] });
    await m.save(`file://${join(dir, 'names')}`);
    const back = await rl.loadLayersModel(`file://${join(dir, 'names')}`) as rl.Sequential;
    expect(back.metricsNames).toEqual(['loss', 'accuracy', 'categoricalAccuracy', 'categorical_accuracy']);
    const h1 = await m.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    const h2 = await back.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    expect(Object.keys(h2.history)).toEqual(Object.keys(h1.history));
    expect(h2.history.categoricalAccuracy[0]).toBeCloseTo(h1.history.categoricalAccuracy[0], 6);
  });

  it('a saved metric that does not fit its output is checked, not renamed past the check', async () => {
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const out = m.layers[0].name;
    const url = await savedWith(m, 'sparse', { [out]: ['sparse_categorical_accuracy'] });
    await expect(rl.loadLayersModel(url)).rejects.toThrow(/sparse_categorical_accuracy.*does not fit/);
    // The flat form is dropped with a warning, not renamed to 'accuracy' and kept.
    const flat = await savedWith(m, 'sparse_flat', ['accuracy', 'sparse_categorical_accuracy']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const back = await rl.loadLayersModel(flat) as rl.Sequential;
      expect(back.metricsNames).toEqual(['loss', 'accuracy']);
      expect(String(warn.mock.calls[0][0])).toMatch(/'sparse_categorical_accuracy' for output/);
    } finally { warn.mockRestore(); }
  });
});
