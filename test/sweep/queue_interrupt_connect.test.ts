/**
 * Ctrl-C (or SIGTERM) on `rnnlab sweep --queue` while it still waits for Redis: the sweep says it stopped before
 * queuing anything, releases <out>/.sweep.lock (left behind, it blocks a sweep from another host) and exits 130; the
 * same command then queues the runs. "Redis" here is a listener that accepts and never answers.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { cleanup, requireFreshDist, run, tempDir, until } from './helpers.js';

// The sweep runs as its own process, from dist/, so that it gets the signal as a user's would.
requireFreshDist();

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let root: string;
let spec: string;
let silent: Server;
let silentUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  root = tempDir();
  spec = path.join(root, 'sweep.yaml');
  writeFileSync(spec, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\ngrid: { rnn: [lstm, gru] }\n');
  silent = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  silentUrl = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (silent) await new Promise((r) => silent.close(r));
  cleanup();
});

describe('rnnlab sweep --queue stopped while connecting', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('on %s: one line, no lock left, exit 130', async (sig) => {
    const out = path.join(root, `stop-${sig}`);
    const child = spawn(process.execPath, [path.join(REPO, 'bin/rnnlab.js'), 'sweep', spec, '--queue', silentUrl, '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_QUEUE_CONNECT_MS: '600000' },
    });
    let stdout = '', stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    // sweep.json is written after the handler is installed and before the connect wait starts.
    await until('the sweep wrote sweep.json', () => existsSync(path.join(out, 'sweep.json')));
    expect(existsSync(path.join(out, '.sweep.lock'))).toBe(true);
    child.kill(sig);
    expect(await exited).toBe(130);
    expect(stderr).toBe('');
    expect(stdout).toBe(`Stopped before Redis was reached: nothing was queued; the same command queues the runs. Wrote ${path.join(out, 'sweep.json')}.\n`);
    expect(existsSync(path.join(out, '.sweep.lock'))).toBe(false);
    expect(readSweepRecord(out)?.runs.map((r) => r.status)).toEqual(['pending', 'pending']);
  }, 60_000);

  it.skipIf(!redisAvailable())('the folder left by the stopped sweep is queued by the same command once Redis answers', async () => {
    const out = path.join(root, 'stop-SIGINT');
    const redis = await startRedis();
    try {
      const r = await run(['sweep', spec, '--queue', redis.url, '--queue-name', 'stop-connect', '--detach', '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Queued 2 run\(s\) on .* \(0 already complete\)/);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});

describe('the wait for a queued sweep stopped while it connects', () => {
  it('ends as a stopped wait, writing sweep.json from the run folders, not after the connect timeout', async () => {
    const dir = path.join(root, 'wait-connect');
    // The folder as a sweep that queued its runs leaves it (its sweep.json), Redis lost before the wait connects.
    const sweep = spawn(process.execPath, [path.join(REPO, 'bin/rnnlab.js'), 'sweep', spec, '--queue', silentUrl, '--out', dir], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => sweep.once('exit', () => r()));
    await until('the sweep wrote sweep.json', () => existsSync(path.join(dir, 'sweep.json')));
    sweep.kill('SIGINT');
    await exited;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    process.env.RNNLAB_QUEUE_CONNECT_MS = '600000';
    try {
      const outcome = await waitForSweep(parseSpec(readFileSync(spec, 'utf8'), spec), dir, { url: silentUrl, signal: stop.signal });
      expect(outcome.summary).toMatchObject({ completed: 0, failed: 0 });
      expect(readSweepRecord(dir)?.runs.map((r) => r.status)).toEqual(['pending', 'pending']);
    } finally {
      delete process.env.RNNLAB_QUEUE_CONNECT_MS;
    }
  }, 60_000);
});
