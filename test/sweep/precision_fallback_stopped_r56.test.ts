/**
 * A sweep stopped with Ctrl-C after a run asking for mixed_bfloat16 trained in float32 says so as a finished sweep does:
 * one stderr line, beside the precisionFallback its sweep.json records (a local sweep stopped mid-way, and a queued
 * sweep's stopped wait). The runs get RNNLAB_ISA=portable, where the native kernels run no bf16 on any CPU.
 */
import { spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeKernels } from '../../src/backend/index.js';
import { runSweepLocal } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, until } from './helpers.js';

requireFreshDist();

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FALLBACK_LINE = /^rnnlab sweep: The run asking for mixed_bfloat16 trained in float32\. .*"ran in float32"\.$/m;
const hasRedis = redisAvailable();
let redis: RedisServer | undefined;
let root: string;

beforeAll(async () => {
  root = tempDir();
  if (hasRedis && nativeKernels()) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  cleanup();
});

/** `rnnlab sweep ARGS` as its own process on the portable instruction set, with what it prints and how it exits. */
function sweepProcess(args: string[]) {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/rnnlab.js'), 'sweep', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_ISA: 'portable' } });
  const p = { child, out: '', err: '', exited: new Promise<number | null>((r) => child.once('exit', (c) => r(c))) };
  child.stdout!.on('data', (c: Buffer) => (p.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (p.err += c.toString()));
  return p;
}

// Without the addon the reference kernels emulate bf16: mixed_bfloat16 runs, and nothing falls back.
describe.skipIf(!nativeKernels())('a stopped sweep whose finished run fell back to float32', () => {
  it('a local sweep stopped while its second run trains: the fallback line once, and sweep.json records it', async () => {
    const spec = path.join(root, 'local.yaml');
    // The first run takes a moment; the second trains long enough to be stopped in.
    writeFileSync(spec, 'command: addition\nflags: { digits: 2, training-size: 300, hidden: 8, samples: 0, precision: mixed_bfloat16 }\ngrid: { epochs: [1, 100000] }\nseeds: [1]\n');
    const out = path.join(root, 'local-out');
    const s = sweepProcess([spec, '--out', out, '--parallel', '1', '--threads', '1']);
    try {
      await until('the first run is done', () => s.out.includes('done: epochs-1_seed-1'), 90_000);
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(130);
    } finally {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
    expect(s.out).toMatch(/Stopped: 1 run\(s\) left; the same command resumes the sweep\./);
    const rec = readSweepRecord(out)!;
    expect(rec.finishedAt).toBeNull();
    expect(rec.runs.find((r) => r.id === 'epochs-1_seed-1')!.precisionFallback).toEqual({ asked: 'mixed_bfloat16', ran: 'float32' });
    expect(s.err.match(/trained in float32/g)).toHaveLength(1);
    expect(s.err).toMatch(FALLBACK_LINE);
  }, 120_000);

  it.skipIf(!hasRedis)("a queued sweep's wait stopped after a worker's run fell back: the fallback line once", async () => {
    const text = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0, precision: mixed_bfloat16 }\nseeds: [1, 2]\n';
    const spec = path.join(root, 'wait.yaml');
    writeFileSync(spec, text);
    // A run done elsewhere (on the portable set), copied in while the sweep waits: as a worker's finished run appears.
    const done = path.join(root, 'done-elsewhere');
    const isa = process.env.RNNLAB_ISA;
    process.env.RNNLAB_ISA = 'portable';
    try {
      await runSweepLocal(parseSpec(text), { dir: done, parallel: 1, threads: 1 });
    } finally {
      if (isa === undefined) delete process.env.RNNLAB_ISA; else process.env.RNNLAB_ISA = isa;
    }
    const dir = path.join(root, 'waiting');
    const s = sweepProcess([spec, '--queue', redis!.url, '--queue-name', 'fallback-stop-r56', '--out', dir]);
    try {
      await until('the sweep waits', () => s.out.includes('0/2 done'), 60_000);
      cpSync(path.join(done, 'runs', 'seed-1'), path.join(dir, 'runs', 'seed-1'), { recursive: true });
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(130);
    } finally {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
    expect(s.out).toMatch(/Stopped waiting: 1 of 2 run\(s\) done so far/);
    expect(readSweepRecord(dir)!.runs.find((r) => r.id === 'seed-1')!.precisionFallback).toEqual({ asked: 'mixed_bfloat16', ran: 'float32' });
    expect(s.err.match(/trained in float32/g)).toHaveLength(1);
    expect(s.err).toMatch(FALLBACK_LINE);
  }, 120_000);
});
