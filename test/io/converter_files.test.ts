// model.json files as tensorflowjs_converter writes them from Keras 2 (.h5) and Keras 3 models, for the lab's model
// kinds: rnnlab loads each and predicts what TensorFlow.js 4.22 predicts from the same files (its loadLayersModel is
// the oracle). The fixtures are topologies only; the weight shards are written here from the manifests.
import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, removeDir, tempDir } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'converter_files');
const root = tempDir('rnnlab-converter-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

type Spec = { name: string; shape: number[]; dtype: string; quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number } };
type Json = { modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: Spec[] }[]; [k: string]: unknown };

/** Bytes for one weight, deterministic and small: floats in (-0.5, 0.5), or quantized codes that decode near there. */
function weightBytes(s: Spec, seed: number): Uint8Array {
  const n = s.shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => 0.5 * Math.sin(seed * 7.1 + i * 1.3));
  const q = s.quantization;
  if (!q) return new Uint8Array(Float32Array.from(v).buffer);
  if (q.dtype === 'uint8') return Uint8Array.from(v, (_, i) => (i * 37 + seed * 11) % 256);
  if (q.dtype === 'uint16') return new Uint8Array(Uint16Array.from(v, (_, i) => (i * 9973 + seed * 131) % 65536).buffer);
  // float16: sign, exponent 13..14 (values in [2^-2, 1)), mantissa from i
  return new Uint8Array(Uint16Array.from(v, (x, i) => (x < 0 ? 0x8000 : 0) | ((13 + (i % 2)) << 10) | ((i * 97 + seed) % 1024)).buffer);
}

/** The fixture in a temp folder with its shards: each group's bytes split evenly over its paths, as the converter shards. */
function materialize(name: string, edit?: (j: Json) => void): { dir: string; json: Json; groups: Uint8Array[] } {
  const dir = join(root, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(FIXTURES, name, 'model.json'), 'utf8')) as Json;
  edit?.(json);
  let seed = 1;
  const groups = json.weightsManifest.map((g) => {
    const bytes = Buffer.concat(g.weights.map((s) => weightBytes(s, seed++)));
    const per = Math.ceil(bytes.length / g.paths.length);
    g.paths.forEach((p, i) => writeFileSync(join(dir, p), bytes.subarray(i * per, (i + 1) * per)));
    return new Uint8Array(bytes);
  });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return { dir, json, groups };
}

/** What tfjs's file:// / http loaders hand to loadLayersModel: the manifest's groups flattened, their bytes concatenated. */
async function tfjsLoad(json: Json, groups: Uint8Array[]): Promise<tf.LayersModel> {
  const data = Buffer.concat(groups);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length), trainingConfig: json.trainingConfig as tf.io.TrainingConfig,
    userDefinedMetadata: json.userDefinedMetadata as {},
  }));
}

/**
 * tfjs 4.22 reads no Keras 3 config (InputLayer batch_shape, DTypePolicy objects, {args, kwargs} calls): the oracle
 * for a Keras 3 file is tfjs on the Keras 2 spelling of the same model, rewritten here field by field.
 */
function asKeras2(v: unknown, nestedSequentials = new Set<string>()): unknown {
  if (Array.isArray(v)) return v.map((x) => asKeras2(x, nestedSequentials));
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if (o.class_name === 'DTypePolicy') return (o.config as { name: string }).name;
  if (o.class_name === '__keras_tensor__') {
    const [n, i, t] = (o.config as { keras_history: [string, number, number] }).keras_history;
    return [n, nestedSequentials.has(n) ? i + 1 : i, t, {}];
  }
  if (Array.isArray(o.layers)) {
    for (const l of o.layers as Record<string, unknown>[]) if (l.class_name === 'Sequential' && typeof l.name === 'string') nestedSequentials.add(l.name);
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (['module', 'registered_name', 'build_config', 'compile_config', 'optional', 'backward_layer', 'build_input_shape'].includes(k)) continue;
    if (k === 'batch_shape') out.batch_input_shape = x;
    else if (k === 'inbound_nodes') out.inbound_nodes = (x as { args: unknown[] }[]).map((c) => refsIn(asKeras2(c.args, nestedSequentials)));
    // Keras 3 names a Bidirectional's inner layer 'forward_<name>'; Keras 2 and tfjs keep '<name>' and add the prefix.
    else if (k === 'layer' && o.class_name === undefined && typeof (x as { config?: { name?: string } }).config?.name === 'string') {
      const inner = asKeras2(x, nestedSequentials) as { config: { name: string } };
      inner.config.name = inner.config.name.replace(/^forward_/, '');
      out.layer = inner;
    }
    else if (k === 'output_layers' || k === 'input_layers') {
      out[k] = refsIn(x).map((r) => { const [n, i, t] = r as [string, number, number]; return [n, nestedSequentials.has(n) ? i + 1 : i, t]; });
    }
    else out[k] = asKeras2(x, nestedSequentials);
  }
  return out;
}

function refsIn(v: unknown): unknown[] {
  if (Array.isArray(v) && typeof v[0] === 'string') return [v];
  return Array.isArray(v) ? v.flatMap(refsIn) : [];
}

const ids = [3, 0, 0, 5, 19, 1, 2, 7, 0, 0, 0, 4, 4, 11, 12, 13];
// A TF 2.15 char-RNN file fixes its batch at 64 (batch_input_shape [64, null]), as Keras's text-generation example trains
// it; rnnlab checks that batch size (tfjs does not), so those runs pass batchSize 64.
const ids64 = Array.from({ length: 32 }, () => ids).flat();
const feats = [0.3, -1.2, 0.8, 0.1];
const conv = Array.from({ length: 2 * 10 * 3 }, (_, i) => Math.cos(i * 0.37));
const inputsOf: Record<string, () => { r: rl.Tensor | rl.Tensor[]; t: tf.Tensor | tf.Tensor[] }> = {
  ids: () => ({ r: rl.tensor(ids, [2, 8]), t: tf.tensor2d(ids, [2, 8]) }),
  ids64: () => ({ r: rl.tensor(ids64, [64, 8]), t: tf.tensor2d(ids64, [64, 8]) }),
  conv: () => ({ r: rl.tensor(conv, [2, 10, 3]), t: tf.tensor3d(conv, [2, 10, 3]) }),
  two: () => ({ r: [rl.tensor(ids, [2, 8]), rl.tensor(feats, [2, 2])], t: [tf.tensor2d(ids, [2, 8]), tf.tensor2d(feats, [2, 2])] }),
};
const CASES: [string, keyof typeof inputsOf][] = [
  ['keras2_lstm', 'ids'], ['keras2_15_char_lstm', 'ids64'], ['keras2_gru', 'ids'], ['keras2_bidirectional', 'ids'], ['keras2_conv1d', 'conv'], ['keras2_functional', 'two'],
  ['keras3_lstm', 'ids'], ['keras3_bidirectional', 'ids'], ['keras3_conv1d', 'conv'], ['keras3_functional', 'two'], ['keras3_nested_sequential', 'ids'],
];

describe('converter files: rnnlab predicts what tfjs 4.22 predicts', () => {
  for (const [name, input] of CASES) {
    it(name, async () => {
      const { dir, json, groups } = materialize(name);
      const m = await rl.loadLayersModel(`file://${dir}`);
      const { r, t } = inputsOf[input]();
      const ours = (m.predict(r as rl.Tensor, input === 'ids64' ? { batchSize: 64 } : {}) as rl.Tensor).dataSync();
      const oracleJson = name.startsWith('keras3') ? { ...json, modelTopology: asKeras2(json.modelTopology) as Json['modelTopology'] } : json;
      const theirs = ((await tfjsLoad(oracleJson, groups)).predict(t) as tf.Tensor).dataSync();
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
    });
  }
});

/** Loads the fixture after edit; returns the error message, or null when it loads. */
async function loadError(name: string, edit: (j: Json) => void, opts?: rl.io.LoadOptions): Promise<string | null> {
  const { dir } = materialize(name, edit);
  try { await rl.loadLayersModel(`file://${dir}`, opts); return null; } catch (e) { expect(e).toBeInstanceOf(rl.ModelFormatError); return (e as Error).message; }
}
type Cfg = { layers: { class_name: string; config: Record<string, unknown>; build_config?: unknown; registered_name?: unknown }[]; build_input_shape?: unknown };
const seqConfig = (j: Json) => ((j.modelTopology.model_config as { config: Cfg }).config);

/** Loads the fixture after edit; returns the model and the warnings printed while loading. */
async function loadWarned(name: string, edit?: (j: Json) => void, opts?: rl.io.LoadOptions): Promise<{ m: Awaited<ReturnType<typeof rl.loadLayersModel>>; warnings: string }> {
  const { dir } = materialize(name, edit);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const m = await rl.loadLayersModel(`file://${dir}`, opts);
    return { m, warnings: warn.mock.calls.map((c) => c.join(' ')).join('\n') };
  } finally { warn.mockRestore(); }
}
const tc2 = (j: Json) => j.modelTopology.training_config as Record<string, unknown>;
const cc3 = (j: Json) => (j.modelTopology.model_config as { compile_config: Record<string, unknown> }).compile_config;
afterEach(() => vi.restoreAllMocks());

describe('Keras training configs: compiled from when translated exactly, else the model loads uncompiled with a warning', () => {
  it('a Keras 2 .h5 training_config (MeanMetricWrapper metrics, one list per output) compiles the model', async () => {
    const { dir } = materialize('keras2_lstm');
    const m = await rl.loadLayersModel(`file://${dir}`);
    expect(m.optimizer?.kerasName).toBe('Adam');
    const [loss, acc] = (m.evaluate(rl.tensor(ids, [2, 8]), rl.tensor([1, 0], [2, 1])) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const p = m.predict(rl.tensor(ids, [2, 8])) as rl.Tensor;
    const [p0, p1] = p.dataSync();
    expect(loss).toBeCloseTo(-(Math.log(p0) + Math.log(1 - p1)) / 2, 5);
    expect(acc).toBe(((p0 > 0.5 ? 1 : 0) + (p1 <= 0.5 ? 1 : 0)) / 2);
    expect((await rl.loadLayersModel(`file://${dir}`, { compile: false })).optimizer).toBeFalsy();
  });

  it('TF 2.11-2.15 files (Custom>Adam with its no-op keys, a loss object at its defaults) compile and train', async () => {
    const { m, warnings } = await loadWarned('keras2_15_char_lstm');
    expect(warnings).toBe('');
    expect(m.optimizer?.kerasName).toBe('Adam');
    expect(m.optimizer?.getConfig().learningRate).toBeCloseTo(0.002, 9);
    const x = rl.tensor(ids64, [64, 8]);
    const next = ids64.map((v) => (v + 1) % 20);
    const p = (m.predict(x, { batchSize: 64 }) as rl.Tensor).dataSync();
    const expected = next.reduce((a, t, i) => a - Math.log(p[i * 20 + t]), 0) / next.length;
    const y = rl.tensor(next, [64, 8, 1]);
    expect((m.evaluate(x, y, { batchSize: 64 }) as rl.Tensor).dataSync()[0]).toBeCloseTo(expected, 5);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 64, verbose: 0 });
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0] as number);
  });

  it('what cannot be translated exactly loads uncompiled, predicting the same, with one warning naming the field', async () => {
    const x = rl.tensor(ids64, [64, 8]);
    const base = ((await loadWarned('keras2_15_char_lstm')).m.predict(x, { batchSize: 64 }) as rl.Tensor).dataSync();
    const cases: [(j: Json) => void, RegExp][] = [
      [(j) => { ((tc2(j).loss as { config: Record<string, unknown> }).config).from_logits = true; }, /SparseCategoricalCrossentropy with from_logits = true is not a loss rnnlab has/],
      [(j) => { tc2(j).loss = 'loss'; }, /unknown loss 'loss'/],
      [(j) => { ((tc2(j).optimizer_config as { config: Record<string, unknown> }).config).use_ema = true; }, /optimizer Adam: .*useEma|use_ema/],
      [(j) => { tc2(j).metrics = [[{ class_name: 'AUC', config: { name: 'auc' } }]]; }, /the metric object AUC \(class_name\) is not read/],
      [(j) => { tc2(j).loss_weights = [0.5, 1]; }, /lossWeights lists 2 weights but the model has 1 output/],
      [(j) => { tc2(j).sample_weight_mode = 'temporal'; }, /training_config\.sample_weight_mode = "temporal" is not supported/],
    ];
    for (const [edit, reason] of cases) {
      const { m, warnings } = await loadWarned('keras2_15_char_lstm', edit);
      expect(m.optimizer).toBeFalsy();
      expect(warnings).toMatch(/model\.json: modelTopology\.training_config not read, so the model loads uncompiled \(compile it before fit\): /);
      expect(warnings).toMatch(reason);
      expect(warnings).not.toMatch(/compile: false/);
      expect((m.predict(x, { batchSize: 64 }) as rl.Tensor).dataSync()).toEqual(base);
    }
  });

  it('loss_weights is read: the loss is weighted as Keras weighs it', async () => {
    const x = rl.tensor(ids64, [64, 8]);
    const y = rl.tensor(ids64.map((v) => (v + 1) % 20), [64, 8, 1]);
    const plain = ((await loadWarned('keras2_15_char_lstm')).m.evaluate(x, y, { batchSize: 64 }) as rl.Tensor).dataSync()[0];
    const { m, warnings } = await loadWarned('keras2_15_char_lstm', (j) => { tc2(j).loss_weights = [0.5]; });
    expect(warnings).toBe('');
    expect((m.evaluate(x, y, { batchSize: 64 }) as rl.Tensor).dataSync()[0]).toBeCloseTo(0.5 * plain, 5);
  });

  it('a MeanMetricWrapper the user renamed is read by its fn', async () => {
    const { m, warnings } = await loadWarned('keras2_lstm', (j) => {
      tc2(j).metrics = [[{ class_name: 'MeanMetricWrapper', config: { name: 'my_acc', dtype: 'float32', fn: 'binary_accuracy' } }]];
    });
    expect(warnings).toBe('');
    const [, acc] = (m.evaluate(rl.tensor(ids, [2, 8]), rl.tensor([1, 0], [2, 1])) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const [p0, p1] = (m.predict(rl.tensor(ids, [2, 8])) as rl.Tensor).dataSync();
    expect(acc).toBe(((p0 > 0.5 ? 1 : 0) + (p1 <= 0.5 ? 1 : 0)) / 2);
  });

  it('Keras 3 compile_config compiles the model; what cannot be translated loads uncompiled; {compile: false} skips it, custom classes included', async () => {
    const { m } = await loadWarned('keras3_functional');
    expect(m.optimizer?.kerasName).toBe('Adam');
    expect(m.optimizer?.getConfig().learningRate).toBeCloseTo(0.001, 9);
    const fnLoss = await loadWarned('keras3_lstm', (j) => { cc3(j).loss = { module: 'builtins', class_name: 'function', config: 'binary_crossentropy', registered_name: 'function' }; });
    expect(fnLoss.warnings).toBe('');
    expect(fnLoss.m.optimizer?.kerasName).toBe('Adam');
    const objLoss = await loadWarned('keras3_lstm', (j) => {
      cc3(j).loss = { module: 'keras.losses', class_name: 'BinaryCrossentropy', config: { name: 'binary_crossentropy', reduction: 'sum_over_batch_size', from_logits: false, label_smoothing: 0, axis: -1 }, registered_name: null };
    });
    expect(objLoss.warnings).toBe('');
    expect(objLoss.m.optimizer?.kerasName).toBe('Adam');
    const focal = (j: Json) => { cc3(j).loss = { module: null, class_name: 'FocalLoss', config: {}, registered_name: 'my_pkg>FocalLoss' }; };
    const custom = await loadWarned('keras3_lstm', focal);
    expect(custom.m.optimizer).toBeFalsy();
    expect(custom.warnings).toMatch(/model\.json: compile_config not read.*FocalLoss has registered_name 'my_pkg>FocalLoss', a custom loss registered in Python/);
    const skipped = await loadWarned('keras3_lstm', focal, { compile: false });
    expect(skipped.warnings).toBe('');
    expect(skipped.m.optimizer).toBeFalsy();
    const ema = await loadWarned('keras3_functional', (j) => { (cc3(j).optimizer as { config: Record<string, unknown> }).config.use_ema = true; });
    expect(ema.m.optimizer).toBeFalsy();
    // The key as the file writes it.
    expect(ema.warnings).toMatch(/compile_config not read.*'use_ema' = true is not supported/);
    // Keras 3's weight decay is read (every optimizer takes it).
    const wd = await loadWarned('keras3_functional', (j) => { (cc3(j).optimizer as { config: Record<string, unknown> }).config.weight_decay = 0.01; });
    expect(wd.warnings).toBe('');
    expect(wd.m.optimizer?.weightDecay).toBe(0.01);
    // An AdamW saved with weight_decay 0 trains without decay (not at AdamW's default 0.004).
    const w0 = await loadWarned('keras3_functional', (j) => { const o = cc3(j).optimizer as { class_name: string; config: Record<string, unknown> }; o.class_name = 'AdamW'; o.config.weight_decay = 0; });
    expect(w0.m.optimizer?.className).toBe('AdamW');
    expect(w0.m.optimizer?.weightDecay).toBe(0);
  });
});

describe('Keras 3 and converter fields: read, or refused naming the field and the file', () => {
  it('build_config and build_input_shape must be the shapes the model gives the layer', async () => {
    expect(await loadError('keras3_lstm', (j) => { seqConfig(j).layers[3].build_config = { input_shape: [null, 9] }; }))
      .toMatch(/model\.json: layer 3 \('dense'\): build_config\.input_shape is \[null,9\], but the layer's input in this model is \[null,5\]/);
    expect(await loadError('keras3_lstm', (j) => { seqConfig(j).build_input_shape = [null, 9]; })).toMatch(/build_input_shape.*\[null,9\]/);
    const inner = (j: Json) => ((j.modelTopology.model_config as { config: Cfg }).config.layers[2] as unknown as { config: Cfg }).config.layers[2];
    expect(await loadError('keras3_functional', (j) => { inner(j).build_config = { input_shape: [null, 8, 5] }; }))
      .toMatch(/'lstm_3'.*build_config\.input_shape is \[null,8,5\], but the layer's input in this model is \[null,8,4\]/);
  });

  it('an InputLayer first in a Sequential model is checked as in a functional one (sparse, ragged, optional, unknown keys)', async () => {
    const input = (j: Json) => seqConfig(j).layers[0].config;
    expect(await loadError('keras3_lstm', (j) => { input(j).sparse = true; })).toMatch(/layer 0 \(InputLayer 'input_layer'\).*sparse = true is not supported/);
    expect(await loadError('keras3_lstm', (j) => { input(j).ragged = true; })).toMatch(/ragged = true is not supported/);
    expect(await loadError('keras3_lstm', (j) => { input(j).optional = true; })).toMatch(/optional = true is not supported/);
    expect(await loadError('keras2_gru', (j) => { input(j).dtype = 'string'; })).toMatch(/InputLayer 'embedding_1_input'.*dtype must be 'float32' or 'int32'/);
    expect(await loadError('keras2_gru', (j) => { input(j).shape = [8]; })).toMatch(/InputLayer 'embedding_1_input'.*give shape or batch_input_shape, not both/);
    expect(await loadError('keras3_lstm', (j) => { input(j).dtype = 'int32'; })).toBeNull();
  });

  it('custom classes (registered_name) and Keras 3 LoRA layers are refused by name', async () => {
    expect(await loadError('keras3_lstm', (j) => { seqConfig(j).layers[3].registered_name = 'my_pkg>Dense'; }))
      .toMatch(/model\.json: modelTopology: class_name 'Dense' has registered_name 'my_pkg>Dense', a custom class/);
    expect(await loadError('keras3_lstm', (j) => { (seqConfig(j).layers[2].config.kernel_initializer as Record<string, unknown>).registered_name = 'my_pkg>Init'; }))
      .toMatch(/class_name 'GlorotUniform' has registered_name 'my_pkg>Init'/);
    expect(await loadError('keras3_lstm', (j) => { seqConfig(j).layers[3].registered_name = 'keras>ExtractPatches2D'; }))
      .toMatch(/registered_name 'keras>ExtractPatches2D'\) is a Keras class rnnlab does not implement/);
    expect(await loadError('keras3_lstm', (j) => { seqConfig(j).layers[3].config.lora_rank = 4; })).toMatch(/layer 3 \(Dense 'dense'\): lora_rank = 4 is not supported/);
  });

  it('model.json keys outside tfjs\'s load with a warning (tfjs ignores them); graph-model and manifest fields are refused by name', async () => {
    const extra = await loadWarned('keras2_conv1d', (j) => { j.description = 'my model'; });
    expect(extra.warnings).toMatch(/model\.json: not read: 'description' \(not model\.json fields/);
    expect(extra.m.layers.length).toBeGreaterThan(0);
    const { dir, json } = materialize('keras2_conv1d');
    const { weightsManifest, ...rest } = json;
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...rest, weightManifest: weightsManifest }));
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const misspelt = await rl.loadLayersModel(`file://${dir}`).then(() => null, (e: Error) => e.message);
    expect(misspelt).toMatch(/conv1d\/kernel/);
    expect(await loadError('keras2_conv1d', (j) => { j.modelInitializer = { node: [{ name: 'init' }] }; })).toMatch(/modelInitializer belongs to a graph model/);
    expect(await loadError('keras2_conv1d', (j) => { j.signature = { inputs: { x: {} } }; })).toMatch(/signature belongs to a graph model/);
    expect(await loadError('keras2_conv1d', (j) => { j.signature = {}; })).toBeNull();
    expect(await loadError('keras2_conv1d', (j) => { (j.weightsManifest[0] as Record<string, unknown>).chunk = 1; })).toMatch(/weightsManifest\[0\]: 'chunk' is not a weights group field/);
    expect(await loadError('keras2_conv1d', (j) => { (j.weightsManifest[0].weights[0] as Record<string, unknown>).offset = 0; })).toMatch(/weight 'conv1d\/kernel' has 'offset'/);
    const q = (j: Json) => j.weightsManifest[0].weights[0].quantization as Record<string, unknown>;
    expect(await loadError('keras2_lstm', (j) => { q(j).original_dtype = 'float32'; })).toBeNull();
    expect(await loadError('keras2_lstm', (j) => { q(j).original_dtype = 'int32'; })).toMatch(/weight 'dense\/kernel' has quantization\.original_dtype "int32" but dtype "float32"/);
  });

  it('a Keras 3 nested Sequential is numbered from call 0; a nested Functional still from 1', async () => {
    const outputs = (j: Json) => (j.modelTopology.model_config as { config: { output_layers: unknown } }).config;
    // The same file in Keras 2's numbering (call 1) is the same model.
    const k3 = materialize('keras3_nested_sequential');
    const k2 = materialize('keras3_nested_sequential', (j) => { outputs(j).output_layers = [['head', 1, 0]]; });
    const x = rl.tensor(ids, [2, 8]);
    const p3 = ((await rl.loadLayersModel(`file://${k3.dir}`)).predict(x) as rl.Tensor).dataSync();
    expect(((await rl.loadLayersModel(`file://${k2.dir}`)).predict(x) as rl.Tensor).dataSync()).toEqual(p3);
    expect(await loadError('keras3_nested_sequential', (j) => { outputs(j).output_layers = [['head', 2, 0]]; })).toMatch(/output_layers\[0\] refers to a call of 'head' that does not exist/);
    expect(await loadError('keras3_functional', (j) => {
      const concat = (j.modelTopology.model_config as { config: { layers: { inbound_nodes: { args: { config: { keras_history: unknown[] } }[][] }[] }[] } }).config.layers[3];
      concat.inbound_nodes[0].args[0][0].config.keras_history[1] = 0;
    })).toMatch(/refers to call 0 of nested model 'encoder', but files number a nested model's calls from 1/);
  });
});
