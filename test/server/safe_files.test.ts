/** safe_files: only regular files whose real path is inside the root are read, with a size cap and quiet errors. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileInside, readJsonInside, regularFileInside, resolveInside, UnsafeFileError } from '../../src/server/safe_files.js';

const base = mkdtempSync(join(tmpdir(), 'rnnlab-safe-'));
const root = join(base, 'runs');
const outside = join(base, 'secret.txt');
afterAll(() => rmSync(base, { recursive: true, force: true }));

mkdirSync(join(root, 'run'), { recursive: true });
writeFileSync(outside, 'root:*:0:0:secret\n');
writeFileSync(join(root, 'run', 'results.json'), '{"ok": true}');
writeFileSync(join(root, 'run', 'broken.json'), 'root:*:0:0 not json');
writeFileSync(join(root, 'run', 'big.bin'), Buffer.alloc(5000, 1));
symlinkSync('results.json', join(root, 'run', 'alias.json'));
symlinkSync(outside, join(root, 'run', 'escape.json'));
symlinkSync(base, join(root, 'linked-run'));
const limits = { maxBytes: 4096 };

async function reason(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(UnsafeFileError);
  const err = e as UnsafeFileError;
  // No error repeats what the file holds, nor where the root is on this machine.
  expect(err.message).not.toContain('root:*');
  expect(err.message).not.toContain(base);
  return err.reason;
}

describe('safe_files', () => {
  it('reads regular files inside the root, also through a symlink that stays inside', async () => {
    expect(await readJsonInside(root, 'run/results.json', limits)).toEqual({ ok: true });
    expect(await readJsonInside(root, 'run/alias.json', limits)).toEqual({ ok: true });
    expect(await regularFileInside(root, 'run/results.json', limits)).toBe(true);
    expect(await regularFileInside(root, 'run/nope.json', limits)).toBe(false);
  });

  it('refuses symlinks out of the root, "..", absolute paths and NUL bytes', async () => {
    expect(await reason(readFileInside(root, 'run/escape.json', limits))).toBe('outside');
    expect(await reason(readFileInside(root, 'linked-run/secret.txt', limits))).toBe('outside');
    expect(await reason(readFileInside(root, '../secret.txt', limits))).toBe('outside');
    expect(await reason(readFileInside(root, outside, limits))).toBe('outside');
    expect(await reason(readFileInside(root, 'run/results.json\0', limits))).toBe('outside');
    await expect(resolveInside(root, 'run/escape.json')).rejects.toThrow(/leads outside the folder/);
  });

  it('refuses folders, files over the cap and missing files', async () => {
    expect(await reason(readFileInside(root, 'run', limits))).toBe('not-regular');
    expect(await reason(readFileInside(root, 'run/big.bin', limits))).toBe('too-large');
    expect((await readFileInside(root, 'run/big.bin', { maxBytes: 5000 })).length).toBe(5000);
    expect(await reason(readFileInside(root, 'run/nope', limits))).toBe('missing');
  });

  it('says where JSON is broken without quoting it', async () => {
    expect(await reason(readJsonInside(root, 'run/broken.json', limits))).toBe('bad-json');
    await expect(readJsonInside(root, 'run/broken.json', limits)).rejects.toThrow(/run\/broken\.json is not valid JSON/);
    writeFileSync(join(root, 'run', 'deep.json'), '['.repeat(5000) + ']'.repeat(5000));
    await expect(readJsonInside(root, 'run/deep.json', { maxBytes: 1 << 20 })).rejects.toThrow(/more than 256 levels deep/);
    await expect(readJsonInside(root, 'run/results.json', { maxBytes: 4096, maxDepth: 0 })).rejects.toThrow(/more than 0 levels deep/);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO at once instead of blocking on it (mkfifo is POSIX only)', async () => {
    execFileSync('mkfifo', [join(root, 'run', 'fifo.json')]);
    expect(await reason(readJsonInside(root, 'run/fifo.json', limits))).toBe('not-regular');
    await expect(regularFileInside(root, 'run/fifo.json', limits)).rejects.toThrow(/not a regular file/);
  });
});
