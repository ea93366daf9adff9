/**
 * Ctrl-C while `rnnlab addition` or `rnnlab train` trains: neither keeps a checkpoint, so, as an experiment, it
 * stops at once with exit code 130 and one line on stderr saying nothing was written (and to run it again), never
 * silently, and an earlier run in --out stays as it was. The compiled CLI (bin/rnnlab.js, dist/) is spawned and sent
 * SIGINT when it prints its second epoch. (`seq2seq` keeps a checkpoint now: test/cli/seq2seq_resume.test.ts.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, run, snapshotFiles, spawnCli as cli, tempDir, writeClassFolders } from './helpers.js';

beforeAll(() => assertDistFresh('cli/main.ts'));
afterAll(cleanup);

const SECOND_EPOCH = /^Epoch 2\//m;

describe('Ctrl-C during training', () => {
  it('addition: exit 130, one line saying nothing was written, and no run folder', async () => {
    const out = path.join(tempDir('rnnlab-addition-stop-'), 'run');
    const r = await cli(['addition', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '1000', '--batch-size', '8',
      '--verbose', '2', '--threads', '1', '--out', out], SECOND_EPOCH);
    expect(r.sent, r.err).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.err).toBe(`rnnlab: interrupted before the run was written; nothing was written to ${out} (addition keeps no checkpoint: run the command again)\n`);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('train: exit 130, one line saying nothing was changed, and the earlier run in --out as it was', async () => {
    const root = tempDir('rnnlab-train-stop-');
    const data = writeClassFolders(path.join(root, 'reviews'));
    const out = path.join(root, 'run');
    const flags = ['train', '--data', data, '--model', 'gru', '--units', '4', '--embedding-dim', '4', '--maxlen', '6', '--threads', '1', '--out', out];
    const first = await run([...flags, '--epochs', '1']);
    expect(first.code, first.err).toBe(0);
    const earlier = snapshotFiles(out);

    const r = await cli([...flags, '--epochs', '1000'], SECOND_EPOCH);
    expect(r.sent, r.err).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.err).toBe(`rnnlab: interrupted before the run was written; nothing in ${out} was changed (train keeps no checkpoint: run the command again)\n`);
    expect(snapshotFiles(out)).toEqual(earlier);
  }, 120_000);
});
