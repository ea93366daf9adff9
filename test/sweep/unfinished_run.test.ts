/**
 * A run folder whose results.json is missing or unreadable is "not done" (src/sweep/outcome.ts): the sweep runs it
 * again, clearing what the unfinished try left, which the run's own --out check would otherwise refuse for good.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearUnfinishedOutputs, RUN_WRITES } from '../../src/sweep/leftovers.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());

const spec = parseSpec('command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\nseeds: [1, 2]\n');

describe('a run whose results.json did not get written whole', () => {
  it('is run again on resume, truncated or missing, with what it left cleared and said', async () => {
    const dir = path.join(root, 'enospc');
    expect((await runSweepLocal(spec, { dir, parallel: 1, threads: 1 })).summary).toMatchObject({ completed: 2 });
    const one = path.join(dir, 'runs', 'seed-1'), two = path.join(dir, 'runs', 'seed-2');
    // seed-1: the disk filled while results.json was written; seed-2: before it was (report.html and report.png were).
    const results = readFileSync(path.join(one, 'results.json'), 'utf8');
    writeFileSync(path.join(one, 'results.json'), results.slice(0, 100));
    rmSync(path.join(two, 'results.json'));
    rmSync(path.join(dir, 'sweep.json'));
    const events: SweepEvent[] = [];
    const o = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
    expect(o.summary).toMatchObject({ completed: 2, failed: 0, pending: 0 });
    expect(events.filter((e) => e.type === 'done').map((e) => e.type === 'done' && `${e.run.id} ${e.how}`)).toEqual(['seed-1 ran', 'seed-2 ran']);
    expect(events.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.message)).toEqual([
      'run seed-1: removed results.json, report.html, report.png, left by an earlier try without a readable results.json; running it again',
      'run seed-2: removed report.html, report.png, left by an earlier try without a readable results.json; running it again',
    ]);
    for (const d of [one, two]) {
      expect(JSON.parse(readFileSync(path.join(d, 'results.json'), 'utf8'))).toMatchObject({ command: 'addition', status: 'completed' });
      expect(statSync(path.join(d, 'report.html')).size).toBeGreaterThan(0);
    }
  }, 60_000);

  it('removes nothing from a folder the run refuses anyway (a folder in place of report.html, a user\'s file in model/), and keeps a folder whose results.json is a run record', () => {
    const imdb = RUN_WRITES.imdb;
    const odd = path.join(root, 'odd');
    mkdirSync(path.join(odd, 'report.html'), { recursive: true });
    mkdirSync(path.join(odd, 'model'));
    writeFileSync(path.join(odd, 'model', 'notes.txt'), 'mine');
    writeFileSync(path.join(odd, 'report.png'), 'png');
    writeFileSync(path.join(odd, 'other.txt'), 'mine');
    expect(clearUnfinishedOutputs(odd, imdb)).toEqual({ removed: [], refused: [`${path.join(odd, 'report.html')} (a folder)`, path.join(odd, 'model', 'notes.txt')] });
    expect(readFileSync(path.join(odd, 'report.png'), 'utf8')).toBe('png');
    expect(existsSync(path.join(odd, 'model', 'notes.txt'))).toBe(true);
    expect(existsSync(path.join(odd, 'other.txt'))).toBe(true);
    // The same folder for addition, which writes no model/: model/ is not its to clear or to refuse.
    rmSync(path.join(odd, 'report.html'), { recursive: true });
    expect(clearUnfinishedOutputs(odd, RUN_WRITES.addition)).toEqual({ removed: ['report.png'], refused: [] });
    expect(existsSync(path.join(odd, 'model', 'notes.txt'))).toBe(true);

    const model = path.join(root, 'model-only');
    mkdirSync(path.join(model, 'model'), { recursive: true });
    writeFileSync(path.join(model, 'model', 'model.json'), '{}');
    expect(clearUnfinishedOutputs(model, imdb)).toEqual({ removed: ['model/'], refused: [] });
    expect(existsSync(path.join(model, 'model'))).toBe(false);

    const done = path.join(root, 'recorded');
    mkdirSync(done);
    writeFileSync(path.join(done, 'results.json'), JSON.stringify({ command: 'addition', startedAt: 'x', environment: {}, status: 'running' }));
    writeFileSync(path.join(done, 'report.html'), 'old');
    expect(clearUnfinishedOutputs(done, imdb)).toEqual({ removed: [], refused: [] });
    expect(readFileSync(path.join(done, 'report.html'), 'utf8')).toBe('old');
    expect(clearUnfinishedOutputs(path.join(root, 'absent'), imdb)).toEqual({ removed: [], refused: [] });
  });
});
