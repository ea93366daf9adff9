/**
 * A stop signal while rnnlab is still loading its modules (before any command's own handlers are installed): exit
 * code 130 and a line on stderr, as docs/CLI.md's exit-code table says, not a silent death by the signal (143).
 * Runs the compiled CLI (bin/rnnlab.js, dist/), so dist/ must be current.
 *
 * The signal is sent as soon as /proc shows the process catching SIGHUP, which Node does not do by itself: bin/rnnlab.js's
 * first lines installed their handlers (SIGHUP last). Loading takes far longer than that poll, so the signal lands
 * while those handlers are in place; should loading have finished first, the command's own handler answers, which
 * exits 130 with a line too.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-early-signal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const catchesSighup = (pid: number): boolean => {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return !!mask && (BigInt(`0x${mask[1]}`) & 1n) === 1n;
  } catch {
    return false;
  }
};

async function signalWhileLoading(sig: NodeJS.Signals, out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'bin/rnnlab.js'), 'addition', '--training-size', '200', '--epochs', '1', '--hidden', '4', '--verbose', '0', '--out', out],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_THREADS: '1' } });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => proc.on('exit', (code, signal) => done({ code, signal })));
  const deadline = Date.now() + 30_000;
  while (!catchesSighup(proc.pid!) && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 2));
  expect(catchesSighup(proc.pid!)).toBe(true);
  proc.kill(sig);
  const { code, signal } = await ended;
  return { code, signal, stderr };
}

describe.skipIf(process.platform !== 'linux')('a stop signal while rnnlab starts', () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`${sig} exits 130 with a line saying so, and nothing is written`, async () => {
      const out = join(root, sig);
      const r = await signalWhileLoading(sig, out);
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines[0]).toMatch(/^rnnlab/);
      if (lines[0] === 'rnnlab: stopped before anything was written') expect(existsSync(out)).toBe(false);
    }, 60_000);
  }
});
