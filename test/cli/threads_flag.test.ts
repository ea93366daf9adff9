/**
 * --threads on train, evaluate, predict and translate, as on every other command that computes: it sets the kernel threads the
 * run uses (recorded in results.json's environment.engine.threads), with the same bound as the others. Also: train
 * prints its parameter count with thousands separators, as the other commands do.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, setThreads } from '../../src/backend/index.js';
import { cleanup, expectRefused, isolatedCache, readResults, run, tempDir, trainFolderRun } from './helpers.js';

isolatedCache();

let before: number;
beforeAll(() => { before = backendInfo().threads; });
afterAll(() => { setThreads(before); cleanup(); });

describe('--threads on train, evaluate and predict', () => {
  it('sets the threads each run computes with', async () => {
    const { root, data, trainRun } = await trainFolderRun();

    setThreads(1);
    const trained = path.join(root, 'threads-train');
    // 16 GRU units: over a thousand parameters, so the count has a separator.
    const t = await run(['train', '--data', data, '--model', 'gru', '--units', '16', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6', '--threads', '3', '--out', trained]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/^Model: gru, \d{1,3}(,\d{3})+ parameters, /m);
    expect(readResults(trained).environment.engine.threads).toBe(3);

    setThreads(1);
    const evaluated = path.join(root, 'threads-evaluate');
    const e = await run(['evaluate', '--model', trainRun, '--data', data, '--threads', '2', '--out', evaluated]);
    expect(e.code, e.err).toBe(0);
    expect(readResults(evaluated).environment.engine.threads).toBe(2);

    // predict writes no record: the threads in force after it are the ones it set.
    setThreads(1);
    const p = await run(['predict', '--model', trainRun, '--threads', '3', 'a great film']);
    expect(p.code, p.err).toBe(0);
    expect(backendInfo().threads).toBe(3);
  }, 120_000);

  it('translate sets them too', async () => {
    const out = path.join(tempDir('rnnlab-translate-threads-'), 'run');
    const s = await run(['seq2seq', '--generate', 'date', '--count', '60', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--threads', '1', '--out', out]);
    expect(s.code, s.err).toBe(0);
    setThreads(1);
    const t = await run(['translate', '--model', out, '--threads', '2', '3 March 2021']);
    expect(t.code, t.err).toBe(0);
    expect(backendInfo().threads).toBe(2);
  }, 120_000);

  it.each([
    [['translate', '--model', '.', 'a text'], 'translate'],
    [['train', '--data', 'reviews.csv'], 'train'],
    [['evaluate', '--model', 'm', '--data', 'reviews.csv'], 'evaluate'],
    [['predict', '--model', '.', 'a text'], 'predict'],
  ])('%j --threads 257 is refused with the others\' bound', async (argv, cmd) => {
    expectRefused(await run([...argv, '--threads', '257']), cmd, /--threads must be an integer from 1 to 256, got '257'/);
  });
});
