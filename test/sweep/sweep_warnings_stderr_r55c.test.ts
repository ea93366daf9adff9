/**
 * `rnnlab sweep` says a run's worker.json it cannot read on stderr, as `rnnlab sweep: warning: ...` like rnnlab's
 * other warnings: before, a local sweep printed it among its progress lines on stdout, and a `--queue` sweep left it
 * to Node (`(node:PID) Warning: ...`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, run, tempDir, TINY_ADDITION } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(cleanup);

const COUNTS_AS_NONE = ', so the run counts as having no worker stamp (no worker shown, no attempts counted from it, not taken as running elsewhere) until a worker starts it and writes a whole one';

/** A spec file of one tiny addition run, and its sweep folder holding that run's worker.json as `text`. */
function damagedSweep(name: string, text: string) {
  const file = path.join(root, `${name}.yaml`);
  writeFileSync(file, TINY_ADDITION);
  const out = path.join(root, `${name}-out`);
  const [only] = expandRuns(parseSpec(TINY_ADDITION));
  const stamp = path.join(out, 'runs', only.id, WORKER_FILE);
  mkdirSync(path.dirname(stamp), { recursive: true });
  writeFileSync(stamp, text);
  return { file, out, stamp, runId: only.id };
}

/** What Node itself would print for the call (an emitWarning), caught rather than left to go to the test's stderr. */
async function withProcessWarnings<T>(f: () => Promise<T>): Promise<{ result: T; processWarnings: string[] }> {
  const processWarnings: string[] = [];
  const listen = (w: Error) => processWarnings.push(w.message);
  process.on('warning', listen);
  try {
    const result = await f();
    await new Promise((r) => setImmediate(r));
    return { result, processWarnings };
  } finally {
    process.off('warning', listen);
  }
}

describe('a local sweep', () => {
  it('says the unreadable worker.json on stderr, in rnnlab\'s words, and not among its lines on stdout', async () => {
    const s = damagedSweep('local', '{"worker": "w", ');
    const { result: r, processWarnings } = await withProcessWarnings(() => run(['sweep', s.file, '--out', s.out]));
    expect(r.code).toBe(0);
    expect(r.err.split('\n')).toContain(`rnnlab sweep: warning: run ${s.runId}: ${s.stamp} is not valid JSON${COUNTS_AS_NONE}`);
    expect(r.err.match(/warning:/g)).toHaveLength(1);
    expect(r.out).not.toContain('warning:');
    expect(r.out).toContain(`done: ${s.runId}`);
    expect(processWarnings).toEqual([]);
  }, 120_000);
});

describe.skipIf(!redisAvailable())('a --queue sweep', () => {
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('says it on stderr as `rnnlab sweep: warning: ...`, not as a Node process warning', async () => {
    const s = damagedSweep('queued', `{"worker":"gone","state":"completed","state":"running","updatedAt":"2025-01-02T00:00:00.000Z"}\n`);
    const { result: r, processWarnings } = await withProcessWarnings(() =>
      run(['sweep', s.file, '--queue', redis.url, '--queue-name', 'warnings-stderr-r55c', '--detach', '--out', s.out]));
    expect(r.code).toBe(0);
    expect(r.err).toBe(`rnnlab sweep: warning: run ${s.runId}: ${s.stamp} gives the key "state" more than once; it is not read${COUNTS_AS_NONE}\n`);
    expect(r.out).not.toContain('warning:');
    expect(r.out).toContain('Queued 1 run(s)');
    expect(processWarnings).toEqual([]);
  }, 120_000);
});
