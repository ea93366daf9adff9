/**
 * Where train, tokenize and imdb may write their run: not over another command's run (its record and model would be
 * replaced without a word), not inside the data train reads (model/ would become a class), and a failed train run
 * without --out leaves the working folder as it was (no empty runs/).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA, expectRefused, isolatedCache, REPO_ROOT, run, snapshotFiles, tempDir, TRAIN_FAST, trainFolderRun } from './helpers.js';

isolatedCache();

let root: string, data: string, trainRun: string, imdbRun: string;

beforeAll(async () => {
  ({ root, data, trainRun } = await trainFolderRun());
  imdbRun = path.join(root, 'imdb-run');
  const i = await run(['imdb', '--model', 'lstm', '--limit', '8', '--maxlen', '10', '--epochs', '1', '--units', '2', '--embedding-dim', '2', '--verbose', '0', '--data', DATA, '--out', imdbRun]);
  expect(i.code, i.err).toBe(0);
}, 180_000);

describe("--out holding another command's run", () => {
  it("tokenize --out a train run's folder is refused, naming --out and train, and nothing changes", async () => {
    const before = snapshotFiles(trainRun);
    expectRefused(await run(['tokenize', '--fit', 'a b', '--out', trainRun]), 'tokenize', /--out: .*train-run holds an earlier 'rnnlab train' run.*nothing was changed/);
    expect(snapshotFiles(trainRun)).toEqual(before);
  });

  it("imdb --out a train run's folder is refused before any work: the text classifier in model/ stays", async () => {
    const before = snapshotFiles(trainRun);
    expectRefused(await run(['imdb', '--model', 'cnn', '--limit', '8', '--maxlen', '10', '--epochs', '1', '--data', DATA, '--out', trainRun]), 'imdb',
      /--out: .*train-run holds an earlier 'rnnlab train' run, whose results.json, reports and saved model \(model\/\) this imdb run would replace/);
    expect(snapshotFiles(trainRun)).toEqual(before);
    expect(existsSync(path.join(trainRun, 'checkpoint'))).toBe(false);
  });

  it("train --out an imdb run's folder is refused the same way", async () => {
    const before = snapshotFiles(imdbRun);
    expectRefused(await run(['train', '--data', data, ...TRAIN_FAST, '--out', imdbRun]), 'train', /--out: .*imdb-run holds an earlier 'rnnlab imdb' run/);
    expect(snapshotFiles(imdbRun)).toEqual(before);
  });

  it('an earlier run of the same command is still reused', async () => {
    const tok = path.join(root, 'tok');
    expect((await run(['tokenize', '--fit', 'a b', '--out', tok])).code).toBe(0);
    const again = await run(['tokenize', '--fit', 'c d', '--out', tok]);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(readFileSync(path.join(tok, 'results.json'), 'utf8')).details.texts[0].text).toBe('c d');
  });
});

describe('train --out inside the data it reads', () => {
  it('the --data folder itself, or a folder inside it, is refused with exit code 2 naming --out; nothing is made', async () => {
    const copy = path.join(tempDir(), 'data');
    cpSync(data, copy, { recursive: true });
    const before = snapshotFiles(copy);
    expectRefused(await run(['train', '--data', copy, ...TRAIN_FAST, '--out', copy]), 'train', /^rnnlab train: error: --out: .*data is the --data folder/);
    expectRefused(await run(['train', '--data', copy, ...TRAIN_FAST, '--out', path.join(copy, 'runs', 'one')]), 'train', /--out: .*is inside the --data folder/);
    expect(snapshotFiles(copy)).toEqual(before);
    expect(readdirSync(copy).sort()).toEqual(['neg', 'pos']);
  });

  it('so is a folder inside the --validation folder', async () => {
    const val = path.join(tempDir(), 'val');
    cpSync(data, val, { recursive: true });
    const csv = path.join(tempDir(), 'train.csv');
    writeFileSync(csv, `text,label\n${Array.from({ length: 8 }, (_, i) => `great film ${i},pos\nawful film ${i},neg`).join('\n')}\n`);
    expectRefused(await run(['train', '--data', csv, '--validation', val, ...TRAIN_FAST, '--out', path.join(val, 'out')]), 'train', /--out: .*is inside the --validation folder/);
    expect(readdirSync(val).sort()).toEqual(['neg', 'pos']);
  });

  it('the default run folder, from a working folder inside --data, is refused too (it would become a class)', () => {
    const copy = path.join(tempDir(), 'data');
    cpSync(data, copy, { recursive: true });
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), 'train', '--data', '.', ...TRAIN_FAST], { cwd: copy, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^rnnlab train: error: --out: the default run folder runs\/\S+ is inside the --data folder \./);
    expect(readdirSync(copy).sort()).toEqual(['neg', 'pos']);
  });
});

describe('a failed train run without --out', () => {
  const bin = path.join(REPO_ROOT, 'bin/rnnlab.js');
  const oneClass = (cwd: string) => { writeFileSync(path.join(cwd, 'one.csv'), 'text,label\ngood,1\nfine,1\n'); };

  it('removes runs/ when the run made it', () => {
    const cwd = tempDir();
    oneClass(cwd);
    const r = spawnSync(process.execPath, [bin, 'train', '--data', 'one.csv', ...TRAIN_FAST], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a classifier needs at least two classes/);
    expect(readdirSync(cwd)).toEqual(['one.csv']);
  });

  it('imdb, failing on its data, also leaves no runs/ behind (the folder it made is removed with the run\'s)', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'junk.tar.gz'), 'not a tarball\n');
    const r = spawnSync(process.execPath, [bin, 'imdb', '--model', 'ff_raw', '--epochs', '1', '--data', 'junk.tar.gz'],
      { cwd, encoding: 'utf8', env: { ...process.env, RNNLAB_CACHE: path.join(tempDir(), 'cache') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/data error: .*junk\.tar\.gz/);
    expect(readdirSync(cwd)).toEqual(['junk.tar.gz']);
  });

  it('keeps a runs/ that was there before', () => {
    const cwd = tempDir();
    oneClass(cwd);
    mkdirSync(path.join(cwd, 'runs'));
    const r = spawnSync(process.execPath, [bin, 'train', '--data', 'one.csv', ...TRAIN_FAST], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(readdirSync(cwd).sort()).toEqual(['one.csv', 'runs']);
    expect(readdirSync(path.join(cwd, 'runs'))).toEqual([]);
  });
});
