/**
 * An --out that cannot be made or written in (a read-only parent, a file system that takes no new folders such as
 * /proc) is a usage error naming --out before any work, not a raw EACCES after the whole run, nor a hang: Node's
 * recursive mkdir retries forever under /proc. Folders are made one level at a time (makeFolders), and a failure
 * that still comes late (writeRun) names the folder.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { FolderError, makeFolders } from '../../src/local_files.js';
import { exportOnnx } from '../../src/onnx/index.js';
import type { ReportDoc } from '../../src/report/html.js';
import type { RecordBody } from '../../src/report/record.js';
import { finishRecord, startRecord, writeRun } from '../../src/report/run.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { asRoot, canBeDenied, cleanup, REPO_ROOT, spawnCliSync, tempDir } from './helpers.js';

const linux = process.platform === 'linux';

beforeAll(() => assertDistFresh('cli/main.ts'));
afterAll(() => cleanup());

function expectOutRefused(r: SpawnSyncReturns<string>, command: string, message: string): void {
  expect(r.signal).toBeNull();
  expect(r.stderr.split('\n')[0]).toBe(`rnnlab ${command}: error: ${message}`);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
}

/** A folder holding a small CSV and pairs file, and a read-only folder `ro` the unprivileged user cannot write in. */
function workFolder(): string {
  const cwd = tempDir();
  chmodSync(cwd, 0o755);
  const rows = Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} ${i},${i % 2}`);
  writeFileSync(path.join(cwd, 'd.csv'), `text,label\n${rows.join('\n')}\n`);
  writeFileSync(path.join(cwd, 'pairs.tsv'), Array.from({ length: 12 }, (_, i) => `${i}${i + 1}\t${i + 1}${i}`).join('\n') + '\n');
  mkdirSync(path.join(cwd, 'ro'), { mode: 0o555 });
  chmodSync(path.join(cwd, 'ro'), 0o555);
  return cwd;
}

describe.skipIf(!canBeDenied())('an --out the user may not make or write in', () => {
  it('is refused before any work, naming --out, for train, seq2seq, tokenize and addition; nothing is made', () => {
    const cwd = workFolder();
    const fast = ['--epochs', '1', '--out', 'ro/run'];
    expectOutRefused(spawnCliSync(['train', '--data', 'd.csv', '--units', '4', '--embedding-dim', '4', ...fast], cwd, true), 'train', '--out: cannot make the folder ro/run: permission denied');
    expectOutRefused(spawnCliSync(['seq2seq', '--data', 'pairs.tsv', ...fast], cwd, true), 'seq2seq', '--out: cannot make the folder ro/run: permission denied');
    expectOutRefused(spawnCliSync(['tokenize', 'hi', '--out', 'ro/run'], cwd, true), 'tokenize', '--out: cannot make the folder ro/run: permission denied');
    expectOutRefused(spawnCliSync(['addition', '--digits', '1', '--training-size', '50', ...fast], cwd, true), 'addition', '--out: cannot make the folder ro/run: permission denied');
    expect(readdirSync(path.join(cwd, 'ro'))).toEqual([]);
  });

  it('an existing folder that cannot be written in is refused too', () => {
    const cwd = workFolder();
    expectOutRefused(spawnCliSync(['tokenize', 'hi', '--out', 'ro'], cwd, true), 'tokenize', '--out: cannot write in the folder ro: permission denied');
  });
});

describe.skipIf(!linux)('an --out under /proc', () => {
  it('is refused up front naming --out, not retried forever (train, tokenize, sweep)', () => {
    const cwd = workFolder();
    const why = '--out: cannot make the folder /proc/rnnlab-x: ';
    // Root may make no folder there either; anyone else is refused by the permissions first.
    const reason = asRoot ? 'no folder can be made in /proc' : 'permission denied';
    expectOutRefused(spawnCliSync(['train', '--data', 'd.csv', '--epochs', '1', '--units', '4', '--out', '/proc/rnnlab-x'], cwd), 'train', why + reason);
    expectOutRefused(spawnCliSync(['tokenize', 'hi', '--out', '/proc/rnnlab-x/run'], cwd), 'tokenize', why.replace('-x:', '-x/run:') + reason);
    writeFileSync(path.join(cwd, 'spec.yaml'), 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, samples: 0 }\ngrid: { hidden: [4] }\n');
    expectOutRefused(spawnCliSync(['sweep', 'spec.yaml', '--out', '/proc/rnnlab-x'], cwd), 'sweep', why + reason);
  });

  it('makeFolders fails with a FolderError naming the folder (in a child process: a regression would hang)', () => {
    const code = `import('${path.join(REPO_ROOT, 'dist/local_files.js')}').then((m) => { try { m.makeFolders('/proc/rnnlab-x/y'); } catch (e) { console.log(e.name + ': ' + e.message); } });`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe(`FolderError: cannot make the folder /proc/rnnlab-x: ${asRoot ? 'no folder can be made in /proc' : 'permission denied'}`);
  });

  it('exportOnnx there says what is wrong, not that /proc does not exist', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    await expect(exportOnnx(m, '/proc/rnnlab-x.onnx')).rejects.toThrow(`ONNX export: cannot write '/proc/rnnlab-x.onnx': ${asRoot ? 'no file can be made in /proc' : 'permission denied'}`);
  });
});

describe('makeFolders', () => {
  it('makes the missing folders one level at a time and returns the outermost it made, as mkdirSync recursive', () => {
    const root = tempDir();
    expect(makeFolders(path.join(root, 'a', 'b', 'c'))).toBe(path.join(root, 'a'));
    expect(statSync(path.join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(makeFolders(path.join(root, 'a', 'b'))).toBeUndefined();
  });

  it('a file in the way is a FolderError naming the folder, with the errno code kept', () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'f'), 'keep');
    const below = (() => { try { makeFolders(path.join(root, 'f', 'x')); } catch (e) { return e as FolderError; } })();
    expect(below).toBeInstanceOf(FolderError);
    expect(below!.message).toBe(`cannot make the folder ${path.join(root, 'f', 'x')}: a part of its path is a file`);
    expect(below!.code).toBe('ENOTDIR');
    expect(() => makeFolders(path.join(root, 'f'))).toThrow(`cannot make the folder ${path.join(root, 'f')}: a file of that name is in the way`);
  });
});

describe('writeRun failing late', () => {
  const body: RecordBody = { config: {}, data: null, models: [], metrics: {}, finding: '' };
  const record = () => finishRecord(startRecord({ command: 'tokenize', argv: [], source: 'cli', runName: 'tokenize', startedAt: new Date() }), body);
  const doc: ReportDoc = { title: 't', sections: [] };

  it('a folder that cannot be made names it', () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'f'), 'keep');
    expect(() => writeRun(path.join(root, 'f', 'run'), record(), doc)).toThrow(`cannot make the folder ${path.join(root, 'f', 'run')}: a part of its path is a file`);
  });

  it.skipIf(asRoot || !linux)('a folder that became read-only after the check names it, in words', () => {
    const ro = path.join(tempDir(), 'ro');
    mkdirSync(ro, { mode: 0o555 });
    chmodSync(ro, 0o555);
    expect(() => writeRun(ro, record(), doc)).toThrow(`cannot write the run folder ${ro}: permission denied`);
    expect(existsSync(path.join(ro, 'results.json'))).toBe(false);
  });
});
