/**
 * A train run into an earlier run's folder replaces model/, the reports and results.json. Stopped at any point of
 * those writes (simulated by a write that fails there: nothing after it runs, as after a SIGKILL), the folder holds
 * the earlier run whole, or reads as an interrupted run that the next run replaces, never as the earlier run's
 * finished record beside the new run's model.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    it(`stopped at write ${nth + 1} of ${stopAt}: the folder reads as an interrupted run with the new model, and the next run replaces it`, async () => {
      const cwd = dataFolder(), out = path.join(cwd, 'run');
      expect((await train(cwd, 1)).code).toBe(0);
      const earlierWeights = weights(out);
      let seen = 0;
      setBeforeRenameHook((_tmp, target) => {
        if (target === path.join(out, stopAt) && seen++ === nth) throw new Error(`stopped at ${stopAt}`);
      });
      const r = await train(cwd, 2);
      setBeforeRenameHook(null);
      expect(r.code).toBe(1);
      expect(weights(out).equals(earlierWeights)).toBe(false);
      const left = readResults(out);
      // Not the earlier run's finished record: running, naming the (here still live) writer, which a reader lists as interrupted once it is gone.
      expect(left.status).toBe('running');
      expect(left.pid).toBe(process.pid);
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
    expect(r.err).toContain(`cannot save the model as ${path.join(out, 'model')}: no space left on the device; the earlier model there was kept`);
    expect(snapshotFiles(out)).toEqual(before);
    expect(readdirSync(out).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
  }, 60_000);

  it('into a new folder, stopped after the model is in place: a running record stands beside it, and the next run replaces it', async () => {
    const cwd = dataFolder(), out = path.join(cwd, 'run');
    let seen = 0;
    // Write 1 is this run's start record (before model/ is saved), write 2 its running mark in writeRun.
    setBeforeRenameHook((_tmp, target) => { if (target === path.join(out, 'results.json') && seen++ === 1) throw new Error('stopped'); });
    const r = await train(cwd, 2);
    setBeforeRenameHook(null);
    expect(r.code).toBe(1);
    expect(readdirSync(path.join(out, 'model'))).toContain('model.json');
    expect(readResults(out)).toMatchObject({ status: 'running', command: 'train', config: {} });
    expect((await train(cwd, 3)).code).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', config: { seed: 3 } });
  }, 60_000);
});
