/**
 * Ctrl-C on `rnnlab experiment NAME`, as on the training commands: an experiment keeps no checkpoint, so a stop
 * while it trains or computes ends it at once with exit code 130 and a line on stderr saying nothing was written; one
 * during the writes lets them finish (the folder holds one run, never this run's report beside an earlier run's
 * record), then exits 130 saying so. The compiled CLI (bin/rnnlab.js, dist/) is spawned and sent SIGINT when it
 * prints a given line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, readResults, snapshotFiles, spawnCli as cli, tempDir } from './helpers.js';

beforeAll(() => assertDistFresh('cli/main.ts'));
afterAll(cleanup);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The --vocab of the params run in dir, after checking that its report is of that run. */
function wholeParamsVocab(dir: string): number {
  const res = readResults(dir);
  expect(res.status).toBe('completed');
  const counts = /the embedding holds ([\d,]+) of the ([\d,]+) weights/.exec(res.finding);
  expect(counts).not.toBeNull();
  expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(new RegExp(`the embedding holds ${esc(counts![1])} of the ${esc(counts![2])} weights`));
  return res.config.vocab;
}

describe('rnnlab experiment, Ctrl-C', () => {
  it('while it trains: exit 130, one line saying nothing was written, and no run folder', async () => {
    const out = path.join(tempDir('rnnlab-experiment-stop-'), 'run');
    const r = await cli(['experiment', 'commutativity', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '1000', '--batch-size', '8',
      '--verbose', '2', '--threads', '1', '--out', out], /^Epoch 2\//m);
    expect(r.sent, r.err).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.err).toBe(`rnnlab: interrupted before the experiment's files were written; nothing in ${out} was changed (an experiment keeps no checkpoint: run it again)\n`);
    expect(r.out).not.toMatch(/^Finding: /m);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('as its files are written over an earlier run: exit 130, and the folder holds one run whole', async () => {
    const out = path.join(tempDir('rnnlab-experiment-stop-'), 'run');
    const first = await cli(['experiment', 'params', '--threads', '1', '--out', out]);
    expect(first.code, first.err).toBe(0);
    expect(wholeParamsVocab(out)).toBe(10000);
    const earlier = snapshotFiles(out);

    const r = await cli(['experiment', 'params', '--vocab', '50', '--threads', '1', '--out', out], /^Finding: /m);
    expect(r.sent).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    if (/^rnnlab: interrupted before/.test(r.err)) {
      expect(r.err).toBe(`rnnlab: interrupted before the experiment's files were written; nothing in ${out} was changed (an experiment keeps no checkpoint: run it again)\n`);
      expect(snapshotFiles(out)).toEqual(earlier);
    } else {
      expect(r.err).toBe(`rnnlab: stopping once the run's files are written (they are written whole)\nrnnlab: interrupted while the experiment's files were written; they were written whole to ${out}\n`);
      expect(wholeParamsVocab(out)).toBe(50);
      expect(readFileSync(path.join(out, 'report.png')).equals(Buffer.from(earlier['report.png'], 'base64'))).toBe(false);
    }
  }, 120_000);
});
