/**
 * An --out whose name no file system takes (over 255 bytes: ENAMETOOLONG) is a usage error naming --out and the
 * name's length, exit code 2, before any work and with nothing made, as docs/CLI.md promises of an --out that cannot
 * be made; not a raw "ENAMETOOLONG: name too long, mkdir" with exit code 1. Folders made on the way to such a name
 * are removed again, and a lock taken on one is refused naming the flag.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/context.js';
import { lockRunFolderFlag } from '../../src/cli/paths.js';
import { FolderError, folderWriteProblem, makeFolders } from '../../src/local_files.js';
import { cleanup, run, tempDir } from './helpers.js';

const LONG = 'a'.repeat(300);
const WORDS = 'the file name is too long (300 bytes; file systems take 255 at most)';
let root = '', data = '', model = '';

beforeAll(async () => {
  root = tempDir('rnnlab-out-long-');
  data = path.join(root, 'd.csv');
  const rows = ['review,sentiment'];
  for (let i = 0; i < 40; i++) rows.push(`this film was ${i % 2 ? 'great fun' : 'dull and slow'},${i % 2 ? 'positive' : 'negative'}`);
  writeFileSync(data, rows.join('\n') + '\n');
  model = path.join(root, 'trained');
  const r = await run(['train', '--data', data, '--epochs', '1', '--threads', '1', '--out', model]);
  expect(r.code, r.err).toBe(0);
}, 120_000);
afterAll(() => cleanup());

/** Exit 2, one error line naming --out, the folder and the length, the help hint, and nothing new in `folder`. */
async function expectRefused(command: string, args: string[], out: string, folder: string): Promise<void> {
  const before = readdirSync(folder).sort();
  const r = await run([command, ...args, '--out', out]);
  expect(r.code, r.err).toBe(2);
  expect(r.out).toBe('');
  const lines = r.err.trimEnd().split('\n');
  expect(lines[0]).toBe(`rnnlab ${command}: error: --out: cannot make the folder ${out}: ${WORDS}`);
  expect(lines.slice(1)).toEqual([`Run 'rnnlab ${command} --help' for usage.`]);
  expect(readdirSync(folder).sort()).toEqual(before);
}

describe('--out with a name over 255 bytes', () => {
  it('tokenize: exit 2 naming --out and the length, nothing made', async () => {
    await expectRefused('tokenize', ['a lovely film'], path.join(root, LONG), root);
  });

  it('tokenize: below folders still to be made, none of them is made', async () => {
    await expectRefused('tokenize', ['a lovely film'], path.join(root, 'new', 'deeper', LONG), root);
    expect(existsSync(path.join(root, 'new'))).toBe(false);
  });

  it('train: exit 2 naming --out and the length, nothing made', async () => {
    await expectRefused('train', ['--data', data, '--epochs', '1', '--threads', '1'], path.join(root, LONG), root);
  });

  it('evaluate: exit 2 naming --out and the length, nothing made', async () => {
    await expectRefused('evaluate', ['--model', model, '--data', data], path.join(root, LONG), root);
  });
});

describe('a folder that cannot be made for its name', () => {
  it('folderWriteProblem says why, though a trial folder of a short name could be made there', () => {
    expect(folderWriteProblem(path.join(root, LONG))).toBe(WORDS);
    expect(folderWriteProblem(path.join(root, `${'b'.repeat(255)}`))).toBeNull();
  });

  it('makeFolders fails naming the folder and the length, and removes the folders it made on the way', () => {
    const base = path.join(root, 'make');
    mkdirSync(base);
    const dir = path.join(base, 'x', 'y', LONG, 'z');
    let err: unknown;
    try { makeFolders(dir); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(FolderError);
    expect((err as FolderError).code).toBe('ENAMETOOLONG');
    expect((err as Error).message).toBe(`cannot make the folder ${path.join(base, 'x', 'y', LONG)}: ${WORDS}`);
    expect(readdirSync(base)).toEqual([]);
  });

  it('taking the run folder lock there is a usage error naming the flag, nothing left', () => {
    const base = path.join(root, 'lock');
    mkdirSync(base);
    const dir = path.join(base, 'x', LONG);
    let err: unknown;
    try { lockRunFolderFlag(dir, 'train', ['train']).release(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`--out: cannot make the folder ${dir}: ${WORDS}; nothing was changed. Give --out a folder this run can write`);
    expect(readdirSync(base)).toEqual([]);
  });
});
