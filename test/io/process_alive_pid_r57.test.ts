/**
 * A pid that is not a positive integer names no process: kill(0, 0) signals this process group and kill(-1, 0) every
 * process, both always answering, so a record left `running` with pid 0 or -1 was listed running forever.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { aliveAs, ownProcessStart, processAlive, recordedProcessAlive } from '../../src/io/process_alive.js';
import { writerAlive } from '../../src/server/process_identity.js';
import { recordWriterAlive } from '../../src/server/runs.js';
import type { RunRecord } from '../../src/report/record.js';

const notProcesses = [0, -1, 1.5, Number.NaN, -4242];

describe('processAlive', () => {
  it('says no process for a pid that is not a positive integer, and still finds this one', () => {
    expect(notProcesses.map(processAlive)).toEqual(notProcesses.map(() => false));
    expect(processAlive(process.pid)).toBe(true);
  });
});

describe('the liveness checks built on it', () => {
  it('read a record or lock naming pid 0 or -1 as its writer gone, with or without the writer\'s start', () => {
    const start = ownProcessStart();
    for (const pid of [0, -1]) {
      expect(aliveAs(pid, undefined), `aliveAs(${pid})`).toBe(false);
      expect(writerAlive(pid, Date.now() - 1000), `writerAlive(${pid})`).toBe(false);
      if (start) {
        expect(aliveAs(pid, start), `aliveAs(${pid}, start)`).toBe(false);
        expect(recordedProcessAlive(pid, start), `recordedProcessAlive(${pid})`).toBe(false);
        expect(writerAlive(pid, Date.now() - 1000, start), `writerAlive(${pid}, start)`).toBe(false);
      }
      const record = { pid, startedAt: new Date(Date.now() - 60_000).toISOString(), host: hostname() } as unknown as RunRecord;
      expect(recordWriterAlive(record), `a running record with pid ${pid}`).toBe(false);
    }
    // This process, by its own start, is still alive: the check refuses only what is no process.
    if (start) expect(aliveAs(process.pid, start)).toBe(true);
  });
});
