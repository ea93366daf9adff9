/**
 * Stop signals that no handler of a command's takes, once the command has printed: docs/CLI.md's exit code 130 with
 * a line that is true (not "stopped before anything was written", not a silent death by the signal). And a second
 * signal to `serve` while its first closes the server, and one that came during `evaluate`'s synchronous scoring and
 * writing: 130 with their own lines.
 *
 * No timing: a module given to node with --import wraps process.stdout.write of the CLI's process and, right after
 * the first chunk that matches STOP_TEST_KILL_AT, sends itself STOP_TEST_KILL_SIG, so the signal is pending at a
 * chosen point every time (dispatched when the process next polls). Runs the compiled CLI (dist/ must be current).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { get, post, until } from '../server/helpers.js';
import { cleanup, REPO_ROOT, trainFolderRun } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-stop-after-output-'));
afterAll(() => { rmSync(root, { recursive: true, force: true }); cleanup(); });

const killer = join(root, 'kill-after-write.mjs');
writeFileSync(killer, [
  // Only the CLI's own process: serve's job processes inherit the flag and the environment.
  "if (process.argv[1]?.endsWith('rnnlab.js')) {",
  '  const at = new RegExp(process.env.STOP_TEST_KILL_AT, "m");',
  '  const write = process.stdout.write;',
  '  let sent = false;',
  '  process.stdout.write = function (chunk, ...rest) {',
  '    const wrote = write.call(this, chunk, ...rest);',
  '    if (!sent && at.test(String(chunk))) { sent = true; process.kill(process.pid, process.env.STOP_TEST_KILL_SIG); }',
  '    return wrote;',
  '  };',
  '}',
].join('\n'));

interface Ended { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

function startCli(args: string[], killAt: string, sig: NodeJS.Signals, o: { stdin?: string; detached?: boolean } = {}) {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(killer).href, join(REPO_ROOT, 'bin/rnnlab.js'), ...args], {
    stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: o.detached,
    env: { ...process.env, RNNLAB_THREADS: '1', STOP_TEST_KILL_AT: killAt, STOP_TEST_KILL_SIG: sig },
  });
  // Left open: the command waits on stdin for more, so the signal finds it still running.
  if (o.stdin !== undefined) proc.stdin!.write(o.stdin);
  const output = { out: '', err: '' };
  proc.stdout!.on('data', (d: Buffer) => { output.out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { output.err += d.toString(); });
  const ended = new Promise<Ended>((done) => proc.on('close', (code, signal) => done({ code, signal, ...output })));
  return { proc, output, ended };
}

let trained: { root: string; data: string; trainRun: string };
beforeAll(async () => {
  assertDistFresh('cli/main.ts');
  trained = await trainFolderRun();
}, 120_000);

describe.skipIf(process.platform !== 'linux')('a stop signal once a command has printed', () => {
  it('predict stopped while it prints (waiting on stdin for its next batch): 130, the output said to be cut short', async () => {
    // One full batch of predict's 2048 texts is scored and printed; the rest of stdin never comes.
    const { proc, ended } = startCli(['predict', '--model', trained.trainRun, '--file', '-', '--format', 'csv'], '^text,', 'SIGINT',
      { stdin: 'a lovely film\n'.repeat(2048) });
    try {
      const r = await ended;
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
      expect(r.err).toBe('rnnlab: stopped; the output above is cut short\n');
      expect(r.out.split('\n')[0]).toMatch(/^text,/);
      expect(r.out.split('\n').length).toBeGreaterThan(1);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  }, 120_000);

  it('predict stopped once it returned (the signal dispatched as it ends): 130, its output whole', async () => {
    const { ended } = startCli(['predict', '--model', trained.trainRun, '--format', 'csv', 'a lovely film', 'a dull film'], '^text,', 'SIGTERM');
    const r = await ended;
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.err).toBe('rnnlab: stopped after the command had finished; the output above is whole\n');
    expect(r.out.trimEnd().split('\n')).toHaveLength(3);
  }, 120_000);

  it('evaluate stopped during its synchronous scoring and writes: 130, the line saying its run folder is whole', async () => {
    const out = join(root, 'evaluate');
    const { ended } = startCli(['evaluate', '--model', trained.trainRun, '--data', trained.data, '--out', out], '.', 'SIGINT');
    const r = await ended;
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.err).toBe(`rnnlab evaluate: stopped after its run was written; ${out} holds it whole\n`);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).status).toBe('completed');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('serve: a second SIGTERM while the first closes the server (a job running) exits 130 with a line', async () => {
    const runsDir = join(root, 'runs');
    // The second is sent as the first's "Stopping:" line is printed, before the server's close (the job's cancel) ends.
    const { proc, output, ended } = startCli(['serve', '--port', '0', '--runs', runsDir], '^Stopping:', 'SIGTERM', { detached: true });
    try {
      const base = (await until(() => /rnnlab dashboard: (http:\/\/\S+?)\/?\n/.exec(output.out)?.[1], 30_000, `the URL (stderr: ${output.err})`))!;
      const job = (await post(base, '/api/jobs', { task: 'addition', digits: 3, trainingSize: 30000, epochs: 200, name: 'long' })).body.job;
      await until(async () => (await get(base, `/api/jobs/${job.id}`)).body.job.progress, 60_000, 'the job to train');
      proc.kill('SIGTERM');
      const r = await ended;
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
      expect(r.out).toMatch(/^Stopping: cancelling the running job long \(job-[\w-]+\); no jobs are waiting\.$/m);
      expect(r.err).toBe('rnnlab serve: stopped at once\n');
    } finally {
      try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* all gone */ }
    }
  }, 120_000);
});
