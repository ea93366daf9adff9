/**
 * The run-folder lock (src/report/run_lock.ts): one run writes a folder at a time. A second run into a folder another
 * live run holds is refused before it reads or trains anything (exit code 2 naming --out, the folder and the holder);
 * the lock goes when the run ends (done, failed, Ctrl-C); a dead holder's lock is taken over.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_HOST } from '../../src/io/atomic.js';
import { lockRunFolder, RUN_LOCK_FILE, RunFolderBusy, type RunLockHolder } from '../../src/report/run_lock.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, expectRefused, IMDB_TINY, readResults, REPO_ROOT, run, snapshotFiles, spawnCli, syntheticImdb, tempDir, writeClassFolders } from './helpers.js';

afterAll(cleanup);
const fx = syntheticImdb('rnnlab-run-lock-');
beforeAll(() => assertDistFresh('cli/main.ts'));

/** A quick addition run, less --epochs and --verbose (a flag given twice is refused). */
const ADDITION_BASE = ['addition', '--digits', '1', '--training-size', '50', '--hidden', '4', '--samples', '1', '--threads', '1'];
const ADDITION_TINY = [...ADDITION_BASE, '--epochs', '1', '--verbose', '0'];
const lockOf = (dir: string) => path.join(dir, RUN_LOCK_FILE);
const readLock = (dir: string) => JSON.parse(readFileSync(lockOf(dir), 'utf8')) as RunLockHolder;

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

function writeLock(dir: string, h: Partial<RunLockHolder>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockOf(dir), JSON.stringify({ pid: 1, host: TEMP_HOST, command: 'rnnlab addition --out x', since: '2026-01-01T00:00:00.000Z', token: 'feedfacefeedface', ...h }));
}

/** Another process holding dir's lock (the compiled module) until its stdin closes; resolves once it holds it. */
async function holder(dir: string): Promise<ChildProcess> {
  const lockModule = path.join(REPO_ROOT, 'dist/report/run_lock.js');
  const code = `import { lockRunFolder } from ${JSON.stringify(lockModule)};
const l = lockRunFolder(${JSON.stringify(dir)}, 'rnnlab holder --out x');
console.log('locked');
process.stdin.resume();
process.stdin.on('end', () => { l.release(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.on('exit', (c) => reject(new Error(`the lock holder exited with ${c}`)));
  });
  return child;
}

async function endHolder(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.stdin!.end();
  await exited;
}

describe('lockRunFolder', () => {
  it('names its holder, refuses a second lock while held, and is free again once released', () => {
    const dir = path.join(tempDir('rnnlab-run-lock-'), 'run');
    const lock = lockRunFolder(dir, 'rnnlab train --out run');
    expect(readLock(dir)).toMatchObject({ pid: process.pid, host: TEMP_HOST, command: 'rnnlab train --out run' });
    let busy: unknown;
    try { lockRunFolder(dir, 'rnnlab addition --out run'); } catch (e) { busy = e; }
    expect(busy).toBeInstanceOf(RunFolderBusy);
    expect((busy as Error).message).toBe(`${dir} is being written by another rnnlab run (pid ${process.pid} on this host: rnnlab train --out run, since ${readLock(dir).since})`);
    lock.release();
    // The folder the lock made is gone again with it: it held nothing else.
    expect(existsSync(dir)).toBe(false);
    lockRunFolder(dir, 'rnnlab train --out run').release();
  });

  it('keeps a folder it did not make, and one the run wrote into', () => {
    const dir = tempDir('rnnlab-run-lock-');
    lockRunFolder(dir, 'rnnlab x').release();
    expect(readdirSync(dir)).toEqual([]);
    const made = path.join(dir, 'new');
    const lock = lockRunFolder(made, 'rnnlab x');
    writeFileSync(path.join(made, 'results.json'), '{}');
    lock.release();
    expect(readdirSync(made)).toEqual(['results.json']);
  });

  it('takes over the lock of a process that is gone, and of this process when no run of it holds the lock', () => {
    const dir = tempDir('rnnlab-run-lock-');
    writeLock(dir, { pid: deadPid() });
    const a = lockRunFolder(dir, 'rnnlab a');
    expect(readLock(dir)).toMatchObject({ pid: process.pid, command: 'rnnlab a' });
    a.release();
    writeLock(dir, { pid: process.pid });
    const b = lockRunFolder(dir, 'rnnlab b');
    expect(readLock(dir).command).toBe('rnnlab b');
    b.release();
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  it('does not take over a lock of another host (its pid cannot be checked here), nor one it cannot read', () => {
    const dir = tempDir('rnnlab-run-lock-');
    writeLock(dir, { pid: deadPid(), host: 'elsewhere.example' });
    expect(() => lockRunFolder(dir, 'rnnlab a')).toThrow(`on host elsewhere.example: rnnlab addition --out x, since 2026-01-01T00:00:00.000Z; remove ${lockOf(dir)} if that run is gone)`);
    writeFileSync(lockOf(dir), 'not a lock');
    expect(() => lockRunFolder(dir, 'rnnlab a')).toThrow(`its lock file ${lockOf(dir)} cannot be read; remove it if no run is writing there`);
    expect(readFileSync(lockOf(dir), 'utf8')).toBe('not a lock');
  });
});

describe('a run into a folder another run is writing', () => {
  it('is refused before it starts, and the run holding the folder finishes as if alone', async () => {
    const out = path.join(tempDir('rnnlab-run-lock-'), 'run');
    // The first run, held still (SIGSTOP) once it trains, so that the second surely comes while it runs.
    const firstArgs = [...ADDITION_BASE, '--epochs', '3', '--verbose', '2', '--out', out];
    const first = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), ...firstArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOut = '', firstErr = '', stopped = false;
    first.stderr!.on('data', (d: Buffer) => { firstErr += d.toString(); });
    const exited = new Promise<number | null>((r) => first.on('exit', r));
    await new Promise<void>((resolve, reject) => {
      first.stdout!.on('data', (d: Buffer) => {
        firstOut += d.toString();
        if (!stopped && /^Epoch 1\//m.test(firstOut)) { stopped = first.kill('SIGSTOP'); resolve(); }
      });
      first.on('exit', (c) => reject(new Error(`the first run ended (${c}) before it trained: ${firstErr}`)));
    });
    const second = await run([...ADDITION_TINY, '--out', out]);
    first.kill('SIGCONT');
    const cmd = `rnnlab ${firstArgs.join(' ')}`;
    expectRefused(second, 'addition', new RegExp(`^rnnlab addition: error: --out: ${out} is being written by another rnnlab run \\(pid ${first.pid} on this host: ${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, since [0-9T:.Z-]+\\); nothing was changed\\. Wait for that run to end, or give --out another folder$`));
    expect(await exited, firstErr).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', command: 'addition', argv: firstArgs });
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.png', 'results.json']);
  }, 120_000);

  it('imdb --resume of a folder another run holds is refused naming --resume, before the reviews are read', async () => {
    const out = path.join(tempDir('rnnlab-run-lock-'), 'run');
    const r = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const child = await holder(out);
    try {
      const before = snapshotFiles(out);
      const again = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--resume', out]);
      expectRefused(again, 'imdb', new RegExp(`--resume: ${out} is being written by another rnnlab run \\(pid ${child.pid} on this host: rnnlab holder --out x, since .*\\); nothing was changed\\. Wait for that run to end, or give --out another folder$`));
      expect(snapshotFiles(out)).toEqual(before);
    } finally {
      await endHolder(child);
    }
    // The holder gone, the same resume goes through.
    const resumed = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--resume', out]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(readResults(out).models[0].history.loss).toHaveLength(2);
  }, 120_000);
});

describe('the lock goes when the run ends', () => {
  it('after a run that succeeds, and a stale lock of a dead run is taken over without a word', async () => {
    const out = tempDir('rnnlab-run-lock-');
    writeLock(out, { pid: deadPid() });
    const r = await run([...ADDITION_TINY, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.png', 'results.json']);
  }, 60_000);

  it('imdb --resume of a run killed outright (its lock left behind) continues it', async () => {
    const out = path.join(tempDir('rnnlab-run-lock-'), 'run');
    const r = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    writeLock(out, { pid: deadPid(), command: `rnnlab imdb --out ${out}` });
    const resumed = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--resume', out]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed' });
    expect(readResults(out).models[0].history.loss).toHaveLength(2);
    expect(existsSync(lockOf(out))).toBe(false);
  }, 120_000);

  it('after a run that fails: train and imdb, each into a new --out, leave no folder', async () => {
    const root = tempDir('rnnlab-run-lock-');
    const oneClass = path.join(root, 'one-class.csv');
    writeFileSync(oneClass, 'text,label\ngood film,pos\nfine film,pos\nlovely film,pos\n');
    const t = await run(['train', '--data', oneClass, '--epochs', '1', '--out', path.join(root, 'train-run')]);
    expect(t.code, t.err).toBe(1);
    expect(existsSync(path.join(root, 'train-run'))).toBe(false);
    const notTar = path.join(root, 'not.tar.gz');
    writeFileSync(notTar, 'not a tarball');
    const i = await run([...IMDB_TINY, '--data', notTar, '--epochs', '1', '--out', path.join(root, 'imdb-run')]);
    expect(i.code, i.err).toBe(1);
    expect(existsSync(path.join(root, 'imdb-run'))).toBe(false);
    // Its lock given back: the same folder is free for the next run.
    const ok = await run(['train', '--data', writeClassFolders(path.join(root, 'reviews')), '--model', 'gru', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6', '--out', path.join(root, 'train-run')]);
    expect(ok.code, ok.err).toBe(0);
    expect(existsSync(lockOf(path.join(root, 'train-run')))).toBe(false);
  }, 120_000);

  it('after Ctrl-C: a new --out is gone, an earlier run in --out is as it was', async () => {
    const root = tempDir('rnnlab-run-lock-');
    const fresh = path.join(root, 'fresh');
    const long = [...ADDITION_BASE, '--epochs', '1000', '--verbose', '2'];
    const a = await spawnCli([...long, '--out', fresh], /^Epoch 2\//m);
    expect([a.sent, a.code], a.err).toEqual([true, 130]);
    expect(existsSync(fresh)).toBe(false);
    const earlier = path.join(root, 'earlier');
    const first = await run([...ADDITION_TINY, '--out', earlier]);
    expect(first.code, first.err).toBe(0);
    const before = snapshotFiles(earlier);
    const b = await spawnCli([...long, '--out', earlier], /^Epoch 2\//m);
    expect([b.sent, b.code], b.err).toEqual([true, 130]);
    expect(readdirSync(earlier).sort()).toEqual(['report.html', 'report.png', 'results.json']);
    expect(snapshotFiles(earlier)).toEqual(before);
  }, 120_000);
});
