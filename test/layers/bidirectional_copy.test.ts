// Bidirectional makes both directions from the wrapped layer's config, as Keras 3 and tfjs do: the layer given keeps
// its name and weights, and two wrappers of one layer share nothing (they used to share the forward kernel, which
// counted twice in countParams and made the saved file unloadable).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const L = rl.layers;
const lstmParams = (d: number, u: number) => 4 * (d * u + u * u + u);

describe('Bidirectional copies the layer it wraps', () => {
  it('the given layer keeps its name; the directions are forward_<name> and backward_<name>, with weights of their own', () => {
    rl.setSeed(3);
    const lstm = L.lstm({ units: 2, name: 'enc' });
    const bi = L.bidirectional({ layer: lstm });
    expect(lstm.name).toBe('enc');
    expect(bi.forwardLayer).not.toBe(lstm);
    expect([bi.forwardLayer.name, bi.backwardLayer.name]).toEqual(['forward_enc', 'backward_enc']);
    bi.apply(rl.zeros([1, 4, 3]));
    expect(lstm.built).toBe(false);
    expect(bi.weights.map((w) => w.name)).toEqual(['forward_enc/kernel', 'forward_enc/recurrent_kernel', 'forward_enc/bias',
      'backward_enc/kernel', 'backward_enc/recurrent_kernel', 'backward_enc/bias']);
  });

  it('a layer named forward_x is prefixed as tfjs prefixes it, and saves and loads under that name', async () => {
    const bi = L.bidirectional({ layer: L.gru({ units: 2, name: 'forward_x' }) });
    expect([bi.forwardLayer.name, bi.backwardLayer.name]).toEqual(['forward_forward_x', 'backward_forward_x']);
    const m = rl.sequential({ layers: [bi] });
    m.build([null, 3, 2]);
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bi-name-'));
    dirs.push(dir);
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${join(dir, 'model.json')}`);
    const x = rl.randomNormal([1, 3, 2], 0, 1, 'float32', 4);
    expect(Array.from((back.predict(x) as rl.Tensor).values)).toEqual(Array.from((m.predict(x) as rl.Tensor).values));
  });

  it('two wrappers of one LSTM: separate weights, counted once each, training one leaves the other, and the model saves and loads', async () => {
    rl.setSeed(5);
    const lstm = L.lstm({ units: 2, name: 'enc' });
    const inp = rl.input({ shape: [5, 3] });
    const bi1 = L.bidirectional({ layer: lstm }), bi2 = L.bidirectional({ layer: lstm });
    const model = rl.model({ inputs: inp, outputs: [bi1.apply(inp) as rl.SymbolicTensor, bi2.apply(inp) as rl.SymbolicTensor] });
    const shared = bi1.weights.filter((w) => bi2.weights.includes(w));
    expect(shared).toEqual([]);
    expect(model.countParams()).toBe(4 * lstmParams(3, 2));

    const x = rl.randomNormal([2, 5, 3], 0, 1, 'float32', 7);
    const before = Float32Array.from(bi2.weights[0].values);
    const only1 = rl.model({ inputs: inp, outputs: bi1.apply(inp) as rl.SymbolicTensor });
    only1.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await only1.fit(x, rl.randomNormal([2, 4], 0, 1, 'float32', 8), { epochs: 1, verbose: 0 });
    expect(Array.from(bi2.weights[0].values)).toEqual(Array.from(before));

    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bi-copy-'));
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const loaded = await rl.loadLayersModel(`file://${join(dir, 'model.json')}`);
    const [a1, a2] = model.predict(x) as rl.Tensor[];
    const [b1, b2] = loaded.predict(x) as rl.Tensor[];
    expect(Array.from(b1.values)).toEqual(Array.from(a1.values));
    expect(Array.from(b2.values)).toEqual(Array.from(a2.values));
    expect(loaded.countParams()).toBe(model.countParams());
  });

  it('the wrapped layer used on its own as well keeps its own weights', () => {
    const lstm = L.lstm({ units: 3, returnSequences: true, name: 'solo' });
    const inp = rl.input({ shape: [4, 2] });
    const bi = L.bidirectional({ layer: lstm });
    const model = rl.model({ inputs: inp, outputs: [lstm.apply(inp) as rl.SymbolicTensor, bi.apply(inp) as rl.SymbolicTensor] });
    expect(model.countParams()).toBe(3 * lstmParams(2, 3));
    expect(lstm.weights.filter((w) => bi.weights.includes(w))).toEqual([]);
  });
});
