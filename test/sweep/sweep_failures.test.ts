/**
 * What a sweep leaves when something fails that is not a run: its report cannot be written (a full disk), or one
 * local slot hits an unexpected error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { finishSweep, runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterEach(() => setBeforeRenameHook(null));
afterAll(() => cleanup());

const ADD = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n';

describe('a sweep report that cannot be written', () => {
  it('leaves the old report whole, names the file, and sweep.json unfinished', () => {
    const spec = parseSpec(`${ADD}seeds: [1]\n`);
    const dir = path.join(root, 'full');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'report.html'), 'the old report');
    const runs = expandRuns(spec);
    finishSweep(dir, spec, runs, new Date().toISOString(), new Map(), false);
    setBeforeRenameHook((_tmp, target) => {
      if (path.basename(target) === 'report.html') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    expect(() => finishSweep(dir, spec, runs, new Date().toISOString(), new Map(), true))
      .toThrow(`cannot write the sweep's report ${path.join(dir, 'report.html')}: ENOSPC: no space left on device, write`);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toBe('the old report');
    expect(readSweepRecord(dir)!.finishedAt).toBeNull();
  });
});

describe('an unexpected error in one slot of the local pool', () => {
  it('stops the sweep: no run starts after it, the runs under way end before it is thrown', async () => {
    const spec = parseSpec(`${ADD}seeds: [1, 2, 3, 4]\n`);
    const dir = path.join(root, 'slot');
    // A file where the first run's folder must go: making it fails (EEXIST), which is not a run's failure.
    mkdirSync(path.join(dir, 'runs'), { recursive: true });
    writeFileSync(path.join(dir, 'runs', 'seed-1'), 'in the way');
    const events: SweepEvent[] = [];
    const err = await runSweepLocal(spec, { dir, parallel: 2, threads: 1, onEvent: (e) => events.push(e) }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/cannot make the folder .*seed-1: a file of that name is in the way$/);
    expect((err as NodeJS.ErrnoException).code).toBe('EEXIST');
    expect(events.find((e) => e.type === 'failed')).toMatchObject({ run: { id: 'seed-1' }, retrying: false });
    const seen = events.filter((e) => e.type !== 'epoch').map((e) => `${e.type} ${e.run.id}`);
    // seed-2 had started beside it: it ended (stopped, or done if it finished first) before the sweep gave up.
    expect(seen.filter((s) => s.endsWith('seed-2'))).toEqual(['start seed-2', expect.stringMatching(/^(interrupted|done) seed-2$/)]);
    expect(seen.some((s) => /seed-[34]$/.test(s))).toBe(false);
    const rec = readSweepRecord(dir)!;
    expect(rec.finishedAt).toBeNull();
    expect(rec.runs.map((r) => r.status)).toEqual(['failed', expect.stringMatching(/^(pending|completed)$/), 'pending', 'pending']);
    // seed-1 never started: no attempt spent.
    expect(rec.runs[0].attempts).toBe(0);
  }, 60_000);
});
