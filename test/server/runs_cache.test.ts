/**
 * GET /api/runs keeps what it parsed of each results.json and reads a file again only when its modification time,
 * change time, size, inode or device changed (a restore that puts the old size and mtime back is still seen): a rewritten record (in place or by rename) shows on the next request, a removed run goes.
 */
import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, startTestServer, tempDir, type TestServer } from './helpers.js';

let s: TestServer;
let runsDir: string;

/** A 0.1.0-style record (the reader upgrades it) whose test accuracy is `acc`, written as two digits so sizes match. */
function record(acc: number, status = 'completed'): string {
  return JSON.stringify({
    command: 'imdb', status, argv: ['imdb'], startedAt: '2025-02-01T10:00:00.000Z', finishedAt: '2025-02-01T10:05:00.000Z',
    config: { model: 'lstm' }, history: { loss: [0.5], accuracy: [0.7] }, metrics: { testAccuracy: acc },
  });
}

const file = (id: string) => join(runsDir, id, 'results.json');
/** Whole seconds, which every file system stores exactly: a file set back to T has exactly its old modification time. */
const T = 1_738_400_000;

async function summaryOf(id: string) {
  const r = await get(s.base, '/api/runs');
  expect(r.status).toBe(200);
  return r.body.runs.find((x: { id: string }) => x.id === id);
}

beforeAll(async () => {
  runsDir = tempDir();
  for (const id of ['20250201-100000-a', '20250201-100000-b']) {
    mkdirSync(join(runsDir, id));
    writeFileSync(file(id), record(0.81));
    utimesSync(file(id), T, T);
  }
  s = await startTestServer({ runsDir });
});
afterAll(async () => {
  await s.close();
});

describe('the run list between requests', () => {
  it('reads a results.json again only once it changed', async () => {
    const id = '20250201-100000-a';
    expect(await summaryOf(id)).toMatchObject({ testAccuracy: 0.81, status: 'completed' });
    // Unchanged: the same summary again.
    expect((await summaryOf(id)).testAccuracy).toBe(0.81);
    // Same size, inode and modification time (put back, as tar x, cp -p or rsync -a do): the change time still moved.
    const before = statSync(file(id));
    writeFileSync(file(id), record(0.92));
    utimesSync(file(id), T, T);
    expect(statSync(file(id))).toMatchObject({ size: before.size, mtimeMs: before.mtimeMs, ino: before.ino });
    expect((await summaryOf(id)).testAccuracy).toBe(0.92);
    // Rewritten in place a moment later (the modification time moves): the next request sees the new record.
    writeFileSync(file(id), record(0.91));
    utimesSync(file(id), T, T + 2);
    expect((await summaryOf(id)).testAccuracy).toBe(0.91);
    // A shorter record written in place with that same time: the size tells.
    writeFileSync(file(id), record(0.93, 'failed'));
    utimesSync(file(id), T, T + 2);
    expect(await summaryOf(id)).toMatchObject({ testAccuracy: 0.93, status: 'failed' });
  });

  it('sees a record replaced by rename (as every writer does) and a record that became invalid, and drops a removed run', async () => {
    const id = '20250201-100000-b';
    expect((await summaryOf(id)).testAccuracy).toBe(0.81);
    const temp = join(runsDir, id, '.results.json.tmp');
    writeFileSync(temp, record(0.64));
    utimesSync(temp, T, T);
    renameSync(temp, file(id));
    expect((await summaryOf(id)).testAccuracy).toBe(0.64);
    writeFileSync(file(id), '{"command": "imdb", "hist');
    expect(await summaryOf(id)).toMatchObject({ status: 'invalid', error: 'results.json is not valid JSON' });
    // Deleted and made again with a record of the same size and mtime (the file system may hand out the same inode).
    writeFileSync(file(id), record(0.55));
    utimesSync(file(id), T, T);
    expect((await summaryOf(id)).testAccuracy).toBe(0.55);
    rmSync(join(runsDir, id), { recursive: true });
    mkdirSync(join(runsDir, id));
    writeFileSync(file(id), record(0.44));
    utimesSync(file(id), T, T);
    expect((await summaryOf(id)).testAccuracy).toBe(0.44);
    rmSync(join(runsDir, id), { recursive: true });
    expect(await summaryOf(id)).toBeUndefined();
  });
});
