// .sweep.lock names its sweep's pid, host and process start: a lock written on another machine is never taken over
// by a pid check here, and a lock whose pid now belongs to another process (a reused pid) is.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockSweepDir, SWEEP_LOCK } from '../../src/cli/sweep.js';
import { ownProcessStart } from '../../src/io/process_alive.js';
import { cleanup, tempDir } from './helpers.js';

const root = tempDir();
afterAll(() => cleanup());
const linux = ownProcessStart() !== null;
const lock = (o: { pid: number; host: string; writer: unknown }) => `${o.pid}\n${JSON.stringify(o)}\n`;

describe('the sweep lock', () => {
  it('names this process (pid, host, start) and is released', () => {
    const d = path.join(root, 'mine');
    const release = lockSweepDir(d);
    const [pidLine, json] = readFileSync(path.join(d, SWEEP_LOCK), 'utf8').split('\n');
    // The pid alone on the first line: what older rnnlabs read.
    expect(pidLine).toBe(String(process.pid));
    const owner = JSON.parse(json);
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(owner.writer).toEqual(ownProcessStart());
    release();
    expect(existsSync(path.join(d, SWEEP_LOCK))).toBe(false);
  });

  it("refuses a lock held on another machine, naming it and the file to delete if that sweep is gone", () => {
    const d = path.join(root, 'remote');
    mkdirSync(d);
    const remote = lock({ pid: 999_999_999, host: 'some-other-machine', writer: null });
    writeFileSync(path.join(d, SWEEP_LOCK), remote);
    expect(() => lockSweepDir(d)).toThrow(/another sweep \(pid 999999999 on some-other-machine\) is running .*delete .*\.sweep\.lock/);
    expect(readFileSync(path.join(d, SWEEP_LOCK), 'utf8')).toBe(remote);
  });

  it('takes over an old-format lock naming this process\'s own pid (left by an earlier process that had it)', () => {
    const d = path.join(root, 'own-pid');
    mkdirSync(d);
    writeFileSync(path.join(d, SWEEP_LOCK), `${process.pid}\n`);
    const release = lockSweepDir(d);
    expect(readFileSync(path.join(d, SWEEP_LOCK), 'utf8')).toContain(hostname());
    release();
    expect(readdirSync(d)).toEqual([]);
  });

  it.skipIf(!linux)('takes over a lock whose pid is alive but is another process (a reused pid), and keeps a live one', async () => {
    const d = path.join(root, 'reused');
    mkdirSync(d);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const start = ownProcessStart()!;
      // The live child's pid with this process's start ticks: not the process that wrote the lock.
      writeFileSync(path.join(d, SWEEP_LOCK), lock({ pid: other.pid!, host: hostname(), writer: { ...start, startTicks: start.startTicks + 1 } }));
      const release = lockSweepDir(d);
      expect(readFileSync(path.join(d, SWEEP_LOCK), 'utf8').split('\n')[0]).toBe(String(process.pid));
      release();
      // The child's real identity: held.
      const real = Number(readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]);
      writeFileSync(path.join(d, SWEEP_LOCK), lock({ pid: other.pid!, host: hostname(), writer: { bootId: start.bootId, startTicks: real } }));
      expect(() => lockSweepDir(d)).toThrow(new RegExp(`another sweep \\(pid ${other.pid}\\) is running`));
    } finally {
      other.kill('SIGKILL');
    }
  });
});
