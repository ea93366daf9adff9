/**
 * train puts an earlier run back (keepRunFolder) when a write after the model's save fails: results.json goes back
 * last, so a kill at any step of that leaves either an interrupted run or the earlier run whole, never the earlier
 * run's finished record beside this run's reports or model. Once the run is written, removing the copies is tidying:
 * a copy that will not go leaves the run as written (exit 0) with a warning, and the next run's writes sweep it.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { setKeepRunFolderHook } from '../../src/report/run.js';
import { cleanup, readResults, run, snapshotFiles, tempDir, TRAIN_FAST } from './helpers.js';

afterAll(() => cleanup());
afterEach(() => { setBeforeRenameHook(null); setKeepRunFolderHook(null); });

function dataFolder(): string {
  const cwd = tempDir();
  const rows = Array.from({ length: 24 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} word${i},${i % 2}`);
  writeFileSync(path.join(cwd, 'd.csv'), `text,label\n${rows.join('\n')}\n`);
  return cwd;
}

const train = (cwd: string, seed: number, out = path.join(cwd, 'run')) =>
  run(['train', '--data', path.join(cwd, 'd.csv'), ...TRAIN_FAST, '--seed', String(seed), '--threads', '1', '--out', out]);

/** The folder as a reader sees it: its files, without the lock and temp copies. */
function visible(out: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshotFiles(out)).filter(([n]) => !n.startsWith('.rnnlab')));
}

/** Fails this run's final results.json rename, after model/ and the reports are in: the folder is then put back. */
function failFinalRecord(out: string): void {
  // Writes to results.json: the earlier record marked running (0), this run's running record (1), its final one (2).
  let seen = 0;
  setBeforeRenameHook((_tmp, target) => {
    if (target === path.join(out, 'results.json') && seen++ === 2) throw new Error('stopped at results.json');
  });
}

describe('train into an earlier run, putting it back after a failed write', () => {
  it('restores the reports, then model/, then results.json last: a kill at any step leaves an interrupted run or the earlier run whole', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    expect((await train(cwd, 1)).code).toBe(0);
    const before = visible(out);
    failFinalRecord(out);
    const steps: string[] = [];
    const killedHere: string[] = [];
    setKeepRunFolderHook((step, file) => {
      if (step !== 'restore') return;
      steps.push(path.basename(file));
      // What a SIGKILL before this step would leave: the record still running (interrupted once this process is
      // gone), or, once the record is back, everything else back too.
      const record = readResults(out);
      const interrupted = record.status === 'running' && record.pid === process.pid;
      if (!interrupted && JSON.stringify(visible(out)) !== JSON.stringify(before)) killedHere.push(`before ${path.basename(file)}: the earlier record beside files of this run`);
    });
    const r = await train(cwd, 2);
    expect(r.code).toBe(1);
    expect(steps).toEqual(['report.html', 'report.png', 'model', 'results.json']);
    expect(killedHere).toEqual([]);
    expect(r.err).toContain(`this run's model/ and files were removed; ${out} holds what it held before the run`);
    expect(visible(out)).toEqual(before);
    expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
  }, 60_000);

  it('a restore that fails before results.json goes back leaves the record running (interrupted), the rest the earlier run', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    expect((await train(cwd, 1)).code).toBe(0);
    const before = visible(out);
    failFinalRecord(out);
    setKeepRunFolderHook((step, file) => {
      if (step === 'restore' && path.basename(file) === 'results.json') throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    });
    const r = await train(cwd, 2);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`rnnlab train: ${out} could not be put back as it was before the run (EIO: i/o error, rename): it reads as an interrupted run`);
    const record = readResults(out);
    expect(record).toMatchObject({ status: 'running', pid: process.pid });
    const { 'results.json': _, ...rest } = before;
    const { 'results.json': __, ...restNow } = visible(out);
    expect(restNow).toEqual(rest);
  }, 60_000);

  it('with --out naming a new folder, says the folder was removed', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'fresh', 'run');
    setBeforeRenameHook((_tmp, target) => {
      if (target === path.join(out, 'report.html')) throw new Error('stopped at report.html');
    });
    const r = await train(cwd, 2, out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`rnnlab train: this run's model/ and files were removed; its folder ${out} was removed`);
    expect(r.err).not.toContain('holds what it held');
    expect(existsSync(path.join(cwd, 'fresh'))).toBe(false);
  }, 60_000);

  it('with --out naming an existing empty folder, says it holds what it held', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'empty');
    mkdirSync(out);
    setBeforeRenameHook((_tmp, target) => {
      if (target === path.join(out, 'report.html')) throw new Error('stopped at report.html');
    });
    const r = await train(cwd, 2, out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`this run's model/ and files were removed; ${out} holds what it held before the run`);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});

describe('train into an earlier run, the copies of it not removable once the run is written', () => {
  it('keeps the new run (exit 0, Saved: last) and warns, naming the copy left for the next run to sweep', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    expect((await train(cwd, 1)).code).toBe(0);
    let copy = '';
    setKeepRunFolderHook((step, file) => {
      if (step === 'drop' && path.basename(file).startsWith('.rnnlab-tmp-model-old-')) {
        copy = file;
        throw Object.assign(new Error(`EACCES: permission denied, rm '${file}'`), { code: 'EACCES' });
      }
    });
    const r = await train(cwd, 2);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(`Saved: ${path.join(out, 'model')} and ${path.join(out, 'results.json')}`);
    expect(r.err).toBe(`rnnlab train: warning: could not remove the copies of the earlier run kept while it was replaced (${copy}); the next run into ${out} removes them\n`);
    expect(readResults(out)).toMatchObject({ status: 'completed', pid: null, config: { seed: 2 } });
    // Only the copy that would not go is left; the others were removed.
    expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([path.basename(copy)]);
  }, 60_000);
});
