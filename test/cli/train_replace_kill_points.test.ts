/**
 * A train run into an earlier run's folder replaces model/, the reports and results.json. Killed at any point of
 * those writes (the folder as it stands when a write there is about to happen), the folder holds the earlier run
 * whole, or reads as an interrupted run that the next run replaces, never as the earlier run's finished record beside
 * the new run's model. A write that fails there instead puts the earlier run back (copies of it are kept meanwhile).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { cleanup, readResults, run, snapshotFiles, tempDir, TRAIN_FAST } from './helpers.js';

afterAll(() => cleanup());
afterEach(() => setBeforeRenameHook(null));

function dataFolder(): string {
  const cwd = tempDir();
  const rows = Array.from({ length: 24 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} word${i},${i % 2}`);
  writeFileSync(path.join(cwd, 'd.csv'), `text,label\n${rows.join('\n')}\n`);
  return cwd;
}

const train = (cwd: string, seed: number) => run(['train', '--data', path.join(cwd, 'd.csv'), ...TRAIN_FAST, '--seed', String(seed), '--threads', '1', '--out', path.join(cwd, 'run')]);
const weights = (out: string) => readFileSync(path.join(out, 'model', 'weights.bin'));

describe('train into an earlier run, stopped during its writes', () => {
  // results.json is written three times: the earlier record marked running (before model/ is swapped), this run's
  // record marked running (before the reports are renamed in), this run's final record (last).
  const points: [string, number][] = [['report.html', 0], ['report.png', 0], ['results.json', 1], ['results.json', 2]];
  for (const [stopAt, nth] of points) {
    it(`at write ${nth + 1} of ${stopAt}: a kill leaves an interrupted run with the new model; a failure puts the earlier run back`, async () => {
      const cwd = dataFolder(), out = path.join(cwd, 'run');
      expect((await train(cwd, 1)).code).toBe(0);
      const earlierWeights = weights(out);
      const before = snapshotFiles(out);
      let seen = 0;
      let killedHere: Record<string, unknown> | null = null;
      setBeforeRenameHook((_tmp, target) => {
        if (target !== path.join(out, stopAt) || seen++ !== nth) return;
        // What a SIGKILL here would leave: not the earlier run's finished record but one running, naming the (here
        // still live) writer, which a reader lists as interrupted once it is gone.
        const left = readResults(out);
        killedHere = { newModel: !weights(out).equals(earlierWeights), status: left.status, pid: left.pid };
        throw new Error(`stopped at ${stopAt}`);
      });
      const r = await train(cwd, 2);
      setBeforeRenameHook(null);
      expect(r.code).toBe(1);
      expect(killedHere).toEqual({ newModel: true, status: 'running', pid: process.pid });
      expect(snapshotFiles(out)).toEqual(before);
      expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
      const again = await train(cwd, 3);
      expect(again.code).toBe(0);
      expect(readResults(out)).toMatchObject({ status: 'completed', pid: null, config: { seed: 3 } });
    }, 60_000);
  }

  it('stopped at the first write into the folder (marking the earlier record): the earlier run is whole, byte for byte', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    expect((await train(cwd, 1)).code).toBe(0);
    const before = snapshotFiles(out);
    setBeforeRenameHook((_tmp, target) => { if (target === path.join(out, 'results.json')) throw new Error('stopped'); });
    const r = await train(cwd, 2);
    setBeforeRenameHook(null);
    expect(r.code).toBe(1);
    expect(snapshotFiles(out)).toEqual(before);
    expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
  }, 60_000);

  it('a failure before anything is replaced (the staged model) leaves the earlier run byte for byte', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    expect((await train(cwd, 1)).code).toBe(0);
    const before = snapshotFiles(out);
    setBeforeRenameHook((_tmp, target) => { if (target.endsWith('model.json')) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); });
    const r = await train(cwd, 2);
    setBeforeRenameHook(null);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot write ${path.join(out, 'model', 'model.json')}: no space left on the device; nothing was replaced`);
    expect(snapshotFiles(out)).toEqual(before);
    expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
  }, 60_000);

  it('into a new folder, after the model is in place: a kill leaves a running record beside it; a failure leaves no folder', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    let seen = 0;
    let killedHere: Record<string, unknown> | null = null;
    // Write 1 is this run's start record (before model/ is saved), write 2 its running mark in writeRun.
    setBeforeRenameHook((_tmp, target) => {
      if (target !== path.join(out, 'results.json') || seen++ !== 1) return;
      const left = readResults(out);
      killedHere = { model: readdirSync(path.join(out, 'model')).includes('model.json'), status: left.status, command: left.command, config: left.config };
      throw new Error('stopped');
    });
    const r = await train(cwd, 2);
    setBeforeRenameHook(null);
    expect(r.code).toBe(1);
    expect(killedHere).toEqual({ model: true, status: 'running', command: 'train', config: {} });
    expect(existsSync(out)).toBe(false);
    expect((await train(cwd, 3)).code).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', config: { seed: 3 } });
  }, 60_000);
});
