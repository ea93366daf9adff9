/**
 * The runs folder moved away, deleted or replaced by a file under a running server: the run and sweep lists say so,
 * naming the folder (never an empty list, which reads as "no runs"), and stderr hears of each change once.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { finished, get, post, startTestServer, tempDir, writeImdbRuns, imdbRunId, type TestServer } from './helpers.js';

let server: TestServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the runs folder gone while serving', () => {
  it('is an error naming the folder, said on stderr once per change; an empty folder is an empty list', async () => {
    const parent = tempDir();
    dirs.push(parent);
    const runsDir = `${parent}/runs`;
    mkdirSync(runsDir);
    writeImdbRuns(runsDir, 1);
    server = await startTestServer({ runsDir });
    const warned: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void warned.push(String(line)));
    expect((await get(server.base, '/api/runs')).body).toMatchObject({ total: 1 });

    renameSync(runsDir, `${parent}/runs.moved`);
    for (const path of ['/api/runs', '/api/sweeps', '/api/runs', `/api/runs/${imdbRunId(0)}`]) {
      const r = await get(server.base, path);
      expect(r.status, path).toBe(503);
      expect(r.body, path).toMatchObject({ status: 503, error: expect.stringMatching(/^the runs folder \S*runs is gone \(moved or deleted while the server runs\)/) });
    }
    expect(warned.filter((l) => l.includes('is gone'))).toHaveLength(1);

    writeFileSync(runsDir, 'not a folder');
    const asFile = await get(server.base, '/api/sweeps');
    expect(asFile.status).toBe(503);
    expect(asFile.body.error).toMatch(/^the runs folder \S*runs is not a folder any more/);
    expect(warned.filter((l) => l.includes('not a folder any more'))).toHaveLength(1);

    rmSync(runsDir);
    mkdirSync(runsDir);
    expect(await get(server.base, '/api/runs').then((r) => [r.status, r.body.total])).toEqual([200, 0]);
    expect(await get(server.base, '/api/sweeps').then((r) => [r.status, r.body.sweeps])).toEqual([200, []]);
    expect(warned.filter((l) => l.includes('can be listed again'))).toHaveLength(1);
  });

  it('fails a job started while the folder is gone, saying so, instead of making the folder anew and training unseen', async () => {
    const parent = tempDir();
    dirs.push(parent);
    const runsDir = `${parent}/runs`;
    mkdirSync(runsDir);
    server = await startTestServer({ runsDir });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    renameSync(runsDir, `${parent}/runs.moved`);
    const r = await post(server.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 200, hidden: 8, epochs: 1, batchSize: 64, name: 'sum' });
    const job = await finished(server.base, r.body.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe("cannot create the job's run folder: the runs folder is gone (moved or deleted while the server runs); put it back, or restart rnnlab serve with --runs naming where it is now");
    expect(existsSync(runsDir)).toBe(false);
  });
});
