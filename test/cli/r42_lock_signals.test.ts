/**
 * Stop signals and the run-folder lock: SIGTERM or SIGHUP while `imdb` trains stops it as Ctrl-C does (a checkpoint,
 * the resume command, exit 130, the lock given back); a stop signal while a command holds the lock but has no stop
 * handling of its own (evaluate reading its data) exits 130 saying nothing was written, leaving no lock and no new
 * --out; and `--resume X --out Y`, which writes X/checkpoint, takes X's lock too. The signal cases spawn the compiled
 * CLI (bin/rnnlab.js, dist/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockRunFolder, RUN_LOCK_FILE } from '../../src/report/run_lock.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, expectRefused, IMDB_TINY, REPO_ROOT, run, syntheticImdb, tempDir, trainFolderRun } from './helpers.js';

afterAll(cleanup);
const fx = syntheticImdb('rnnlab-r42-lock-signals-');
beforeAll(() => assertDistFresh('cli/main.ts'));

interface Stopped { code: number | null; signal: string | null; out: string; err: string; sent: boolean }

/**
 * The compiled CLI in a process of its own, sent `signal` once `ready(out)` holds; `stopped(err)` says its stop has
 * been handled, and then `afterStop` runs (to let go of what the process waits on).
 */
function spawnStopped(args: string[], signal: NodeJS.Signals, ready: (out: string) => boolean, afterStop: () => void = () => {}): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', sent = false, after = false;
    const poll = setInterval(() => {
      if (!sent && ready(out)) { sent = true; child.kill(signal); }
      if (sent && !after && /rnnlab: stopped before anything was written/.test(err)) { after = true; afterStop(); }
    }, 20);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, sig) => { clearInterval(poll); resolve({ code, signal: sig, out, err, sent }); });
  });
}

describe('stop signals with the run-folder lock held', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)('imdb: %s while it trains saves a checkpoint, prints the resume command and exits 130', async (signal) => {
    const out = path.join(tempDir('rnnlab-r42-imdb-stop-'), 'run');
    const flags = [...IMDB_TINY.filter((a) => a !== '--verbose' && a !== '0'), '--verbose', '2', '--data', fx.tar, '--epochs', '1000', '--out', out];
    const r = await spawnStopped(flags, signal, (o) => /^Epoch 2\//m.test(o));
    expect(r.sent, r.err).toBe(true);
    expect([r.code, r.signal], r.err).toEqual([130, null]);
    expect(r.err).toContain(`rnnlab: ${signal}: finishing the current batch, then saving a checkpoint`);
    expect(r.err).toMatch(/interrupted; checkpoint saved to .*run\/checkpoint \((in epoch \d+ after batch \d+|after epoch \d+)\)/);
    expect(r.err).toMatch(/to resume: rnnlab imdb .* --resume \S*run\n/);
    expect(existsSync(path.join(out, 'checkpoint', 'checkpoint.json'))).toBe(true);
    expect(existsSync(path.join(out, RUN_LOCK_FILE))).toBe(false);
  }, 120_000);

  it('evaluate: Ctrl-C while it waits for its --data exits 130 saying nothing was written, and leaves no --out folder', async () => {
    const { root, trainRun } = await trainFolderRun();
    // A FIFO no one writes to: evaluate waits on it, after taking --out's lock, for as long as the test likes.
    const fifo = path.join(root, 'rows.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const out = path.join(root, 'eval-new');
    // Node joins its file threads at exit: the one waiting on the FIFO is let go once the stop is handled.
    const letGo = () => { try { closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); } catch { /* not opened yet: nothing waits */ } };
    const r = await spawnStopped(['evaluate', '--model', trainRun, '--data', fifo, '--format', 'csv', '--out', out], 'SIGINT',
      () => existsSync(path.join(out, RUN_LOCK_FILE)), letGo);
    expect(r.sent, r.err).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.err).toBe(`rnnlab: stopped before anything was written; nothing was written to ${out}\n`);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('--resume X --out Y locks X too', () => {
  const ADDER = ['seq2seq', '--generate', 'addition', '--count', '60', '--units', '4', '--embedding-dim', '4', '--batch-size', '8',
    '--threads', '1', '--verbose', '0', '--samples', '0'];

  it('a resume elsewhere of a run folder another run holds is refused naming --resume, with nothing changed', async () => {
    const root = tempDir('rnnlab-r42-resume-lock-');
    const from = path.join(root, 'from'), elsewhere = path.join(root, 'elsewhere');
    const first = await run([...ADDER, '--epochs', '1', '--out', from]);
    expect(first.code, first.err).toBe(0);
    const checkpoint = readFileSync(path.join(from, 'checkpoint', 'checkpoint.json'));
    const held = lockRunFolder(from, 'rnnlab holder --out from');
    try {
      const r = await run([...ADDER, '--epochs', '2', '--resume', from, '--out', elsewhere]);
      expectRefused(r, 'seq2seq', /^rnnlab seq2seq: error: --resume: .*from is being written by another rnnlab run \(pid \d+ on this host: rnnlab holder --out from,/);
      expect(readFileSync(path.join(from, 'checkpoint', 'checkpoint.json')).equals(checkpoint)).toBe(true);
      expect(existsSync(elsewhere)).toBe(false);
    } finally {
      held.release();
    }
    // Free again, it goes on, and gives both locks back.
    const r = await run([...ADDER, '--epochs', '2', '--resume', from, '--out', elsewhere]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(path.join(elsewhere, 'results.json'))).toBe(true);
    expect(existsSync(path.join(from, RUN_LOCK_FILE))).toBe(false);
    expect(existsSync(path.join(elsewhere, RUN_LOCK_FILE))).toBe(false);
  }, 60_000);
});
