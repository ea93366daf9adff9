/** Sweep edges without Redis: repeated settings, a changed spec in a used folder, failures in the summary, busy runs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { openSweep, specChanges } from '../../src/sweep/record.js';
import { summaryLines } from '../../src/sweep/render.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { summarize, type RunEntry } from '../../src/sweep/summary.js';
import { HEARTBEAT_MS, liveStamp, WORKER_FILE } from '../../src/sweep/worker_file.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

const base = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, samples: 0 }\n';

describe('settings that repeat', () => {
  it('a list entry giving the same command line as a grid point (units "4" and 4) is one run, not two trainings', () => {
    const runs = expandRuns(parseSpec(`${base}grid: { hidden: [4, 5] }\nlist: [ { hidden: "4" }, { hidden: 6 }, { hidden: "6" } ]\n`));
    expect(runs.map((r) => r.id)).toEqual(['hidden-4_seed-1', 'hidden-5_seed-1', 'hidden-6_seed-1']);
  });
});

describe('a sweep folder holding another spec', () => {
  it('is refused, naming each field that differs and both values', () => {
    const dir = tempDir();
    const first = parseSpec(`${base}grid: { hidden: [4, 5] }\n`);
    writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec: first, createdAt: 'x', updatedAt: 'x', finishedAt: null, runs: [], summary: null }));
    const changed = parseSpec(base.replace('epochs: 1', 'epochs: 2') + 'grid: { hidden: [4, 6] }\nseeds: [1, 2]\n');
    expect(() => openSweep(dir, changed)).toThrow(
      `${path.join(dir, 'sweep.json')} holds a sweep with another spec (flags.epochs is 2 here, 1 in the folder's sweep; grid.hidden is [4,6] here, [4,5] in the folder's sweep; ` +
      "seeds is [1,2] here, [1] in the folder's sweep); use another --out, or the same spec to resume it");
    expect(specChanges(first, { ...first, grid: {}, list: [{ hidden: 4 }] })).toBe("grid.hidden is nothing here, [4,5] in the folder's sweep; list is [{\"hidden\":4}] here, [] in the folder's sweep");
  });
});

describe('the summary of a sweep with failed runs', () => {
  it('names each failed run with its attempts and reason (a queue sweep\'s failures happened on the workers)', () => {
    const entries: RunEntry[] = [
      { id: 'a', axes: { hidden: 4 }, seed: 1, status: 'completed', attempts: 1, value: 0.5 },
      { id: 'b', axes: { hidden: 5 }, seed: 1, status: 'failed', attempts: 3, error: 'run b failed (exit 1): rnnlab addition: error: boom' },
      { id: 'c', axes: { hidden: 6 }, seed: 1, status: 'failed', attempts: 1, error: 'run c reports exact_match_accuracy = NaN (not a finite number)' },
    ];
    const lines = summaryLines(summarize(entries, 'exact_match_accuracy', 'max'), entries);
    expect(lines.slice(-3)).toEqual([
      '2 run(s) failed; their errors are in sweep.json.',
      '  b (3 attempt(s)): run b failed (exit 1): rnnlab addition: error: boom',
      '  c (1 attempt(s)): run c reports exact_match_accuracy = NaN (not a finite number)',
    ]);
  });
});

describe('whether a run is being trained now', () => {
  it('by another host: while its heartbeat is fresh; by this host: while its process lives', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const t = Date.parse('2026-01-01T00:00:00Z');
    const stamp = { worker: 'far', runId: 'r', host: 'another-host.invalid', pid: 1, state: 'running', startedAt: new Date(t).toISOString(), updatedAt: new Date(t).toISOString(), epoch: null, epochs: null };
    writeFileSync(path.join(dir, WORKER_FILE), JSON.stringify(stamp));
    expect(liveStamp(dir, t + HEARTBEAT_MS)?.worker).toBe('far');
    expect(liveStamp(dir, t + 3 * HEARTBEAT_MS)).toBeNull();
    writeFileSync(path.join(dir, WORKER_FILE), JSON.stringify({ ...stamp, state: 'completed' }));
    expect(liveStamp(dir, t)).toBeNull();
  });
});

describe('a completed run whose metric came out NaN', () => {
  it('fails naming the value written (null), not as a metric the run lacks', async () => {
    const { finishRecord, startRecord } = await import('../../src/report/run.js');
    const { writeRecord } = await import('../../src/report/record.js');
    const { collectEntries } = await import('../../src/sweep/record.js');
    const { runDirOf } = await import('../../src/sweep/execute.js');
    const dir = tempDir();
    const spec = parseSpec(`${base}metric: val_loss\n`);
    const [run] = expandRuns(spec);
    const runDir = runDirOf(dir, run);
    mkdirSync(runDir, { recursive: true });
    const start = startRecord({ command: 'addition', argv: [], source: 'cli', runName: run.id, startedAt: new Date() });
    writeRecord(runDir, finishRecord(start, { config: {}, data: null, models: [], metrics: { valLoss: NaN, perCharAccuracy: 0.5 }, finding: '' }));
    expect(collectEntries(dir, spec, [run])[0]).toMatchObject({ status: 'failed', error: `run ${run.id} reports val_loss = null (not a finite number)` });
  });
});
