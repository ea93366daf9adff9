/**
 * Activity regularizers (Keras's activity_regularizer): l1 * sum|y| + l2 * sum y^2 of a layer's output, divided by the
 * batch size, is part of the loss in evaluate, fit and trainOnBatch, in Sequential and functional models; it reads
 * the activated output (a final sigmoid is not folded into the loss then), and it saves and loads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated, removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-activity-');
afterAll(() => removeDir(root));

const x = rl.tensor([[0.5, -1, 2], [1, 0.25, -0.5], [-1, 1, 0], [0.3, 0.3, 0.3]]);
const y = rl.tensor([[1], [0], [1], [0]]);
const B = 4;

function sequential(activity: Parameters<typeof rl.layers.dense>[0]['activityRegularizer'], head: 'linear' | 'sigmoid' = 'linear'): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers: [
    rl.layers.dense({ units: 4, inputDim: 3, activation: 'tanh', name: 'hidden', activityRegularizer: activity }),
    rl.layers.dense({ units: 1, activation: head, name: 'out', ...(head === 'sigmoid' ? { activityRegularizer: activity } : {}) }),
  ] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: head === 'sigmoid' ? 'binaryCrossentropy' : 'meanSquaredError' });
  return m;
}

const sumAbs = (v: ArrayLike<number>) => Array.from(v).reduce((s, a) => s + Math.abs(a), 0);
const sumSq = (v: ArrayLike<number>) => Array.from(v).reduce((s, a) => s + a * a, 0);
const hiddenOf = (m: { getLayer(name: string): { apply(x: rl.Tensor): unknown } }) => (m.getLayer('hidden').apply(x) as rl.Tensor).dataSync();

describe('activity regularizers', () => {
  it('evaluate adds (l1 * sum|h| + l2 * sum h^2) / batch of the layer output to the loss (Sequential)', () => {
    const plain = sequential(undefined), reg = sequential(rl.regularizers.l1l2({ l1: 0.02, l2: 0.3 }));
    const h = hiddenOf(reg);
    const penalty = (0.02 * sumAbs(h) + 0.3 * sumSq(h)) / B;
    expect(penalty).toBeGreaterThan(0.01);
    expect(evaluated(reg.evaluate(x, y))[0] - evaluated(plain.evaluate(x, y))[0]).toBeCloseTo(penalty, 5);
  });

  it('works in a functional model, where weight regularizers now count as well', () => {
    const build = (withRegs: boolean) => {
      rl.setSeed(5);
      const input = rl.input({ shape: [3] });
      const hidden = rl.layers.dense({ units: 4, activation: 'tanh', name: 'hidden', ...(withRegs ? { activityRegularizer: 'l2', kernelRegularizer: rl.regularizers.l1({ l1: 0.05 }) } : {}) });
      const out = rl.layers.dense({ units: 1, name: 'out' }).apply(hidden.apply(input) as rl.SymbolicTensor) as rl.SymbolicTensor;
      const m = rl.model({ inputs: input, outputs: out });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const plain = build(false), reg = build(true);
    const h = hiddenOf(reg);
    const kernel = reg.getWeights()[0].dataSync();
    const penalty = 0.01 * sumSq(h) / B + 0.05 * sumAbs(kernel);
    expect(evaluated(reg.evaluate(x, y) as rl.Tensor)[0] - evaluated(plain.evaluate(x, y) as rl.Tensor)[0]).toBeCloseTo(penalty, 5);
  });

  it('its gradient reaches the weights: one SGD step of a linear Dense matches the hand-derived update', () => {
    rl.setSeed(2);
    const l1 = 0.4;
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 3, activityRegularizer: rl.regularizers.l1({ l1 }) })] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const [w0, b0] = m.getWeights().map((t) => Array.from(t.dataSync()));
    const xs = x.arraySync() as number[][], ts = (y.arraySync() as number[][]).map((r) => r[0]);
    const out = xs.map((r) => r.reduce((s, v, j) => s + v * w0[j], b0[0]));
    // d/dy_i of mean((y - t)^2) + l1 * sum|y| / B.
    const dy = out.map((o, i) => (2 * (o - ts[i]) + l1 * Math.sign(o)) / B);
    m.trainOnBatch(x, y);
    const [w1, b1] = m.getWeights().map((t) => Array.from(t.dataSync()));
    w0.forEach((w, j) => expect(w1[j]).toBeCloseTo(w - 0.1 * xs.reduce((s, r, i) => s + r[j] * dy[i], 0), 6));
    expect(b1[0]).toBeCloseTo(b0[0] - 0.1 * dy.reduce((s, d) => s + d, 0), 6);
  });

  it('a final sigmoid under binaryCrossentropy is regularized on its probabilities, not its logits', () => {
    const plain = sequential(undefined, 'sigmoid'), reg = sequential(rl.regularizers.l2({ l2: 0.5 }), 'sigmoid');
    const h = hiddenOf(reg), p = (reg.predict(x) as rl.Tensor).dataSync();
    const penalty = 0.5 * (sumSq(h) + sumSq(p)) / B;
    expect(evaluated(reg.evaluate(x, y))[0] - evaluated(plain.evaluate(x, y))[0]).toBeCloseTo(penalty, 5);
  });

  it('fit lowers the regularized activity; predict is unaffected by it', async () => {
    const plain = sequential(undefined), reg = sequential(rl.regularizers.l1({ l1: 1 }));
    expect(Array.from((reg.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((plain.predict(x) as rl.Tensor).dataSync()));
    await plain.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0, shuffle: false });
    await reg.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0, shuffle: false });
    expect(sumAbs(hiddenOf(reg))).toBeLessThan(0.8 * sumAbs(hiddenOf(plain)));
  });

  it('saves as activity_regularizer L1L2 and loads back to the same loss', async () => {
    const m = sequential(rl.regularizers.l2({ l2: 0.2 }));
    const dir = join(root, 'act');
    await m.save(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
    expect(cfg.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.2 } });
    const back = await rl.loadModel(dir);
    expect(evaluated(back.evaluate(x, y))[0]).toBeCloseTo(evaluated(m.evaluate(x, y))[0], 6);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[1].config.activity_regularizer ?? null).toBeNull();
  });
});
