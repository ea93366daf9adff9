/**
 * An earlier run's folder the user may write in, whose model/ they may not (chmod 555): train would swap model/ out
 * and then fail to empty the old one, leaving the new model beside the earlier record and a stray folder. It is
 * refused up front instead, naming --out and model/, with nothing changed.
 */
import { chmodSync, chownSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { asRoot, canBeDenied, cleanup, snapshotFiles, spawnCliSync, tempDir, TRAIN_FAST } from './helpers.js';

beforeAll(() => assertDistFresh('cli/main.ts'));
afterAll(() => cleanup());

describe.skipIf(!canBeDenied())('train into an earlier run whose model/ is read-only', () => {
  it('is refused before any work with exit code 2, naming --out and model/; the folder is unchanged', () => {
    const cwd = tempDir();
    chmodSync(cwd, 0o777);
    // The test run's temporary root is private (mkdtemp's 0700): the unprivileged user must be able to pass through it.
    if (asRoot) chmodSync(path.dirname(cwd), 0o711);
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} ${i},${i % 2}`);
    writeFileSync(path.join(cwd, 'd.csv'), `text,label\n${rows.join('\n')}\n`);
    const args = ['train', '--data', 'd.csv', ...TRAIN_FAST, '--threads', '1', '--out', 'run'];
    expect(spawnCliSync(args, cwd, true).status).toBe(0);
    if (asRoot) chownSync(path.join(cwd, 'run'), 65534, 65534);
    chmodSync(path.join(cwd, 'run', 'model'), 0o555);
    const before = snapshotFiles(path.join(cwd, 'run'));
    const r = spawnCliSync([...args, '--seed', '7'], cwd, true);
    expect(r.stderr.split('\n')[0]).toBe(`rnnlab train: error: --out: cannot write in the folder ${path.join('run', 'model')}, whose saved model this run would replace: permission denied; nothing was changed`);
    expect(r.status).toBe(2);
    expect(snapshotFiles(path.join(cwd, 'run'))).toEqual(before);
    expect(readdirSync(path.join(cwd, 'run')).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
  }, 120_000);
});
