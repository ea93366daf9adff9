/**
 * A "running" record's writer is told from a reused pid by the kernel's boot id and the process's start ticks, which
 * the writer records of itself: exact, and untouched by steps of the wall clock. Records without them keep the
 * wall-clock rule (start no later than a minute after the record); another machine's records are not judged here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBootId, ownProcessStart, processStartTicks, recordedProcessAlive, type ProcessStart } from '../../src/io/process_alive.js';
import { parseRecord, recordProblems, type RunRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { restoredJobs } from '../../src/server/job_history.js';
import { processStartMs, SLACK_MS, writerAlive } from '../../src/server/process_identity.js';
import { recordWriterAlive, summarize } from '../../src/server/runs.js';
import { closeStaleStamp, readWorkerStamp, stampProcessAlive, workerLog, WORKER_FILE, type WorkerStamp } from '../../src/sweep/worker_file.js';
import { writeFileAtomic } from '../../src/io/atomic.js';

const HAVE_PROC = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');
/** Above the largest pid Linux hands out (2^22): never a live process. */
const DEAD_PID = 2 ** 22 + 4321;
const OTHER_BOOT = '00000000-0000-4000-8000-000000000000';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-writer-id-'));
/** A live process other than this one: the pid a record names (this process's own pid has its own rule in the runs list). */
let child: ChildProcess;
let childStart: ProcessStart;

beforeAll(() => {
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  // The start is fixed at fork; exec does not change it, so it can be read at once.
  if (HAVE_PROC) childStart = { bootId: currentBootId()!, startTicks: processStartTicks(child.pid!)! };
});
afterAll(() => {
  child?.kill();
  rmSync(root, { recursive: true, force: true });
});

/** A dashboard record left "running" by `pid`, begun at `startedAt` (ms), with `writer` when given. */
function running(pid: number, startedAt: number, writer?: ProcessStart, host = hostname()): RunRecord {
  const { writer: _own, ...r } = startRecord({ command: 'addition', argv: ['addition'], source: 'dashboard', runName: 'r', startedAt: new Date(startedAt) });
  return { ...r, pid, host, ...(writer ? { writer } : {}) };
}

const statusOf = (r: RunRecord) => summarize('x', root, r).status;

describe.runIf(HAVE_PROC)('the writer records its own process', () => {
  it('a new running record carries this boot id and /proc/self/stat field 22, passes the schema, and a finished one drops them', () => {
    const r = startRecord({ command: 'imdb', argv: ['imdb'], source: 'cli', runName: 'r', startedAt: new Date() });
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const field22 = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    expect(r.writer).toEqual({ bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), startTicks: field22 });
    expect(ownProcessStart()).toEqual(r.writer);
    expect(parseRecord(JSON.parse(JSON.stringify(r)), 'r').writer).toEqual(r.writer);
    const done = finishRecord(r, { config: {}, data: null, models: [], metrics: {}, finding: '' });
    expect([done.pid, 'writer' in done]).toEqual([null, false]);
  });

  it('the schema refuses a malformed writer, naming the key', () => {
    const r = startRecord({ command: 'imdb', argv: ['imdb'], source: 'cli', runName: 'r', startedAt: new Date() });
    expect(recordProblems({ ...r, writer: { bootId: 'b', startTicks: -1 } }).join()).toMatch(/\/writer\/startTicks must be >= 0/);
    expect(recordProblems({ ...r, writer: { bootId: 'b' } }).join()).toMatch(/\/writer must have required property 'startTicks'/);
    expect(recordProblems({ ...r, writer: { bootId: 'b', startTicks: 1, pid: 3 } }).join()).toMatch(/\/writer must NOT have additional properties \(pid\)/);
  });
});

describe.runIf(HAVE_PROC)('a running record with its writer recorded', () => {
  it("is alive with the live process's real identity, this process's too", () => {
    expect(recordWriterAlive(running(process.pid, Date.now(), ownProcessStart()!))).toBe(true);
    expect(recordWriterAlive(running(child.pid!, Date.now(), childStart))).toBe(true);
    expect(statusOf(running(child.pid!, Date.now(), childStart))).toBe('running');
  });

  it('is dead when the pid now names a process with other start ticks (a reused pid)', () => {
    const reused = { ...childStart, startTicks: childStart.startTicks + 1 };
    expect(recordWriterAlive(running(child.pid!, Date.now(), reused))).toBe(false);
    expect(statusOf(running(child.pid!, Date.now(), reused))).toBe('interrupted');
    expect(recordWriterAlive(running(process.pid, Date.now(), { ...ownProcessStart()!, startTicks: ownProcessStart()!.startTicks + 1 }))).toBe(false);
  });

  it('is dead when written in another boot, even with the same pid and start ticks', () => {
    const r = running(child.pid!, Date.now(), { ...childStart, bootId: OTHER_BOOT });
    expect([recordWriterAlive(r), statusOf(r)]).toEqual([false, 'interrupted']);
  });

  it('is dead when its pid is gone', () => {
    expect(statusOf(running(DEAD_PID, Date.now(), childStart))).toBe('interrupted');
  });

  it("of another host is not judged: it stays running, whatever its boot and ticks say here", () => {
    const r = running(child.pid!, Date.now(), { bootId: OTHER_BOOT, startTicks: 1 }, 'some-other-machine');
    expect(recordWriterAlive(r)).toBe(true);
    expect(summarize('x', root, r)).toMatchObject({ status: 'running', host: 'some-other-machine' });
  });

  it('keeps its verdict when the wall clock was stepped: startedAt far from the process start changes nothing', () => {
    const wallStart = processStartMs(child.pid!)!;
    for (const step of [-6 * 3600e3, -10 * SLACK_MS, 0, 10 * SLACK_MS, 6 * 3600e3]) {
      // The record's wall-clock time is off from the child's computed start by `step` (a stepped clock, a moved btime).
      expect(statusOf(running(child.pid!, wallStart + step, childStart)), `step ${step}`).toBe('running');
      expect(statusOf(running(child.pid!, wallStart + step, { ...childStart, startTicks: childStart.startTicks + 100 })), `step ${step}`).toBe('interrupted');
    }
    // The old rule, for contrast: a record begun 10 minutes before its live writer's computed start (a clock stepped
    // back by 10 minutes) calls it a reused pid, and a reused pid that started just after the record passes.
    expect(writerAlive(child.pid!, wallStart - 10 * SLACK_MS)).toBe(false);
    expect(writerAlive(child.pid!, wallStart - 10 * SLACK_MS, childStart)).toBe(true);
    expect(writerAlive(child.pid!, wallStart, { ...childStart, startTicks: childStart.startTicks + 100 })).toBe(false);
  });

  it('the job list after a restart leaves a live writer to itself and brings back a reused-pid run as interrupted', () => {
    const t = Date.now();
    const jobs = restoredJobs([
      { id: 'live', record: running(child.pid!, t - 7200e3, childStart) },
      { id: 'reused', record: running(child.pid!, t, { ...childStart, startTicks: childStart.startTicks + 1 }) },
      { id: 'other-boot', record: running(child.pid!, t, { ...childStart, bootId: OTHER_BOOT }) },
    ], () => false);
    expect(jobs.map((j) => [j.runId, j.status])).toEqual([['other-boot', 'interrupted'], ['reused', 'interrupted']]);
  });
});

describe.runIf(HAVE_PROC)('old records (no writer) keep the wall-clock rule', () => {
  it('a live pid that started over a minute after the record is a reused pid; one that started before is the writer', () => {
    const wallStart = processStartMs(child.pid!)!;
    expect(statusOf(running(child.pid!, wallStart - 3600e3))).toBe('interrupted');
    expect(statusOf(running(child.pid!, wallStart + 10e3))).toBe('running');
    expect(statusOf(running(DEAD_PID, wallStart))).toBe('interrupted');
    // A malformed writer (a file edited by hand) counts as none, not as a mismatch.
    expect(writerAlive(child.pid!, wallStart + 10e3, { bootId: '', startTicks: 'x' })).toBe(true);
  });
});

describe.runIf(HAVE_PROC)('sweep worker stamps', () => {
  const stampDir = (name: string, stamp?: Partial<WorkerStamp>) => {
    const dir = mkdtempSync(path.join(root, `${name}-`));
    if (stamp) {
      const s: WorkerStamp = { worker: 'w', runId: path.basename(dir), host: hostname(), pid: child.pid!, state: 'running', startedAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(), epoch: 1, epochs: 3, ...stamp };
      writeFileAtomic(path.join(dir, WORKER_FILE), JSON.stringify(s));
    }
    return dir;
  };

  it("a worker's stamp records its own process and counts as alive while it runs", () => {
    const dir = stampDir('own');
    const log = workerLog(dir, 'me');
    expect(readWorkerStamp(dir)).toMatchObject({ pid: process.pid, host: hostname(), writer: ownProcessStart(), state: 'running' });
    expect(stampProcessAlive(readWorkerStamp(dir)!)).toBe(true);
    log.end('completed');
    expect(readWorkerStamp(dir)!.state).toBe('completed');
  });

  it('a stamp whose pid now names another process is closed; its live worker\'s, and an old stamp of a live pid, stay running', () => {
    const reused = stampDir('reused', { writer: { ...childStart, startTicks: childStart.startTicks + 1 } });
    const otherBoot = stampDir('boot', { writer: { ...childStart, bootId: OTHER_BOOT } });
    const live = stampDir('live', { writer: childStart, startedAt: new Date(Date.now() - 7200e3).toISOString() });
    const old = stampDir('old', {});
    for (const d of [reused, otherBoot, live, old]) closeStaleStamp(d, 'failed');
    expect([reused, otherBoot, live, old].map((d) => readWorkerStamp(d)!.state)).toEqual(['failed', 'failed', 'running', 'running']);
  });

  it('recordedProcessAlive: same boot and ticks only', () => {
    expect(recordedProcessAlive(child.pid!, childStart)).toBe(true);
    expect(recordedProcessAlive(DEAD_PID, childStart)).toBe(false);
    expect(recordedProcessAlive(child.pid!, { ...childStart, startTicks: childStart.startTicks - 1 })).toBe(false);
  });
});
