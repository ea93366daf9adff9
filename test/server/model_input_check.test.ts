/**
 * A run folder whose results.json disagrees with the model saved in it: an IMDb model is fed as its
 * rnnlab-input.json says (as `rnnlab predict` feeds it), and otherwise the record is held to the model's input shape,
 * a disagreement being a 422 naming the run, the field and both values, never an internal error.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { additionModel, imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import type { Sequential } from '../../src/models/sequential.js';
import { writeRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { post, startTestServer, tempDir, type TestServer } from './helpers.js';

let s: TestServer;
const runsDir = tempDir();

/** A completed run folder `id` whose record says `config`, with `model` saved in it (by `save`). */
async function runFolder(id: string, command: string, config: Record<string, unknown>, model: Sequential, save: (dir: string) => Promise<unknown>): Promise<void> {
  const dir = join(runsDir, id);
  mkdirSync(dir);
  await save(join(dir, 'model'));
  const start = startRecord({ command, argv: [], source: 'cli', runName: id, startedAt: new Date(), config });
  writeRecord(dir, finishRecord(start, { config, data: null, models: [{ name: 'm', params: model.countParams(), history: {}, secondsPerEpoch: [] }], metrics: {}, finding: '' }));
}

const sizes = { vocab: 100, maxlen: 20, units: 4, embeddingDim: 4 };

beforeAll(async () => {
  const lstm = imdbModel('lstm', sizes);
  const saveLstm = (dir: string) => saveImdbModel(dir, lstm, 'lstm', sizes, {});
  await runFolder('imdb-true', 'imdb', { model: 'lstm', vocab: 100, maxlen: 20 }, lstm, saveLstm);
  await runFolder('imdb-bigvocab', 'imdb', { model: 'lstm', vocab: 10000, maxlen: 20 }, lstm, saveLstm);
  await runFolder('imdb-maxlen', 'imdb', { model: 'lstm', vocab: 100, maxlen: 500 }, lstm, saveLstm);
  const compiled = imdbModel('lstm', sizes);
  compiled.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const saveCompiled = (dir: string) => saveImdbModel(dir, compiled, 'lstm', sizes, {});
  await runFolder('compiled-true', 'imdb', { model: 'lstm', vocab: 100, maxlen: 20 }, compiled, saveCompiled);
  await runFolder('compiled-maxlen', 'imdb', { model: 'lstm', vocab: 100, maxlen: 500 }, compiled, saveCompiled);
  // A model saved elsewhere (no rnnlab-input.json): the record alone says how to feed it, and is checked.
  for (const [id, config] of [['bare-maxlen', { model: 'lstm', vocab: 100, maxlen: 500 }], ['bare-vocab', { model: 'lstm', vocab: 10000, maxlen: 20 }]] as const) {
    await runFolder(id, 'imdb', config, lstm, (dir) => lstm.save(`file://${dir}`));
  }
  // An rnnlab-input.json that disagrees with its own model is refused by name.
  cpSync(join(runsDir, 'imdb-true'), join(runsDir, 'bad-spec'), { recursive: true });
  writeFileSync(join(runsDir, 'bad-spec', 'model', 'rnnlab-input.json'), JSON.stringify({
    format: 'rnnlab-imdb-input', version: 1, model: 'lstm', vocab: 100, maxlen: 30, indexFrom: 3, startChar: 1, oovChar: 2, padding: 'pre', truncating: 'pre',
  }));
  const adder = additionModel({ digits: 1, hidden: 4, rnn: 'lstm' });
  await runFolder('sum-digits', 'addition', { rnn: 'lstm', digits: 3, reverse: false }, adder, (dir) => adder.save(`file://${dir}`));
  s = await startTestServer({ runsDir });
}, 60_000);
afterAll(async () => {
  await s?.close();
  rmSync(runsDir, { recursive: true, force: true });
});

const review = 'the movie was great and the acting was good';

describe("an IMDb run's record that disagrees with its saved model", () => {
  it('is fed as rnnlab-input.json says, exactly as a run whose record agrees', async () => {
    const truth = await post(s.base, '/api/predict/sentiment', { model: 'imdb-true', text: review });
    expect(truth.status, truth.text).toBe(200);
    expect(truth.body.maxlen).toBe(20);
    for (const model of ['imdb-bigvocab', 'imdb-maxlen']) {
      const r = await post(s.base, '/api/predict/sentiment', { model, text: review });
      expect(r.status, r.text).toBe(200);
      expect({ ...r.body, model: null }).toEqual({ ...truth.body, model: null });
      const states = await post(s.base, '/api/inspect/states', { model, text: review });
      expect(states.status, states.text).toBe(200);
    }
  });

  it('measures gradients as fed by rnnlab-input.json, and refuses a model saved without a loss by name', async () => {
    const truth = await post(s.base, '/api/inspect/gradients', { models: ['compiled-true'], text: review });
    expect(truth.status, truth.text).toBe(200);
    const r = await post(s.base, '/api/inspect/gradients', { models: ['compiled-maxlen'], text: review });
    expect(r.status, r.text).toBe(200);
    expect(r.body.series[0].norms).toHaveLength(20);
    expect(r.body.series[0].norms).toEqual(truth.body.series[0].norms);
    const uncompiled = await post(s.base, '/api/inspect/gradients', { models: ['imdb-true'], text: review });
    expect([uncompiled.status, uncompiled.body.error]).toEqual([422,
      "model 'imdb-true' was saved without a loss (it was never compiled), so d loss / d h_t cannot be measured on it"]);
  });

  it('without rnnlab-input.json, is a 422 naming the run, the field and both values', async () => {
    const maxlen = await post(s.base, '/api/predict/sentiment', { model: 'bare-maxlen', text: review });
    expect([maxlen.status, maxlen.body.error]).toEqual([422,
      "the model saved in run 'bare-maxlen' cannot be used: results.json says maxlen 500, but the model reads 20 ids per review (and the model has no rnnlab-input.json)"]);
    const vocab = await post(s.base, '/api/inspect/states', { model: 'bare-vocab', text: review });
    expect([vocab.status, vocab.body.error]).toEqual([422,
      "the model saved in run 'bare-vocab' cannot be used: results.json says vocab 10000, but the model's Embedding has rows for ids below 100 only (and the model has no rnnlab-input.json)"]);
  });

  it('with an rnnlab-input.json that disagrees with the model, is a 422 naming the file and the field', async () => {
    const r = await post(s.base, '/api/predict/sentiment', { model: 'bad-spec', text: review });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatch(/^the model saved in run 'bad-spec' cannot be used: \S*bad-spec\/model\/rnnlab-input\.json: field 'maxlen' must be an integer from 20 to 20, got 30$/);
  });
});

describe("an addition run's record that disagrees with its saved model", () => {
  it('is a 422 for every request that would feed it, naming the digits and both query lengths', async () => {
    const why = "the model saved in run 'sum-digits' cannot be used: results.json says digits 3 (queries of 7 characters), but the model reads queries of 3 characters (1 digit)";
    for (const [route, body] of [
      ['/api/predict/sum', { model: 'sum-digits', query: '1+2' }],
      ['/api/inspect/states', { model: 'sum-digits', query: '1+2' }],
      ['/api/inspect/commutativity', { model: 'sum-digits', a: 1, b: 2 }],
    ] as const) {
      const r = await post(s.base, route, body);
      expect([r.status, r.body.error], route).toEqual([422, why]);
    }
  });
});
