/**
 * Without --out a run's default folder (runs/<timestamp>-<name>) is made and locked when the command starts, as --out
 * is: a working folder that cannot take it is refused before any work (exit code 2, naming the folder), another run
 * cannot write it meanwhile, and a run that wrote nothing there leaves no folder (nor the runs/ made for it), also
 * when it exits at a stop signal. tokenize --out is locked as the training commands' --out is.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockDefaultRunFolder, withRunFolder } from '../../src/cli/paths.js';
import { UsageError } from '../../src/cli/context.js';
import { RUN_LOCK_FILE, type RunLockHolder } from '../../src/report/run_lock.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { canBeDenied, cleanup, expectRefused, REPO_ROOT, run, spawnCliSync, tempDir } from './helpers.js';

beforeAll(() => assertDistFresh('cli/main.ts'));
afterAll(cleanup);
const savedCwd = process.cwd();
afterEach(() => process.chdir(savedCwd));

const readLock = (dir: string) => JSON.parse(readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8')) as RunLockHolder;

describe('lockDefaultRunFolder', () => {
  it('makes a new folder (-2 when the name is taken), locked for the command line; released, an empty one goes with the runs/ made for it', () => {
    const root = tempDir('rnnlab-default-');
    const base = path.join(root, 'runs', '20260101-000000-train-lstm');
    const a = lockDefaultRunFolder(base, 'train', ['train', '--data', 'd.csv']);
    expect(a.dir).toBe(base);
    expect(readLock(base)).toMatchObject({ pid: process.pid, command: 'rnnlab train --data d.csv' });
    const b = lockDefaultRunFolder(base, 'train', ['train', '--data', 'd.csv']);
    expect(b.dir).toBe(`${base}-2`);
    writeFileSync(path.join(b.dir, 'results.json'), '{}');
    a.release();
    expect(readdirSync(path.join(root, 'runs'))).toEqual([path.basename(b.dir)]);
    b.release();
    // b wrote into its folder: kept, without the lock; runs/ holds it, so runs/ stays too.
    expect(readdirSync(b.dir)).toEqual(['results.json']);
    // Every folder made for an empty one goes, up to the outermost (fresh/), and no further.
    const c = lockDefaultRunFolder(path.join(root, 'fresh', 'runs', 'x'), 'addition', ['addition']);
    expect(existsSync(path.join(root, 'fresh', 'runs', 'x', RUN_LOCK_FILE))).toBe(true);
    c.release();
    expect(readdirSync(root).sort()).toEqual(['runs']);
  });

  it('a default folder below a file is a usage error naming --out and the folder, with nothing made', () => {
    const root = tempDir('rnnlab-default-');
    writeFileSync(path.join(root, 'runs'), 'a file');
    let err: unknown;
    try { lockDefaultRunFolder(path.join(root, 'runs', 'x'), 'compare', ['compare']); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`--out: cannot make the default run folder ${path.join(root, 'runs', 'x')}: ${path.join(root, 'runs')} is a file; nothing was changed. Give --out a folder this run can write`);
    expect(readdirSync(root)).toEqual(['runs']);
  });

  it('a run exiting at once (as a stop signal makes a run that has written nothing) leaves no folder and no runs/', () => {
    const root = tempDir('rnnlab-default-');
    const code = `import { lockDefaultRunFolder } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/cli/paths.js'))};
lockDefaultRunFolder('runs/20260101-000000-experiment-x', 'experiment x', ['experiment', 'x']);
process.exit(130);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([130, '']);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('withRunFolder', () => {
  it('hands the run its default folder, locked while it runs; kept when written, gone when the run wrote nothing', async () => {
    process.chdir(tempDir('rnnlab-default-'));
    let seen = '';
    const kept = await withRunFolder(undefined, 'addition', 'addition', ['addition'], async ({ dir, isDefault, heldRecord }) => {
      expect([isDefault, heldRecord]).toEqual([true, false]);
      seen = dir;
      expect(readLock(dir).command).toBe('rnnlab addition');
      writeFileSync(path.join(dir, 'results.json'), '{}');
      return dir;
    });
    expect(kept).toBe(seen);
    expect(kept).toMatch(/^runs\/\d{8}-\d{6}-addition$/);
    expect(readdirSync(kept)).toEqual(['results.json']);
    await expect(withRunFolder(undefined, 'compare', 'compare', ['compare'], async ({ dir }) => { seen = dir; throw new Error('failed before writing'); })).rejects.toThrow('failed before writing');
    expect(existsSync(seen)).toBe(false);
    expect(readdirSync('runs')).toEqual([path.basename(kept)]);
    // With --out, that folder, as given.
    const out = await withRunFolder('given', 'compare', 'compare', ['compare', '--out', 'given'], async ({ dir, isDefault, heldRecord }) => {
      expect(readLock(dir).command).toBe('rnnlab compare --out given');
      expect([isDefault, heldRecord]).toEqual([false, false]);
      return dir;
    });
    expect(out).toBe('given');
    // A results.json that is no run record is no earlier run (one that is: run_failures' failed runs).
    await withRunFolder(undefined, 'addition', 'addition', ['addition'], async ({ heldRecord }) => { expect(heldRecord).toBe(false); });
    await withRunFolder(kept, 'addition', 'addition', ['addition', '--out', kept], async ({ heldRecord }) => { expect(heldRecord).toBe(false); });
  });
});

function expectDefaultRefused(r: SpawnSyncReturns<string>, command: string, runName: string, why: string): void {
  expect(r.signal).toBeNull();
  expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^rnnlab ${command}: error: --out: cannot make the default run folder runs/\\d{8}-\\d{6}-${runName}: ${why}; nothing was changed\\. Give --out a folder this run can write$`));
  expect(r.status).toBe(2);
  // Refused before it read its data or trained: nothing on stdout.
  expect(r.stdout).toBe('');
}

describe.skipIf(!canBeDenied())('a working folder that cannot take the default run folder', () => {
  it('is refused before any work, for train and seq2seq, with nothing made; so is a runs/ that cannot be written in', () => {
    const cwd = tempDir('rnnlab-default-');
    chmodSync(cwd, 0o755);
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} ${i},${i % 2}`);
    writeFileSync(path.join(cwd, 'd.csv'), `text,label\n${rows.join('\n')}\n`);
    writeFileSync(path.join(cwd, 'pairs.tsv'), Array.from({ length: 12 }, (_, i) => `${i}${i + 1}\t${i + 1}${i}`).join('\n') + '\n');
    const ro = path.join(cwd, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    expectDefaultRefused(spawnCliSync(['train', '--data', '../d.csv', '--units', '4', '--embedding-dim', '4', '--epochs', '1'], ro, true), 'train', 'train-lstm', 'permission denied');
    expectDefaultRefused(spawnCliSync(['seq2seq', '--data', '../pairs.tsv', '--epochs', '1'], ro, true), 'seq2seq', 'seq2seq', 'permission denied');
    expect(readdirSync(ro)).toEqual([]);
    // A runs/ of its own that the user may not write in.
    const rw = path.join(cwd, 'rw');
    mkdirSync(path.join(rw, 'runs'), { recursive: true });
    chmodSync(rw, 0o777);
    chmodSync(path.join(rw, 'runs'), 0o555);
    expectDefaultRefused(spawnCliSync(['train', '--data', '../d.csv', '--units', '4', '--embedding-dim', '4', '--epochs', '1'], rw, true), 'train', 'train-lstm', 'permission denied');
    expect(readdirSync(path.join(rw, 'runs'))).toEqual([]);
  });
});

describe('train without --out', () => {
  it('writes its default folder with no lock left; a run that fails leaves no runs/', async () => {
    const cwd = tempDir('rnnlab-default-');
    process.chdir(cwd);
    writeFileSync('one-class.csv', 'text,label\ngood film,pos\nfine film,pos\nlovely film,pos\n');
    const failed = await run(['train', '--data', 'one-class.csv', '--epochs', '1']);
    expect(failed.code, failed.err).toBe(1);
    expect(readdirSync(cwd)).toEqual(['one-class.csv']);
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} ${i},${i % 2}`);
    writeFileSync('d.csv', `text,label\n${rows.join('\n')}\n`);
    const ok = await run(['train', '--data', 'd.csv', '--model', 'gru', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6']);
    expect(ok.code, ok.err).toBe(0);
    const [folder] = readdirSync('runs');
    expect(folder).toMatch(/^\d{8}-\d{6}-train-gru$/);
    expect(readdirSync(path.join('runs', folder)).sort()).toEqual(['model', 'report.html', 'report.png', 'results.json']);
  }, 60_000);
});

describe('tokenize --out', () => {
  it('is refused while another live run holds the folder, and leaves no lock after its own run', async () => {
    const out = path.join(tempDir('rnnlab-default-'), 'tok');
    const code = `import { lockRunFolder } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/report/run_lock.js'))};
const l = lockRunFolder(${JSON.stringify(out)}, 'rnnlab tokenize hi --out tok');
console.log('locked');
process.stdin.resume();
process.stdin.on('end', () => { l.release(); process.exit(0); });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
        child.on('exit', (c) => reject(new Error(`the lock holder exited with ${c}`)));
      });
      const r = await run(['tokenize', 'a fine film', '--out', out]);
      expectRefused(r, 'tokenize', new RegExp(`^rnnlab tokenize: error: --out: ${out} is being written by another rnnlab run \\(pid ${child.pid} on this host: rnnlab tokenize hi --out tok, since .*\\); nothing was changed\\. Wait for that run to end, or give --out another folder$`));
      expect(readdirSync(out)).toEqual([RUN_LOCK_FILE]);
    } finally {
      child.stdin!.end();
      await exited;
    }
    const ok = await run(['tokenize', 'a fine film', '--out', out]);
    expect(ok.code, ok.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.png', 'results.json']);
  }, 60_000);
});
