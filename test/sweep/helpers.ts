/** A small learnable IMDb-layout tarball and temp folders for the sweep tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { beforeAll } from 'vitest';
import { makeTarGz, type FixtureEntry } from '../data/fixtures.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { jobId, redisConnection } from '../../src/sweep/queue.js';
import { parseSpec, type SweepSpec } from '../../src/sweep/spec.js';
import { main } from '../../src/cli/main.js';

const POS = ['great', 'brilliant', 'wonderful', 'superb', 'loved'];
const NEG = ['awful', 'terrible', 'boring', 'worst', 'hated'];
const FILL = ['the', 'movie', 'was', 'and', 'film', 'plot', 'acting', 'story'];

/** perFolder reviews in each of train/test × pos/neg, whose sentiment words give the class away. */
export function learnableTarball(dir: string, perFolder = 60): string {
  const entries: FixtureEntry[] = [{ name: 'aclImdb/', type: '5' }];
  let id = 0;
  for (const split of ['train', 'test']) {
    for (const folder of ['neg', 'pos']) {
      entries.push({ name: `aclImdb/${split}/${folder}/`, type: '5' });
      const words = folder === 'pos' ? POS : NEG;
      for (let i = 0; i < perFolder; i++, id++) {
        const text = Array.from({ length: 8 }, (_, k) => (k % 3 === 1 ? words[(id + k) % words.length] : FILL[(id * 7 + k) % FILL.length])).join(' ');
        entries.push({ name: `aclImdb/${split}/${folder}/${id}_${folder === 'pos' ? 8 : 2}.txt`, data: `${text}.` });
      }
    }
  }
  const file = path.join(dir, 'imdb.tar.gz');
  writeFileSync(file, makeTarGz(entries));
  return file;
}

const made: string[] = [];
export function tempDir(prefix = 'rnnlab-sweep-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * For a test file whose sweeps run real runs: each run is a child process of the compiled dist/cli/sweep_child.js
 * (and a worker started as its own process runs bin/rnnlab.js, dist/cli/main.js), so a src file edited since the
 * last build would be tested from its old copy. Stops the file's tests with "dist/ is older than src/...".
 */
export function requireFreshDist(): void {
  beforeAll(() => {
    assertDistFresh('cli/sweep_child.ts');
    assertDistFresh('cli/main.ts');
  });
}

/** Waits (polling every 20 ms) until ok() holds; fails naming what never happened. */
export async function until(what: string, ok: () => boolean, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error(`never happened: ${what}`);
}

/** A one-run imdb sweep on a small learnable tarball, slow enough (40 epochs) to be caught mid-run by a Redis restart. */
export function slowImdbSpec(): SweepSpec {
  const data = learnableTarball(tempDir(), 80);
  return parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 160, epochs: 40, maxlen: 20, vocab: 2000, embedding_dim: 8, batch_size: 16, units: 8, model: lstm }
`);
}

/** Runs the CLI in-process, capturing what it prints. */
export async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** The fixed flags of a spec whose addition runs take a moment each. */
export const TINY_ADDITION = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, samples: 0 }\n';

/** Writes `<name>.yaml` under root and runs `rnnlab sweep` on it into `<name>-out` (in-process). */
export function sweepSpec(root: string, name: string, text: string) {
  const spec = path.join(root, `${name}.yaml`);
  writeFileSync(spec, text);
  const out = path.join(root, `${name}-out`);
  return { spec, out, result: run(['sweep', spec, '--out', out]) };
}

/** A queued run's job as BullMQ holds it: its state and the attempts it has spent. */
export async function queuedJob(url: string, queueName: string, sweepDir: string, runId: string): Promise<{ state: string; attemptsMade: number }> {
  const connection = redisConnection(url);
  const queue = new Queue(queueName, { connection });
  try {
    const job = (await queue.getJob(jobId(sweepDir, runId)))!;
    return { state: await job.getState(), attemptsMade: job.attemptsMade };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/**
 * rnnlab as its own process (it gets a signal as a user's would), with what it prints and how it exits; the child is
 * added to `children`, which the calling file kills after its tests.
 */
export function rnnlabProcess(args: string[], children: ChildProcess[]) {
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/rnnlab.js');
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const p = { child, out: '', err: '', exited: new Promise<number | null>((r) => child.once('exit', (c) => r(c))) };
  child.stdout!.on('data', (c: Buffer) => (p.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (p.err += c.toString()));
  return p;
}

/**
 * A TCP proxy to Redis on `port` for a test to watch or cut connections: each chunk a client sends goes to `look`
 * first, and is passed on unless it returns false (it may destroy the client). Its closer (every socket, then the
 * server) joins `closers`.
 */
export async function redisProxy(port: number, closers: (() => Promise<void>)[], look: (chunk: Buffer, client: net.Socket) => boolean): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.on('data', (chunk: Buffer) => { if (look(chunk, client)) upstream.write(chunk); });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}
