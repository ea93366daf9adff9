/**
 * A run killed between staging its files and renaming them in leaves full-size temp files
 * (.rnnlab-tmp-<file>-<pid>-<hex>@<host>) in its folder; the next run written there removes those whose writer is
 * gone (of this host), and leaves a live writer's and another host's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEMP_HOST } from '../../src/io/atomic.js';
import type { ReportDoc } from '../../src/report/html.js';
import { finishRecord, startRecord, writeRun } from '../../src/report/run.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A pid no process has now: that of a child that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const temp = (target: string, pid: number, host = TEMP_HOST) => `.rnnlab-tmp-${target}-${pid}-0123abcd@${host}`;
const record = () => finishRecord(startRecord({ command: 'tokenize', argv: [], source: 'cli', runName: 'tokenize', startedAt: new Date() }),
  { config: {}, data: null, models: [], metrics: {}, finding: 'f' });
const doc: ReportDoc = { title: 't', sections: [] };

describe('writeRun removes what killed runs into its folder left', () => {
  it("a dead writer's staged report, record and pairs go; a live writer's and another host's stay", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-run-dead-temps-'));
    dirs.push(dir);
    writeRun(dir, record(), doc);
    const dead = deadPid();
    const gone = [temp('report.png', dead), temp('report.html', dead), temp('results.json', dead), temp('heldout.jsonl', dead)];
    const stay = [temp('report.png', process.ppid), temp('results.json', dead, 'elsewhere')];
    for (const n of [...gone, ...stay]) writeFileSync(path.join(dir, n), Buffer.alloc(1000));
    writeRun(dir, record(), doc);
    expect(readdirSync(dir).filter((n) => n.startsWith('.rnnlab-tmp-')).sort()).toEqual([...stay].sort());
    expect(readdirSync(dir).filter((n) => !n.startsWith('.')).sort()).toEqual(['report.html', 'report.png', 'results.json']);
  });
});
