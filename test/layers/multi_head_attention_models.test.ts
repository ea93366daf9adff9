// MultiHeadAttention inside models: padding masks from embedding({maskZero}) as Keras combines them, the query's
// mask carried on, returned scores, dropout in training only, fit, save/load, keras.io's TransformerBlock (functional
// and as a custom layer) with Keras's parameter counts, and the ONNX export's refusal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { MultiHeadAttention } from '../../src/layers/multi_head_attention.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-mha-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ids = (rows: number[][]) => rl.tensor(rows.flat(), [rows.length, rows[0].length], 'int32');
const maskOf = (rows: number[][]) => rl.tensor(rows.flat().map((v) => (v ? 1 : 0)), [rows.length, rows[0].length], 'bool');
const arr = (t: unknown) => Array.from((t as rl.Tensor).dataSync() as Float32Array);

function expectClose(got: number[], want: number[], tol = 1e-6): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(tol));
}

describe('MultiHeadAttention with padding masks', () => {
  it("self-attention over embedding({maskZero}) masks query and value steps as Keras, and the output carries the query's mask", () => {
    rl.setSeed(11);
    const rows = [[3, 5, 2, 0, 0], [7, 1, 4, 6, 0]];
    const inp = rl.input({ shape: [5], dtype: 'int32' });
    const emb = rl.layers.embedding({ inputDim: 10, outputDim: 6, maskZero: true });
    const mha = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 3 });
    const e = emb.apply(inp) as rl.SymbolicTensor;
    const att = mha.apply([e, e]) as rl.SymbolicTensor;
    const model = rl.model({ inputs: inp, outputs: [att, rl.layers.globalAveragePooling1d({}).apply(att) as rl.SymbolicTensor] });
    const [out, pooled] = model.predict(ids(rows)) as rl.Tensor[];
    const x = emb.apply(ids(rows)) as rl.Tensor;
    const m = maskOf(rows);
    expectClose(arr(out), arr(mha.apply([x, x], { mask: [m, m] })));
    // One mask for a list whose value is the query itself goes with both (a Keras mask rides on its tensor).
    expectClose(arr(out), arr(mha.apply([x, x], { mask: m })));
    expect(arr(out)).not.toEqual(arr(mha.apply([x, x])));
    // The pooling after it averages only the real steps: the query's mask came out of the attention.
    const o = arr(out), D = 6;
    rows.forEach((row, b) => {
      const real = row.filter((v) => v !== 0).length;
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let i = 0; i < real; i++) s += o[(b * 5 + i) * D + d];
        expect(arr(pooled)[b * D + d]).toBeCloseTo(s / real, 5);
      }
    });
  });

  it("cross-attention: the value's padding masks key steps, the query's masks query rows, each input's own", () => {
    rl.setSeed(12);
    const qRows = [[1, 2, 0], [3, 0, 0]], vRows = [[4, 5, 6, 0], [7, 8, 0, 0]];
    const qi = rl.input({ shape: [3], dtype: 'int32' }), vi = rl.input({ shape: [4], dtype: 'int32' });
    const qe = rl.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }), ve = rl.layers.embedding({ inputDim: 10, outputDim: 5, maskZero: true });
    const mha = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 2, returnAttentionScores: true }) as MultiHeadAttention;
    const [out, scores] = mha.apply([qe.apply(qi) as rl.SymbolicTensor, ve.apply(vi) as rl.SymbolicTensor]) as rl.SymbolicTensor[];
    expect(out.shape).toEqual([null, 3, 4]);
    expect(scores.shape).toEqual([null, 2, 3, 4]);
    const model = rl.model({ inputs: [qi, vi], outputs: [out, scores] });
    const [o, s] = model.predict([ids(qRows), ids(vRows)]) as rl.Tensor[];
    const manual = mha.apply([qe.apply(ids(qRows)) as rl.Tensor, ve.apply(ids(vRows)) as rl.Tensor], { mask: [maskOf(qRows), maskOf(vRows)] }) as rl.Tensor[];
    expectClose(arr(o), arr(manual[0]));
    expectClose(arr(s), arr(manual[1]));
    // Weights: zero on padded keys, rows of real query steps sum to 1, rows of padded query steps are all zero.
    const w = arr(s);
    for (let b = 0; b < 2; b++) for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) {
      const row = w.slice(((b * 2 + h) * 3 + i) * 4, ((b * 2 + h) * 3 + i + 1) * 4);
      vRows[b].forEach((v, j) => { if (v === 0) expect(row[j]).toBe(0); });
      expect(row.reduce((a, c) => a + c, 0)).toBeCloseTo(qRows[b][i] ? 1 : 0, 6);
    }
  });

  it('useCausalMask in the constructor: no weight on later steps, and a saved copy keeps it', async () => {
    rl.setSeed(13);
    const inp = rl.input({ shape: [4, 3] });
    const [, scores] = rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2, useCausalMask: true, returnAttentionScores: true, name: 'causal_mha' }).apply([inp, inp]) as rl.SymbolicTensor[];
    const model = rl.model({ inputs: inp, outputs: scores });
    const x = rl.randomUniform([2, 4, 3]);
    const w = arr(model.predict(x));
    for (let b = 0; b < 2; b++) for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(w[(b * 4 + i) * 4 + j]).toBe(0);
    await model.save(`file://${join(root, 'causal')}`);
    const json = JSON.parse(readFileSync(join(root, 'causal', 'model.json'), 'utf8'));
    const cfg = (json.modelTopology.model_config ?? json.modelTopology).config.layers.find((l: { class_name: string }) => l.class_name === 'MultiHeadAttention').config;
    expect(cfg).toMatchObject({ num_heads: 1, key_dim: 2, value_dim: 2, use_causal_mask: true, return_attention_scores: true, attention_axes: null, output_shape: null });
    const back = await rl.loadLayersModel(`file://${join(root, 'causal')}`);
    expect(arr(back.predict(x))).toEqual(w);
  });
});

describe('MultiHeadAttention dropout', () => {
  it('drops attention weights only while training; the returned scores are the weights before dropout (Keras)', () => {
    rl.setSeed(14);
    const x = rl.randomUniform([2, 5, 4]);
    const drop = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 3, dropout: 0.5 });
    const plain = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 3 });
    drop.apply([x, x]);
    plain.apply([x, x]);
    plain.setWeights(drop.getWeights());
    const [inf, infScores] = drop.apply([x, x], { returnAttentionScores: true } as never) as rl.Tensor[];
    expect(arr(inf)).toEqual(arr(plain.apply([x, x])));
    expect(arr(drop.apply([x, x], { training: false }))).toEqual(arr(inf));
    const [train, trainScores] = drop.apply([x, x], { training: true, returnAttentionScores: true } as never) as rl.Tensor[];
    expect(arr(train)).not.toEqual(arr(inf));
    expect(arr(trainScores)).toEqual(arr(infScores));
  });
});

/** keras.io "Text classification with Transformer": its TransformerBlock with MultiHeadAttention, as a custom layer. */
class MhaTransformerBlock extends rl.layers.Layer {
  static className = 'MhaTransformerBlock';
  embedDim: number; numHeads: number; ffDim: number; rate: number;
  att: rl.layerClasses.Layer; ffn1: rl.layerClasses.Layer; ffn2: rl.layerClasses.Layer;
  norm1: rl.layerClasses.Layer; norm2: rl.layerClasses.Layer; drop1: rl.layerClasses.Layer; drop2: rl.layerClasses.Layer;
  constructor(config: { embedDim: number; numHeads: number; ffDim: number; rate?: number; name?: string }) {
    super({ name: config.name });
    this.embedDim = config.embedDim; this.numHeads = config.numHeads; this.ffDim = config.ffDim; this.rate = config.rate ?? 0.1;
    this.att = rl.layers.multiHeadAttention({ numHeads: config.numHeads, keyDim: config.embedDim });
    this.ffn1 = rl.layers.dense({ units: config.ffDim, activation: 'relu' });
    this.ffn2 = rl.layers.dense({ units: config.embedDim });
    this.norm1 = rl.layers.layerNormalization({ epsilon: 1e-6 });
    this.norm2 = rl.layers.layerNormalization({ epsilon: 1e-6 });
    this.drop1 = rl.layers.dropout({ rate: this.rate });
    this.drop2 = rl.layers.dropout({ rate: this.rate });
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(inputs: rl.Tensor | rl.Tensor[], kwargs: any) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = kwargs?.training ?? false;
    let attn = this.att.apply([x, x], kwargs) as rl.Tensor;
    attn = this.drop1.apply(attn, { training }) as rl.Tensor;
    const out1 = this.norm1.apply(rl.add(x, attn)) as rl.Tensor;
    let ffn = this.ffn2.apply(this.ffn1.apply(out1) as rl.Tensor) as rl.Tensor;
    ffn = this.drop2.apply(ffn, { training }) as rl.Tensor;
    return this.norm2.apply(rl.add(out1, ffn)) as rl.Tensor;
  }
  getConfig() { return { ...super.getConfig(), embedDim: this.embedDim, numHeads: this.numHeads, ffDim: this.ffDim, rate: this.rate }; }
}
rl.serialization.registerClass(MhaTransformerBlock);

function task(n: number) {
  const r = new rl.Random(9);
  const xs: number[][] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: 6 }, () => 1 + Math.floor(r.uniform(0, 19)));
    xs.push(row); ys.push(row.filter((v) => v > 10).length > 3 ? 1 : 0);
  }
  return { x: rl.tensor(xs.flat(), [n, 6], 'int32'), y: rl.tensor(ys, [n, 1]) };
}

// Keras's count for MultiHeadAttention(num_heads=2, key_dim=8) on width 8: 3 x (8*2*8 + 2*8) + (2*8*8 + 8) = 568.
const MHA_PARAMS = 3 * (8 * 2 * 8 + 2 * 8) + (2 * 8 * 8 + 8);

describe("keras.io's TransformerBlock with MultiHeadAttention", () => {
  it('functional: builds, summary shows Keras param counts, fit lowers the loss, save/load predicts the same', async () => {
    rl.setSeed(21);
    const inp = rl.input({ shape: [6], dtype: 'int32' });
    const x = rl.layers.embedding({ inputDim: 20, outputDim: 8 }).apply(inp) as rl.SymbolicTensor;
    const attn = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 8, name: 'mha' }).apply([x, x]) as rl.SymbolicTensor;
    const out1 = rl.layers.layerNormalization({ epsilon: 1e-6 }).apply(rl.layers.add().apply([x, rl.layers.dropout({ rate: 0.1 }).apply(attn) as rl.SymbolicTensor]) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const ffn = rl.layers.dense({ units: 8 }).apply(rl.layers.dense({ units: 16, activation: 'relu' }).apply(out1) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const out2 = rl.layers.layerNormalization({ epsilon: 1e-6 }).apply(rl.layers.add().apply([out1, ffn]) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const pooled = rl.layers.globalAveragePooling1d({}).apply(out2) as rl.SymbolicTensor;
    const y = rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(pooled) as rl.SymbolicTensor;
    const model = rl.model({ inputs: inp, outputs: y });
    const lines: string[] = [];
    model.summary(undefined, undefined, (l) => lines.push(l));
    const mhaLine = lines.find((l) => l.startsWith('mha '))!;
    expect(mhaLine).toMatch(/MultiHeadAttention/);
    expect(mhaLine).toMatch(new RegExp(`\\b${MHA_PARAMS}\\b`));
    // embedding 160, mha 568, two norms 2 x 16, dense 8*16+16 and 16*8+8, head 9.
    const total = 160 + MHA_PARAMS + 32 + 144 + 136 + 9;
    expect(model.countParams()).toBe(total);
    expect(lines.join('\n')).toMatch(new RegExp(`Total params: ${total.toLocaleString('en-US')}`));
    model.compile({ optimizer: rl.train.adam(0.01), loss: 'binaryCrossentropy' });
    const { x: xs, y: ys } = task(48);
    const hist = await model.fit(xs, ys, { epochs: 10, batchSize: 16, verbose: 0 });
    const loss = hist.history.loss as number[];
    expect(loss.at(-1)!).toBeLessThan(loss[0] * 0.9);
    const want = arr(model.predict(xs));
    await model.save(`file://${join(root, 'functional')}`);
    const manifest = JSON.parse(readFileSync(join(root, 'functional', 'model.json'), 'utf8')).weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(manifest).toEqual(expect.arrayContaining(['mha/query/kernel', 'mha/key/bias', 'mha/value/kernel', 'mha/attention_output/kernel', 'mha/attention_output/bias']));
    const back = await rl.loadLayersModel(`file://${join(root, 'functional')}`);
    expect(arr(back.predict(xs))).toEqual(want);
  });

  it('as a custom layer (keras.io verbatim): its attention trains and saves; a masked input masks the attention', async () => {
    rl.setSeed(22);
    const inp = rl.input({ shape: [6], dtype: 'int32' });
    const block = new MhaTransformerBlock({ embedDim: 8, numHeads: 2, ffDim: 16, name: 'block' });
    const h = block.apply(rl.layers.embedding({ inputDim: 20, outputDim: 8 }).apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const out = rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(rl.layers.globalAveragePooling1d({}).apply(h) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const model = rl.model({ inputs: inp, outputs: out });
    expect(block.weights.map((w) => w.name)).toContain('block/att/query/kernel');
    expect(block.countParams()).toBe(MHA_PARAMS + 16 + 16 + 144 + 136);
    model.compile({ optimizer: rl.train.adam(0.01), loss: 'binaryCrossentropy' });
    const { x, y } = task(48);
    const hist = await model.fit(x, y, { epochs: 10, batchSize: 16, verbose: 0 });
    expect((hist.history.loss as number[]).at(-1)!).toBeLessThan((hist.history.loss as number[])[0]);
    const want = arr(model.predict(x));
    await model.save(`file://${join(root, 'custom')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'custom')}`);
    expect(arr(back.predict(x))).toEqual(want);
    // The block's call hands its kwargs (with the embedding's mask) to the attention: padded keys get no weight.
    const att = block.att as unknown as MultiHeadAttention;
    const e = rl.randomUniform([1, 6, 8]);
    const m = rl.tensor([1, 1, 1, 0, 0, 0], [1, 6], 'bool');
    const viaBlock = arr(block.apply(e, { mask: m }));
    const e2 = rl.tensor(arr(e).map((v, i) => (Math.floor(i / 8) >= 3 ? v + 5 : v)), [1, 6, 8]);
    // Changing padded steps' features changes nothing at real steps (they attend only to real steps).
    const viaBlock2 = arr(block.apply(e2, { mask: m }));
    expectClose(viaBlock.slice(0, 24), viaBlock2.slice(0, 24), 1e-5);
    expect(att.className).toBe('MultiHeadAttention');
  });
});

describe('MultiHeadAttention and ONNX', () => {
  it('export refuses a model holding it, naming the layer', () => {
    const inp = rl.input({ shape: [4, 3] });
    const model = rl.model({ inputs: inp, outputs: rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2, name: 'mha_onnx' }).apply([inp, inp]) as rl.SymbolicTensor });
    expect(() => rl.toOnnx(model)).toThrow(/ONNX export: layer 'mha_onnx' \(MultiHeadAttention\)/);
  });
});

describe("a Keras 3 model.to_json() with MultiHeadAttention", () => {
  const kt = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4, 6], dtype: 'float32', keras_history: [name, 0, 0] } });
  const init = (cls: string) => ({ module: 'keras.initializers', class_name: cls, config: cls === 'Zeros' ? {} : { seed: null }, registered_name: null });
  const topology = (mhaConfig: Record<string, unknown>, kwargs: Record<string, unknown> = {}) => ({
    class_name: 'Functional',
    config: {
      name: 'k3', trainable: true,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4, 6], dtype: 'float32', sparse: false, name: 'x' }, registered_name: null, name: 'x', inbound_nodes: [] },
        {
          module: 'keras.layers', class_name: 'MultiHeadAttention', registered_name: null, name: 'mha',
          config: {
            name: 'mha', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
            num_heads: 2, key_dim: 3, value_dim: 3, dropout: 0.0, use_bias: true, output_shape: null, attention_axes: [1],
            kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'), kernel_regularizer: null, bias_regularizer: null,
            activity_regularizer: null, kernel_constraint: null, bias_constraint: null, seed: null, ...mhaConfig,
          },
          build_config: { shapes_dict: { query_shape: [null, 4, 6], value_shape: [null, 4, 6] } },
          inbound_nodes: [{ args: [kt('x'), kt('x')], kwargs: { query_mask: null, value_mask: null, key_mask: null, ...kwargs } }],
        },
      ],
      input_layers: [['x', 0, 0]], output_layers: [['mha', 0, 0]],
    },
  });

  it("loads with Keras's weights layout, and a config rnnlab cannot honour is refused naming the field", async () => {
    const model = await rl.models.modelFromJSON({ modelTopology: topology({}) }) as rl.Functional;
    const mha = model.getLayer('mha') as unknown as MultiHeadAttention;
    expect(mha.weights.map((w) => [w.name, w.shape])).toEqual([
      ['mha/query/kernel', [6, 2, 3]], ['mha/query/bias', [2, 3]], ['mha/key/kernel', [6, 2, 3]], ['mha/key/bias', [2, 3]],
      ['mha/value/kernel', [6, 2, 3]], ['mha/value/bias', [2, 3]], ['mha/attention_output/kernel', [2, 3, 6]], ['mha/attention_output/bias', [6]],
    ]);
    expect((model.predict(rl.randomUniform([2, 4, 6])) as rl.Tensor).shape).toEqual([2, 4, 6]);
    await expect(rl.models.modelFromJSON({ modelTopology: topology({ attention_axes: [2] }) })).rejects.toThrow(/attention_axes = .* is not supported/);
    // Keras's per-call use_causal_mask in a node becomes the layer's own (multi_head_attention_keras316.test.ts).
    const causal = await rl.models.modelFromJSON({ modelTopology: topology({}, { use_causal_mask: true }) }) as rl.Functional;
    expect((causal.getLayer('mha') as unknown as MultiHeadAttention).useCausalMask).toBe(true);
  });
});
