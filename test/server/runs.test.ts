/** GET /api/runs and /api/runs/:id over run folders as the CLI and the dashboard write them, damaged ones included. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, request, startTestServer, tempDir, type TestServer } from './helpers.js';

let s: TestServer;
let runsDir: string;

function run(id: string, results: unknown, files: Record<string, string> = {}): void {
  const dir = join(runsDir, id);
  mkdirSync(dir, { recursive: true });
  if (results !== undefined) writeFileSync(join(dir, 'results.json'), typeof results === 'string' ? results : JSON.stringify(results));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

beforeAll(async () => {
  runsDir = tempDir();
  // rnnlab imdb
  run('20250101-100000-imdb-lstm', {
    command: 'imdb', argv: ['imdb', '--model', 'lstm'], startedAt: '2025-01-01T10:00:00.000Z', finishedAt: '2025-01-01T10:05:00.000Z',
    model: 'lstm', params: 1000, config: { model: 'lstm', vocab: 10000, maxlen: 500, epochs: 3 },
    history: { loss: [0.6, 0.4, 0.3], accuracy: [0.6, 0.8, 0.9], val_loss: [0.5, 0.45, 0.5], val_accuracy: [0.7, 0.86, 0.84] },
    metrics: { testAccuracy: 0.84 }, timing: { secondsPerEpoch: [10, 12, 14], meanSecondsPerEpoch: 12 },
  }, { 'report.html': '<html><body>lstm report</body></html>' });
  // rnnlab compare: one history per model
  run('20250102-100000-compare', {
    command: 'compare', startedAt: '2025-01-02T10:00:00.000Z', finishedAt: '2025-01-02T11:00:00.000Z', config: { models: ['simple_rnn', 'lstm'] },
    history: { simple_rnn: { loss: [0.7, 0.6], accuracy: [0.5, 0.6] }, lstm: { loss: [0.6, 0.3], accuracy: [0.6, 0.9], val_accuracy: [0.7, 0.88] } },
    runs: [{ model: 'simple_rnn', timing: { secondsPerEpoch: [3, 5] } }, { model: 'lstm', timing: { secondsPerEpoch: [6, 6] } }],
  });
  // a dashboard run whose process died while training
  run('20250103-100000-addition', {
    command: 'addition', status: 'running', pid: 2 ** 22 + 12345, startedAt: '2025-01-03T10:00:00.000Z', config: { task: 'addition', rnn: 'gru' },
    history: { loss: [2.1], accuracy: [0.3] }, timing: { secondsPerEpoch: [4] },
  });
  run('20250104-100000-cancelled', { command: 'addition', status: 'cancelled', startedAt: '2025-01-04T10:00:00.000Z', config: { rnn: 'lstm' }, history: { loss: [2], accuracy: [0.2] } });
  run('20250105-100000-failed', { command: 'imdb', status: 'failed', error: { message: 'IMDb data not found' }, startedAt: '2025-01-05T10:00:00.000Z', config: { model: 'cnn' } });
  run('20250106-100000-broken', '{"command": "imdb", "hist');
  run('20250107-100000-array', '[1, 2, 3]');
  // a record from a newer rnnlab, and an experiment record of 0.1.0 (histories by run)
  run('20250108-100000-future', { schemaVersion: 9, command: 'imdb' });
  run('20241231-100000-experiment', { command: 'experiment reverse', startedAt: '2024-12-31T10:00:00.000Z', histories: { reversed: { loss: [1, 2] }, plain: { history: { loss: [3] } } } });
  // not runs: an empty folder, a hidden one, a plain file
  mkdirSync(join(runsDir, 'empty-folder'));
  run('.hidden', { command: 'imdb' });
  writeFileSync(join(runsDir, 'notes.txt'), 'hello');
  s = await startTestServer({ runsDir });
});

afterAll(async () => {
  await s.close();
});

describe('GET /api/runs', () => {
  it('lists every run with name, model, status, epochs, best validation accuracy and seconds per epoch, newest first', async () => {
    const r = await get(s.base, '/api/runs');
    expect(r.status).toBe(200);
    const runs = r.body.runs as Record<string, unknown>[];
    expect(runs.map((x) => x.id)).toEqual([
      '20250108-100000-future', '20250107-100000-array', '20250106-100000-broken', '20250105-100000-failed', '20250104-100000-cancelled',
      '20250103-100000-addition', '20250102-100000-compare', '20250101-100000-imdb-lstm', '20241231-100000-experiment',
    ]);
    const byId = Object.fromEntries(runs.map((x) => [x.id, x]));
    expect(byId['20250101-100000-imdb-lstm']).toMatchObject({ command: 'imdb', model: 'lstm', status: 'completed', epochs: 3, bestValAccuracy: 0.86, secondsPerEpoch: 12, hasReport: true, hasModel: false });
    expect(byId['20250102-100000-compare']).toMatchObject({ command: 'compare', model: 'simple_rnn, lstm', status: 'completed', epochs: 2, bestValAccuracy: 0.88, secondsPerEpoch: 5 });
    expect(byId['20250103-100000-addition']).toMatchObject({ status: 'interrupted', model: 'gru seq2seq', epochs: 1, bestValAccuracy: null, secondsPerEpoch: 4 });
    expect(byId['20250104-100000-cancelled'].status).toBe('cancelled');
    expect(byId['20250105-100000-failed']).toMatchObject({ status: 'failed', error: 'IMDb data not found', epochs: null });
    expect(byId['20250106-100000-broken'].status).toBe('invalid');
    expect(String(byId['20250106-100000-broken'].error)).toMatch(/results.json is not valid JSON/);
    expect(byId['20250107-100000-array']).toMatchObject({ status: 'invalid', error: 'results.json is not a JSON object' });
    expect(byId['20250108-100000-future']).toMatchObject({ status: 'invalid', error: 'results.json has schemaVersion 9; this rnnlab reads version 1 and older records' });
    expect(byId['20241231-100000-experiment']).toMatchObject({ command: 'experiment reverse', model: 'reversed, plain', status: 'completed', epochs: 2 });
  });

  it('gives one run with its curves', async () => {
    const r = await get(s.base, '/api/runs/20250102-100000-compare');
    expect(r.status).toBe(200);
    expect(r.body.curves.map((c: { label: string }) => c.label)).toEqual(['simple_rnn', 'lstm']);
    expect(r.body.curves[1].history.val_accuracy).toEqual([0.7, 0.88]);
    expect(r.body.results.command).toBe('compare');
  });

  it('serves a run report, and 404s for a missing one', async () => {
    const r = await get(s.base, '/api/runs/20250101-100000-imdb-lstm/report.html');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.text).toContain('lstm report');
    const missing = await get(s.base, '/api/runs/20250102-100000-compare/report.png');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/no report.png/);
  });

  it('answers 404 with a message for unknown runs and for ids that try to leave the runs folder', async () => {
    for (const path of ['/api/runs/nope', '/api/runs/..', '/api/runs/%2e%2e', '/api/runs/..%2f..%2fetc', '/api/runs/notes.txt', '/api/runs/.hidden/report.html', '/api/runs/%2e%2e/report.html']) {
      const r = await request(s.base, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(typeof r.body.error, path).toBe('string');
    }
  });
});

describe('a 0.1.0 record through the API', () => {
  it('comes back upgraded to the current RunRecord, with one curve per model', async () => {
    const r = await get(s.base, '/api/runs/20241231-100000-experiment');
    expect(r.status).toBe(200);
    expect(r.body.results).toMatchObject({ schemaVersion: 1, command: 'experiment reverse', status: 'completed', source: 'cli' });
    expect(r.body.curves.map(({ label, history }: { label: string; history: unknown }) => ({ label, history }))).toEqual([{ label: 'reversed', history: { loss: [1, 2] } }, { label: 'plain', history: { loss: [3] } }]);
    // Each curve carries its epochs' seconds (the wall-clock axis), as the upgraded record has them.
    expect(r.body.curves.map((c: { seconds: unknown }) => c.seconds)).toEqual(r.body.results.models.map((m: { secondsPerEpoch: unknown }) => m.secondsPerEpoch));
  });
});
