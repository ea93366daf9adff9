/**
 * The precision a run trained in (results.json's environment.engine.precision: float32 where mixed_bfloat16 fell
 * back) in report.html's environment line and in the run list's settings (GET /api/runs, a run's page).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finishRecord, startRecord, writeRun } from '../../src/report/run.js';
import type { RunRecord } from '../../src/report/record.js';
import { RunStore, summarize } from '../../src/server/runs.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-precision-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function record(precision: 'float32' | 'mixed_bfloat16' | undefined): RunRecord {
  const config = { rnn: 'lstm', hidden: 8, epochs: 1, seed: 1 };
  const start = startRecord({ command: 'addition', argv: ['addition', '--precision', 'mixed_bfloat16'], source: 'cli', runName: 'add', startedAt: new Date(), config });
  const done = finishRecord(start, { config, data: null, models: [{ name: 'lstm', params: 10, history: { val_accuracy: [0.5] }, secondsPerEpoch: [1] }], metrics: { perCharAccuracy: 0.5 }, finding: '' });
  const engine = { ...done.environment.engine, backend: 'native' as const, isa: 'avx2', threads: 2 };
  if (precision) engine.precision = precision; else delete engine.precision;
  return { ...done, environment: { ...done.environment, engine } };
}

describe('the precision a run trained in', () => {
  it.each([['float32'], ['mixed_bfloat16']] as const)('%s: named in report.html\'s environment and in the run list\'s settings', async (precision) => {
    const runs = path.join(root, precision);
    writeRun(path.join(runs, 'run'), record(precision), { title: 'addition', sections: [] });
    const html = readFileSync(path.join(runs, 'run', 'report.html'), 'utf8');
    expect(html).toContain(`<dt>engine</dt><dd>native (avx2, 2 threads, ${precision})</dd>`);
    const store = new RunStore(runs);
    const [listed] = await store.list();
    expect(listed.settings).toBe(`rnn=lstm hidden=8 epochs=1 seed=1 precision=${precision}`);
    expect(store.get('run').summary.settings).toBe(listed.settings);
  });

  it('a record written before the field: no precision claimed', () => {
    const old = record(undefined);
    expect(summarize('old', root, old).settings).toBe('rnn=lstm hidden=8 epochs=1 seed=1');
    const dir = path.join(root, 'old');
    writeRun(dir, old, { title: 'addition', sections: [] });
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<dt>engine</dt><dd>native (avx2, 2 threads)</dd>');
  });
});
