/**
 * `rnnlab imdb` hashes the reviews tarball (SHA-256, kept in every checkpoint for --resume to compare) only when a
 * checkpoint is written or a resume compared: a run refused before training never reads it for that, and a run of
 * several epochs hashes it once, also when it fills the data cache (whose header keeps the same hash). The hashes
 * this process takes are counted through node:crypto.
 */
import { createHash as realHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readCheckpointInfo } from '../../src/io/checkpoint.js';
import { lockRunFolder } from '../../src/report/run_lock.js';
import { IMDB_TINY, readResults, run, syntheticImdb, tempDir } from './helpers.js';

/** The byte count of every SHA-256 this process finished. */
const sha256Sizes = vi.hoisted(() => [] as number[]);

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const createHash = (algorithm: string, options?: Parameters<typeof real.createHash>[1]) => {
    const h = real.createHash(algorithm, options);
    if (algorithm !== 'sha256') return h;
    let bytes = 0;
    const update = h.update.bind(h) as (data: string | NodeJS.ArrayBufferView, enc?: BufferEncoding) => typeof h;
    const digest = h.digest.bind(h) as (enc?: BufferEncoding) => string | Buffer;
    h.update = ((data: string | NodeJS.ArrayBufferView, enc?: BufferEncoding) => {
      bytes += typeof data === 'string' ? Buffer.byteLength(data, enc) : data.byteLength;
      return update(data, enc);
    }) as typeof h.update;
    h.digest = ((enc?: BufferEncoding) => { sha256Sizes.push(bytes); return digest(enc); }) as typeof h.digest;
    return h;
  };
  return { ...real, default: { ...real, createHash }, createHash };
});

const fx = syntheticImdb('rnnlab-imdb-digest-r55-');

describe('rnnlab imdb and the tarball\'s SHA-256', () => {
  it('is not computed for a run refused before training, and once for a run of two checkpoints, which keep it', async () => {
    const tarballHashes = () => sha256Sizes.filter((n) => n === statSync(fx.tar).size).length;
    const root = tempDir('rnnlab-imdb-digest-r55-run-');
    // A first run fills the IMDb arrays' cache, whose file keeps a hash of its own: the runs below read the cache.
    const warm = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '1', '--out', path.join(root, 'warm')]);
    expect(warm.code, warm.err).toBe(0);
    sha256Sizes.length = 0;
    const out = path.join(root, 'run');
    // Another run writing --out: refused at the folder lock, after the flag and folder checks, before any training.
    const held = lockRunFolder(out, 'rnnlab imdb --out run');
    let refused;
    try {
      refused = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--out', out]);
    } finally {
      held.release();
    }
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/is being written by another rnnlab run/);
    expect(tarballHashes()).toBe(0);

    const done = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--out', out]);
    expect(done.code, done.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', config: { epochs: 2 } });
    expect(tarballHashes()).toBe(1);
    const kept = (readCheckpointInfo(path.join(out, 'checkpoint')).state.extra?.run as Record<string, unknown>)['--data'];
    expect(kept).toBe(realHash('sha256').update(readFileSync(fx.tar)).digest('hex'));
  }, 120_000);
});

describe('rnnlab imdb filling the data cache and checkpointing', () => {
  it('hashes the tarball once; the cache header and the checkpoints keep that hash', async () => {
    const tarballHashes = () => sha256Sizes.filter((n) => n === statSync(fx.tar).size).length;
    const cache = path.join(fx.root, 'cache');
    const cached = () => { try { return readdirSync(cache).filter((n) => n.endsWith('.bin')); } catch { return []; } };
    // The run above filled the data cache: emptied, so that this run writes it.
    rmSync(cache, { recursive: true, force: true });
    sha256Sizes.length = 0;
    const out = path.join(tempDir('rnnlab-imdb-hash-once-r56-run-'), 'run');
    const r = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', config: { epochs: 2 } });
    const files = cached();
    expect(files).toHaveLength(1);
    expect(tarballHashes()).toBe(1);
    const sha256 = realHash('sha256').update(readFileSync(fx.tar)).digest('hex');
    const kept = (readCheckpointInfo(path.join(out, 'checkpoint')).state.extra?.run as Record<string, unknown>)['--data'];
    expect(kept).toBe(sha256);
    const file = readFileSync(path.join(cache, files[0]));
    const header = JSON.parse(file.toString('utf8', 16, 16 + file.readUInt32LE(12))) as { source: { sha256: string } };
    expect(header.source.sha256).toBe(sha256);
  }, 120_000);
});
