/** The RunRecord: one writer and one reader, both held to docs/results.schema.json; 0.1.0 records still load. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecord, recordSchema, RecordError, upgradeRecord, writeRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { cleanup, REPO_ROOT, schemaProblems, tempDir } from './helpers.js';

afterAll(cleanup);

const body = { config: { model: 'lstm' }, data: null, models: [{ name: 'lstm', params: 10, history: { loss: [0.5] }, secondsPerEpoch: [1.5] }], metrics: { testAccuracy: 0.8 }, finding: 'ok' };

function write(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
}

describe('RunRecord', () => {
  it('the reader checks against the published schema file', () => {
    expect(recordSchema()).toEqual(JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs/results.schema.json'), 'utf8')));
  });

  it('round-trips through the one writer and the one reader', () => {
    const dir = tempDir();
    const record = finishRecord(startRecord({ command: 'imdb', argv: ['imdb'], source: 'cli', runName: 'imdb-lstm', startedAt: new Date() }), body);
    writeRecord(dir, record);
    const back = readRecord(path.join(dir, 'results.json'));
    expect(back).toEqual(JSON.parse(JSON.stringify(record)));
    expect(schemaProblems(back)).toEqual([]);
    expect(back.timing.totalSeconds).toBeGreaterThanOrEqual(0);
  });

  it('a running record carries the pid; the writer refuses a record the schema rejects, and leaves the old file', () => {
    const dir = tempDir();
    const start = startRecord({ command: 'addition', argv: [], source: 'dashboard', runName: 'a', startedAt: new Date() });
    writeRecord(dir, start);
    expect(readRecord(path.join(dir, 'results.json'))).toMatchObject({ status: 'running', pid: process.pid, finishedAt: null });
    expect(() => writeRecord(dir, { ...start, status: 'done' as never })).toThrow(/refusing to write an invalid results.json .*\/status must be equal to one of the allowed values/);
    expect(() => writeRecord(dir, { ...start, models: [{ name: 'x', params: null, history: { loss: ['a' as never] }, secondsPerEpoch: [] }] })).toThrow(/\/models\/0\/history\/loss\/0 must be number,null/);
    expect(readRecord(path.join(dir, 'results.json')).status).toBe('running');
  });

  it('bad files give errors that name the file and the key', () => {
    const dir = tempDir();
    expect(() => readRecord(write(dir, 'a.json', '{"command": "imdb", "hist'))).toThrow(new RegExp(`${path.join(dir, 'a.json').replace(/[/\\]/g, '.')} cannot be read`));
    expect(() => readRecord(write(dir, 'b.json', [1, 2]))).toThrow(/b\.json is not a JSON object/);
    expect(() => readRecord(write(dir, 'c.json', { schemaVersion: 7 }))).toThrow(/c\.json has schemaVersion 7; this rnnlab reads version 1/);
    expect(() => readRecord(write(dir, 'd.json', { schemaVersion: 1, command: 'imdb' }))).toThrow(RecordError);
    expect(() => readRecord(write(dir, 'd.json', { schemaVersion: 1, command: 'imdb' }))).toThrow(/d\.json is not a valid run record: .*must have required property 'argv'/);
    // A 0.1.0 record without its start time cannot be placed in time: said, not guessed.
    expect(() => readRecord(write(dir, 'e.json', { command: 'imdb', history: { loss: [1] } }))).toThrow(/e\.json is not a valid run record: \(the record\) must have required property 'startedAt'/);
  });

  it('upgrades the records of rnnlab 0.1.0: imdb, compare, experiments, dashboard jobs', () => {
    const env = { engine: { backend: 'native', isa: 'avx2', threads: 2, addon: true }, cpu: 'x', cpuCount: 2, node: 'v22', platform: 'linux', arch: 'x64', rnnlab: '0.1.0', hostMemoryGiB: 8 };
    const common = { argv: ['x'], startedAt: '2025-01-01T10:00:00.000Z', finishedAt: '2025-01-01T10:05:00.000Z', environment: env };
    const imdb = upgradeRecord({ ...common, command: 'imdb', model: 'lstm', params: 1000, config: { model: 'lstm' }, history: { loss: [0.6, null], accuracy: [0.6, 0.8] },
      metrics: { testAccuracy: 0.84 }, timing: { secondsPerEpoch: [10, 12], meanSecondsPerEpoch: 11, totalSeconds: 30 }, summary: ['s'] });
    expect(schemaProblems(imdb)).toEqual([]);
    expect(imdb).toMatchObject({ schemaVersion: 1, status: 'completed', source: 'cli', runName: 'imdb', metrics: { testAccuracy: 0.84 }, timing: { totalSeconds: 30 },
      models: [{ name: 'lstm', params: 1000, history: { loss: [0.6, null], accuracy: [0.6, 0.8] }, secondsPerEpoch: [10, 12], summary: ['s'] }] });
    const compare = upgradeRecord({ ...common, command: 'compare', config: { models: ['gru', 'cnn'] },
      history: { gru: { loss: [1] }, cnn: { loss: [2, 3] } }, timing: { secondsPerEpoch: { gru: [4], cnn: [5, 6] } },
      runs: [{ model: 'gru', params: 7 }, { model: 'cnn', params: 8 }], metrics: { gru: { testAccuracy: 0.5 } } });
    expect(schemaProblems(compare)).toEqual([]);
    expect(compare.models).toEqual([{ name: 'gru', params: 7, history: { loss: [1] }, secondsPerEpoch: [4] }, { name: 'cnn', params: 8, history: { loss: [2, 3] }, secondsPerEpoch: [5, 6] }]);
    const exp = upgradeRecord({ ...common, command: 'experiment reverse', experiment: 'reverse', histories: { plain: { loss: [1] }, reversed: { loss: [2] } }, timing: { plainEpochSeconds: [1] } });
    expect((exp.models as { name: string }[]).map((m) => m.name)).toEqual(['plain', 'reversed']);
    const job = upgradeRecord({ ...common, command: 'addition', source: 'rnnlab serve', runName: 'sum', status: 'cancelled', cancelledAfterEpochs: 1, partialLastEpoch: true,
      config: { task: 'addition', rnn: 'gru' }, history: { loss: [2] }, timing: { secondsPerEpoch: [3] }, error: 'x' });
    expect(schemaProblems(job)).toEqual([]);
    expect(job).toMatchObject({ source: 'dashboard', runName: 'sum', status: 'cancelled', cancellation: { afterEpochs: 1, partialLastEpoch: true }, models: [{ name: 'gru seq2seq' }] });
    for (const [s, want] of [['ok', 'completed'], ['done', 'completed'], ['finished', 'completed'], ['error', 'failed'], [undefined, 'completed']] as const) {
      expect(upgradeRecord({ ...common, command: 'imdb', status: s }).status, String(s)).toBe(want);
    }
  });
});

describe('records written by rnnlab 0.1.0 (fixtures made by its CLI and dashboard)', () => {
  const fixture = (name: string) => readRecord(path.join(REPO_ROOT, 'test/cli/fixtures/records-0.1.0', `${name}.json`));

  it.each(['imdb', 'compare', 'addition', 'experiment-reverse', 'experiment-params', 'tokenize', 'dashboard-addition'])('%s loads as a valid RunRecord', (name) => {
    const r = fixture(name);
    expect(schemaProblems(r)).toEqual([]);
    expect(r).toMatchObject({ schemaVersion: 1, status: 'completed', pid: null });
  });

  it('keeps what each one measured, in the places the record has for it', () => {
    const imdb = fixture('imdb');
    expect(imdb.models).toHaveLength(1);
    expect(imdb.models[0]).toMatchObject({ name: 'gru', params: expect.any(Number) });
    expect(imdb.models[0].history.loss).toHaveLength(2);
    expect(imdb.models[0].secondsPerEpoch).toHaveLength(2);
    expect(imdb.models[0].summary!.join('\n')).toContain('Total params');
    expect(imdb.metrics.testAccuracy).toEqual(expect.any(Number));
    const compare = fixture('compare');
    expect(compare.models.map((m) => m.name)).toEqual(['gru', 'cnn']);
    for (const m of compare.models) expect([m.history.loss.length, m.secondsPerEpoch.length, typeof m.params]).toEqual([1, 1, 'number']);
    expect((compare.details!.comparison as unknown[]).length).toBe(2);
    const add = fixture('addition');
    expect(add.samples).toHaveLength(2);
    expect(add.models[0]).toMatchObject({ name: 'lstm seq2seq' });
    expect(add.models[0].history.val_exact).toHaveLength(2);
    expect(fixture('experiment-reverse').models.map((m) => m.name)).toEqual(['plain', 'reversed']);
    expect(fixture('experiment-params')).toMatchObject({ command: 'experiment params', models: [], details: { title: expect.any(String) } });
    expect(fixture('tokenize').details!.texts).toHaveLength(1);
    expect(fixture('dashboard-addition')).toMatchObject({ source: 'dashboard', runName: 'old-job', command: 'addition' });
  });
});
