/** "Try it" and "Inside the network": predictions, hidden states, gradients, commutativity; good and bad inputs. */
import { cpSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { finished, get, imdbDataPath, post, startTestServer, useTestServer } from './helpers.js';

const s = useTestServer();
let sumModel = '';
let reversedModel = '';
let imdbModel = '';
const hasImdb = imdbDataPath() !== undefined;

beforeAll(async () => {
  const jobs = [
    (await post(s.base, '/api/jobs', { task: 'addition', digits: 3, trainingSize: 400, hidden: 12, epochs: 1, batchSize: 64, name: 'sum' })).body.job,
    (await post(s.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 200, hidden: 8, epochs: 1, batchSize: 64, reverse: true, rnn: 'gru', name: 'sum-rev' })).body.job,
  ];
  if (hasImdb) jobs.push((await post(s.base, '/api/jobs', { task: 'imdb', model: 'lstm', limit: 64, epochs: 1, maxlen: 40, units: 8, embeddingDim: 8, batchSize: 32, name: 'senti' })).body.job);
  const done = await Promise.all(jobs.map((j) => finished(s.base, j.id)));
  for (const d of done) expect(d.status, d.error ?? '').toBe('completed');
  [sumModel, reversedModel] = [done[0].runId, done[1].runId];
  if (hasImdb) imdbModel = done[2].runId;
});


describe('GET /api/models', () => {
  it('lists the trained models and the untrained reference networks', async () => {
    const r = await get(s.base, '/api/models');
    expect(r.status).toBe(200);
    const ids = r.body.models.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining([sumModel, reversedModel, 'fresh:simple_rnn', 'fresh:lstm']));
    const rev = r.body.models.find((m: { id: string }) => m.id === reversedModel);
    expect(rev.meta).toEqual({ task: 'addition', kind: 'gru', digits: 2, reverse: true });
  });
});

describe('POST /api/predict/sum', () => {
  it('answers with the decoded sum and a probability for every character at every output position', async () => {
    const r = await post(s.base, '/api/predict/sum', { model: sumModel, query: '231+432' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ question: '231+432', modelInput: '231+432', expected: '663', reversed: false });
    expect(typeof r.body.answer).toBe('string');
    expect(r.body.correct).toBe(r.body.answer === '663');
    expect(r.body.positions).toHaveLength(4);
    expect(r.body.chars).toEqual([' ', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const p of r.body.positions) {
      expect(p.probs).toHaveLength(12);
      const total = p.probs.reduce((a: number, q: { p: number }) => a + q.p, 0);
      expect(total).toBeCloseTo(1, 2);
      expect(p.probs[0].char).toBe(p.char);
      expect(p.probability).toBe(p.probs[0].p);
    }
  });

  it('feeds a reversed model the reversed, padded query', async () => {
    const r = await post(s.base, '/api/predict/sum', { model: reversedModel, query: ' 7 + 05 ' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ question: '7+5', modelInput: '  5+7', reversed: true, expected: '12' });
    expect(r.body.positions).toHaveLength(3);
  });

  it('a run folder trained again, moved away or removed is not answered from the model loaded before', async () => {
    const swap = join(s.runsDir, 'swap');
    cpSync(join(s.runsDir, sumModel), swap, { recursive: true });
    const first = await post(s.base, '/api/predict/sum', { model: 'swap', query: '7+5' });
    expect(first.body).toMatchObject({ modelInput: '7+5    ', reversed: false });
    // The same folder now holds the reversed 2-digit GRU's run (as `--out swap` trained again would leave it).
    rmSync(swap, { recursive: true });
    cpSync(join(s.runsDir, reversedModel), swap, { recursive: true });
    const second = await post(s.base, '/api/predict/sum', { model: 'swap', query: '7+5' });
    expect(second.body).toMatchObject({ modelInput: '  5+7', reversed: true });
    renameSync(swap, join(s.runsDir, '.moved-away'));
    const gone = await post(s.base, '/api/predict/sum', { model: 'swap', query: '7+5' });
    expect(gone.status).toBe(404);
  });

  const bad: [string, Record<string, unknown>, number, RegExp][] = [
    ['not a sum', { query: '12*3' }, 400, /not a sum/],
    ['too many digits', { query: '1234+1' }, 400, /more than 3 digits/],
    ['negative numbers', { query: '-1+2' }, 400, /not a sum/],
    ['empty', { query: '   ' }, 400, /must not be empty/],
    ['query not a string', { query: 12 }, 400, /query must be a string/],
    ['query too long', { query: '1'.repeat(41) }, 400, /limit is 40/],
    ['no model', { model: undefined, query: '1+1' }, 400, /model is required/],
    ['unknown model', { model: 'nope', query: '1+1' }, 404, /no trained model 'nope'/],
    ['extra field', { query: '1+1', temperature: 2 }, 400, /unknown field/],
  ];
  for (const [what, body, status, message] of bad) {
    it(`rejects ${what}`, async () => {
      const r = await post(s.base, '/api/predict/sum', { model: sumModel, ...body });
      expect(r.status).toBe(status);
      expect(r.body.error).toMatch(message);
    });
  }

  it('rejects a sentiment model for sums and the other way round', async () => {
    const r = await post(s.base, '/api/predict/sum', { model: 'fresh:lstm', query: '1+1' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/IMDb sentiment model; this needs an addition model/);
    const r2 = await post(s.base, '/api/predict/sentiment', { model: sumModel, text: 'great' });
    expect(r2.status).toBe(400);
    expect(r2.body.error).toMatch(/addition model; this needs an IMDb sentiment model/);
  });
});

describe('POST /api/predict/sentiment', () => {
  it('gives the sentiment and the output after every word the model reads', async () => {
    const model = hasImdb ? imdbModel : 'fresh:lstm';
    const r = await post(s.base, '/api/predict/sentiment', { model, text: 'A truly wonderful film. Qwzxv! I loved it.' });
    expect(r.status).toBe(200);
    expect(['positive', 'negative']).toContain(r.body.label);
    expect(r.body.probability).toBeGreaterThan(0);
    expect(r.body.probability).toBeLessThan(1);
    expect(r.body.tokens.map((t: { word: string }) => t.word)).toEqual(['<start>', 'a', 'truly', 'wonderful', 'film', 'qwzxv', 'i', 'loved', 'it']);
    const unknown = r.body.tokens.find((t: { word: string }) => t.word === 'qwzxv');
    expect(unknown).toMatchObject({ kind: 'unknown', id: null, p: null });
    expect(r.body).toMatchObject({ known: 7, skipped: 1 });
    // The last step's output is the prediction for the whole review.
    const last = r.body.tokens.filter((t: { p: number | null }) => t.p !== null).at(-1);
    expect(last.p).toBeCloseTo(r.body.probability, 3);
    expect(r.body.method).toMatch(/hidden state after each word/);
  });

  it('marks words outside the model vocabulary as rare (read as the OOV id)', async () => {
    const r = await post(s.base, '/api/predict/sentiment', { model: 'fresh:simple_rnn', text: 'the cinematographer' });
    expect(r.status).toBe(200);
    expect(r.body.tokens[2]).toMatchObject({ word: 'cinematographer', kind: expect.stringMatching(/word|rare/) });
  });

  it('reads only the last maxlen ids of a long review, as Keras truncates (pre), and marks the words cut off', async () => {
    const text = `${'awful '.repeat(10)}${'good '.repeat(199)}`;
    const r = await post(s.base, '/api/predict/sentiment', { model: 'fresh:lstm', text });
    expect(r.status).toBe(200);
    // 1 start marker + 209 words = 210 ids; the first 10 (start marker and 9 of the 'awful's) are cut.
    expect(r.body.truncated).toBe(10);
    const kinds = r.body.tokens.map((t: { kind: string }) => t.kind);
    expect(kinds.slice(0, 10)).toEqual(new Array(10).fill('truncated'));
    expect(r.body.tokens[10]).toMatchObject({ word: 'awful', kind: expect.stringMatching(/word|rare/) });
    const read = r.body.tokens.filter((t: { p: number | null }) => t.p !== null);
    expect(read).toHaveLength(200);
    // The same prediction as for the review without its cut-off front.
    const tail = await post(s.base, '/api/predict/sentiment', { model: 'fresh:lstm', text: `awful ${'good '.repeat(199)}` });
    expect(tail.body.probability).toBeCloseTo(r.body.probability, 5);
  });

  it('rejects over-long texts, empty texts and texts without known words', async () => {
    const huge = await post(s.base, '/api/predict/sentiment', { model: 'fresh:lstm', text: 'a'.repeat(20001) });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(/limit is 20000/);
    const empty = await post(s.base, '/api/predict/sentiment', { model: 'fresh:lstm', text: '' });
    expect(empty.status).toBe(400);
    const none = await post(s.base, '/api/predict/sentiment', { model: 'fresh:lstm', text: 'qwzxv zzqq' });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/no word the model knows/);
    const unknown = await post(s.base, '/api/predict/sentiment', { model: 'fresh:transformer', text: 'good' });
    expect(unknown.status).toBe(404);
  });
});

describe('POST /api/inspect/states', () => {
  it('returns an LSTM\'s hidden states and its input, forget and output gates over time', async () => {
    const model = hasImdb ? imdbModel : 'fresh:lstm';
    const r = await post(s.base, '/api/inspect/states', { model, text: 'great acting' });
    expect(r.status).toBe(200);
    const [layer] = r.body.layers;
    expect(layer.className).toBe('LSTM');
    expect(layer.steps).toEqual(['<start>', 'great', 'acting']);
    expect(layer.hidden).toHaveLength(3);
    expect(layer.hidden[0]).toHaveLength(layer.units);
    expect(Object.keys(layer.gates).sort()).toEqual(['candidate', 'forget', 'input', 'output']);
    for (const g of ['input', 'forget', 'output']) {
      for (const row of layer.gates[g]) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
    }
    const padded = await post(s.base, '/api/inspect/states', { model, text: 'great acting', includePadding: true });
    expect(padded.body.layers[0].steps.length).toBe(hasImdb ? 40 : 200);
    expect(padded.body.layers[0].steps[0]).toBe('<pad>');
  });

  it('traces the encoder and decoder of an addition model', async () => {
    const r = await post(s.base, '/api/inspect/states', { model: sumModel, query: '12+5' });
    expect(r.status).toBe(200);
    expect(r.body.modelInput).toBe('12+5   ');
    expect(r.body.layers.map((l: { steps: string[] }) => l.steps)).toEqual([['1', '2', '+', '5', '␣', '␣', '␣'], ['out 1', 'out 2', 'out 3', 'out 4']]);
  });

  it('rejects inputs that do not fit the model', async () => {
    expect((await post(s.base, '/api/inspect/states', { model: sumModel, text: 'hello' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/states', { model: 'fresh:lstm', query: '1+1' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/states', { model: sumModel, query: '1+1', includePadding: 'yes' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/states', { query: '1+1' })).status).toBe(400);
  });

  it("refuses, by name, a field for the other kind of model rather than ignoring it", async () => {
    const imdb = await post(s.base, '/api/inspect/states', { model: 'fresh:lstm', text: 'great', query: '1+1' });
    expect([imdb.status, imdb.body.error]).toEqual([400, "model 'fresh:lstm' reads reviews: query is for addition models (send text only)"]);
    const sum = await post(s.base, '/api/inspect/states', { model: sumModel, query: '1+1', text: 'great', includePadding: true });
    expect([sum.status, sum.body.error]).toEqual([400, `model '${sumModel}' adds numbers: text and includePadding are for IMDb models (send query only)`]);
    const padding = await post(s.base, '/api/inspect/states', { model: sumModel, query: '1+1', includePadding: false });
    expect(padding.body.error).toBe(`model '${sumModel}' adds numbers: includePadding is for IMDb models (send query only)`);
  });
});

describe('POST /api/inspect/gradients', () => {
  it('measures ||dL/dh_t|| for every step of a SimpleRNN and an LSTM on a typed review', async () => {
    const r = await post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn', 'fresh:lstm'], text: 'a dull and boring film', label: 'negative' });
    expect(r.status).toBe(200);
    expect(r.body.source).toBe('text');
    expect(r.body.series.map((x: { className: string }) => x.className)).toEqual(['SimpleRNN', 'LSTM']);
    for (const ser of r.body.series) {
      expect(ser.norms).toHaveLength(200);
      expect(ser.samples).toBe(1);
      for (const v of ser.norms) expect(v).toBeGreaterThanOrEqual(0);
    }
    const rnn = r.body.series[0].norms;
    // Vanishing: the gradient that reaches the first step is far smaller than at the last.
    expect(rnn[0]).toBeLessThan(rnn[199]);
    const [srnn, lstm] = r.body.series;
    expect(srnn.cellNorms).toBeUndefined();
    expect(lstm.cellNorms).toHaveLength(200);
    expect(lstm.inputNorms).toHaveLength(200);
    // At initialisation the forget gates (about 0.73) shrink the cell-state gradient with distance from the end.
    expect(lstm.cellNorms[0]).toBeLessThan(lstm.cellNorms[199]);
    expect(lstm.inputNorms[199]).toBeGreaterThan(0);
  });

  it('POST /api/inspect/long-range: the trained LSTM keeps the gradient that reaches step 1; the SimpleRNN does not', async () => {
    const r = await post(s.base, '/api/inspect/long-range', {});
    expect(r.status).toBe(200);
    expect(r.body.steps).toBe(50);
    const [srnn, lstm] = r.body.runs;
    expect([srnn.className, lstm.className]).toEqual(['SimpleRNN', 'LSTM']);
    expect(lstm.accuracy).toBeGreaterThan(0.9);
    expect(srnn.accuracy).toBeLessThan(0.6);
    const first = (v: number[]) => v[0] / v[49];
    expect(first(lstm.trained.x)).toBeGreaterThan(100 * first(lstm.initial.x));
    expect(first(lstm.trained.c)).toBeGreaterThan(first(lstm.initial.c));
    expect(srnn.trained.c).toBeNull();
    expect((await post(s.base, '/api/inspect/long-range', { epochs: 3 })).status).toBe(400);
  });

  it.runIf(hasImdb)('on the first IMDb test reviews', async () => {
    const r = await post(s.base, '/api/inspect/gradients', { models: [imdbModel], samples: 8 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ source: 'test', samples: 8 });
    expect(r.body.series[0].norms).toHaveLength(40);
  });

  it('rejects bad requests', async () => {
    expect((await post(s.base, '/api/inspect/gradients', { models: ['nope'] })).status).toBe(404);
    expect((await post(s.base, '/api/inspect/gradients', { models: [sumModel], text: 'good' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/gradients', { models: [], text: 'good' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/gradients', { models: 'fresh:lstm' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/gradients', { models: ['fresh:lstm', 'x'.repeat(201)], text: 'good' })).body.error).toBe('models[1] is 201 characters long; the limit is 200');
    expect((await post(s.base, '/api/inspect/gradients', { source: 'text' })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/gradients', { samples: 0 })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/gradients', { samples: 1000 })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/gradients', { text: 'good', label: 'meh' })).status).toBe(400);
  });

  it("refuses the other source's fields by name rather than ignoring them", async () => {
    const samples = await post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], text: 'a good film', samples: 200 });
    expect([samples.status, samples.body.error]).toEqual([400, "samples is the number of test reviews of source 'test'; source 'text' measures the one text sent"]);
    const text = await post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], source: 'test', text: 'a good film', label: 'negative' });
    expect([text.status, text.body.error]).toEqual([400, "text and label are for source 'text'; source 'test' measures test reviews with their own labels"]);
    const label = await post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], label: 'negative' });
    expect(label.body.error).toBe("label is for source 'text'; source 'test' measures test reviews with their own labels");
  });
});

describe('POST /api/inspect/commutativity', () => {
  it('compares the hidden states of a+b and b+a, with baselines', async () => {
    const r = await post(s.base, '/api/inspect/commutativity', { model: sumModel, a: 231, b: 432 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ a: 231, b: 432, queries: ['231+432', '432+231'], expected: '663' });
    expect(r.body.answers).toHaveLength(2);
    expect(r.body.encoderFinal).toBeGreaterThanOrEqual(-1);
    expect(r.body.encoderFinal).toBeLessThanOrEqual(1);
    expect(r.body.baselines.randomPairs).toBe(100);
    expect(r.body.baselines.sameSumPairs).toBeGreaterThan(0);
    const enc = r.body.layers[0];
    expect(enc.matrix).toHaveLength(7);
    expect(enc.matrix[0]).toHaveLength(7);
    expect(enc.final).toBe(r.body.encoderFinal);
    const byQuery = await post(s.base, '/api/inspect/commutativity', { model: sumModel, query: '231+432' });
    expect(byQuery.body.encoderFinal).toBe(r.body.encoderFinal);
  });

  it('rejects bad requests', async () => {
    expect((await post(s.base, '/api/inspect/commutativity', { model: sumModel, a: 1234, b: 1 })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/commutativity', { model: sumModel, a: 1 })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/commutativity', { model: sumModel, a: -1, b: 2 })).status).toBe(400);
    expect((await post(s.base, '/api/inspect/commutativity', { model: 'fresh:lstm', a: 1, b: 2 })).status).toBe(400);
    // Both forms at once: which one counts would be a guess.
    const both = await post(s.base, '/api/inspect/commutativity', { model: sumModel, query: '1+2', a: 7, b: 8 });
    expect([both.status, both.body.error]).toEqual([400, 'send query ("231+432") or both a and b, not both forms']);
  });
});

describe('models saved in run folders', () => {
  it('are loaded by a new server from the runs folder', async () => {
    const t = await startTestServer({ runsDir: s.runsDir });
    try {
      const models = (await get(t.base, '/api/models')).body.models;
      const disk = models.filter((m: { source: string }) => m.source === 'disk').map((m: { id: string }) => m.id);
      expect(disk).toEqual(expect.arrayContaining([sumModel, reversedModel, ...(hasImdb ? [imdbModel] : [])]));
      const a = await post(s.base, '/api/predict/sum', { model: sumModel, query: '12+34' });
      const b = await post(t.base, '/api/predict/sum', { model: sumModel, query: '12+34' });
      expect(b.status).toBe(200);
      expect(b.body.positions).toEqual(a.body.positions);
      if (hasImdb) {
        const x = await post(s.base, '/api/predict/sentiment', { model: imdbModel, text: 'great film' });
        const y = await post(t.base, '/api/predict/sentiment', { model: imdbModel, text: 'great film' });
        expect(y.body.probability).toBeCloseTo(x.body.probability, 4);
      }
    } finally {
      await t.close();
    }
  });
});
