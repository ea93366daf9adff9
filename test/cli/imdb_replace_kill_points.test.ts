/**
 * rnnlab imdb into an earlier run's folder saves its model staged and swaps it in before it writes its record, and
 * marks the earlier record running first: a failing rename stands in for a kill at each point, and the folder then
 * holds the earlier run whole or reads as an interrupted run, never a finished record beside another run's model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { cleanup, readResults, requireData, run, tempDir } from './helpers.js';

afterAll(() => cleanup());
afterEach(() => setBeforeRenameHook(null));

const args = (data: string, out: string, seed: number) => ['imdb', '--model', 'gru', '--limit', '60', '--epochs', '1', '--maxlen', '10', '--units', '4',
  '--embedding-dim', '4', '--seed', String(seed), '--data', data, '--out', out, '--threads', '1'];

/** Fails the n-th rename onto out/results.json (1: the earlier record's running mark, 2: writeRun's own). */
function killAtRecordRename(out: string, n: number): void {
  let seen = 0;
  setBeforeRenameHook((_tmp, target) => { if (target === path.join(out, 'results.json') && ++seen === n) throw new Error('simulated kill'); });
}

describe('imdb replacing an earlier run', () => {
  it.each([1, 2])('a kill at rename %i onto results.json leaves the earlier run whole or an interrupted run', async (n) => {
    const data = requireData();
    const out = path.join(tempDir(), 'run');
    expect((await run(args(data, out, 1))).code).toBe(0);
    const earlierModel = readFileSync(path.join(out, 'model', 'model.json'));
    killAtRecordRename(out, n);
    expect((await run(args(data, out, 2))).code).not.toBe(0);
    setBeforeRenameHook(null);
    const r = readResults(out);
    const sameModel = readFileSync(path.join(out, 'model', 'model.json')).equals(earlierModel);
    if (n === 1) {
      expect([r.status, (r.config as { seed: number }).seed, sameModel]).toEqual(['completed', 1, true]);
    } else {
      // The new model is in place beside a record that says running, so it reads as an interrupted run.
      expect(r.status).toBe('running');
      expect(sameModel).toBe(false);
    }
    expect((await run(args(data, out, 3))).code).toBe(0);
    expect([readResults(out).status, (readResults(out).config as { seed: number }).seed]).toEqual(['completed', 3]);
  }, 180_000);

  it('into a new folder, stopped after the model is saved: an interrupted run that --resume finishes and --out replaces', async () => {
    const data = requireData();
    for (const next of ['resume', 'out'] as const) {
      const out = path.join(tempDir(), 'run');
      killAtRecordRename(out, 2);
      expect((await run(args(data, out, 1))).code).not.toBe(0);
      setBeforeRenameHook(null);
      expect(readResults(out).status).toBe('running');
      const argv = next === 'resume' ? [...args(data, out, 1).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out'), '--resume', out] : args(data, out, 2);
      const r = await run(argv);
      expect(r.code, r.err).toBe(0);
      expect(readResults(out).status).toBe('completed');
    }
  }, 180_000);
});
