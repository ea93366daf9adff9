/**
 * A warm run listing reads no unchanged results.json again (it looks at file stamps only) and still sees every change
 * that alters a summary; a record left "running" by a job this server failed is listed with the job's failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecordText, RunStore } from '../../src/server/runs.js';
import { imdbRunId, tempDir, writeImdbRuns } from './helpers.js';

/** A store whose results.json reads are counted, by folder. */
function countingStore(dir: string): { store: RunStore; reads: string[] } {
  const store = new RunStore(dir);
  const reads: string[] = [];
  store.readText = (file) => {
    reads.push(file.split(/[\\/]/).at(-2)!);
    return readRecordText(file);
  };
  return { store, reads };
}

describe('the warm run listing', () => {
  it('reads each results.json once, then again only for the folder whose record changed', async () => {
    const dir = tempDir();
    writeImdbRuns(dir, 5, { metrics: { testAccuracy: 0.5 } });
    const { store, reads } = countingStore(dir);
    const first = await store.list();
    expect(reads.sort()).toEqual([0, 1, 2, 3, 4].map(imdbRunId));
    reads.length = 0;
    // Warm: the same answer, and not one record read, for the run list and the model list alike.
    expect(await store.list()).toEqual(first);
    await store.modelRuns();
    expect(reads).toEqual([]);
    // The answer is what a store that never listed before gives.
    expect(first).toEqual(await new RunStore(dir).list());

    const changed = imdbRunId(2);
    const startedAt = first.find((r) => r.id === changed)!.startedAt;
    writeFileSync(join(dir, changed, 'results.json'), JSON.stringify({ command: 'imdb', startedAt, finishedAt: startedAt, config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: { testAccuracy: 0.75 } }));
    const after = await store.list();
    expect(reads).toEqual([changed]);
    expect(after.find((r) => r.id === changed)!.testAccuracy).toBe(0.75);
    expect(after.filter((r) => r.id !== changed)).toEqual(first.filter((r) => r.id !== changed));
  });

  it('sees a report or a model added to a folder whose record did not change, without reading the record', async () => {
    const dir = tempDir();
    writeImdbRuns(dir, 2);
    const { store, reads } = countingStore(dir);
    const flags = async (id: string) => {
      const r = (await store.list()).find((x) => x.id === id)!;
      return [r.hasReport, r.hasModel];
    };
    expect(await flags(imdbRunId(0))).toEqual([false, false]);
    reads.length = 0;
    writeFileSync(join(dir, imdbRunId(0), 'report.html'), '<html></html>');
    expect(await flags(imdbRunId(0))).toEqual([true, false]);
    // An empty model/ is no model yet; its model.json, written later inside it, changes only model/'s stamp.
    mkdirSync(join(dir, imdbRunId(0), 'model'));
    expect(await flags(imdbRunId(0))).toEqual([true, false]);
    writeFileSync(join(dir, imdbRunId(0), 'model', 'model.json'), '{}');
    expect(await flags(imdbRunId(0))).toEqual([true, true]);
    expect(reads).toEqual([]);
  });

  it("lists a record left running under this server's pid with the failure of the job that wrote it", async () => {
    const dir = tempDir();
    const id = '20250301-100000-full';
    mkdirSync(join(dir, id));
    const startedAt = new Date().toISOString();
    writeFileSync(join(dir, id, 'results.json'), JSON.stringify({ command: 'addition', status: 'running', pid: process.pid, startedAt, finishedAt: null, config: { epochs: 2 }, history: { loss: [] }, metrics: {} }));
    const store = new RunStore(dir);
    expect((await store.list())[0]).toMatchObject({ id, status: 'interrupted' });
    store.jobFailure = (runId) => (runId === id ? `the run folder ${id} could not be written: no space left on the device` : null);
    expect((await store.list())[0]).toMatchObject({ id, status: 'failed', error: `the run folder ${id} could not be written: no space left on the device` });
    expect(store.get(id).summary).toMatchObject({ status: 'failed' });
    // A job that is not this server's failure changes nothing.
    store.jobFailure = () => null;
    expect((await store.list())[0].status).toBe('interrupted');
  });
});
