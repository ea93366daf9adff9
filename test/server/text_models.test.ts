/**
 * `rnnlab train` runs in the dashboard: listed by GET /api/models as text classifiers, predicted with through
 * POST /api/predict/text exactly as `rnnlab predict --model RUN --format jsonl` prints them, refused by the lab's
 * routes with a pointer to it; and a seq2seq run's model is named as one, with `rnnlab translate` to decode.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MAX_TEXT_CHARS, MAX_TEXTS } from '../../src/server/inference.js';
import { get, post, startTestServer, tempDir, useTestServer } from './helpers.js';

async function cli(argv: string[]): Promise<string> {
  let out = '', err = '';
  const code = await main(argv, { out: { write: (s: string) => { out += s; return true; } }, err: { write: (s: string) => { err += s; return true; } } });
  expect(code, err).toBe(0);
  return out;
}

const FAST = ['--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6', '--threads', '1'];
const TEXTS = ['a great and lovely film', 'dull awful boring mess', '', 'so so, fine I guess', 'qwzxv'];

const s = useTestServer();
let data: string;

function csv(rows: [string, string][]): string {
  const f = join(tempDir('rnnlab-text-data-'), 'data.csv');
  writeFileSync(f, `text,label\n${rows.map(([t, l]) => `"${t}",${l}`).join('\n')}\n`);
  return f;
}

const threeClass = () => csv(Array.from({ length: 24 }, (_, i) => {
  const [words, label] = [['great lovely fine', 'pos'], ['awful dull bad', 'neg'], ['so so okay', 'meh']][i % 3];
  return [`${words} film ${i}`, label] as [string, string];
}));
const twoClass = () => csv(Array.from({ length: 16 }, (_, i) => [i % 2 ? `great film ${i}` : `bad film ${i}`, i % 2 ? 'yes' : 'no'] as [string, string]));

beforeAll(async () => {
  data = threeClass();
  await cli(['train', '--data', data, '--model', 'gru', ...FAST, '--out', join(s.runsDir, 'mine')]);
  await cli(['train', '--data', twoClass(), '--model', 'lstm', ...FAST, '--out', join(s.runsDir, 'binary')]);
}, 120_000);


/** What `rnnlab predict --model RUN --format jsonl` prints for the texts, one record per text. */
async function predictJsonl(run: string, texts: string[]) {
  const out = await cli(['predict', '--model', join(s.runsDir, run), '--format', 'jsonl', '--', ...texts]);
  return out.trimEnd().split('\n').map((l) => JSON.parse(l));
}

describe('GET /api/models', () => {
  it('lists a rnnlab train run as a text model with its kind, classes and validation accuracy', async () => {
    const r = await get(s.base, '/api/models');
    expect(r.status).toBe(200);
    const mine = r.body.models.find((m: { id: string }) => m.id === 'mine');
    expect(mine).toMatchObject({ source: 'disk', meta: { task: 'text', kind: 'gru', classes: ['meh', 'neg', 'pos'], maxlen: 6 } });
    expect(mine.label).toBe('mine (text gru: meh, neg, pos)');
    expect(typeof mine.accuracy).toBe('number');
    expect(r.body.models.find((m: { id: string }) => m.id === 'binary').meta).toEqual({ task: 'text', kind: 'lstm', classes: ['no', 'yes'], maxlen: 6 });
  });
});

describe('POST /api/predict/text', () => {
  it.each(['mine', 'binary'])('answers %s with the records rnnlab predict --format jsonl prints for the same texts', async (run) => {
    const r = await post(s.base, '/api/predict/text', { model: run, texts: TEXTS });
    expect(r.status, r.text).toBe(200);
    expect(r.body.model).toBe(run);
    expect(r.body.predictions).toEqual(await predictJsonl(run, TEXTS));
    // Every scored text has every class's probability, summing to 1; the blank one is an empty record in its place.
    expect(r.body.classes).toHaveLength(run === 'mine' ? 3 : 2);
    for (const p of r.body.predictions.filter((x: { label: string | null }) => x.label !== null)) {
      expect(Object.keys(p.probabilities)).toEqual(r.body.classes);
      expect(Object.values(p.probabilities as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.probability).toBe(Math.max(...Object.values(p.probabilities as Record<string, number>)));
    }
    expect(r.body.predictions[2]).toMatchObject({ index: 2, text: '', label: null, probability: null, probabilities: {} });
  });

  it('scores one text given as text', async () => {
    const r = await post(s.base, '/api/predict/text', { model: 'mine', text: TEXTS[0] });
    expect(r.status).toBe(200);
    expect(r.body.predictions).toEqual(await predictJsonl('mine', [TEXTS[0]]));
  });

  it.each([
    ['no text', { model: 'mine' }, /text is required/],
    ['a blank text', { model: 'mine', text: '  ' }, /text must not be empty/],
    ['both text and texts', { model: 'mine', text: 'a', texts: ['b'] }, /send text \(one text\) or texts \(a list\), not both/],
    ['an empty list', { model: 'mine', texts: [] }, new RegExp(`texts must hold from 1 to ${MAX_TEXTS} texts`)],
    ['too many texts', { model: 'mine', texts: Array(MAX_TEXTS + 1).fill('a') }, new RegExp(`texts has ${MAX_TEXTS + 1} entries; the limit is ${MAX_TEXTS}`)],
    ['a text too long', { model: 'mine', texts: ['a', 'b'.repeat(MAX_TEXT_CHARS + 1)] }, new RegExp(`texts\\[1\\] is ${MAX_TEXT_CHARS + 1} characters long`)],
    ['texts not strings', { model: 'mine', texts: [1] }, /texts must be an array of strings/],
    ['an unknown field', { model: 'mine', text: 'a', topK: 2 }, /unknown field in the request: topK/],
    ['an IMDb model', { model: 'fresh:lstm', text: 'a' }, /is an IMDb sentiment model; this needs a text classifier \(rnnlab train\): predict with it through POST \/api\/predict\/sentiment/],
  ])('refuses %s with a 400 naming it', async (_, body, message) => {
    const r = await post(s.base, '/api/predict/text', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
  });

  it('answers an unknown model with 404', async () => {
    const r = await post(s.base, '/api/predict/text', { model: 'nope', text: 'a' });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/no trained model 'nope'/);
  });

  it('a run trained again into the same folder is answered from its new model', async () => {
    await cli(['train', '--data', data, '--model', 'gru', ...FAST, '--out', join(s.runsDir, 'again')]);
    const before = await post(s.base, '/api/predict/text', { model: 'again', text: TEXTS[0] });
    expect(before.body.classes).toEqual(['meh', 'neg', 'pos']);
    rmSync(join(s.runsDir, 'again'), { recursive: true });
    cpSync(join(s.runsDir, 'binary'), join(s.runsDir, 'again'), { recursive: true });
    const after = await post(s.base, '/api/predict/text', { model: 'again', text: TEXTS[0] });
    expect(after.body.classes).toEqual(['no', 'yes']);
    expect(after.body.predictions).toEqual(await predictJsonl('binary', [TEXTS[0]]));
  });
});

describe('the lab routes given a text model', () => {
  it('/api/predict/sentiment says to use /api/predict/text, not that there is no model', async () => {
    const r = await post(s.base, '/api/predict/sentiment', { model: 'mine', text: 'a great film' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("model 'mine' is a text classifier (rnnlab train); this needs an IMDb sentiment model: predict with it through POST /api/predict/text");
  });

  it('/api/predict/sum and /api/inspect/states say the same', async () => {
    const sum = await post(s.base, '/api/predict/sum', { model: 'mine', query: '1+2' });
    expect([sum.status, sum.body.error]).toEqual([400, expect.stringMatching(/text classifier \(rnnlab train\); this needs an addition model: predict with it through POST \/api\/predict\/text/)]);
    const states = await post(s.base, '/api/inspect/states', { model: 'mine', query: 'a film' });
    expect([states.status, states.body.error]).toEqual([400, expect.stringMatching(/is a text classifier \(rnnlab train\): Inside the network shows IMDb and addition models; predict with it through POST \/api\/predict\/text/)]);
  });
});

describe('a seq2seq run', () => {
  it('is not offered, and asking for it names it and rnnlab translate', async () => {
    const pairs = join(tempDir('rnnlab-pairs-'), 'pairs.tsv');
    writeFileSync(pairs, Array.from({ length: 20 }, (_, i) => `a${i}\t${i}a\n`).join(''));
    await cli(['seq2seq', '--data', pairs, '--out', join(s.runsDir, 'pairs'), '--units', '4', '--embedding-dim', '2', '--epochs', '1', '--samples', '0', '--verbose', '0']);
    const runs = await get(s.base, '/api/runs/pairs');
    expect(runs.body.summary.hasModel).toBe(true);
    const models = await get(s.base, '/api/models');
    expect(models.body.models.map((m: { id: string }) => m.id)).not.toContain('pairs');
    for (const [route, body] of [['/api/predict/text', { model: 'pairs', text: 'a1' }], ['/api/predict/sentiment', { model: 'pairs', text: 'a1' }]] as const) {
      const r = await post(s.base, route, body);
      expect(r.status).toBe(422);
      expect(r.body.error).toMatch(/^run 'pairs' holds a sequence-to-sequence model \(rnnlab seq2seq\), which the dashboard does not serve: decode with it with rnnlab translate/);
    }
  });
});

describe('--max-model-params', () => {
  it('leaves a larger text model out of the list and refuses it by name', async () => {
    const small = await startTestServer({ runsDir: s.runsDir, maxModelParams: 50 });
    try {
      const models = await get(small.base, '/api/models');
      expect(models.body.models.map((m: { id: string }) => m.id)).not.toContain('mine');
      const r = await post(small.base, '/api/predict/text', { model: 'mine', text: 'a' });
      expect(r.status).toBe(422);
      expect(r.body.error).toMatch(/^the model saved in run 'mine' has \d[\d,]* parameters, over this dashboard's limit of 50 \(rnnlab serve --max-model-params\)$/);
    } finally {
      await small.close();
    }
  });
});
