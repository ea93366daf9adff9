/**
 * `rnnlab ... | head`: a closed stdout. A command that trains or writes a run must not end as a success with its run
 * cut short (exit code 141, a line on stderr, no results), while one that only prints stops quietly. The compiled
 * CLI (bin/rnnlab.js, dist/) is spawned with its stdout closed before it writes anything (then the first line it
 * prints, before training, finds the pipe closed), or closed once training has begun (then the run's own Ctrl-C
 * handling stops it and keeps a checkpoint).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMDB_TINY, REPO_ROOT, syntheticImdb, tempDir } from './helpers.js';

const fx = syntheticImdb('rnnlab-closed-stdout-');

function runClosedStdout(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err }));
  });
}

/** Spawns the CLI and closes its stdout once a line matching `after` has been read from it. */
function runClosingStdout(args: string[], after: RegExp): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (after.test(out)) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('a closed stdout', () => {
  it('in the middle of training stops the run as Ctrl-C does: checkpoint kept, resume line, exit code 141', async () => {
    const out = path.join(tempDir('rnnlab-closed-stdout-mid-'), 'run');
    const args = [...IMDB_TINY.filter((a, i, all) => a !== '--verbose' && all[i - 1] !== '--verbose'), '--verbose', '2', '--epochs', '400', '--data', fx.tar, '--out', out];
    const r = await runClosingStdout(args, /^Epoch 2\//m);
    expect(r.out).toMatch(/^Epoch 2\//m);
    expect(r.out).not.toMatch(/^Epoch 400\//m);
    expect(r.code).toBe(141);
    expect(r.err).toMatch(/^rnnlab imdb: stdout was closed \(e\.g\. by \| head\); stopping the run as Ctrl-C does \(exit code 141\)$/m);
    expect(r.err).toMatch(/--resume/);
    expect(existsSync(path.join(out, 'checkpoint', 'checkpoint.json'))).toBe(true);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
  });

  it('stops a training run with exit code 141 and says so on stderr; nothing is written as if it were done', async () => {
    const out = path.join(tempDir('rnnlab-closed-stdout-run-'), 'run');
    const r = await runClosedStdout([...IMDB_TINY, '--epochs', '2', '--data', fx.tar, '--out', out]);
    expect(r.code).toBe(141);
    expect(r.err).toMatch(/^rnnlab imdb: stdout was closed \(e\.g\. by \| head\); stopping the run as Ctrl-C does \(exit code 141\)$/m);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
    expect(existsSync(path.join(out, 'model'))).toBe(false);
  });

  it('ends a command that only prints quietly, with its own exit code', async () => {
    const r = await runClosedStdout(['tokenize', '--fit', 'good film', 'bad film']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});
