/**
 * The server's text fields refuse a lone surrogate (half a character, as a JSON escape "\ud83d" can send) in the
 * words `rnnlab predict` refuses it with in a JSON Lines file; and --max-model-params holds the untrained fresh:
 * models as it holds the runs' models.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { get, post, startTestServer, tempDir, useTestServer } from './helpers.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: { write: (s: string) => { out += s; return true; } }, err: { write: (s: string) => { err += s; return true; } } });
  return { code, out, err };
}

const half = (field: string, unit: string, at: number) =>
  `field '${field}' holds a lone surrogate U+${unit} at character ${at} (half of a surrogate pair, not a character); write the whole character`;

const s = useTestServer();

describe('a text holding a lone surrogate', () => {
  beforeAll(async () => {
    const data = join(tempDir('rnnlab-r54-data-'), 'data.jsonl');
    const rows = Array.from({ length: 12 }, (_, i) => JSON.stringify({ text: `${i % 2 ? 'great fine' : 'bad dull'} film ${i}`, label: i % 2 ? 'pos' : 'neg' }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(data, `${rows.join('\n')}\n`);
    const r = await cli(['train', '--data', data, '--model', 'lstm', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6', '--threads', '1', '--out', join(s.runsDir, 'mine')]);
    expect(r.code, r.err).toBe(0);
  }, 120_000);

  it('is refused by rnnlab predict in a JSON Lines file, in the words the server uses', async () => {
    const file = join(tempDir('rnnlab-r54-ls-'), 'ls.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{"text":"\\ud83d bad"}\n');
    const r = await cli(['predict', '--model', join(s.runsDir, 'mine'), '--file', file]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`ls.jsonl:1: ${half('text', 'D83D', 1)}`);
  });

  it.each([
    ['/api/predict/text', { model: 'mine', text: '\ud83d bad' }, half('text', 'D83D', 1)],
    ['/api/predict/text', { model: 'mine', texts: ['fine film', 'bad \ude00 film'] }, half('texts[1]', 'DE00', 5)],
    // After a whole pair, the half that follows is the one named, counted in characters (the pair is one).
    ['/api/predict/text', { model: 'mine', texts: ['\ud83d\ude00 ok \ud83d'] }, half('texts[0]', 'D83D', 6)],
    ['/api/predict/sentiment', { model: 'fresh:lstm', text: 'a fine \ud83d film' }, half('text', 'D83D', 8)],
    ['/api/inspect/states', { model: 'fresh:lstm', text: '\ud83d' }, half('text', 'D83D', 1)],
    ['/api/inspect/gradients', { models: ['fresh:simple_rnn'], text: 'good \udc00' }, half('text', 'DC00', 6)],
    ['/api/inspect/embedding', { model: 'fresh:lstm', query: 'good\ud83d' }, half('query', 'D83D', 5)],
    ['/api/predict/sum', { model: 'fresh:lstm', query: '1\ud83d+2' }, half('query', 'D83D', 2)],
    ['/api/inspect/commutativity', { model: 'fresh:lstm', query: '1+2\ud83d' }, half('query', 'D83D', 4)],
  ])('%s %j: a 400 naming the field', async (route, body, message) => {
    const r = await post(s.base, route, body);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toBe(message);
  });

  it('leaves whole characters outside the BMP alone', async () => {
    const r = await post(s.base, '/api/predict/text', { model: 'mine', texts: ['great film \ud83d\ude00', 'bad \u{1F44E}'] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.predictions.map((p: { text: string }) => p.text)).toEqual(['great film \u{1F600}', 'bad \u{1F44E}']);
  });
});

describe('--max-model-params and the untrained fresh: models', () => {
  const count = (kind: 'simple_rnn' | 'lstm' | 'gru') => imdbModel(kind, { vocab: 10000, maxlen: 200 }).countParams();

  it('lists and serves only those within the cap, and refuses the others with the 422 a run model over it gets', async () => {
    const [rnn, lstm, gru] = [count('simple_rnn'), count('lstm'), count('gru')];
    // The cap lies between SimpleRNN's model and the two larger ones.
    expect(rnn).toBeLessThan(gru);
    expect(gru).toBeLessThan(lstm);
    const cap = rnn + 1;
    const small = await startTestServer({ maxModelParams: cap });
    try {
      const models = await get(small.base, '/api/models');
      expect(models.body.models.filter((m: { source: string }) => m.source === 'fresh').map((m: { id: string }) => m.id)).toEqual(['fresh:simple_rnn']);
      expect((await get(small.base, '/api/config')).body.freshModels).toEqual(['fresh:simple_rnn']);
      const limit = cap.toLocaleString('en-US');
      for (const [kind, n] of [['lstm', lstm], ['gru', gru]] as const) {
        const r = await post(small.base, '/api/predict/sentiment', { model: `fresh:${kind}`, text: 'a good film' });
        expect(r.status, r.text).toBe(422);
        expect(r.body.error).toBe(`the untrained model 'fresh:${kind}' has ${n.toLocaleString('en-US')} parameters, over this dashboard's limit of ${limit} (rnnlab serve --max-model-params)`);
      }
      // The gradient plot's default pair holds fresh:lstm: refused by name, not measured.
      const g = await post(small.base, '/api/inspect/gradients', { text: 'a good film' });
      expect(g.status, g.text).toBe(422);
      expect(g.body.error).toMatch(/^the untrained model 'fresh:lstm' has /);
      const ok = await post(small.base, '/api/predict/sentiment', { model: 'fresh:simple_rnn', text: 'a good film' });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.probability).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });

  it("docs/CLI.md gives each one's count as the built model counts it", async () => {
    const { readFileSync } = await import('node:fs');
    const { REPO_ROOT } = await import('./helpers.js');
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'CLI.md'), 'utf8').replace(/\s+/g, ' ');
    for (const kind of ['simple_rnn', 'gru', 'lstm'] as const) expect(doc).toMatch(new RegExp(`\`fresh:${kind}\`( has)? ${count(kind).toLocaleString('en-US')}[ ,]`));
  });

  it('lists all three under the default cap', async () => {
    const models = await get(s.base, '/api/models');
    expect(models.body.models.filter((m: { source: string }) => m.source === 'fresh').map((m: { id: string }) => m.id)).toEqual(['fresh:simple_rnn', 'fresh:lstm', 'fresh:gru']);
    expect((await get(s.base, '/api/config')).body.freshModels).toEqual(['fresh:simple_rnn', 'fresh:lstm', 'fresh:gru']);
  });
});
