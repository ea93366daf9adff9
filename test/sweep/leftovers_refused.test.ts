/**
 * A resumed sweep never deletes what an earlier try left in a run folder that the run then refuses (a link in place
 * of results.json): the refused run loses nothing, and the refusal names the path. A link is never read as the run's
 * record, even one leading to a completed run's.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDITION_COMMAND_FLAGS } from '../../src/cli/addition.js';
import { IMDB_FLAGS } from '../../src/cli/imdb.js';
import { clearUnfinishedOutputs, RUN_WRITES } from '../../src/sweep/leftovers.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());

const spec = parseSpec('command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\nseeds: [1, 2]\n');

describe('a run folder the run itself refuses', () => {
  it('RUN_WRITES says what each command\'s --out writes (its runFolder), so the sweep clears and refuses as the run checks', () => {
    const writes = (flags: Record<string, { runFolder?: { model?: boolean; checkpoint?: boolean } }>) => ({ model: !!flags.out.runFolder?.model, checkpoint: !!flags.out.runFolder?.checkpoint });
    expect(RUN_WRITES.imdb).toEqual(writes(IMDB_FLAGS as never));
    expect(RUN_WRITES.addition).toEqual(writes(ADDITION_COMMAND_FLAGS as never));
  });

  it('keeps report.html and report.png when results.json is a link, naming it and where it leads', async () => {
    const dir = path.join(root, 'link');
    expect((await runSweepLocal(spec, { dir, parallel: 1, threads: 1 })).summary).toMatchObject({ completed: 2 });
    const one = path.join(dir, 'runs', 'seed-1');
    const target = path.join(root, 'not-json.txt');
    writeFileSync(target, 'hi\n');
    rmSync(path.join(one, 'results.json'));
    symlinkSync(target, path.join(one, 'results.json'));
    const html = readFileSync(path.join(one, 'report.html'), 'utf8');
    const events: SweepEvent[] = [];
    const o = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
    expect(o.summary).toMatchObject({ completed: 1, failed: 1 });
    expect(readFileSync(path.join(one, 'report.html'), 'utf8')).toBe(html);
    expect(existsSync(path.join(one, 'report.png'))).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('hi\n');
    expect(events.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.message)).toEqual([
      `run seed-1: removed nothing that an earlier try left: the run refuses ${path.join(one, 'results.json')} (a link to ${target})`,
    ]);
    const failed = events.filter((e) => e.type === 'failed');
    expect(failed).toHaveLength(1);
    // Refused as a usage error (exit 2): not tried again.
    expect(failed[0]).toMatchObject({ retrying: false });
    expect(failed[0].type === 'failed' && failed[0].error).toContain(`'results.json', a link to ${target}, which this run would write through; nothing was changed`);
    expect(o.entries.find((e) => e.id === 'seed-2')).toMatchObject({ status: 'completed' });
  }, 60_000);

  it('does not count a results.json that links to a completed record as done', async () => {
    const dir = path.join(root, 'linked-record');
    expect((await runSweepLocal(spec, { dir, parallel: 1, threads: 1 })).summary).toMatchObject({ completed: 2 });
    const one = path.join(dir, 'runs', 'seed-1');
    const elsewhere = path.join(root, 'other-record.json');
    writeFileSync(elsewhere, readFileSync(path.join(dir, 'runs', 'seed-2', 'results.json')));
    rmSync(path.join(one, 'results.json'));
    symlinkSync(elsewhere, path.join(one, 'results.json'));
    const o = await runSweepLocal(spec, { dir, parallel: 1, threads: 1 });
    expect(o.entries.map((e) => [e.id, e.status])).toEqual([['seed-1', 'failed'], ['seed-2', 'completed']]);
    expect(o.entries[0].error).toContain(`a link to ${elsewhere}, which this run would write through`);
    expect(existsSync(path.join(one, 'report.html'))).toBe(true);
  }, 60_000);

  it('names what an imdb run refuses in model/ and checkpoint/, and removes nothing then', () => {
    const dir = path.join(root, 'imdb-run');
    mkdirSync(path.join(dir, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(dir, 'report.html'), 'old');
    writeFileSync(path.join(dir, 'checkpoint', 'checkpoint.json'), 'not a checkpoint');
    writeFileSync(path.join(dir, 'checkpoint', 'notes.txt'), 'other names are never touched');
    symlinkSync(path.join(root, 'nowhere'), path.join(dir, 'model'));
    expect(clearUnfinishedOutputs(dir, RUN_WRITES.imdb)).toEqual({
      removed: [],
      refused: [`${path.join(dir, 'model')} (a link to ${path.join(root, 'nowhere')})`, path.join(dir, 'checkpoint', 'checkpoint.json')],
    });
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toBe('old');
    // addition writes neither: its run does not look there, so its leftovers go.
    expect(clearUnfinishedOutputs(dir, RUN_WRITES.addition)).toEqual({ removed: ['report.html'], refused: [] });
  });
});
