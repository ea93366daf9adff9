// MultiHeadAttention as Keras 3.14-3.16 save it: the config keys use_gate (3.14, gated attention) and sliding_window
// (3.15), and the call arguments a Keras 3 functional node records (use_causal_mask, return_attention_scores,
// query/value/key by keyword, attention_mask), each computed as Keras does or refused naming the argument and layer.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { MultiHeadAttention } from '../../src/layers/multi_head_attention.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import { mul, sum } from '../../src/autograd/public_ops.js';
import { withTape } from '../../src/autograd/tape.js';

const arr = (t: unknown) => Array.from((t as rl.Tensor).dataSync() as Float32Array);

function expectClose(got: number[], want: number[], tol = 1e-6): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(tol));
}

/**
 * Keras's gated MultiHeadAttention (multi_head_attention.py, use_gate) for batch 1 written out in loops from its
 * einsums: q/k/v/gate projections [T, heads, dim], softmax(q·k / sqrt(keyDim)) over the key steps, weights · v,
 * times sigmoid(query · gate kernel + gate bias), then attention_output. w: Keras's weights in Keras's order.
 */
function gatedReference(query: number[], value: number[], w: number[][]): number[] {
  const [qk, qb, kk, kb, gk, gb, vk, vb, ok, ob] = w;
  const H = 2, dk = 2, dv = 3, Tq = 3, Tv = 2, dq = 4, dvIn = 5;
  const proj = (x: number[], T: number, din: number, k: number[], b: number[], d: number) => Array.from({ length: T * H * d }, (_, n) => {
    const t = Math.floor(n / (H * d)), hd = n % (H * d);
    let s = b[hd];
    for (let i = 0; i < din; i++) s += x[t * din + i] * k[i * H * d + hd];
    return s;
  });
  const Q = proj(query, Tq, dq, qk, qb, dk), K = proj(value, Tv, dvIn, kk, kb, dk), V = proj(value, Tv, dvIn, vk, vb, dv);
  const G = proj(query, Tq, dq, gk, gb, dv).map((x) => 1 / (1 + Math.exp(-x)));
  const out: number[] = [];
  for (let t = 0; t < Tq; t++) {
    const heads: number[] = [];
    for (let h = 0; h < H; h++) {
      const logits = Array.from({ length: Tv }, (_, j) => { let s = 0; for (let d = 0; d < dk; d++) s += Q[(t * H + h) * dk + d] * K[(j * H + h) * dk + d]; return s / Math.sqrt(dk); });
      const m = Math.max(...logits), e = logits.map((l) => Math.exp(l - m)), z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < dv; d++) heads.push(e.reduce((s, ej, j) => s + (ej / z) * V[(j * H + h) * dv + d], 0) * G[(t * H + h) * dv + d]);
    }
    for (let o = 0; o < dq; o++) out.push(heads.reduce((s, x, hd) => s + x * ok[hd * dq + o], ob[o]));
  }
  return out;
}

const kt = (name: string, width = 6, steps = 4, index = 0) => ({ class_name: '__keras_tensor__', config: { shape: [null, steps, width], dtype: 'float32', keras_history: [name, 0, index] } });
const init = (cls: string) => ({ module: 'keras.initializers', class_name: cls, config: cls === 'Zeros' ? {} : { seed: null }, registered_name: null });
const input = (name: string, width: number, steps = 4) => ({
  module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, steps, width], dtype: 'float32', sparse: false, ragged: false, name, optional: false }, registered_name: null, name, inbound_nodes: [],
});

/** A MultiHeadAttention entry as Keras 3.16's get_config() writes it (every key, in Keras's order). */
function mhaEntry(name: string, nodes: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    module: 'keras.layers', class_name: 'MultiHeadAttention', registered_name: null, name,
    config: {
      name, trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
      num_heads: 2, key_dim: 3, value_dim: 3, dropout: 0.0, use_bias: true, use_gate: false, output_shape: null, attention_axes: [1], sliding_window: null,
      kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'), kernel_regularizer: null, bias_regularizer: null,
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null, seed: null, ...overrides,
    },
    build_config: { shapes_dict: { query_shape: [null, 4, 6], value_shape: [null, 4, 6] } },
    inbound_nodes: nodes,
  };
}

const selfNode = (kwargs: Record<string, unknown> = {}) => ({ args: [kt('x'), kt('x')], kwargs: { query_mask: null, value_mask: null, ...kwargs } });

/** x -> mha(x, x, **kwargs): a Keras 3 model.to_json() topology. */
function selfAttention(overrides: Record<string, unknown> = {}, kwargs: Record<string, unknown> = {}, outputs: unknown = ['mha', 0, 0]) {
  return {
    class_name: 'Functional',
    config: { name: 'k316', trainable: true, layers: [input('x', 6), mhaEntry('mha', [selfNode(kwargs)], overrides)], input_layers: [['x', 0, 0]], output_layers: outputs },
  };
}

const load = (topology: unknown) => rl.models.modelFromJSON({ modelTopology: topology as never }) as Promise<rl.Functional>;

/** The loaded model's MHA with its weights copied into a fresh layer built by the constructor options given. */
function twin(from: MultiHeadAttention, options: Record<string, unknown>): MultiHeadAttention {
  const l = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 3, ...options } as never) as MultiHeadAttention;
  l.build([[null, 4, 6], [null, 4, 6]]);
  l.setWeights(from.weights.map((w) => rl.tensor(Array.from(w.values), [...w.shape])));
  return l;
}

/** Keras's sliding-window band (|i - j| < w), with the causal triangle when asked, as a [Tq, Tv] 0/1 mask. */
const band = (T: number, w: number, causal = false) => rl.tensor(Array.from({ length: T * T }, (_, n) => {
  const i = Math.floor(n / T), j = n % T;
  return Math.abs(i - j) < w && (!causal || j <= i) ? 1 : 0;
}), [T, T]);

describe('a MultiHeadAttention config saved by Keras 3.14-3.16', () => {
  it('loads with use_gate false and sliding_window null, and computes as without them', async () => {
    const model = await load(selfAttention());
    const mha = model.getLayer('mha') as unknown as MultiHeadAttention;
    expect(mha.slidingWindow).toBeNull();
    const x = rl.randomUniform([2, 4, 6]);
    expectClose(arr(model.predict(x)), arr(twin(mha, {}).apply([x, x])));
    // rnnlab writes neither key back unset, so a Keras older than 3.14 reads what rnnlab writes.
    expect(Object.keys(mha.getConfig())).not.toContain('useGate');
    expect(Object.keys(mha.getConfig())).not.toContain('slidingWindow');
  });

  it("use_gate true (Keras 3.14's gated attention) computes sigmoid(query · gate) times each head's values, checked by hand", async () => {
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 2, valueDim: 3, useGate: true }) as MultiHeadAttention;
    layer.build([[null, 3, 4], [null, 2, 5]]);
    expect(layer.weights.map((w) => [w.name.slice(layer.name.length + 1), w.shape])).toEqual([
      ['query/kernel', [4, 2, 2]], ['query/bias', [2, 2]], ['key/kernel', [5, 2, 2]], ['key/bias', [2, 2]],
      ['gate/kernel', [4, 2, 3]], ['gate/bias', [2, 3]], ['value/kernel', [5, 2, 3]], ['value/bias', [2, 3]],
      ['attention_output/kernel', [2, 3, 4]], ['attention_output/bias', [4]],
    ]);
    rl.setSeed(9);
    const W = layer.weights.map((w) => rl.randomUniform([...w.shape], -1, 1));
    layer.setWeights(W);
    const q = rl.randomUniform([1, 3, 4], -1, 1), v = rl.randomUniform([1, 2, 5], -1, 1);
    expectClose(arr(layer.apply([q, v])), gatedReference(arr(q), arr(v), W.map(arr)), 1e-5);
    expect(layer.getConfig().useGate).toBe(true);
    expect((deserializeLayer(serializeLayer(layer)) as MultiHeadAttention).useGate).toBe(true);
    // The gate is trained: its kernel gets the gradient finite differences give.
    const gk = layer.weights[4];
    const lossAt = () => arr(layer.apply([q, v])).reduce((s, x, i) => s + x * (i % 3 - 1), 0);
    const { value, backward } = withTape(() => sum(mul(layer.apply([q, v]) as rl.Tensor, rl.tensor(Array.from({ length: 12 }, (_, i) => i % 3 - 1), [1, 3, 4]))));
    backward(value);
    const g = gk.grad![7];
    const base = Array.from(gk.values), h = 1e-2;
    const at = (d: number) => { const w = [...base]; w[7] += d; layer.weights[4].assign(rl.tensor(w, [...gk.shape])); return lossAt(); };
    expect(Math.abs((at(h) - at(-h)) / (2 * h) - g)).toBeLessThan(2e-3 * (1 + Math.abs(g)));
    // A Keras 3.14+ file with use_gate true loads with the gate.
    const model = await load(selfAttention({ use_gate: true }));
    expect(model.getLayer('mha').weights.map((w) => w.name)).toContain('mha/gate/kernel');
    await expect(load(selfAttention({ use_gate: 'yes' }))).rejects.toThrow(/use_?gate must be true or false/i);
  });

  it("sliding_window n attends within |i - j| < n, as an attention mask of that band, and composes with the causal mask", async () => {
    const model = await load(selfAttention({ sliding_window: 2 }));
    const mha = model.getLayer('mha') as unknown as MultiHeadAttention;
    expect(mha.slidingWindow).toBe(2);
    rl.setSeed(5);
    const x = rl.randomUniform([2, 4, 6]);
    const plain = twin(mha, {});
    const [out, scores] = twin(mha, { slidingWindow: 2 }).apply([x, x], { returnAttentionScores: true }) as rl.Tensor[];
    const [wantOut, wantScores] = plain.apply([x, x], { returnAttentionScores: true, attentionMask: band(4, 2) }) as rl.Tensor[];
    expectClose(arr(out), arr(wantOut));
    expectClose(arr(scores), arr(wantScores));
    expectClose(arr(model.predict(x)), arr(wantOut));
    // Step 0 may not see step 2 or 3; without the window it does.
    expect(arr(scores).slice(0, 4).map((v) => v > 0)).toEqual([true, true, false, false]);
    expect(Math.max(...arr(out).map((v, i) => Math.abs(v - arr(plain.apply([x, x]))[i])))).toBeGreaterThan(1e-4);
    // Keras ANDs the band with the causal mask (Mistral's causal sliding window).
    const causalWindow = twin(mha, { slidingWindow: 2, useCausalMask: true }).apply([x, x]) as rl.Tensor;
    expectClose(arr(causalWindow), arr(plain.apply([x, x], { attentionMask: band(4, 2, true) })));
  });

  it('sliding_window survives save and load, and a window that is not a positive integer is refused as Keras refuses it', async () => {
    const l = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 3, slidingWindow: 3 }) as MultiHeadAttention;
    expect(l.getConfig().slidingWindow).toBe(3);
    expect((deserializeLayer(serializeLayer(l)) as MultiHeadAttention).slidingWindow).toBe(3);
    for (const bad of [0, -1, 2.5, 'two']) {
      await expect(load(selfAttention({ sliding_window: bad }))).rejects.toThrow(/sliding_?window/i);
    }
  });
});

describe("a Keras 3 functional node's call arguments on MultiHeadAttention", () => {
  it('use_causal_mask true becomes the layer\'s own useCausalMask and computes as the causal mask', async () => {
    const model = await load(selfAttention({}, { use_causal_mask: true }));
    const mha = model.getLayer('mha') as unknown as MultiHeadAttention;
    expect(mha.useCausalMask).toBe(true);
    rl.setSeed(6);
    const x = rl.randomUniform([2, 4, 6]);
    const plain = twin(mha, {});
    expectClose(arr(model.predict(x)), arr(plain.apply([x, x], { useCausalMask: true })));
    expect(Math.max(...arr(model.predict(x)).map((v, i) => Math.abs(v - arr(plain.apply([x, x]))[i])))).toBeGreaterThan(1e-4);
    // use_causal_mask false is Keras's default: the layer stays non-causal.
    expect(((await load(selfAttention({}, { use_causal_mask: false }))).getLayer('mha') as unknown as MultiHeadAttention).useCausalMask).toBe(false);
  });

  it('return_attention_scores true gives the node its second output, the weights [batch, heads, Tq, Tv]', async () => {
    const model = await load(selfAttention({}, { return_attention_scores: true }, [['mha', 0, 0], ['mha', 0, 1]]));
    const x = rl.randomUniform([2, 4, 6]);
    const [out, scores] = model.predict(x) as rl.Tensor[];
    expect(out.shape).toEqual([2, 4, 6]);
    expect(scores.shape).toEqual([2, 2, 4, 4]);
    const [, wantScores] = twin(model.getLayer('mha') as unknown as MultiHeadAttention, {}).apply([x, x], { returnAttentionScores: true }) as rl.Tensor[];
    expectClose(arr(scores), arr(wantScores));
  });

  it('a layer called twice must be given the same options (rnnlab keeps them per layer): disagreement is refused naming the layer', async () => {
    const twice = (a: Record<string, unknown>, b: Record<string, unknown>) => ({
      class_name: 'Functional',
      config: {
        name: 'shared', trainable: true,
        layers: [input('x', 6), input('y', 6), mhaEntry('mha', [selfNode(a), { args: [kt('y'), kt('y')], kwargs: { query_mask: null, value_mask: null, ...b } }])],
        input_layers: [['x', 0, 0], ['y', 0, 0]], output_layers: [['mha', 0, 0], ['mha', 1, 0]],
      },
    });
    await expect(load(twice({ use_causal_mask: true }, {}))).rejects.toThrow(/'mha'.*use_causal_mask = true, false.*all calls of one layer must agree/);
    await expect(load(twice({ use_causal_mask: true }, { use_causal_mask: false }))).rejects.toThrow(/'mha'.*use_causal_mask/);
    const model = await load(twice({ use_causal_mask: true }, { use_causal_mask: true }));
    expect((model.getLayer('mha') as unknown as MultiHeadAttention).useCausalMask).toBe(true);
    await expect(load(selfAttention({}, { use_causal_mask: 'yes' }))).rejects.toThrow(/'mha'.*use_causal_mask must be true or false/);
  });

  it('query, value and key given by keyword take their places in the call (query, value, key)', async () => {
    // Widths 6, 5, 4 tell the inputs apart: each projection's kernel is [its input's width, heads, dim].
    const qvk = (args: unknown[], kwargs: Record<string, unknown>) => ({
      class_name: 'Functional',
      config: {
        name: 'kw', trainable: true,
        layers: [input('q', 6), input('v', 5), input('k', 4), { ...mhaEntry('mha', [{ args, kwargs }]), build_config: { shapes_dict: { query_shape: [null, 4, 6], value_shape: [null, 4, 5], key_shape: [null, 4, 4] } } }],
        input_layers: [['q', 0, 0], ['v', 0, 0], ['k', 0, 0]], output_layers: [['mha', 0, 0]],
      },
    });
    const kernels = (m: rl.Functional) => m.getLayer('mha').weights.filter((w) => w.name.endsWith('kernel')).map((w) => [w.name, w.shape[0]]);
    const want = [['mha/query/kernel', 6], ['mha/key/kernel', 4], ['mha/value/kernel', 5], ['mha/attention_output/kernel', 2]];
    const byKeyword = await load(qvk([], { key: kt('k', 4), value: kt('v', 5), query: kt('q', 6), query_mask: null, value_mask: null, key_mask: null }));
    expect(kernels(byKeyword)).toEqual(want);
    const mixed = await load(qvk([kt('q', 6)], { value: kt('v', 5), key: kt('k', 4) }));
    expect(kernels(mixed)).toEqual(want);
    // The same weights, the same numbers, whichever way the inputs were passed.
    const xs = [rl.randomUniform([2, 4, 6]), rl.randomUniform([2, 4, 5]), rl.randomUniform([2, 4, 4])];
    mixed.setWeights(byKeyword.getWeights());
    expectClose(arr(mixed.predict(xs)), arr(byKeyword.predict(xs)));
    await expect(load(qvk([kt('q', 6)], { key: kt('k', 4) }))).rejects.toThrow(/the call gives key but not value/);
    await expect(load(qvk([kt('q', 6), kt('v', 5)], { value: kt('v', 5) }))).rejects.toThrow(/call argument value of MultiHeadAttention is given both by position and by keyword/);
  });

  it('a tensor as attention_mask or as a padding mask argument is refused naming the argument and the layer', async () => {
    const withMaskInput = (kwargs: Record<string, unknown>) => ({
      class_name: 'Functional',
      config: {
        name: 'am', trainable: true,
        layers: [input('x', 6), input('m', 4), mhaEntry('mha', [selfNode(kwargs)])],
        input_layers: [['x', 0, 0], ['m', 0, 0]], output_layers: [['mha', 0, 0]],
      },
    });
    await expect(load(withMaskInput({ attention_mask: kt('m', 4) }))).rejects.toThrow(/\('mha'\).*call argument attention_mask of MultiHeadAttention is a tensor/);
    await expect(load(withMaskInput({ query_mask: kt('m', 4) }))).rejects.toThrow(/call argument query_mask of MultiHeadAttention is a tensor/);
    // attention_mask null is what Keras writes for "none": it loads.
    await expect(load(selfAttention({}, { attention_mask: null }))).resolves.toBeDefined();
    await expect(load(selfAttention({}, { flash: 1 }))).rejects.toThrow(/call argument flash of MultiHeadAttention = 1 is not supported/);
  });
});

describe('a tf.keras 2 functional file with MultiHeadAttention (inputs and options among the first input\'s kwargs)', () => {
  /** x (and y) -> mha as tf.keras 2.15's model.to_json() writes it: build shapes in the config, value/key refs in kwargs. */
  const k2 = (kwargs: Record<string, unknown>, shapes: Record<string, unknown> = { query_shape: [null, 4, 6], key_shape: [null, 4, 6], value_shape: [null, 4, 6] }) => withUsedInputs({
    class_name: 'Functional',
    config: {
      name: 'k2',
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 6], dtype: 'float32', sparse: false, ragged: false, name: 'x' }, name: 'x', inbound_nodes: [] },
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 5], dtype: 'float32', sparse: false, ragged: false, name: 'y' }, name: 'y', inbound_nodes: [] },
        {
          class_name: 'MultiHeadAttention', name: 'mha',
          config: {
            name: 'mha', trainable: true, dtype: 'float32', num_heads: 2, key_dim: 3, value_dim: 3, dropout: 0.0, use_bias: true, output_shape: null, attention_axes: [1],
            kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
            kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, ...shapes,
          },
          inbound_nodes: [[['x', 0, 0, kwargs]]],
        },
      ],
      input_layers: [['x', 0, 0], ['y', 0, 0]], output_layers: [['mha', 0, 0]],
    },
  });

  /** Keeps input 'y' only where the call refers to it (a model refuses an input no output uses). */
  const withUsedInputs = <T extends { config: { layers: { name: string; inbound_nodes: unknown }[]; input_layers: unknown[] } }>(t: T): T => {
    if (JSON.stringify(t.config.layers[2].inbound_nodes).includes('"y"')) return t;
    return { ...t, config: { ...t.config, layers: t.config.layers.filter((l) => l.name !== 'y'), input_layers: [['x', 0, 0]] } };
  };

  it('loads value/key from the kwargs in call order, use_causal_mask as the layer\'s, and checks the saved build shapes', async () => {
    const model = await load(k2({ value: ['x', 0, 0], use_causal_mask: true }));
    const mha = model.getLayer('mha') as unknown as MultiHeadAttention;
    expect(mha.useCausalMask).toBe(true);
    const x = rl.randomUniform([2, 4, 6]);
    expectClose(arr(model.predict(x)), arr(twin(mha, {}).apply([x, x], { useCausalMask: true })));
    expect(Math.max(...arr(model.predict(x)).map((v, i) => Math.abs(v - arr(twin(mha, {}).apply([x, x]))[i])))).toBeGreaterThan(1e-4);
    const withKey = await load(k2({ value: ['x', 0, 0], key: ['y', 0, 0] }, { query_shape: [null, 4, 6], value_shape: [null, 4, 6], key_shape: [null, 4, 5] }));
    expect(withKey.getLayer('mha').weights.find((w) => w.name === 'mha/key/kernel')!.shape).toEqual([5, 2, 3]);
    await expect(load(k2({ value: ['x', 0, 0] }, { query_shape: [null, 4, 7], key_shape: null, value_shape: null }))).rejects.toThrow(/'mha'.*queryShape \(None, 4, 7\) from the saved config disagrees with the input it is called on, \(None, 4, 6\)/);
    await expect(load(k2({ key: ['y', 0, 0] }))).rejects.toThrow(/the call gives key but not value/);
    await expect(load(k2({ value: ['x', 0, 0], attention_mask: ['y', 0, 0] }))).rejects.toThrow(/call argument attention_mask of MultiHeadAttention is a tensor/);
  });
});
