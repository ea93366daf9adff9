/**
 * A stale run-folder lock (its writer dead) taken over by several runs at once: exactly one of them ends up holding
 * it, whatever the interleaving. The runs are child processes (a lock of this process is judged by this process's own
 * runs, not by pid), each held at the takeover's steps by setTakeOverHook where a test needs a given order.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_HOST } from '../../src/io/atomic.js';
import { lockRunFolder, RUN_LOCK_FILE, type RunLockHolder } from '../../src/report/run_lock.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, REPO_ROOT, tempDir } from '../cli/helpers.js';

afterAll(cleanup);
beforeAll(() => assertDistFresh('report/run_lock.ts'));

const lockOf = (dir: string) => path.join(dir, RUN_LOCK_FILE);
const readLock = (dir: string) => JSON.parse(readFileSync(lockOf(dir), 'utf8')) as RunLockHolder;

/** A folder holding the lock of a process that has exited (a run killed outright). */
function staleLockFolder(): string {
  const dir = path.join(tempDir('rnnlab-takeover-'), 'run');
  mkdirSync(dir);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  writeFileSync(lockOf(dir), JSON.stringify({ pid: dead, host: TEMP_HOST, command: 'rnnlab dead --out run', since: '2026-01-01T00:00:00.000Z', token: 'feedfacefeedface' }));
  return dir;
}

interface Racer { child: ChildProcess; name: string; answer: Promise<string> }

/**
 * A run taking dir's lock in its own process. At each step in `holdAt` (the first time it is reached) it writes
 * <signals>/<name>-<step> and waits for <signals>/go-<name>-<step>; with `jitter`, it pauses up to that many ms at
 * every step instead. Answers 'got <token>' (then holds the lock until its stdin ends) or 'busy <message>'.
 */
function racer(dir: string, signals: string, name: string, o: { holdAt?: string[]; jitter?: number; dieAt?: string } = {}): Racer {
  const lockModule = path.join(REPO_ROOT, 'dist/report/run_lock.js');
  const code = `import { existsSync, writeFileSync } from 'node:fs';
import { lockRunFolder, setTakeOverHook } from ${JSON.stringify(lockModule)};
const z = new Int32Array(new SharedArrayBuffer(4));
const holdAt = new Set(${JSON.stringify(o.holdAt ?? [])});
setTakeOverHook((step) => {
  if (step === ${JSON.stringify(o.dieAt ?? '')}) process.kill(process.pid, 'SIGKILL');
  if (${o.jitter ?? 0} > 0) Atomics.wait(z, 0, 0, Math.random() * ${o.jitter ?? 0});
  if (!holdAt.delete(step)) return;
  writeFileSync(${JSON.stringify(signals)} + '/${name}-' + step, '');
  for (let i = 0; i < 6000 && !existsSync(${JSON.stringify(signals)} + '/go-${name}-' + step); i++) Atomics.wait(z, 0, 0, 5);
});
try {
  const l = lockRunFolder(${JSON.stringify(dir)}, 'rnnlab ${name}');
  console.log('got ' + JSON.parse((await import('node:fs')).readFileSync(${JSON.stringify(lockOf(dir))}, 'utf8')).token);
  process.stdin.resume();
  process.stdin.on('end', () => { l.release(); process.exit(0); });
} catch (e) { console.log('busy ' + e.message); process.exit(0); }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answer = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.endsWith('\n')) resolve(out.trim()); });
    child.on('exit', (c, s) => resolve(out.trim() || `exited ${c ?? s}`));
  });
  return { child, name, answer };
}

async function signalled(signals: string, file: string): Promise<void> {
  for (let i = 0; i < 3000 && !existsSync(path.join(signals, file)); i++) await new Promise((r) => setTimeout(r, 10));
  expect(existsSync(path.join(signals, file)), `waiting for ${file}`).toBe(true);
}

const go = (signals: string, name: string, step: string) => writeFileSync(path.join(signals, `go-${name}-${step}`), '');

async function endAll(racers: Racer[]): Promise<void> {
  await Promise.all(racers.map((r) => new Promise<void>((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) { resolve(); return; }
    r.child.on('exit', () => resolve());
    r.child.stdin!.end();
  })));
}

describe('a stale lock taken over by several runs at once', () => {
  it('two runs that both found it stale: the one that takes it over first keeps it; a third coming meanwhile is refused', async () => {
    const dir = staleLockFolder();
    const signals = tempDir('rnnlab-takeover-signals-');
    const a = racer(dir, signals, 'a', { holdAt: ['found-stale'] });
    const b = racer(dir, signals, 'b', { holdAt: ['found-stale', 'guarded'] });
    const all = [a, b];
    try {
      await signalled(signals, 'a-found-stale');
      await signalled(signals, 'b-found-stale');
      // a takes it over and holds it; b then goes on from the stale lock it read, and stops holding the takeover guard.
      go(signals, 'a', 'found-stale');
      const gotA = await a.answer;
      expect(gotA).toMatch(/^got [0-9a-f]{16}$/);
      go(signals, 'b', 'found-stale');
      await signalled(signals, 'b-guarded');
      // While b holds the guard (where the lock moved aside used to leave the name free), the lock is still a's.
      const c = racer(dir, signals, 'c');
      all.push(c);
      expect(await c.answer).toMatch(new RegExp(`^busy ${dir} is being written by another rnnlab run \\(pid ${a.child.pid} on this host: rnnlab a, since `));
      go(signals, 'b', 'guarded');
      expect(await b.answer).toMatch(new RegExp(`^busy ${dir} is being written by another rnnlab run \\(pid ${a.child.pid} on this host: rnnlab a, since `));
      expect(readLock(dir)).toMatchObject({ pid: a.child.pid, command: 'rnnlab a', token: gotA.slice(4) });
      expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
    } finally {
      await endAll(all);
    }
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('six runs at once, paused at random at each step: exactly one holds it, every time', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = staleLockFolder();
      const signals = tempDir('rnnlab-takeover-signals-');
      const racers = Array.from({ length: 6 }, (_, i) => racer(dir, signals, `r${i}`, { jitter: 30 }));
      try {
        const answers = await Promise.all(racers.map((r) => r.answer));
        const got = answers.filter((a) => a.startsWith('got '));
        expect(got, answers.join('\n')).toHaveLength(1);
        expect(answers.filter((a) => a.startsWith('busy ')), answers.join('\n')).toHaveLength(5);
        expect(readLock(dir).token).toBe(got[0].slice(4));
        expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
      } finally {
        await endAll(racers);
      }
    }
  }, 120_000);

  it('a takeover guard left by a run killed while it held it does not block the folder for good', async () => {
    const dir = staleLockFolder();
    const signals = tempDir('rnnlab-takeover-signals-');
    const killed = racer(dir, signals, 'killed', { dieAt: 'guarded' });
    expect(await killed.answer).toBe('exited SIGKILL');
    // The stale lock and the dead run's guard are both still there.
    expect(readdirSync(dir).sort()).toEqual([RUN_LOCK_FILE, expect.stringMatching(/^\.rnnlab\.lock\.takeover-[0-9a-f]{16}$/)]);
    const lock = lockRunFolder(dir, 'rnnlab next');
    expect(readLock(dir)).toMatchObject({ pid: process.pid, command: 'rnnlab next' });
    expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
    lock.release();
  }, 60_000);

  it('a run that finds another live run taking the lock over waits for it, and is refused naming it if it does not end', async () => {
    const dir = staleLockFolder();
    const signals = tempDir('rnnlab-takeover-signals-');
    const first = racer(dir, signals, 'first', { holdAt: ['guarded'] });
    const all = [first];
    try {
      await signalled(signals, 'first-guarded');
      const late = racer(dir, signals, 'late');
      all.push(late);
      expect(await late.answer).toMatch(new RegExp(`^busy ${dir} is being written by another rnnlab run \\(pid ${first.child.pid} on this host: rnnlab first \\(taking over a stale lock\\), since `));
      // Let go, the first run finishes its takeover and holds the folder.
      go(signals, 'first', 'guarded');
      expect(await first.answer).toMatch(/^got /);
      expect(readLock(dir)).toMatchObject({ pid: first.child.pid, command: 'rnnlab first' });
      expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
    } finally {
      await endAll(all);
    }
  }, 60_000);
});
