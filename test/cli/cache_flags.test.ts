/** rnnlab cache: --cache '' or a file is a usage error naming --cache (not the default folder, not "no entries"); a bad --older-than is one too. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(() => cleanup());

describe('rnnlab cache flags', () => {
  it('refuses --cache that is empty or a file, for ls and clean, exit 2', async () => {
    const file = path.join(tempDir('rnnlab-cache-flags-'), 'a-file');
    writeFileSync(file, 'x');
    for (const sub of ['ls', 'clean']) {
      expect(await run(['cache', sub, '--cache', ''])).toMatchObject({ code: 2, out: '', err: expect.stringMatching(new RegExp(`^rnnlab cache ${sub}: error: --cache expects a folder, got ''`)) });
      expect(await run(['cache', sub, '--cache', file])).toMatchObject({ code: 2, out: '', err: expect.stringMatching(/--cache: .*a-file is a file, not a folder/) });
    }
    const fresh = path.join(path.dirname(file), 'not-yet');
    expect(await run(['cache', 'ls', '--cache', fresh])).toMatchObject({ code: 0, out: expect.stringContaining('No cache entries.') });
  });

  it('alone, without ls or clean, is a usage error naming them (not commander\'s help and its internal message)', async () => {
    expect(await run(['cache'])).toEqual({ code: 2, out: '', err: "rnnlab cache: error: name a cache command: ls, clean\nRun 'rnnlab cache --help' for usage.\n" });
  });

  it('names --older-than once, in the usual form', async () => {
    const r = await run(['cache', 'clean', '--cache', tempDir('rnnlab-cache-flags-'), '--older-than', '-1']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("rnnlab cache clean: error: --older-than expects a number of days >= 0, got '-1'\nRun 'rnnlab cache clean --help' for usage.\n");
  });
});
