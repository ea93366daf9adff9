/**
 * A local sweep stopped by an unexpected error (a run folder that cannot be made), whose closing sweep.json write then
 * fails too (sweep.json replaced by a folder meanwhile): the error it throws leads with the first failure, the one the
 * sweep reported for the run, and says on a line below that sweep.json could not be written.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { SWEEP_FILE } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, requireFreshDist, tempDir, TINY_ADDITION } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());

describe('a broken sweep whose last sweep.json write fails too', () => {
  it('throws the first error, with the failed write on a line of its own and the first as its cause', async () => {
    const dir = path.join(root, 'broken');
    // The run's folder cannot be made: a file holds its name.
    mkdirSync(path.join(dir, 'runs'), { recursive: true });
    writeFileSync(path.join(dir, 'runs', 'seed-1'), 'not a folder\n');
    const sweepFile = path.join(dir, SWEEP_FILE);
    const events: SweepEvent[] = [];
    const onEvent = (e: SweepEvent) => {
      events.push(e);
      // As the run fails, sweep.json becomes a folder that holds a file: no write can replace it.
      if (e.type === 'failed') {
        rmSync(sweepFile, { force: true });
        mkdirSync(path.join(sweepFile, 'in-the-way'), { recursive: true });
      }
    };
    const thrown = await runSweepLocal(parseSpec(TINY_ADDITION), { dir, parallel: 1, threads: 1, onEvent }).then(() => null, (e: unknown) => e as Error);
    const failed = events.find((e) => e.type === 'failed');
    const why = failed?.type === 'failed' ? failed.error : '';
    expect(why).toMatch(/seed-1/);
    expect(thrown).toBeInstanceOf(Error);
    const [first, second, ...more] = thrown!.message.split('\n');
    expect(first).toBe(why);
    expect(second.startsWith(`Then sweep.json could not be written either, so it holds the sweep as its last write left it: cannot write ${sweepFile}: `)).toBe(true);
    expect(more).toEqual([]);
    expect((thrown!.cause as Error).message).toBe(why);
  }, 120_000);
});
