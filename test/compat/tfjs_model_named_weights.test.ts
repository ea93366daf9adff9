// tfjs's LayersModel.getNamedWeights, loadWeights and getTrainingConfig on rnnlab's models, compared with
// @tensorflow/tfjs 4.22 (cpu backend) on the same programs: names, values, strict/non-strict errors, constraints.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;

/** An LSTM (tfjs's default recurrent activation differs), a batch normalization (non-trainable moving statistics) and a dense head, named alike in both libraries. */
function recurrent(lib: Lib, seed?: number) {
  if (seed !== undefined) rl.setSeed(seed);
  const inp = lib.input({ shape: [3, 2], name: 'x' });
  const h = lib.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', name: 'l' }).apply(inp);
  const b = lib.layers.batchNormalization({ name: 'bn' }).apply(h);
  const o = lib.layers.dense({ units: 1, name: 'd' }).apply(b);
  return lib.model({ inputs: inp, outputs: o, name: 'rec' });
}

const xs = [[[0.1, 0.2], [0.3, -0.1], [0.5, 0.4]], [[-0.2, 0.1], [0.0, 0.3], [0.2, -0.4]]];
const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

async function savedSpecNames(m: rl.Functional | rl.Sequential): Promise<string[]> {
  let names: string[] = [];
  await m.save(rl.io.withSaveHandler((a) => {
    names = ((a.weightSpecs ?? []) as { name: string }[]).map((s) => s.name);
    return {};
  }));
  return names;
}

describe('getNamedWeights', () => {
  it("gives tfjs's names in model.weights' order, trainableOnly leaving out the moving statistics", () => {
    const t = recurrent(tf), r = recurrent(rl);
    const names = (l: Lib, c?: object) => l.getNamedWeights(c).map((w: { name: string }) => w.name);
    expect(names(r)).toEqual(names(t));
    expect(names(r, { trainableOnly: true })).toEqual(names(t, { trainableOnly: true }));
    expect(names(r, { trainableOnly: true })).not.toContain('bn/moving_mean');
    r.getNamedWeights().forEach((w: { tensor: rl.Tensor }, i: number) => expect(values(w.tensor)).toEqual(values(r.getWeights()[i])));
  });

  it('names every weight as model.save writes it (wrappers, stacked cells, a nested model)', async () => {
    rl.setSeed(2);
    const innerIn = rl.input({ shape: [4, 3] });
    const inner = rl.model({ inputs: innerIn, outputs: rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }), name: 'td' }).apply(innerIn) as rl.SymbolicTensor, name: 'inner' });
    const x = rl.input({ shape: [4, 3] });
    let t = rl.layers.bidirectional({ layer: rl.layers.gru({ units: 2, returnSequences: true }), name: 'bi' }).apply(inner.apply(x) as rl.SymbolicTensor) as rl.SymbolicTensor;
    t = rl.layers.rnn({ cell: [rl.layers.simpleRNNCell({ units: 2 }), rl.layers.simpleRNNCell({ units: 1 })], name: 'stack' }).apply(t) as rl.SymbolicTensor;
    const m = rl.model({ inputs: x, outputs: t });
    const names = m.getNamedWeights().map((w) => w.name);
    expect(names).toContain('bi/forward_gru/kernel');
    expect(names).toContain('td/kernel');
    expect([...names].sort()).toEqual([...(await savedSpecNames(m))].sort());
  });

  it('refuses an unknown option or a non-boolean trainableOnly by name', () => {
    const r = recurrent(rl);
    expect(() => r.getNamedWeights({ trainableonly: true } as never)).toThrow(/trainableonly/);
    expect(() => r.getNamedWeights({ trainableOnly: 'yes' } as never)).toThrow(/trainableOnly must be true or false/);
  });
});

describe('loadWeights', () => {
  it("loads tfjs's weights by name: the same predictions as the tfjs model", () => {
    const t = recurrent(tf), r = recurrent(rl, 7);
    const map: Record<string, rl.Tensor> = {};
    for (const w of t.getNamedWeights()) map[w.name] = rl.tensor(values(w.tensor), w.tensor.shape);
    r.loadWeights(map);
    const want = values(t.predict(tf.tensor3d(xs)) as tf.Tensor);
    const got = values(r.predict(rl.tensor3d(xs)) as rl.Tensor);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  it("round-trips getNamedWeights into another model (Sequential too), and reads TF 2.2's cell-scoped names", () => {
    const a = recurrent(rl, 1), b = recurrent(rl, 2);
    const before = values(b.predict(rl.tensor3d(xs)) as rl.Tensor);
    const map = Object.fromEntries(a.getNamedWeights().map((w: { name: string; tensor: rl.Tensor }) => [w.name.replace('l/kernel', 'l/lstm_cell/kernel'), w.tensor]));
    b.loadWeights(map);
    expect(values(b.predict(rl.tensor3d(xs)) as rl.Tensor)).toEqual(values(a.predict(rl.tensor3d(xs)) as rl.Tensor));
    expect(values(b.predict(rl.tensor3d(xs)) as rl.Tensor)).not.toEqual(before);
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'q' })] });
    s.loadWeights({ 'q/kernel': rl.tensor2d([[2], [3]]), 'q/bias': rl.tensor1d([1]) });
    expect(values(s.predict(rl.tensor2d([[1, 1]])))).toEqual([6]);
  });

  it("strict (the default) refuses a missing or an extra name as tfjs does; strict false loads what matches", () => {
    const pair = (lib: Lib) => {
      const i = lib.input({ shape: [2], name: 'i' });
      return lib.model({ inputs: i, outputs: lib.layers.dense({ units: 1, name: 'd', kernelInitializer: 'ones' }).apply(i) });
    };
    const t = pair(tf), r = pair(rl);
    expect(() => t.loadWeights({ 'd/kernel': tf.tensor2d([[2], [2]]) })).toThrow(/1 of 2 weights are not set: d\/bias/);
    expect(() => r.loadWeights({ 'd/kernel': rl.tensor2d([[2], [2]]) })).toThrow(/1 of 2 weights are not given: d\/bias/);
    expect(() => t.loadWeights({ 'd/kernel': tf.tensor2d([[2], [2]]), 'd/bias': tf.tensor1d([1]), 'x/y': tf.scalar(1) })).toThrow(/x\/y/);
    expect(() => r.loadWeights({ 'd/kernel': rl.tensor2d([[2], [2]]), 'd/bias': rl.tensor1d([1]), 'x/y': rl.scalar(1) })).toThrow(/no weight named 'x\/y'/);
    // A refused load changes nothing.
    expect(values(r.predict(rl.tensor2d([[1, 1]])) as rl.Tensor)).toEqual([2]);
    t.loadWeights({ 'd/kernel': tf.tensor2d([[5], [5]]), 'x/y': tf.scalar(1) }, false);
    r.loadWeights({ 'd/kernel': rl.tensor2d([[5], [5]]), 'x/y': rl.scalar(1) }, false);
    expect(values(r.predict(rl.tensor2d([[1, 1]])) as rl.Tensor)).toEqual(values(t.predict(tf.tensor2d([[1, 1]])) as tf.Tensor));
    expect(values(r.predict(rl.tensor2d([[1, 1]])) as rl.Tensor)).toEqual([10]);
  });

  it('refuses bad shapes, dtypes, values and arguments by name, before any weight changes', () => {
    const i = rl.input({ shape: [2] });
    const r = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 1, name: 'e', kernelInitializer: 'ones' }).apply(i) as rl.SymbolicTensor });
    const bias = rl.tensor1d([4]);
    expect(() => r.loadWeights({ 'e/bias': bias, 'e/kernel': rl.tensor2d([[2], [2], [2]]) })).toThrow(/weights\['e\/kernel'\] has shape \[3, 1\], but weight 'e\/kernel' has shape \[2, 1\]/);
    expect(values(r.getWeights()[1])).toEqual([0]);
    expect(() => r.loadWeights({ 'e/bias': bias, 'e/kernel': rl.tensor2d([[2], [2]], undefined, 'int32') })).toThrow(/dtype int32/);
    expect(() => r.loadWeights({ 'e/bias': bias, 'e/kernel': [[2], [2]] as never })).toThrow(/weights\['e\/kernel'\] must be a Tensor/);
    expect(() => r.loadWeights(null as never)).toThrow(/weights must be a map/);
    expect(() => r.loadWeights([bias] as never)).toThrow(/for a list in getWeights order use setWeights/);
    expect(() => r.loadWeights({ 'e/bias': bias }, 'no' as never)).toThrow(/strict must be true or false/);
    expect(values(r.getWeights()[1])).toEqual([0]);
  });

  it("passes each value through the weight's constraint, as tfjs's LayerVariable.write does", () => {
    const pair = (lib: Lib) => {
      const i = lib.input({ shape: [2] });
      return lib.model({ inputs: i, outputs: lib.layers.dense({ units: 1, name: 'c', kernelConstraint: 'nonNeg' }).apply(i) });
    };
    const t = pair(tf), r = pair(rl);
    t.loadWeights({ 'c/kernel': tf.tensor2d([[-1], [2]]), 'c/bias': tf.tensor1d([0]) });
    r.loadWeights({ 'c/kernel': rl.tensor2d([[-1], [2]]), 'c/bias': rl.tensor1d([0]) });
    expect(values(r.getWeights()[0])).toEqual(values(t.getWeights()[0]));
    expect(values(r.getWeights()[0])).toEqual([0, 2]);
  });
});

describe('getTrainingConfig', () => {
  it("gives tfjs's loss, metrics and optimizer class, and what model.save writes", async () => {
    const pair = (lib: Lib) => {
      const i = lib.input({ shape: [2] });
      const m = lib.model({ inputs: i, outputs: lib.layers.dense({ units: 1 }).apply(i) });
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mae'] });
      return m;
    };
    const t = pair(tf).getTrainingConfig(), r = pair(rl);
    const got = r.getTrainingConfig();
    expect(got.loss).toEqual(t.loss);
    expect(got.metrics).toEqual(t.metrics);
    expect(got.optimizer_config.class_name).toBe(t.optimizer_config.class_name);
    expect(got.optimizer_config.config.learningRate).toBe((t.optimizer_config.config as { learningRate: number }).learningRate);
    let saved: Record<string, unknown> = {};
    await r.save(rl.io.withSaveHandler((a) => {
      saved = a.trainingConfig as Record<string, unknown>;
      return {};
    }));
    expect({ loss: got.loss, metrics: got.metrics }).toEqual({ loss: saved.loss, metrics: saved.metrics });
  });

  it('keeps loss weights and per-output losses; an uncompiled model is refused with what to call', () => {
    const i = rl.input({ shape: [2] });
    const m = rl.model({ inputs: i, outputs: [rl.layers.dense({ units: 1, name: 'p' }).apply(i) as rl.SymbolicTensor, rl.layers.dense({ units: 1, name: 'q' }).apply(i) as rl.SymbolicTensor] });
    expect(() => m.getTrainingConfig()).toThrow(/not compiled.*compile\(/);
    m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanAbsoluteError'], lossWeights: [1, 0.5] });
    const tc = m.getTrainingConfig();
    expect(tc.loss).toEqual(['mean_squared_error', 'mean_absolute_error']);
    expect(tc.loss_weights).toEqual([1, 0.5]);
  });
});
