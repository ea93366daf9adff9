/** Bad model.json files and weights: each is a ModelFormatError naming the layer, the weight and the shapes. */
import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { ModelFormatError } from '../../src/io/errors.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { expectClean } from './helpers.js';

const root = tempDir('rnnlab-bad-json-');
const good = join(root, 'good');
afterAll(() => removeDir(root));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let base: Json;
beforeAll(async () => {
  rl.setSeed(1);
  const m = rl.sequential({ name: 'small', layers: [
    rl.layers.embedding({ name: 'emb', inputDim: 10, outputDim: 3, inputLength: 4 }),
    rl.layers.lstm({ name: 'lstm', units: 2 }),
    rl.layers.dense({ name: 'out', units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await m.save(good);
  base = JSON.parse(readFileSync(join(good, 'model.json'), 'utf8'));
});

let n = 0;
/** A copy of the good model folder with model.json changed by `edit` (or replaced by raw text). */
function variant(edit: ((j: Json) => void) | string): string {
  const dir = join(root, `v${n++}`);
  cpSync(good, dir, { recursive: true });
  if (typeof edit === 'string') writeFileSync(join(dir, 'model.json'), edit);
  else {
    const j = structuredClone(base);
    edit(j);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
  }
  return dir;
}
const layers = (j: Json) => j.modelTopology.config.layers;
const specs = (j: Json) => j.weightsManifest[0].weights;
const bad = (edit: ((j: Json) => void) | string, message: RegExp) => expectClean(() => rl.loadModel(variant(edit)), ModelFormatError, message);

describe('model.json that is not a model', () => {
  it('missing, empty, not JSON, not an object, a folder without one', async () => {
    await expectClean(() => rl.loadModel(join(root, 'nowhere')), ModelFormatError, /nowhere\/model\.json does not exist/);
    mkdirSync(join(root, 'empty-folder'));
    await expectClean(() => rl.loadModel(`file://${join(root, 'empty-folder')}`), ModelFormatError, /model\.json does not exist/);
    await bad('', /model\.json is empty/);
    await bad('{"modelTopology": {', /is not valid JSON/);
    await bad('[1, 2, 3]', /expected a JSON object, got an array/);
    await bad('"hello"', /expected a JSON object, got the string "hello"/);
    await expectClean(() => rl.loadModel(''), ModelFormatError, /expected a 'file:\/\/DIR' URL or a path/);
  });

  it('graph models, functional models, empty models', async () => {
    await bad((j) => { j.format = 'graph-model'; }, /format "graph-model" is not a Layers model/);
    await bad((j) => { delete j.modelTopology; }, /modelTopology is missing or not an object/);
    await bad((j) => { j.modelTopology.class_name = 'Functional'; }, /config\.input_layers and config\.output_layers must be lists/);
    await bad((j) => { j.modelTopology.class_name = 'GraphNet'; }, /modelTopology is a 'GraphNet'; rnnlab loads Sequential and Functional models/);
    await bad((j) => { j.modelTopology.config.layers = []; }, /the model has no layers/);
    await bad((j) => { j.modelTopology.config = 5; }, /modelTopology\.config must hold the layer list/);
  });
});

describe('layers rnnlab cannot build', () => {
  it('an unknown layer class names the class, its position and what is supported', async () => {
    const e = await bad((j) => { layers(j)[1].class_name = 'GroupQueryAttention'; }, /layer 1: unknown layer class 'GroupQueryAttention'; rnnlab reads /);
    for (const cls of ['Dense', 'LSTM', 'Bidirectional']) expect(e.message).toMatch(new RegExp(`rnnlab reads .*\\b${cls}\\b`));
    await bad((j) => { layers(j).push({ class_name: 'Conv2D', config: { name: 'c2' } }); }, /layer 3: unknown layer class 'Conv2D'/);
    await bad((j) => { layers(j)[0] = 'Embedding'; }, /layer 0: a layer must be an object \{class_name, config\}, got the string "Embedding"/);
    await bad((j) => { delete layers(j)[2].class_name; }, /layer 2: the layer has no class_name/);
    await bad((j) => { layers(j)[2].class_name = 'InputLayer'; }, /layer 2: InputLayer may only come first/);
  });

  it('bad values name the layer and the field', async () => {
    await bad((j) => { layers(j)[2].config.activation = 'sparsemax'; }, /layer 2 \(Dense 'out'\): out: unknown activation 'sparsemax'/);
    await bad((j) => { layers(j)[1].config.units = '2'; }, /layer 1 \(LSTM 'lstm'\): lstm: units must be a positive integer, got the string "2"/);
    await bad((j) => { layers(j)[1].config.units = -2; }, /layer 1 \(LSTM 'lstm'\): lstm: units must be a positive integer, got -2/);
    await bad((j) => { layers(j)[1].config.units = 2.5; }, /units must be a positive integer, got 2.5/);
    await bad((j) => { layers(j)[1].config.return_sequences = 'yes'; }, /return_sequences must be true or false, got the string "yes"/);
    await bad((j) => { layers(j)[1].config.stateful = true; }, /stateful needs a fixed batch size/);
    await bad((j) => { layers(j)[0].config.input_dim = null; }, /missing required field 'input_dim'/);
    await bad((j) => { layers(j)[2].config = [1]; }, /layer 2 \(Dense\): config must be an object, got an array/);
    await bad((j) => { layers(j)[2].config.name = 'a/b'; }, /name must be a non-empty string without '\/'/);
    await bad((j) => { layers(j)[2].config.name = 'lstm'; }, /two layers are named 'lstm'/);
  });

  it('layer options rnnlab does not implement', async () => {
    const conv = (cfg: Json) => (j: Json) => { layers(j).splice(1, 0, { class_name: 'Conv1D', config: { name: 'conv', filters: 3, kernel_size: [2], ...cfg } }); };
    await bad(conv({ padding: 'full' }), /layer 1 \(Conv1D 'conv'\): conv \(Conv1D\): padding must be 'valid', 'same' or 'causal', got 'full'/);
    await bad(conv({ dilation_rate: [2], strides: [2] }), /strides = 2 with dilation_rate = 2 is not supported/);
    await bad(conv({ data_format: 'channels_first' }), /data_format = "channels_first" is not supported/);
    await bad(conv({ kernel_size: [2, 2] }), /kernel_size must be a number or a one-element list, got \[2,2\]/);
    await bad((j) => { layers(j)[1] = { class_name: 'Bidirectional', config: { name: 'bi', merge_mode: null, layer: layers(j)[1] } }; }, /merge_mode null is not supported in a Sequential model/);
    await bad((j) => { layers(j)[1] = { class_name: 'Bidirectional', config: { name: 'bi', layer: layers(j)[2] } }; }, /the wrapped layer must be SimpleRNN, LSTM, GRU or an RNN over cells \(rl\.layers\.rnn\(\{cell\}\)\), got Dense/);
    await bad((j) => { layers(j)[1] = { class_name: 'TimeDistributed', config: { name: 'td', layer: { class_name: 'Nope', config: {} } } }; }, /layer 1 \(TimeDistributed 'td'\): wrapped layer: unknown layer class 'Nope'/);
  });

  it('input shapes: none declared, or impossible for the layers (one on a later layer: test/io/sequential_later_input_shape.test.ts)', async () => {
    await bad((j) => { delete layers(j)[0].config.batch_input_shape; layers(j)[0].config.input_length = null; }, /the first layer \('emb'\) declares no batch_input_shape/);
    await bad((j) => { layers(j)[0].config.batch_input_shape = [null, 0]; }, /batch_input_shape must be a list like \[null, steps, features\]/);
    await bad((j) => { layers(j)[0].config.batch_input_shape = 'big'; }, /batch_input_shape must be a list/);
    await bad((j) => { layers(j).splice(1, 1); layers(j).splice(1, 0, { class_name: 'LSTM', config: { name: 'l2', units: 2 } }); layers(j).unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, 4] } }); layers(j)[1].class_name = 'Dense'; layers(j)[1].config = { name: 'd0', units: 3 }; }, /layer 2 \('l2', LSTM\) cannot take input \[null, 3\]|needs input \(batch, steps, features\)/);
  });
});

describe('weights that do not fit the layers', () => {
  it('a missing weight names it, its shape and its layer', async () => {
    await bad((j) => { specs(j).splice(1, 1); }, /missing weight 'lstm\/kernel' \(shape \[3, 8\]\) for layer 'lstm' \(LSTM\); the weights manifest has: emb\/embeddings, lstm\/recurrent_kernel/);
    await bad((j) => { j.weightsManifest = []; }, /missing weight 'emb\/embeddings' \(shape \[10, 3\]\) .* and 5 more; the weights manifest has: no weights/);
    await bad((j) => { delete j.weightsManifest; }, /missing weight 'emb\/embeddings'/);
  });

  it('a mismatched shape names the weight, both shapes and the layer; nothing large is allocated first', async () => {
    await bad((j) => { specs(j)[4].shape = [3, 1]; }, /weight 'out\/kernel' has shape \[3, 1\] in the weights manifest, but layer 'out' \(Dense\) needs \[2, 1\]/);
    await bad((j) => { layers(j)[1].config.units = 3; }, /weight 'lstm\/kernel' has shape \[3, 8\] in the weights manifest, but layer 'lstm' \(LSTM\) needs \[3, 12\]/);
    // A config asking for a huge layer fails on the shape check, before anything is allocated.
    await bad((j) => { layers(j)[0].config.input_dim = 2e9; }, /weight 'emb\/embeddings' has shape \[10, 3\] in the weights manifest, but layer 'emb' \(Embedding\) needs \[2000000000, 3\]/);
    await bad((j) => { specs(j)[0].shape = [1e6, 1e6]; }, /implausible shape|has shape \[1000000, 1000000\]/);
  });

  it('weights nobody uses, duplicates, bad specs', async () => {
    await bad((j) => { specs(j).push({ name: 'ghost/kernel', shape: [1], dtype: 'float32' }); }, /1 weight\(s\) no layer uses: 'ghost\/kernel'/);
    await bad((j) => { specs(j)[1] = { ...specs(j)[0] }; }, /weight 'emb\/embeddings' appears twice/);
    await bad((j) => { specs(j)[0].dtype = 'string'; }, /weight 'emb\/embeddings' has dtype "string"; rnnlab reads float32, int32 and bool weights/);
    await bad((j) => { specs(j)[0].shape = [10, -3]; }, /weight 'emb\/embeddings' has an invalid shape \[10,-3\]/);
    await bad((j) => { specs(j)[0].quantization = { dtype: 'uint8' }; }, /quantized to uint8 without a finite scale and min/);
    await bad((j) => { specs(j)[0].quantization = { dtype: 'int4' }; }, /unknown quantization/);
    await bad((j) => { j.weightsManifest = { paths: ['weights.bin'] }; }, /weightsManifest must be an array of groups, got an object/);
    await bad((j) => { j.weightsManifest[0].paths = []; }, /paths must be a non-empty array/);
  });

  it('weight files that are missing, truncated, too long, or outside the folder', async () => {
    const missing = variant(() => {});
    rmSync(join(missing, 'weights.bin'));
    await expectClean(() => rl.loadModel(missing), ModelFormatError, /weights file 'weights\.bin' listed in the manifest is missing from/);
    const short = variant(() => {});
    truncateSync(join(short, 'weights.bin'), 40);
    await expectClean(() => rl.loadModel(short), ModelFormatError, /weights group 1 \(weights\.bin\) holds 40 bytes but its manifest describes 324 \(truncated or missing data\)/);
    const long = variant(() => {});
    appendFileSync(join(long, 'weights.bin'), Buffer.alloc(8));
    await expectClean(() => rl.loadModel(long), ModelFormatError, /holds 332 bytes .* \(more bytes than the manifest describes\)/);
    await bad((j) => { j.weightsManifest[0].paths = ['../good/weights.bin']; }, /weights path '\.\.\/good\/weights\.bin' must be a plain relative path inside the model folder/);
    await bad((j) => { j.weightsManifest[0].paths = ['/etc/passwd']; }, /must be a plain relative path/);
  });
});

describe('training configs rnnlab cannot compile', () => {
  it('unknown optimizer, loss or metric, with a way out', async () => {
    const e = await bad((j) => { j.trainingConfig.optimizer_config.class_name = 'Lion'; }, /unknown optimizer 'Lion' \(rnnlab has .*Nadam.*SGD\); load with \{compile: false\}/);
    expect(e.name).toBe('ModelFormatError');
    const dir = variant((j) => { j.trainingConfig.optimizer_config.class_name = 'Lion'; });
    expect((await rl.loadModel(dir, { compile: false })).countParams()).toBe(30 + 48 + 3);
    await bad((j) => { j.trainingConfig.loss = 'tversky'; }, /unknown loss 'tversky'/);
    await bad((j) => { j.trainingConfig.metrics = ['f1']; }, /trainingConfig.metrics: unknown metric 'f1'; use one of accuracy.*load with \{compile: false\}/);
    await bad((j) => { j.trainingConfig.optimizer_config.config.learning_rate = { class_name: 'ExponentialDecay' }; }, /optimizer Adam: learningRate: the ExponentialDecay schedule's config must be an object/);
    await bad((j) => { j.trainingConfig.optimizer_config.config.learning_rate = -1; }, /Adam: learning_rate must be a finite number >= 0, got -1/);
    await bad((j) => { j.trainingConfig = 'adam'; }, /trainingConfig must be an object/);
  });
});

describe('loading a good model next to bad ones still works', () => {
  it('the untouched folder loads', async () => {
    const m = await rl.loadModel(good);
    expect(m.layers.map((l) => l.name)).toEqual(['emb', 'lstm', 'out']);
  });
});
