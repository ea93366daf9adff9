/** Claims of threads started at the same instant split the cores; claims of processes that are gone count for nothing. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimHostThreads } from '../../src/sweep/host_threads.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

/** A worker's sizing: `concurrency` runs of floor(free / concurrency) threads (at least 1). */
const worker = (concurrency: number) => (free: number) => concurrency * Math.max(1, Math.floor(free / concurrency));

describe('two claims started at the same instant', () => {
  it('never both take all the cores: interleaved, their totals stay within the machine', async () => {
    for (const [a, b] of [[2, 2], [1, 4], [4, 1], [3, 2]]) {
      const dir = tempDir();
      // Neither awaited before the other starts: both write their claims before either reads.
      const [x, y] = await Promise.all([claimHostThreads(worker(a), 'a', { dir, cores: 8 }), claimHostThreads(worker(b), 'b', { dir, cores: 8 })]);
      const claimed = readdirSync(dir).map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { threads: number; settled: boolean });
      expect(claimed.every((c) => c.settled)).toBe(true);
      const total = claimed.reduce((n, c) => n + c.threads, 0);
      expect(total).toBeLessThanOrEqual(8);
      // The cores are split, not left idle: the first takes them all, the second what it can get (at least 1 per run).
      expect(worker(a)(x.free) + worker(b)(y.free)).toBe(total);
      expect(total).toBeGreaterThanOrEqual(Math.max(a, b));
      x.release();
      y.release();
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('counts a claim already settled: the second sizes itself to the cores the first left', async () => {
    const dir = tempDir();
    const first = await claimHostThreads(worker(1), 'first', { dir, cores: 8 });
    expect(first.free).toBe(8);
    const second = await claimHostThreads(worker(2), 'second', { dir, cores: 8 });
    expect(second).toMatchObject({ free: 1, others: { threads: 8, holders: [`first (pid ${process.pid}): 8`] } });
    first.release();
    second.release();
  });
});

describe('claims of processes that are gone', () => {
  it('are ignored and removed, settled or not, whatever their file name', async () => {
    const dir = tempDir();
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const files = [`${gone}.json`, `${gone}-3.json`];
    writeFileSync(path.join(dir, files[0]), JSON.stringify({ pid: gone, writer: null, threads: 6, what: 'old worker' }));
    // A provisional claim ordered after ours, left by a process that died before settling it: nothing to wait for.
    writeFileSync(path.join(dir, files[1]), JSON.stringify({ pid: gone, writer: null, threads: 8, what: 'dead starter', settled: false, order: [Date.now() + 60_000, gone, 3] }));
    const c = await claimHostThreads(worker(2), 'live', { dir, cores: 8, settleMs: 60_000 });
    expect(c).toMatchObject({ free: 8, others: { threads: 0, holders: [] } });
    for (const f of files) expect(existsSync(path.join(dir, f))).toBe(false);
    c.release();
  });
});
