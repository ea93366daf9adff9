/** The Sweeps view's workers: who ran what, from the run folders' worker.json stamps, and which workers are alive. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workersOf } from '../../src/server/sweeps.js';
import { HEARTBEAT_MS, type WorkerStamp } from '../../src/sweep/worker_file.js';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const stamp = (o: Partial<WorkerStamp>): WorkerStamp => ({
  worker: 'w1', runId: 'r1', host: 'elsewhere', pid: 1, state: 'completed', startedAt: at(-60000), updatedAt: at(-30000), epoch: 2, epochs: 2, ...o,
});

describe('workersOf', () => {
  it('counts each worker\'s runs and shows the run it is on, with its epoch', () => {
    const w = workersOf([
      stamp({ runId: 'a' }), stamp({ runId: 'b', state: 'failed' }), null,
      stamp({ runId: 'c', state: 'running', updatedAt: at(-1000), epoch: 1, epochs: 3 }),
      stamp({ worker: 'w2', runId: 'd' }),
    ], T0, 'here');
    expect(w.map((x) => [x.worker, x.completed, x.failed, x.alive, x.current])).toEqual([
      ['w1', 1, 1, true, { runId: 'c', epoch: 1, epochs: 3 }],
      ['w2', 1, 0, false, null],
    ]);
    expect(w[0].lastSeen).toBe(at(-1000));
  });

  it('presumes a worker on another host gone after two heartbeats without news, its run no longer current', () => {
    const running = (ago: number) => workersOf([stamp({ state: 'running', updatedAt: at(-ago) })], T0, 'here')[0];
    expect(running(2 * HEARTBEAT_MS - 1)).toMatchObject({ alive: true, current: { runId: 'r1' } });
    expect(running(2 * HEARTBEAT_MS + 1)).toMatchObject({ alive: false, current: null });
  });

  it('asks the process itself when the worker runs on this host, however recent its stamp', () => {
    // The stamp's run began after this process started (the test's clock T0 is a fiction; the process's start is not).
    const now = new Date().toISOString();
    expect(workersOf([stamp({ startedAt: now, updatedAt: at(-3600000), host: 'here', pid: process.pid })], T0, 'here')[0].alive).toBe(true);
    // A stamp begun long before this process started names its pid by chance (the pid was reused): not alive.
    const before = new Date(Date.now() - 24 * 3600e3 - process.uptime() * 1000).toISOString();
    if (existsSync('/proc/self/stat')) expect(workersOf([stamp({ startedAt: before, updatedAt: now, host: 'here', pid: process.pid, state: 'running' })], T0, 'here')[0].alive).toBe(false);
    // Far above any pid a system hands out: no such process, although it wrote a moment ago (killed just now).
    expect(workersOf([stamp({ updatedAt: at(-10), host: 'here', pid: 2 ** 30, state: 'running' })], T0, 'here')[0]).toMatchObject({ alive: false, current: null });
  });
});
