/**
 * evaluate on a model saved by `rnnlab imdb` checks its rnnlab-input.json as predict does (a damaged file, a vocab
 * beyond the Embedding: a data error naming the file and field), and a damaged model folder is a data error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { INPUT_FILE, saveImdbModel } from '../../src/experiments/model_store.js';
import * as rl from '../../src/index.js';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(cleanup);

let root = '';
let modelDir = '';
let data = '';
let good = '';

beforeAll(async () => {
  root = tempDir();
  modelDir = path.join(root, 'model');
  rl.setSeed(3);
  const model = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 30, outputDim: 2, inputLength: 6 }), rl.layers.lstm({ units: 2 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  await saveImdbModel(modelDir, model, 'lstm', { vocab: 30, maxlen: 6 }, { testAccuracy: 0.5 });
  good = readFileSync(path.join(modelDir, INPUT_FILE), 'utf8');
  data = path.join(root, 'reviews.csv');
  writeFileSync(data, 'text,label\na good film,positive\na bad film,negative\nfine,positive\n');
});

async function evaluateWith(inputJson: string) {
  writeFileSync(path.join(modelDir, INPUT_FILE), inputJson);
  const out = path.join(root, `eval-${Math.random().toString(36).slice(2)}`);
  return { r: await run(['evaluate', '--model', modelDir, '--data', data, '--out', out]), out };
}

describe('rnnlab evaluate on an imdb model folder', () => {
  it('scores it when rnnlab-input.json is sound', async () => {
    const { r } = await evaluateWith(good);
    expect(r.code, r.err).toBe(0);
  });

  it('refuses a damaged rnnlab-input.json, naming the file', async () => {
    const { r } = await evaluateWith('{x');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rnnlab evaluate: data error: .*rnnlab-input\.json: not valid JSON/);
  });

  it("refuses a vocab beyond the model's Embedding, naming the field, instead of scoring wrong ids", async () => {
    const { r } = await evaluateWith(JSON.stringify({ ...JSON.parse(good), vocab: 31 }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/data error: .*rnnlab-input\.json: field 'vocab' must be an integer from 4 to 30, got 31/);
  });

  it('a damaged model.json is a data error naming it', async () => {
    const broken = path.join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'model.json'), '{"modelTopology": 3');
    const r = await run(['predict', '--model', broken, 'a good film']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rnnlab predict: data error: .*model\.json/);
  });
});

describe('list flags', () => {
  it.each([['lstm,'], ['lstm,,gru'], [',lstm']])("refuse an empty item in --models '%s'", async (models) => {
    const r = await run(['compare', '--models', models, '--out', path.join(tempDir(), 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--models has an empty item \(a comma with no name after or before it\)/);
  });
});
