/**
 * Run records name the machine that wrote them, and the dashboard does not judge another machine's "running"
 * record by a local pid; report.html and report.png are written through the atomic writer.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBeforeRenameHook, TEMP_PREFIX } from '../../src/io/atomic.js';
import { parseRecord, type RunRecord } from '../../src/report/record.js';
import { finishRecord, startRecord, writeRun } from '../../src/report/run.js';
import { restoredJobs } from '../../src/server/job_history.js';
import { recordWriterAlive, summarize } from '../../src/server/runs.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => setBeforeRenameHook(null));

// No process has this pid: Linux caps pids at 2^22.
const DEAD_PID = 2 ** 30;

function running(over: Partial<RunRecord>): RunRecord {
  const start = startRecord({ command: 'imdb', argv: ['imdb'], source: 'dashboard', runName: 'r', startedAt: new Date(Date.now() - 60_000) });
  return { ...start, ...over };
}

const body = { config: {}, data: null, models: [{ name: 'm', params: 1, history: { loss: [1, 0.5] }, secondsPerEpoch: [1, 1] }], metrics: {}, finding: 'ok' };
const doc = { title: 'T', sections: [{ title: 'Curves', charts: [{ title: 'Loss', series: [{ name: 'train', y: [1, 0.5] }] }] }] };

describe('run records name their host', () => {
  it('a new record carries os.hostname() and passes the published schema; a record without host still does', () => {
    const r = running({});
    expect(r.host).toBe(hostname());
    expect(parseRecord(JSON.parse(JSON.stringify(r)), 'r').host).toBe(hostname());
    const { host: _drop, ...old } = r;
    expect(parseRecord(JSON.parse(JSON.stringify(old)), 'old').host).toBeUndefined();
    expect(() => parseRecord({ ...r, host: 7 }, 'bad')).toThrow(/bad is not a valid run record: \/host must be string/);
  });

  it("another machine's running record stays running with its host named, whatever this machine's pids say", () => {
    const other = 'some-other-machine';
    // A dead pid here: this host would call its own record interrupted, but says nothing about another machine's.
    const dead = summarize('x', root, running({ pid: DEAD_PID, host: other }));
    expect(dead).toMatchObject({ status: 'running', host: other });
    // A local process that happens to have the pid (this one) is not taken as the writer either.
    expect(summarize('x', root, running({ pid: process.pid, host: other }))).toMatchObject({ status: 'running', host: other });
    expect(recordWriterAlive(running({ pid: DEAD_PID, host: other }))).toBe(true);
  });

  it('records of this host, and old records without host, are judged by the pid as before', () => {
    expect(summarize('x', root, running({ pid: DEAD_PID }))).toMatchObject({ status: 'interrupted' });
    expect(summarize('x', root, running({ pid: DEAD_PID })).host).toBeUndefined();
    const { host: _drop, ...old } = running({ pid: DEAD_PID });
    expect(summarize('x', root, old as RunRecord).status).toBe('interrupted');
    // a finished record never names a host as "still running"
    expect(summarize('x', root, finishRecord(running({ host: 'elsewhere' }), body)).host).toBeUndefined();
  });

  it("a restarted server does not list another machine's dashboard run as an interrupted job", () => {
    const jobs = restoredJobs([
      { id: 'mine', record: running({ pid: DEAD_PID }) },
      { id: 'theirs', record: running({ pid: DEAD_PID, host: 'some-other-machine' }) },
      // Another machine's server can have this server's pid: still not ours.
      { id: 'same-pid', record: running({ pid: process.pid, host: 'some-other-machine' }) },
      { id: 'mine-live', record: running({ pid: process.pid }) },
    ], () => false);
    expect(jobs.map((j) => [j.runId, j.status])).toEqual([['mine', 'interrupted'], ['mine-live', 'interrupted']]);
  });
});

describe('writeRun', () => {
  it('replaces report.html and report.png atomically (temp file, then rename), between a running record and the final one', () => {
    const dir = path.join(root, 'atomic');
    const renamed: string[] = [];
    setBeforeRenameHook((tmp, target) => {
      expect(path.basename(tmp).startsWith(TEMP_PREFIX)).toBe(true);
      renamed.push(path.basename(target));
    });
    const files = writeRun(dir, finishRecord(running({}), body), doc);
    expect(renamed).toEqual(['results.json', 'report.html', 'report.png', 'results.json']);
    expect(files.png).not.toBeNull();
    expect(readFileSync(files.png!).subarray(1, 4).toString()).toBe('PNG');
    expect(readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
  });

  it('a write that fails before its rename leaves the previous report.html whole', () => {
    const dir = path.join(root, 'keep');
    writeRun(dir, finishRecord(running({}), body), doc);
    const before = readFileSync(path.join(dir, 'report.html'), 'utf8');
    setBeforeRenameHook((_tmp, target) => { if (target.endsWith('report.html')) throw new Error('simulated crash'); });
    expect(() => writeRun(dir, finishRecord(running({}), body), { ...doc, title: 'Second' })).toThrow(/simulated crash/);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toBe(before);
  });
});
