// Keras's Attention (Luong) and AdditiveAttention (Bahdanau): values against direct loops of Keras's formulas,
// masks and causality, float64 gradient checks, param counts, config round trips, and an encoder-decoder with
// attention and initialState that learns a tiny reversal task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import type { Tensor } from '../../src/tensor.js';
import { gradCheck, maxDiff, randomTensor, removeDir, tempDir } from './functional_helpers.js';

type Sym = rl.SymbolicTensor;
const one = (v: Sym | Sym[]): Sym => v as Sym;
const many = (v: Sym | Sym[]): Sym[] => v as Sym[];

/** Keras's formula written out: softmax over j of score(i, j) (masked to -1e9), then the weighted sum of value rows. */
function reference(q: Tensor, v: Tensor, k: Tensor, score: (qi: number[], kj: number[]) => number, keep: (b: number, i: number, j: number) => boolean): number[] {
  const [B, Tq, D] = q.shape;
  const Tv = v.shape[1], Dv = v.shape[2];
  const row = (t: Tensor, b: number, i: number, n: number, w: number) => Array.from(t.dataSync().slice((b * n + i) * w, (b * n + i + 1) * w));
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) {
    const s = Array.from({ length: Tv }, (_, j) => score(row(q, b, i, Tq, D), row(k, b, j, Tv, D)) - (keep(b, i, j) ? 0 : 1e9));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, c) => a + c, 0);
    for (let d = 0; d < Dv; d++) out.push(e.reduce((acc, ej, j) => acc + (ej / z) * row(v, b, j, Tv, Dv)[d], 0));
  }
  return out;
}

const dotScore = (s: number) => (a: number[], b: number[]) => s * a.reduce((acc, x, d) => acc + x * b[d], 0);

describe('attention in float64', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));

  it('Attention: dot scores, [query, value] and [query, value, key], useScale, causal', () => {
    const q = randomTensor([2, 3, 4], 1), v = randomTensor([2, 5, 4], 2), k = randomTensor([2, 5, 4], 3);
    const all = () => true;
    const plain = rl.layers.attention().apply([q, v]) as rl.Tensor;
    expect(plain.shape).toEqual([2, 3, 4]);
    expect(Array.from(plain.dataSync())).toEqual(reference(q, v, v, dotScore(1), all).map((x) => expect.closeTo(x, 10)));
    const scaled = rl.layers.attention({ useScale: true });
    scaled.apply([q, v, k]);
    scaled.setWeights([[0.7]]);
    const y = scaled.apply([q, v, k]) as rl.Tensor;
    expect(Array.from(y.dataSync())).toEqual(reference(q, v, k, dotScore(0.7), all).map((x) => expect.closeTo(x, 10)));
    const sq = randomTensor([2, 4, 3], 4);
    const causal = rl.layers.attention({ causal: true }).apply([sq, sq]) as rl.Tensor;
    expect(Array.from(causal.dataSync())).toEqual(reference(sq, sq, sq, dotScore(1), (_b, i, j) => j <= i).map((x) => expect.closeTo(x, 10)));
    // The first query step sees only the first value step.
    expect(Array.from(causal.dataSync().slice(0, 3))).toEqual(Array.from(sq.dataSync().slice(0, 3)).map((x) => expect.closeTo(x, 10)));
    const both = rl.layers.attention({ useCausalMask: true, returnAttentionScores: true }).apply([sq, sq]) as rl.Tensor[];
    expect(both[1].shape).toEqual([2, 4, 4]);
    expect(both[1].dataSync()[1]).toBe(0);
    gradCheck((ts) => scaled.apply(ts) as rl.Tensor, [q, v, k], scaled.weights);
    const c2 = rl.layers.attention({ causal: true, useScale: true });
    c2.apply([sq, sq]);
    gradCheck((ts) => c2.apply(ts) as rl.Tensor, [randomTensor([2, 4, 3], 5), randomTensor([2, 4, 3], 6)], c2.weights);
  });

  it('AdditiveAttention: Bahdanau scores with a learned scale per feature', () => {
    const q = randomTensor([2, 3, 4], 7), v = randomTensor([2, 5, 4], 8), k = randomTensor([2, 5, 4], 9);
    const layer = rl.layers.additiveAttention();
    layer.apply([q, v, k]);
    expect(layer.countParams()).toBe(4);
    const scale = layer.weights[0].values;
    const score = (a: number[], b: number[]) => a.reduce((acc, x, d) => acc + scale[d] * Math.tanh(x + b[d]), 0);
    const y = layer.apply([q, v, k]) as rl.Tensor;
    expect(Array.from(y.dataSync())).toEqual(reference(q, v, k, score, () => true).map((x) => expect.closeTo(x, 10)));
    gradCheck((ts) => layer.apply(ts) as rl.Tensor, [q, v, k], layer.weights);
    const noScale = rl.layers.additiveAttention({ useScale: false, causal: true });
    const plain = noScale.apply([q, k]) as rl.Tensor;
    expect(noScale.countParams()).toBe(0);
    const unit = (a: number[], b: number[]) => a.reduce((acc, x, d) => acc + Math.tanh(x + b[d]), 0);
    expect(Array.from(plain.dataSync())).toEqual(reference(q, k, k, unit, (_b, i, j) => j <= i).map((x) => expect.closeTo(x, 10)));
    gradCheck((ts) => noScale.apply(ts) as rl.Tensor, [q, k]);
  });
});

describe('attention layers', () => {
  it('value masks from embedding({maskZero}) and query masks work as in Keras', () => {
    rl.setSeed(3);
    const qi = rl.input({ shape: [3], dtype: 'int32' });
    const vi = rl.input({ shape: [4], dtype: 'int32' });
    const emb = rl.layers.embedding({ inputDim: 10, outputDim: 2, maskZero: true });
    const att = one(rl.layers.attention({ returnAttentionScores: true }).apply([one(emb.apply(qi)), one(emb.apply(vi))]));
    const [out, w] = many(att as never);
    const m = rl.model({ inputs: [qi, vi], outputs: [out, w] });
    const [o, s] = m.predict([rl.tensor2d([[1, 2, 0]], [1, 3], 'int32'), rl.tensor2d([[3, 4, 0, 0]], [1, 4], 'int32')]) as rl.Tensor[];
    // Padded value steps get no weight; the padded query step outputs zeros.
    for (let i = 0; i < 3; i++) {
      expect(s.dataSync()[i * 4 + 2]).toBeLessThan(1e-30);
      expect(s.dataSync()[i * 4 + 3]).toBeLessThan(1e-30);
      expect(s.dataSync()[i * 4] + s.dataSync()[i * 4 + 1]).toBeCloseTo(1, 6);
    }
    expect(Array.from(o.dataSync().slice(4, 6))).toEqual([0, 0]);
  });

  it('param counts, config round trips and errors naming the option or the layer', () => {
    const a = rl.layers.attention({ useScale: true, dropout: 0.1, causal: true, name: 'att' });
    a.apply([rl.input({ shape: [3, 4] }), rl.input({ shape: [5, 4] })]);
    expect(a.countParams()).toBe(1);
    expect(a.weights[0].shape).toEqual([]);
    for (const layer of [a, rl.layers.additiveAttention({ useScale: false, returnAttentionScores: true })]) {
      const back = deserializeLayer(serializeLayer(layer));
      expect(back.className).toBe(layer.className);
      expect(back.getConfig()).toEqual(layer.getConfig());
    }
    expect(serializeLayer(a).config).toMatchObject({ useScale: true, scoreMode: 'dot', dropout: 0.1, causal: true });
    expect(() => rl.layers.attention({ scoreMode: 'concat' as never })).toThrow(/scoreMode = "concat" is not supported/);
    expect(() => rl.layers.attention({ useScale: 'yes' as never })).toThrow(/useScale must be true or false/);
    const wide = one(rl.layers.attention({ name: 'a2' }).apply([rl.input({ shape: [3, 4] }), rl.input({ shape: [5, 6] }), rl.input({ shape: [5, 4] })]));
    expect(wide.shape).toEqual([null, 3, 6]);
    expect(() => rl.layers.attention({ name: 'a3' }).apply([rl.input({ shape: [3, 4] }), rl.input({ shape: [5, 6] }), rl.input({ shape: [5, 3] })]))
      .toThrow(/a3 \(Attention\): query and key must have the same number of features/);
    expect(() => rl.layers.attention({ name: 'a4' }).apply([rl.input({ shape: [3, 4] })])).toThrow(/a4 \(Attention\): expects a list of 2 to 3 input tensors, got 1/);
  });

  it('an encoder-decoder with attention, fed the encoder states through initialState, learns to reverse sequences', async () => {
    rl.setSeed(17);
    const T = 4, V = 5, n = 192;
    const r = new rl.Random(4);
    const src = Int32Array.from({ length: n * T }, () => 1 + r.int(V - 1));
    // Teacher forcing: the decoder reads the reversed sequence shifted right by one (0 = start).
    const decIn = new Int32Array(n * T), target = new Float32Array(n * T * V);
    for (let s = 0; s < n; s++) for (let t = 0; t < T; t++) {
      const want = src[s * T + (T - 1 - t)];
      target[(s * T + t) * V + want] = 1;
      decIn[s * T + t] = t === 0 ? 0 : src[s * T + (T - t)];
    }
    const enc = rl.input({ shape: [T], dtype: 'int32', name: 'source' });
    const dec = rl.input({ shape: [T], dtype: 'int32', name: 'shifted' });
    const embed = rl.layers.embedding({ inputDim: V, outputDim: 8 });
    const [encSeq, h, c] = many(rl.layers.lstm({ units: 16, returnSequences: true, returnState: true }).apply(one(embed.apply(enc))));
    const decSeq = one(rl.layers.lstm({ units: 16, returnSequences: true }).apply(one(embed.apply(dec)), { initialState: [h, c] }));
    const context = one(rl.layers.attention({ useScale: true, name: 'attention' }).apply([decSeq, encSeq]));
    const joined = one(rl.layers.concatenate().apply([decSeq, context]));
    const probs = one(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: V, activation: 'softmax' }) }).apply(joined));
    const m = rl.model({ inputs: [enc, dec], outputs: probs });
    m.compile({ optimizer: rl.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const X = [rl.tensor(src, [n, T], 'int32'), rl.tensor(decIn, [n, T], 'int32')];
    const Y = rl.tensor(target, [n, T, V]);
    const h0 = await m.fit(X, Y, { epochs: 25, batchSize: 32, verbose: 0 });
    const loss = h0.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.3);
    expect((h0.history.accuracy as number[]).at(-1)).toBeGreaterThan(0.9);
    // Saved in the Layers format and loaded back, it predicts the same.
    const dir = tempDir('rnnlab-attention-');
    try {
      await m.save(`file://${dir}`);
      const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
      expect(back.getLayer('attention').className).toBe('Attention');
      expect(maxDiff((back.predict(X) as rl.Tensor).dataSync(), (m.predict(X) as rl.Tensor).dataSync())).toBe(0);
    } finally {
      removeDir(dir);
    }
  });
});

describe('Keras 3 call arguments and input checks', () => {
  const kt = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4, 3], dtype: 'float32', keras_history: [name, 0, 0] } });
  const topology = (cls: string, kwargs: Record<string, unknown>, outputs: unknown = [['att', 0, 0]]) => ({
    class_name: 'Functional',
    config: {
      name: 'k3', trainable: true, input_layers: [['x', 0, 0]], output_layers: outputs,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', name: 'x', registered_name: null, inbound_nodes: [],
          config: { batch_shape: [null, 4, 3], dtype: 'float32', sparse: false, ragged: false, name: 'x', optional: false } },
        { module: 'keras.layers', class_name: cls, name: 'att', registered_name: null, build_config: { input_shape: [[null, 4, 3], [null, 4, 3]] },
          config: { name: 'att', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
            use_scale: cls === 'AdditiveAttention', dropout: 0.0, ...(cls === 'Attention' ? { score_mode: 'dot' } : {}) },
          inbound_nodes: [{ args: [[kt('x'), kt('x')]], kwargs }] },
      ],
    },
  });
  const f32 = (shape: number[], seed: number) => rl.tensor(Float32Array.from(randomTensor(shape, seed).dataSync()), shape);
  const load = (t: unknown) => rl.models.modelFromJSON({ modelTopology: t as never }) as Promise<rl.Functional>;

  it('use_causal_mask and return_attention_scores recorded with a call load as the layer\'s own options (Keras 3 has no causal constructor argument)', async () => {
    const x = f32([2, 4, 3], 5);
    for (const cls of ['Attention', 'AdditiveAttention']) {
      const causal = await load(topology(cls, { use_causal_mask: true }));
      const layer = causal.getLayer('att') as unknown as { causal: boolean };
      expect(layer.causal).toBe(true);
      // The loaded layer computes the causal mask: step 0 attends to value step 0 alone, so its output is x's step 0.
      const y = (causal.predict(x) as rl.Tensor).dataSync();
      const xs = x.dataSync();
      for (const b of [0, 1]) for (let d = 0; d < 3; d++) expect(y[b * 12 + d]).toBeCloseTo(xs[b * 12 + d], 6);
      const scores = await load(topology(cls, { return_attention_scores: true }, [['att', 0, 0], ['att', 0, 1]]));
      const [, w] = scores.predict(x) as rl.Tensor[];
      expect(w.shape).toEqual([2, 4, 4]);
    }
    await expect(load(topology('Attention', { use_causal_mask: 'yes' }))).rejects.toThrow(/call argument use_causal_mask must be true or false/);
  });

  it('causal and useCausalMask name one option: an explicit useCausalMask false beside causal true is refused', () => {
    expect(() => rl.layers.attention({ causal: true, useCausalMask: false })).toThrow(/causal = true and useCausalMask = false disagree/);
    expect(rl.layers.attention({ causal: false, useCausalMask: true }).causal).toBe(true);
    expect(rl.layers.attention({ causal: true, useCausalMask: true }).causal).toBe(true);
  });

  it('query and value of different batch sizes are refused naming both shapes (they pair up by row)', () => {
    const q = f32([2, 3, 4], 1), v = f32([3, 5, 4], 2);
    for (const layer of [rl.layers.attention(), rl.layers.additiveAttention(), rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2 })]) {
      expect(() => layer.apply([q, v])).toThrow(/query and value must have the same batch size, got \[2, 3, 4\] and \[3, 5, 4\]/);
    }
  });
});

describe("Keras's mask list with a key", () => {
  it('[queryMask, valueMask] goes with [query, value, key] (the key shares the value mask); one mask alone is still refused', () => {
    const f32 = (shape: number[], seed: number) => rl.tensor(Float32Array.from(randomTensor(shape, seed).dataSync()), shape);
    const q = f32([1, 2, 3], 1), v = f32([1, 3, 3], 2), k = f32([1, 3, 3], 3);
    const valueMask = rl.tensor([[1, 1, 0]], [1, 3], 'bool'), queryMask = rl.tensor([[1, 1]], [1, 2], 'bool');
    const layer = rl.layers.attention({ returnAttentionScores: true });
    const [, w] = layer.apply([q, v, k], { mask: [queryMask, valueMask] } as never) as rl.Tensor[];
    const weights = w.dataSync();
    expect(weights[2]).toBeLessThan(1e-6);
    expect(weights[5]).toBeLessThan(1e-6);
    const [, same] = layer.apply([q, v, k], { mask: [queryMask, valueMask, null] } as never) as rl.Tensor[];
    expect(Array.from(same.dataSync())).toEqual(Array.from(weights));
    expect(() => layer.apply([q, v, k], { mask: [queryMask] } as never)).toThrow(/mask is a list of 1 masks for 3 input\(s\)/);
  });
});
