// model.toJSON() as tfjs returns it, and fitDataset/evaluateDataset on Functional models.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated, maxAbsDiff } from '../io/helpers.js';

describe('model.toJSON', () => {
  it('gives the topology string that tfjs builds the same model from', async () => {
    rl.setSeed(1);
    const model = rl.sequential({ layers: [rl.layers.lstm({ units: 4, inputShape: [5, 3] }), rl.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const json = model.toJSON();
    expect(typeof json).toBe('string');
    const topo = JSON.parse(json as string);
    expect(topo.class_name).toBe('Sequential');
    expect(topo.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(['LSTM', 'Dense']);
    expect(topo).not.toHaveProperty('weightsManifest');
    expect(model.toJSON(null, false)).toEqual(topo);
    const theirs = await tf.models.modelFromJSON({ modelTopology: topo });
    expect(theirs.countParams()).toBe(model.countParams());
    theirs.setWeights(model.getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
    const x = rl.randomNormal([2, 5, 3], 0, 1, 'float32', 3);
    const p = (theirs.predict(tf.tensor(Array.from(x.dataSync()), x.shape)) as tf.Tensor).dataSync();
    expect(maxAbsDiff(p, model.predict(x).dataSync())).toBeLessThan(1e-5);
  });

  it('works for Functional models and names an unbuilt model', () => {
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1 }).apply(inp) as rl.SymbolicTensor });
    expect(JSON.parse(m.toJSON() as string).class_name).toBe('Functional');
    expect(() => rl.sequential({ layers: [rl.layers.dense({ units: 1 })] }).toJSON()).toThrow(/cannot save a model that is not built/);
  });
});

describe('fitDataset on Functional models', () => {
  it('trains from {xs: {input: tensor}, ys} batches and evaluates like evaluate', async () => {
    rl.setSeed(2);
    const a = rl.input({ shape: [2], name: 'a' }), b = rl.input({ shape: [2], name: 'b' });
    const out = rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(rl.layers.concatenate().apply([a, b]) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const m = rl.model({ inputs: [a, b], outputs: out });
    m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const r = new rl.Random(4);
    const rows = Array.from({ length: 64 }, () => { const v = [r.uniform(-1, 1), r.uniform(-1, 1), r.uniform(-1, 1), r.uniform(-1, 1)]; return { v, y: v[0] + v[3] > 0 ? 1 : 0 }; });
    const ds = rl.data.array(rows).map(({ v, y }) => ({ xs: { a: rl.tensor1d(v.slice(0, 2)), b: rl.tensor1d(v.slice(2)) }, ys: rl.tensor1d([y]) })).batch(16);
    const h = await m.fitDataset(ds, { epochs: 15 });
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]);
    expect(h.history.acc ?? h.history.accuracy).toBeDefined();
    const xa = rl.tensor2d(rows.map((q) => q.v.slice(0, 2))), xb = rl.tensor2d(rows.map((q) => q.v.slice(2))), y = rl.tensor2d(rows.map((q) => [q.y]));
    const viaDataset = evaluated(await m.evaluateDataset(ds));
    const direct = evaluated(m.evaluate({ a: xa, b: xb }, y));
    viaDataset.forEach((v, i) => expect(v).toBeCloseTo(direct[i], 5));
    expect(direct[1]).toBeGreaterThan(0.8);
  });
});
