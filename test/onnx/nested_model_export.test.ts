// ONNX export of functional models that call another functional model as a layer (rnnlab's nested models, class
// 'Model'): the inner graph is inlined, so the export predicts as rnnlab does (ONNX Runtime, <= 1e-5). It used to be
// refused ("layer 'inner' (Model) has no ONNX export"). Padding masks cross it as rnnlab passes them: one coming in
// reaches the inner layers, and each output carries its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { Layer } from '../../src/layers/layer.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Random } from '../../src/random.js';
import { expectSameAsOrt, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const one = (v: unknown) => v as SymbolicTensor;
const T = 6, F = 3, V = 15;

const floats = (shape: number[], seed: number): rl.Tensor => {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() - 0.5) * 3), shape);
};
const ids = (n: number, seed: number) => tokenIds(n, T, V, seed, { pad: true, holes: true, allowEmpty: true });

/** An encoder of token ids whose output sequence carries the Embedding's padding mask out of the nested model. */
function encoder(): rl.Functional {
  const x = rl.input({ shape: [T], dtype: 'int32', name: 'enc_ids' });
  const e = one(L.embedding({ inputDim: V, outputDim: 4, maskZero: true, name: 'enc_embedding' }).apply(x));
  return rl.model({ inputs: x, outputs: one(L.lstm({ units: 3, returnSequences: true, name: 'enc_lstm' }).apply(e)), name: 'encoder' });
}

describe('ONNX export inlines nested functional models', () => {
  it('one encoder shared by two int32 inputs; its mask flows into the masked LSTM and average after it', async () => {
    rl.setSeed(1);
    const enc = encoder();
    const a = rl.input({ shape: [T], dtype: 'int32', name: 'a' }), b = rl.input({ shape: [T], dtype: 'int32', name: 'b' });
    const ha = one(enc.apply(a)), hb = one(enc.apply(b));
    const last = one(L.gru({ units: 2, name: 'last' }).apply(ha));
    const pooled = one(L.globalAveragePooling1d({ name: 'pooled' }).apply(one(L.add({ name: 'joined' }).apply([ha, hb]))));
    const m = rl.model({ inputs: [a, b], outputs: [last, pooled] });
    randomize(m, 2);
    await expectSameAsOrt(m, [ids(6, 3), ids(6, 4)]);
    await expectSameAsOrt(m, [ids(1, 5), ids(1, 6)]);
  });

  it('a model nested two deep with two outputs, float input, and an int32 input read as numbers by a Dense inside', async () => {
    rl.setSeed(2);
    const ix = rl.input({ shape: [T, F], name: 'inner_x' });
    const seq = one(L.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', activation: 'relu', name: 'inner_conv' }).apply(ix));
    const inner = rl.model({ inputs: ix, outputs: [one(L.lstm({ units: 3, name: 'inner_lstm' }).apply(seq)), one(L.globalMaxPooling1d({ name: 'inner_max' }).apply(seq))], name: 'inner' });
    const mx = rl.input({ shape: [T, F], name: 'middle_x' });
    const [h, mx2] = inner.apply(mx) as SymbolicTensor[];
    const middle = rl.model({ inputs: mx, outputs: one(L.concatenate({ name: 'middle_cat' }).apply([h, mx2])), name: 'middle' });
    const nx = rl.input({ shape: [F], name: 'numbers_in' });
    const numbers = rl.model({ inputs: nx, outputs: one(L.dense({ units: 2, activation: 'tanh', name: 'numbers_dense' }).apply(nx)), name: 'numbers' });
    const x = rl.input({ shape: [T, F], name: 'x' }), n = rl.input({ shape: [F], dtype: 'int32', name: 'n' });
    const out = one(L.dense({ units: 2, activation: 'softmax', name: 'head' }).apply(one(L.concatenate().apply([one(middle.apply(x)), one(numbers.apply(n))]))));
    const m = rl.model({ inputs: [x, n], outputs: out });
    randomize(m, 3);
    await expectSameAsOrt(m, [floats([4, T, F], 4), rl.tensor(Int32Array.from({ length: 4 * F }, (_, i) => (i * 7) % 5 - 2), [4, F], 'int32')]);
  });

  it('the same after a save and load round trip', async () => {
    rl.setSeed(3);
    const enc = encoder();
    const a = rl.input({ shape: [T], dtype: 'int32', name: 'a' });
    const m = rl.model({ inputs: a, outputs: one(L.lstm({ units: 2, name: 'top' }).apply(one(enc.apply(a)))) });
    randomize(m, 4);
    const dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-nested-'));
    try {
      await m.save(join(dir, 'm'));
      const back = await rl.loadLayersModel(join(dir, 'm'), { compile: false }) as rl.Functional;
      await expectSameAsOrt(back, [ids(5, 7)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a padding mask going into a nested model reaches its layers, and outputs carrying different masks pass on their own', async () => {
    rl.setSeed(4);
    const ix = rl.input({ shape: [T, F], name: 'inner_x' });
    const seq = one(L.lstm({ units: 2, returnSequences: true, name: 'inner_seq' }).apply(ix));
    // Two outputs: the sequence keeps the mask that came in, the last state carries none.
    const inner = rl.model({ inputs: ix, outputs: [seq, one(L.gru({ units: 2, name: 'inner_last' }).apply(ix))], name: 'inner' });
    const x = rl.input({ shape: [T, F], name: 'x' });
    const [h, last] = inner.apply(one(L.masking({ name: 'masked' }).apply(x))) as SymbolicTensor[];
    const m = rl.model({ inputs: x, outputs: [one(L.simpleRNN({ units: 2, name: 'reads_mask' }).apply(h)), last] });
    randomize(m, 5);
    // Padded steps (all features 0) at the end and inside, which the mask makes every recurrent layer skip.
    const xs = floats([3, T, F], 6);
    const v = xs.values as Float32Array;
    for (const [b, t] of [[0, 4], [0, 5], [1, 2], [1, 3], [1, 4], [1, 5]]) v.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
    await expectSameAsOrt(m, [xs]);
  });
});

describe('the layer standing for a model, given to the exporter', () => {
  /** inner with two outputs (da's and db's), called in an outer model; the stand-in is what m.layers lists for it. */
  function nested(): { inner: rl.Functional; standIn: Layer } {
    const ii = rl.input({ shape: [3], name: 'ii' });
    const inner = rl.model({ inputs: ii, outputs: [one(L.dense({ units: 3, name: 'da' }).apply(ii)), one(L.dense({ units: 3, name: 'db' }).apply(ii))], name: 'inner' });
    const x = rl.input({ shape: [3], name: 'x' });
    const m = rl.model({ inputs: x, outputs: inner.apply(x) as SymbolicTensor[] });
    return { inner, standIn: m.layers.find((l) => l.name === 'inner')! };
  }

  it("m.layers' entry for a nested model exports that model, as tfjs's entry is the model (it exported da -> db as a chain)", () => {
    rl.setSeed(5);
    const { inner, standIn } = nested();
    expect(standIn).not.toBe(inner);
    expect(Buffer.from(toOnnx(standIn as never)).equals(Buffer.from(toOnnx(inner)))).toBe(true);
  });

  it("a timeDistributed's layer wrapping a Sequential exports the Sequential", () => {
    rl.setSeed(6);
    const seq = rl.sequential({ layers: [L.dense({ units: 2, inputShape: [3], name: 'sd' })], name: 'seq' });
    const td = L.timeDistributed({ layer: seq as never, name: 'td' }) as unknown as { layer: Layer };
    expect(td.layer).not.toBe(seq);
    expect(Buffer.from(toOnnx(td.layer as never)).equals(Buffer.from(toOnnx(seq)))).toBe(true);
  });

  it('any other layer is refused as a layer, one listing layers of its own too (it passed for a Sequential)', () => {
    class Holder extends rl.layers.Layer {
      static className = 'HolderR52';
      readonly layers = [L.dense({ units: 2, inputShape: [3], name: 'held' })];
    }
    const holder = new Holder({ name: 'holder' });
    expect(() => toOnnx(holder as never)).toThrow("ONNX export (toOnnx): the model (first argument) must be a Sequential or functional model (rl.sequential, rl.model), got a HolderR52 layer ('holder')");
    expect(() => toOnnx(L.dense({ units: 2, name: 'd' }) as never)).toThrow("got a Dense layer ('d')");
  });
});
