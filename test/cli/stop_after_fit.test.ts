/**
 * Ctrl-C after fit, before a training run has written its results (the test pass, the writes): never a folder that
 * mixes two runs, never a silent exit. The compiled CLI (bin/rnnlab.js, dist/) is spawned over an earlier run's
 * folder and sent SIGINT when it prints the line that ends training; where in the remaining steps that lands is the
 * scheduler's, so each of the two outcomes is checked in full: stopped before any write (the earlier run whole, and
 * the printed resume command writes this one), or stopped once the writes were done (this run whole).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMDB_TINY, readResults, spawnCli as cli, syntheticImdb, tempDir } from './helpers.js';

const fx = syntheticImdb('rnnlab-stop-after-fit-');

/** The seed results.json records, after checking that the model and report in `dir` are of the same run. */
function wholeRunSeed(dir: string): number {
  const res = readResults(dir);
  const model = JSON.parse(readFileSync(path.join(dir, 'model', 'rnnlab-input.json'), 'utf8'));
  expect(model.metrics.testAccuracy).toBe(res.metrics.testAccuracy);
  expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain(`${(res.metrics.testAccuracy * 100).toFixed(2)}%`);
  expect(res.status).toBe('completed');
  return res.config.seed;
}

describe('rnnlab imdb, Ctrl-C after training', () => {
  it('exits 130 with a line saying what was kept and how to go on, and leaves the folder one run whole', async () => {
    const out = path.join(tempDir('rnnlab-stop-after-fit-run-'), 'run');
    const flags = [...IMDB_TINY.filter((a, i) => a !== '--seed' && IMDB_TINY[i - 1] !== '--seed'), '--epochs', '2', '--data', fx.tar, '--out', out];
    const first = await cli([...flags, '--seed', '1']);
    expect(first.code, first.err).toBe(0);
    expect(wholeRunSeed(out)).toBe(1);

    const r = await cli([...flags, '--seed', '2'], /^\(train accuracy .*\)$/m);
    expect(r.sent).toBe(true);
    expect(r.code).toBe(130);
    const hint = /^rnnlab: to write the results: rnnlab (.*)$/m.exec(r.err);
    if (hint) {
      expect(r.err).toMatch(new RegExp(`^rnnlab: interrupted after training, before its results were written \\(results.json, the report and model/ in ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} are as they were\\); the checkpoint in .* holds the finished training$`, 'm'));
      expect(r.out).not.toMatch(/^Wrote /m);
      expect(wholeRunSeed(out)).toBe(1);
      const resumeArgs = hint[1].split(' ');
      expect(resumeArgs.slice(-2)).toEqual(['--resume', out]);
      const resumed = await cli(resumeArgs);
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toMatch(/restored the checkpoint/);
    } else {
      expect(r.err).toMatch(/^rnnlab: interrupted while the results were written; they were written whole to /m);
      expect(r.out).toMatch(/^Saved the model in /m);
    }
    expect(wholeRunSeed(out)).toBe(2);
  });
});
