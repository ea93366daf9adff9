import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/cache.js';
import { UsageError, type CliContext } from '../../src/cli/context.js';
import { load } from '../../src/data/imdb.js';
import { CACHE_VERSION } from '../../src/data/imdb_cache.js';
import { syntheticImdbTarball } from '../helpers/imdb.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-cache-cmd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const savedData = process.env.RNNLAB_DATA;
afterEach(() => {
  if (savedData === undefined) delete process.env.RNNLAB_DATA;
  else process.env.RNNLAB_DATA = savedData;
});

async function cache(...args: string[]): Promise<{ out: string; code?: number }> {
  let out = '';
  const ctx: CliContext = { out: { write: (s: string) => (out += s) }, err: { write: () => true } };
  const program = new Command('rnnlab').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program, ctx);
  await program.parseAsync(['cache', ...args], { from: 'user' });
  return { out, code: ctx.exitCode };
}

let n = 0;
/** A cache folder holding the encoded arrays of a copy of the synthetic tarball, whose path is returned too. */
async function filledCache(): Promise<{ dir: string; tarball: string }> {
  const base = join(root, `case${n++}`);
  const dir = join(base, 'cache');
  mkdirSync(base);
  const tarball = join(base, 'aclImdb_v1.tar.gz');
  copyFileSync(syntheticImdbTarball(), tarball);
  await load({ path: tarball, cacheDir: dir, download: false, env: {} });
  return { dir, tarball };
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

describe('rnnlab cache ls', () => {
  it('says so when the folder is empty or missing', async () => {
    const r = await cache('ls', '--cache', join(root, 'missing'));
    expect(r.out).toBe(`Cache folder: ${join(root, 'missing')}\nNo cache entries.\n`);
    expect(r.code).toBe(0);
  });

  it('lists each entry with its size, date and the tarball it came from', async () => {
    const { dir, tarball } = await filledCache();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, `imdb-1-2.v${CACHE_VERSION + 1}.bin`), 'x');
    writeFileSync(join(dir, 'aclImdb_v1.tar.gz.part'), Buffer.alloc(2048));
    process.env.RNNLAB_DATA = tarball;
    const { out } = await cache('ls', '--cache', dir);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe(`Cache folder: ${dir}`);
    expect(out).toMatch(new RegExp(`^imdb-\\d+-\\d+\\.v${CACHE_VERSION}\\.bin +\\d+\\.\\d kB  \\d{4}-\\d\\d-\\d\\d  IMDb arrays from a \\d+\\.\\d kB tarball dated \\d{4}-\\d\\d-\\d\\d: ${tarball.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(out).toMatch(new RegExp(`^imdb-1-2\\.v${CACHE_VERSION + 1}\\.bin +1 B .*stale: format v${CACHE_VERSION + 1}, this rnnlab reads v${CACHE_VERSION}$`, 'm'));
    expect(out).toMatch(/^aclImdb_v1\.tar\.gz\.part +2\.0 kB .* an interrupted download/m);
    expect(out).toMatch(/^Total: 3 entries, \d+\.\d kB\. Free it with: rnnlab cache clean$/m);
    expect(lines.at(-1)).toBe("1 other file in this folder is not rnnlab's and left alone.");
  });

  it('says when no tarball matches an entry any more', async () => {
    const { dir } = await filledCache();
    delete process.env.RNNLAB_DATA;
    expect((await cache('ls', '--cache', dir)).out).toMatch(/\(no such tarball at RNNLAB_DATA or in this folder\)$/m);
  });
});

describe('rnnlab cache clean', () => {
  it('removes every rnnlab entry and nothing else; the next load rebuilds the arrays', async () => {
    const { dir, tarball } = await filledCache();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await cache('clean', '--cache', dir);
    expect(r.out).toMatch(/^removed imdb-\d+-\d+\.v\d\.bin \(\d+\.\d kB\)\nFreed \d+\.\d kB in /);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect((await cache('clean', '--cache', dir)).out).toBe(`Nothing to remove in ${dir}.\n`);
    await load({ path: tarball, cacheDir: dir, download: false, env: {} });
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('--older-than DAYS removes only entries written before then; --keep-download keeps the tarball', async () => {
    const { dir, tarball } = await filledCache();
    const [arrays] = readdirSync(dir);
    copyFileSync(tarball, join(dir, 'aclImdb_v1.tar.gz'));
    writeFileSync(join(dir, `${arrays}.123.abc.tmp`), 'half');
    utimesSync(join(dir, 'aclImdb_v1.tar.gz'), daysAgo(40), daysAgo(40));
    utimesSync(join(dir, `${arrays}.123.abc.tmp`), daysAgo(40), daysAgo(40));
    const r = await cache('clean', '--cache', dir, '--older-than', '30', '--keep-download');
    expect(r.out.split('\n')[0]).toBe(`removed ${arrays}.123.abc.tmp (4 B)`);
    expect(readdirSync(dir).sort()).toEqual(['aclImdb_v1.tar.gz', arrays]);
    await cache('clean', '--cache', dir, '--older-than', '30');
    expect(readdirSync(dir)).toEqual([arrays]);
    await cache('clean', '--cache', dir, '--older-than', '0');
    expect(existsSync(join(dir, arrays))).toBe(false);
  });

  it('rejects a bad --older-than, naming the flag', async () => {
    for (const bad of ['-1', 'week', '']) {
      const err = await cache('clean', '--older-than', bad).catch((e: unknown) => e);
      // A UsageError, as every command's bad values are: main prints it once, exit code 2 (test/cli/cache_flags.test.ts).
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/--older-than expects a number of days >= 0, got '/);
    }
  });
});
