import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepLocal, poolSize, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, learnableTarball, tempDir, requireFreshDist } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

let root: string;
let data: string;
const savedCache = process.env.RNNLAB_CACHE;

beforeAll(() => {
  root = tempDir();
  data = learnableTarball(root);
  process.env.RNNLAB_CACHE = path.join(root, 'cache');
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.RNNLAB_CACHE;
  else process.env.RNNLAB_CACHE = savedCache;
  cleanup();
});

const specText = (extra = '') => `command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 120, epochs: 2, maxlen: 12, vocab: 2000, embedding_dim: 8, batch_size: 16, validate: true }
grid: { model: [lstm, gru], units: [4, 8] }
seeds: [1, 2, 3]
metric: test_accuracy
${extra}`;

describe('rnnlab sweep on the local pool', () => {
  it('sizes the pool so that runs × threads fit the cores', () => {
    expect(poolSize({}, 2)).toEqual({ parallel: 2, threads: 1 });
    expect(poolSize({ parallel: 2 }, 2)).toEqual({ parallel: 2, threads: 1 });
    expect(poolSize({ threads: 1 }, 4)).toEqual({ parallel: 4, threads: 1 });
    expect(poolSize({ parallel: 3, threads: 3 }, 2)).toEqual({ parallel: 3, threads: 3 });
  });

  it('runs 2 models × 2 units × 3 seeds, each once in its own folder, then resumes without rerunning', async () => {
    const dir = path.join(root, 'sweep');
    const events: SweepEvent[] = [];
    const first = await runSweepLocal(parseSpec(specText()), { dir, parallel: 2, threads: 1, onEvent: (e) => events.push(e) });
    const runs = readdirSync(path.join(dir, 'runs')).sort();
    expect(runs).toHaveLength(12);
    for (const r of runs) {
      const rec = JSON.parse(readFileSync(path.join(dir, 'runs', r, 'results.json'), 'utf8'));
      expect(rec.command).toBe('imdb');
      expect(r).toContain(`seed-${rec.config.seed}`);
    }
    expect(events.filter((e) => e.type === 'done')).toHaveLength(12);
    expect(events.filter((e) => e.type === 'epoch').length).toBeGreaterThanOrEqual(24);
    expect(first.summary).toMatchObject({ completed: 12, failed: 0, pending: 0 });
    expect(first.summary.rows).toHaveLength(4);
    expect(first.summary.rows.every((r) => r.n === 3)).toBe(true);
    // The sentiment words give the class away: the best setting learns it.
    expect(first.summary.rows[0].mean).toBeGreaterThan(0.6);

    const rec = readSweepRecord(dir)!;
    expect(rec.finishedAt).not.toBeNull();
    expect(rec.runs.every((r) => r.status === 'completed' && typeof r.value === 'number' && r.metrics!.testAccuracy === r.value)).toBe(true);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Settings ranked by test_accuracy');
    expect(html).toContain('Effect of model');
    expect(html).toContain(first.summary.finding.replace(/&/g, '&amp;').slice(0, 40));
    expect(existsSync(path.join(dir, 'report.png'))).toBe(true);

    const again: SweepEvent[] = [];
    const second = await runSweepLocal(parseSpec(specText()), { dir, parallel: 2, threads: 1, onEvent: (e) => again.push(e) });
    expect(again.filter((e) => e.type === 'done' && e.how !== 'skipped')).toHaveLength(0);
    expect(second.summary.rows.map((r) => r.mean)).toEqual(first.summary.rows.map((r) => r.mean));
    expect(readdirSync(path.join(dir, 'runs'))).toHaveLength(12);
  });

  it('refuses to resume a folder with another spec (other runs), but not one that only ranks or retries differently', async () => {
    await expect(runSweepLocal(parseSpec(specText().replace('seeds: [1, 2, 3]', 'seeds: [1, 2]')), { dir: path.join(root, 'sweep'), parallel: 1, threads: 1 }))
      .rejects.toThrow(/holds a sweep with another spec/);
    const again = await runSweepLocal(parseSpec(specText('attempts: 1\n').replace('metric: test_accuracy', 'metric: test_loss')), { dir: path.join(root, 'sweep'), parallel: 1, threads: 1 });
    expect(again.summary).toMatchObject({ completed: 12, failed: 0, metric: 'test_loss', goal: 'min' });
  });

  it('records a failing run with its error, without retrying a usage error (exit 2), and finishes the rest', async () => {
    const dir = path.join(root, 'failing');
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 40, epochs: 1, maxlen: 8, vocab: 500, embedding_dim: 4, model: lstm }
grid: { units: [4, 0] }
attempts: 2
`);
    const events: SweepEvent[] = [];
    const out = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
    expect(out.summary).toMatchObject({ completed: 1, failed: 1 });
    const failed = events.filter((e) => e.type === 'failed');
    // --units 0 is a usage error (exit 2): another attempt would fail the same way.
    expect(failed.map((e) => e.type === 'failed' && e.retrying)).toEqual([false]);
    const rec = readSweepRecord(dir)!;
    const bad = rec.runs.find((r) => r.status === 'failed')!;
    expect(bad.id).toBe('units-0_seed-1');
    expect(bad.attempts).toBe(1);
    expect(bad.error).toMatch(/--units/);
  });
});
