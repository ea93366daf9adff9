/**
 * rnnlab imdb --out DIR writes checkpoints into DIR/checkpoint/: like model/, a checkpoint/ there that holds what
 * rnnlab did not write (or is a file or a link) is refused before any work, exit code 2, and nothing is changed;
 * an earlier run's checkpoint is replaced, and other files there are kept.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envForFile } from '../helpers/env.js';
import { cleanup, readResults, requireData, run, tempDir } from './helpers.js';

const IMDB_TINY = ['imdb', '--model', 'lstm', '--limit', '40', '--epochs', '1', '--maxlen', '20', '--units', '4', '--embedding-dim', '4', '--verbose', '0'];
let root = '';
beforeAll(() => { root = tempDir('rnnlab-imdb-ckpt-'); });
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1' }));
afterAll(cleanup);

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('rnnlab imdb --out and checkpoint/', () => {
  it('refuses a checkpoint/ holding the user\'s model.json, naming it, and changes nothing', async () => {
    const dir = path.join(root, 'users');
    write(path.join(dir, 'checkpoint', 'model.json'), '{"my": "model"}\n');
    write(path.join(dir, 'checkpoint', 'checkpoint.json'), '{"mine": true}\n');
    const r = await run([...IMDB_TINY, '--data', requireData(), '--out', dir]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^rnnlab imdb: error: --out: .*users already holds 'checkpoint\/checkpoint\.json', 'checkpoint\/model\.json'/);
    expect(r.err).toContain('nothing was changed');
    expect(r.out).toBe('');
    expect(readdirSync(dir)).toEqual(['checkpoint']);
    expect(readFileSync(path.join(dir, 'checkpoint', 'model.json'), 'utf8')).toBe('{"my": "model"}\n');
  });

  it('refuses a checkpoint that is a file or a link', async () => {
    const file = path.join(root, 'as-file');
    write(path.join(file, 'checkpoint'), 'a file\n');
    expect(await run([...IMDB_TINY, '--data', requireData(), '--out', file])).toMatchObject({ code: 2, err: expect.stringMatching(/already holds 'checkpoint'/) });
    const linked = path.join(root, 'as-link');
    mkdirSync(path.join(root, 'elsewhere'));
    mkdirSync(linked);
    symlinkSync(path.join(root, 'elsewhere'), path.join(linked, 'checkpoint'));
    expect(await run([...IMDB_TINY, '--data', requireData(), '--out', linked])).toMatchObject({ code: 2, err: expect.stringMatching(/already holds 'checkpoint'/) });
    expect(readdirSync(path.join(root, 'elsewhere'))).toEqual([]);
  });

  it('runs again into an earlier run\'s folder, replacing its checkpoint and keeping other files in checkpoint/', async () => {
    const dir = path.join(root, 'earlier');
    const first = await run([...IMDB_TINY, '--data', requireData(), '--out', dir]);
    expect(first.code, first.err).toBe(0);
    expect(readdirSync(path.join(dir, 'checkpoint'))).toContain('checkpoint.json');
    const before = readResults(dir).startedAt;
    write(path.join(dir, 'checkpoint', 'notes.txt'), 'keep me\n');
    await new Promise((res) => setTimeout(res, 5));
    const again = await run([...IMDB_TINY, '--data', requireData(), '--out', dir]);
    expect(again.code, again.err).toBe(0);
    expect(readResults(dir).startedAt).not.toBe(before);
    expect(readFileSync(path.join(dir, 'checkpoint', 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(readdirSync(path.join(dir, 'checkpoint')).filter((n) => /^weights-\d+\.bin$/.test(n))).toHaveLength(1);
  }, 120_000);
});
