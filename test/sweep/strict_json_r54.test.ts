/**
 * The CLI's readers of run files refuse one that gives a key twice, naming the file and the key, as the server does:
 * JSON.parse would read each as its last value, so a record that says two things would be read as one of them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonOnce, RepeatedKeyError } from '../../src/io/strict_json.js';
import { environment } from '../../src/report/environment.js';
import { isRunRecordFile, readRecord, RecordError } from '../../src/report/record.js';
import { readSweepRecord, writeSweepRecord } from '../../src/sweep/record.js';
import type { SweepSpec } from '../../src/sweep/spec.js';
import { readWorkerStamp, workerStampOf } from '../../src/sweep/worker_file.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-strict-json-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = '2025-01-01T10:00:00.000Z';
const env = environment();
/** A 0.1.0 record (upgraded on read) whose status is given twice: "failed", then "completed". */
const twiceRecord = JSON.stringify({ command: 'imdb', startedAt: at, finishedAt: at, environment: env, config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: { testAccuracy: 0.5 }, status: 'failed' })
  .replace('"status":"failed"', '"status":"failed","status":"completed"');

describe('parseJsonOnce', () => {
  it('parses as JSON.parse does, refuses a key given twice naming the file, the key and where, and leaves a syntax error as it was', () => {
    expect(parseJsonOnce('{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]}', 'f.json')).toEqual({ a: { k: 1 }, b: { k: 2 }, c: [{ k: 1 }, { k: 2 }] });
    expect(() => parseJsonOnce('{"a":1,"a":2}', 'f.json')).toThrow(new RepeatedKeyError('f.json gives the key "a" more than once'));
    expect(() => parseJsonOnce('{"runs":[{"id":"x"},{"id":"y","status":"a","status":"b"}]}', 'sweep.json')).toThrow('sweep.json gives the key "status" more than once (at runs[1].status)');
    expect(() => parseJsonOnce('{"a":', 'f.json')).toThrow(SyntaxError);
  });
});

describe("the CLI's run-file readers", () => {
  it('readRecord refuses a results.json that gives a key twice, naming the file and the key', () => {
    const dir = mkdtempSync(path.join(root, 'run-'));
    const file = path.join(dir, 'results.json');
    writeFileSync(file, twiceRecord);
    expect(() => readRecord(file)).toThrow(RecordError);
    expect(() => readRecord(file)).toThrow(`${file} gives the key "status" more than once`);
    // Given once, the same record is read.
    writeFileSync(file, twiceRecord.replace('"status":"failed",', ''));
    expect(readRecord(file).status).toBe('completed');
  });

  it('isRunRecordFile does not take a results.json that gives a key twice for a run record', () => {
    const dir = mkdtempSync(path.join(root, 'run-'));
    const file = path.join(dir, 'results.json');
    writeFileSync(file, twiceRecord.replace('"command":"imdb"', '"command":"imdb","command":"evaluate"'));
    expect(isRunRecordFile(file)).toBe(false);
    writeFileSync(file, twiceRecord.replace('"status":"failed",', ''));
    expect(isRunRecordFile(file)).toBe(true);
  });

  it('readSweepRecord (sweep resume) refuses a sweep.json that gives a key twice, naming the file, the key and where', () => {
    const dir = mkdtempSync(path.join(root, 'sweep-'));
    const spec: SweepSpec = { command: 'addition', flags: {}, grid: { hidden: [4] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
    writeSweepRecord(dir, spec, at, [{ id: 'hidden-4_seed-1', axes: { hidden: 4 }, seed: 1, status: 'pending', attempts: 0 }], null, false);
    const file = path.join(dir, 'sweep.json');
    expect(readSweepRecord(dir)?.spec.metric).toBe('per_char_accuracy');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"metric": "per_char_accuracy"', '"metric": "per_char_accuracy", "metric": "loss"'));
    expect(() => readSweepRecord(dir)).toThrow(`${file} gives the key "metric" more than once (at spec.metric); fix it or move it away to start the sweep afresh`);
  });

  it("a run's worker.json that gives a key twice counts as no stamp, and workerStampOf says why", () => {
    const dir = mkdtempSync(path.join(root, 'run-'));
    const file = path.join(dir, 'worker.json');
    const stamp = { worker: 'w1', runId: path.basename(dir), host: 'h', pid: 1, state: 'failed', startedAt: at, updatedAt: at, epoch: null, epochs: null, attempts: 1 };
    writeFileSync(file, JSON.stringify(stamp));
    expect(workerStampOf(dir)).toEqual({ stamp, problem: null });
    // Read by JSON.parse: attempts 5, so a sweep would take the run for one out of tries.
    writeFileSync(file, JSON.stringify(stamp).replace('"attempts":1', '"attempts":1,"attempts":5'));
    expect(readWorkerStamp(dir)).toBeNull();
    expect(workerStampOf(dir)).toEqual({ stamp: null, problem: `${path.basename(dir)}/worker.json gives the key "attempts" more than once; it is not read` });
    writeFileSync(file, '{"worker":');
    expect(workerStampOf(dir).problem).toBe(`${path.basename(dir)}/worker.json is not valid JSON`);
    rmSync(file);
    expect(workerStampOf(dir)).toEqual({ stamp: null, problem: null });
  });
});
