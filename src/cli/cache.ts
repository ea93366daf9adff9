/**
 * `rnnlab cache ls|clean`: what the cache folder holds (the encoded IMDb arrays, ~47 MB per tarball copy, and
 * the downloaded tarball) and how to reclaim it. Only files rnnlab writes are listed or removed.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CACHE_VERSION } from '../data/imdb_cache.js';
import { IMDB_FILE, resolveCacheDir } from '../data/imdb_source.js';
import { envPath } from '../env.js';
import { UsageError, type CliContext } from './context.js';
import { checkFolderFlag } from './paths.js';


export type CacheEntryKind = 'imdb-arrays' | 'download' | 'partial-download' | 'unfinished-write';

export interface CacheEntry {
  file: string;
  path: string;
  kind: CacheEntryKind;
  bytes: number;
  modified: Date;
  /** For IMDb arrays: the tarball's size and mtime they were encoded from, and a tarball here that matches. */
  source?: { bytes: number; mtimeMs: number; version: number; found?: string };
}

const ARRAYS = /^imdb-(\d+)-(\d+)\.v(\d+)\.bin$/;
const DAY_MS = 86_400_000;

function kindOf(file: string): CacheEntryKind | undefined {
  if (ARRAYS.test(file)) return 'imdb-arrays';
  if (file === IMDB_FILE) return 'download';
  if (file === `${IMDB_FILE}.part`) return 'partial-download';
  if (/^imdb-.*\.bin\.\d+\.\w+\.tmp$/.test(file)) return 'unfinished-write';
  return undefined;
}

/** Tarballs a cache entry may have come from: the one in the cache folder and RNNLAB_DATA's. */
function knownTarballs(dir: string): string[] {
  const data = envPath('RNNLAB_DATA');
  const candidates = [join(dir, IMDB_FILE), ...(data ? [resolve(data), join(resolve(data), IMDB_FILE)] : [])];
  return candidates.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** rnnlab's files in `dir` (none when it does not exist), oldest first; other files are not rnnlab's to touch. */
export function listCache(dir: string): { entries: CacheEntry[]; others: number } {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return { entries: [], others: 0 };
  }
  const tarballs = knownTarballs(dir).map((p) => ({ p, st: statSync(p) }));
  const entries: CacheEntry[] = [];
  let others = 0;
  for (const file of files.sort()) {
    const path = join(dir, file);
    const kind = kindOf(file);
    const st = statSync(path);
    if (!kind || !st.isFile()) {
      others++;
      continue;
    }
    const entry: CacheEntry = { file, path, kind, bytes: st.size, modified: st.mtime };
    const m = ARRAYS.exec(file);
    if (m) {
      const [bytes, mtimeMs, version] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const found = tarballs.find((t) => t.st.size === bytes && Math.trunc(t.st.mtimeMs) === mtimeMs)?.p;
      entry.source = { bytes, mtimeMs, version, found };
    }
    entries.push(entry);
  }
  return { entries: entries.sort((a, b) => a.modified.getTime() - b.modified.getTime()), others };
}

export function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  const [unit, div] = n < 1e6 ? ['kB', 1e3] : n < 1e9 ? ['MB', 1e6] : ['GB', 1e9];
  return `${(n / div).toFixed(1)} ${unit}`;
}

const day = (d: Date | number) => new Date(d).toISOString().slice(0, 10);

function describe(e: CacheEntry): string {
  if (e.kind === 'download') return 'the downloaded IMDb tarball';
  if (e.kind === 'partial-download') return 'an interrupted download (the next load resumes it)';
  if (e.kind === 'unfinished-write') return 'an unfinished cache write (left by a crash)';
  const s = e.source!;
  const from = `IMDb arrays from a ${formatBytes(s.bytes)} tarball dated ${day(s.mtimeMs)}`;
  if (s.version !== CACHE_VERSION) return `${from}; stale: format v${s.version}, this rnnlab reads v${CACHE_VERSION}`;
  return s.found ? `${from}: ${s.found}` : `${from} (no such tarball at RNNLAB_DATA or in this folder)`;
}

function parseDays(raw: string): number {
  const v = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(v)) throw new UsageError(`--older-than expects a number of days >= 0, got '${raw}'`);
  return v;
}

/** --cache, when given, is a folder (or none yet: nothing cached); '' or a file is a usage error, not the default folder. */
function cacheFolder(option: string | undefined): string {
  if (option !== undefined) checkFolderFlag('--cache', option, undefined);
  return resolveCacheDir(option === undefined ? {} : { cacheDir: option });
}

export function register(program: Command, ctx: CliContext): void {
  const cache = program.command('cache').description('List or clean the cache folder (encoded IMDb arrays, the downloaded tarball).');
  const folderHelp = 'the cache folder (default: RNNLAB_CACHE, else $XDG_CACHE_HOME/rnnlab or ~/.cache/rnnlab)';

  cache.command('ls').description('List the cache entries with their sizes and the tarball each came from.')
    .option('--cache <dir>', folderHelp)
    .action((o: { cache?: string }) => {
      const dir = cacheFolder(o.cache);
      const { entries, others } = listCache(dir);
      ctx.out.write(`Cache folder: ${dir}\n`);
      if (!entries.length) ctx.out.write('No cache entries.\n');
      for (const e of entries) ctx.out.write(`${e.file.padEnd(40)} ${formatBytes(e.bytes).padStart(9)}  ${day(e.modified)}  ${describe(e)}\n`);
      const total = entries.reduce((s, e) => s + e.bytes, 0);
      if (entries.length) ctx.out.write(`Total: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, ${formatBytes(total)}. Free it with: rnnlab cache clean\n`);
      if (others) ctx.out.write(`${others} other ${others === 1 ? 'file' : 'files'} in this folder ${others === 1 ? 'is' : 'are'} not rnnlab's and left alone.\n`);
      ctx.exitCode = 0;
    });

  cache.command('clean').description('Remove cache entries: all of them, or those written more than --older-than days ago.')
    .option('--cache <dir>', folderHelp)
    .option('--older-than <days>', 'only entries last written more than this many days ago', parseDays)
    .option('--keep-download', 'keep the downloaded aclImdb_v1.tar.gz (84 MB to fetch again)')
    .action((o: { cache?: string; olderThan?: number; keepDownload?: boolean }) => {
      const dir = cacheFolder(o.cache);
      const cutoff = o.olderThan === undefined ? Infinity : Date.now() - o.olderThan * DAY_MS;
      const doomed = listCache(dir).entries.filter((e) => e.modified.getTime() < cutoff && !(o.keepDownload && e.kind === 'download'));
      for (const e of doomed) {
        rmSync(e.path, { force: true });
        ctx.out.write(`removed ${e.file} (${formatBytes(e.bytes)})\n`);
      }
      const freed = doomed.reduce((s, e) => s + e.bytes, 0);
      ctx.out.write(doomed.length ? `Freed ${formatBytes(freed)} in ${dir}.\n` : `Nothing to remove in ${dir}.\n`);
      ctx.exitCode = 0;
    });
}
