/** Two workers (or a worker and a local sweep) on one machine share its cores instead of each taking all of them. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimHostThreads, oversubscription, threadsClaimedByOthers } from '../../src/sweep/host_threads.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

describe('threads claimed on this machine', () => {
  it('counts live processes\' claims, drops the files of gone ones, and releases its own', async () => {
    const dir = tempDir();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    try {
      writeFileSync(path.join(dir, `${live.pid}.json`), JSON.stringify({ pid: live.pid, writer: null, threads: 3, what: 'worker a' }));
      writeFileSync(path.join(dir, `${gone.stdout}.json`), JSON.stringify({ pid: Number(gone.stdout), writer: null, threads: 5, what: 'worker b' }));
      const { release, others } = await claimHostThreads(() => 2, 'this one', { dir, cores: 8 });
      expect(others).toEqual({ threads: 3, holders: [`worker a (pid ${live.pid}): 3`] });
      // Its own claim is not "another's": a worker does not shrink itself.
      expect(threadsClaimedByOthers(dir)).toEqual({ threads: 3, holders: [`worker a (pid ${live.pid}): 3`] });
      expect(existsSync(path.join(dir, `${gone.stdout}.json`))).toBe(false);
      release();
      expect(readdirSync(dir).sort()).toEqual([`${live.pid}.json`]);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('says when runs × threads and the other claims exceed the cores, naming them', () => {
    expect(oversubscription(2, 1, { threads: 0, holders: [] }, 2)).toBeNull();
    expect(oversubscription(2, 1, { threads: 2, holders: ['worker a (pid 7): 2'] }, 2)).toBe(
      'Note: 2 run(s) × 1 thread(s) and 2 claimed by other rnnlab processes here (worker a (pid 7): 2) make 4 threads on 2 core(s); the runs will slow each other down (lower --parallel or --threads)');
    expect(oversubscription(4, 2, { threads: 0, holders: [] }, 4, '--concurrency')).toMatch(/^Note: 4 run\(s\) × 2 thread\(s\) make 8 threads on 4 core\(s\); .*\(lower --concurrency or --threads\)$/);
  });
});
