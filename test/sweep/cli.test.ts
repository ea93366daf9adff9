import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, learnableTarball, tempDir, requireFreshDist, run } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

let root: string;
let data: string;
const savedCache = process.env.RNNLAB_CACHE;

beforeAll(() => {
  root = tempDir();
  data = learnableTarball(root, 30);
  process.env.RNNLAB_CACHE = path.join(root, 'cache');
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.RNNLAB_CACHE;
  else process.env.RNNLAB_CACHE = savedCache;
  cleanup();
});

describe('rnnlab sweep and rnnlab worker on the command line', () => {
  it('runs a spec file, prints the ranking, the effects and the finding, and writes sweep.json', async () => {
    const spec = path.join(root, 'spec.yaml');
    writeFileSync(spec, `command: imdb\nflags: { data: ${JSON.stringify(data)}, limit: 60, epochs: 1, maxlen: 10, vocab: 1000, embedding_dim: 4, model: lstm }\ngrid: { units: [2, 4] }\nseeds: [1, 2]\n`);
    const out = path.join(root, 'cli-sweep');
    const r = await run(['sweep', spec, '--out', out, '--parallel', '2', '--threads', '1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Sweep of 4 run\(s\) of rnnlab imdb in .*cli-sweep: 2 at a time, 1 thread\(s\) each\./);
    expect(r.out.match(/^done: units-\d_seed-\d/gm)).toHaveLength(4);
    expect(r.out).toContain('Settings ranked by test_accuracy');
    expect(r.out).toContain('Effect of units');
    expect(r.out).toMatch(/Best: units=\d with test_accuracy/);
    const rec = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(rec.runs.map((x: { status: string }) => x.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  });

  it('names what is wrong: a bad spec key, flags that do not go together, a missing queue', async () => {
    const spec = path.join(root, 'bad.yaml');
    writeFileSync(spec, 'command: imdb\ngird: { units: [1] }\n');
    const bad = await run(['sweep', spec]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^rnnlab sweep: error: .*bad\.yaml: unknown key 'gird'/);
    expect(bad.err).toContain("Run 'rnnlab sweep --help' for usage.");
    expect(await run(['sweep', spec, '--detach'])).toMatchObject({ code: 2, err: expect.stringMatching(/--detach needs --queue/) });
    expect(await run(['sweep', spec, '--queue', 'redis://127.0.0.1:6379', '--parallel', '2'])).toMatchObject({ code: 2, err: expect.stringMatching(/--parallel sizes the local pool/) });
    expect(await run(['sweep', path.join(root, 'none.yaml')])).toMatchObject({ code: 2, err: expect.stringMatching(/none\.yaml: cannot read the sweep spec: no such file/) });
    expect(await run(['worker'])).toMatchObject({ code: 2, err: expect.stringMatching(/--queue/) });
    expect(await run(['worker', '--queue', 'http://x:1'])).toMatchObject({ code: 2, err: expect.stringMatching(/^rnnlab worker: error: --queue: expected a redis:\/\/ URL/) });
    expect(await run(['sweep', spec, '--queue', 'redis://nohost', '--detach'])).toMatchObject({ code: 2, err: expect.stringMatching(/^rnnlab sweep: error: --queue: 'redis:\/\/nohost' needs a host and a port/) });
  });
});
