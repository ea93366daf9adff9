/**
 * `rnnlab serve` as a real process, stopped by a signal while a job trains: it exits 0 having cancelled the job, whose
 * run folder says "cancelled" (not running, not completed), and leaves no training process behind. Runs the
 * compiled CLI (bin/rnnlab.js, dist/), so dist/ must be current. And a runs folder that cannot be made where making a
 * folder fails strangely (/proc) is an error at once, not a start that never ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { get, post, REPO_ROOT, serveWithTrainingJob, startTestServer, tempDir, until } from './helpers.js';

/** The pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('rnnlab serve stopped by a signal while a job trains', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: exit 0, the job cancelled in its folder, no training process left', async (signal) => {
    const runsDir = tempDir();
    const { proc, output, exited, running } = await serveWithTrainingJob(runsDir);
    try {
      const trainers = childrenOf(proc.pid!);
      expect(trainers.length).toBeGreaterThan(0);
      proc.kill(signal);
      expect(await exited).toBe(0);
      expect(output.out).toMatch(/^Stopping: cancelling the running job \S+ \(job-[\w-]+\); no jobs are waiting\.$/m);
      for (const pid of trainers) await until(() => !alive(pid), 10_000, `training process ${pid} to end`);
      const rec = JSON.parse(readFileSync(join(runsDir, running.runId, 'results.json'), 'utf8'));
      expect(rec.status).toBe('cancelled');
      expect(rec.finishedAt).not.toBeNull();
      expect(readdirSync(join(runsDir, running.runId)).filter((f) => f.startsWith('.'))).toEqual([]);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });

  it('a job cancelled this way is listed cancelled, not running, by the next server on the folder', async () => {
    // The folder the signal left is what a restarted dashboard reads back.
    assertDistFresh('cli/main.ts');
    const runsDir = tempDir();
    const proc = spawn(process.execPath, [join(REPO_ROOT, 'bin/rnnlab.js'), 'serve', '--port', '0', '--runs', runsDir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => { out += c; });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    let runId = '';
    try {
      const base = (await until(() => /rnnlab dashboard: (http:\/\/\S+?)\/?\n/.exec(out)?.[1], 30_000, 'the URL'))!;
      const job = (await post(base, '/api/jobs', { task: 'addition', digits: 3, trainingSize: 30000, epochs: 200, name: 'long' })).body.job;
      runId = (await until(async () => {
        const j = (await get(base, `/api/jobs/${job.id}`)).body.job;
        return j.progress ? j.runId : null;
      }, 60_000, 'the job to train')) as string;
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    const s = await startTestServer({ runsDir });
    try {
      const jobs = (await get(s.base, '/api/jobs')).body.jobs;
      expect(jobs.map((j: { runId: string; status: string }) => [j.runId, j.status])).toEqual([[runId, 'cancelled']]);
      const listed = (await get(s.base, '/api/runs')).body.runs;
      expect(listed.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[runId, 'cancelled']]);
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!existsSync('/proc/self'))('a runs folder under /proc', () => {
  it('is an exit 1 naming the folder, at once (Node\'s recursive mkdir would loop there for ever)', () => {
    assertDistFresh('cli/main.ts');
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/rnnlab.js'), 'serve', '--port', '0', '--runs', '/proc/rnnlab-no-such/runs'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rnnlab serve: cannot make the runs folder \/proc\/rnnlab-no-such\/runs: .*; choose another --runs\n$/);
  });
});
