/**
 * A --queue password that Redis would accept and ignore (its default user needs none) is refused by name, the
 * password never printed; a password the server needs, or a named user's, still connects. A real redis-server on a
 * free loopback port.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, runWorker } from '../../src/sweep/queue.js';
import { freePort, redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, run, tempDir } from './helpers.js';

requireFreshDist();

const hasRedis = redisAvailable();
let open: RedisServer | undefined;
let locked: RedisServer | undefined;

beforeAll(async () => {
  if (!hasRedis) return;
  open = await startRedis();
  locked = await startRedis({ extra: ['--requirepass', 's3cret'] });
});
afterAll(async () => {
  await open?.stop();
  await locked?.stop();
  cleanup();
});

const refusal = (url: string) => connectRedis(url, { timeoutMs: 10_000 }).then((c) => { c.disconnect(); return null; }, (e: Error) => e.message);

describe.skipIf(!hasRedis)('a --queue password on a Redis that needs none', () => {
  it('is refused, naming the password part, never printing it', async () => {
    const port = open!.port;
    expect(await refusal(`redis://:s3cret@127.0.0.1:${port}`)).toBe(
      `--queue: Redis at redis://:***@127.0.0.1:${port} needs no password, yet the URL gives one (the password before the '@'), which Redis accepts and ignores; remove it, or set one on the server (requirepass)`);
    const query = await refusal(`redis://127.0.0.1:${port}/1?password=s3cret`);
    expect(query).toMatch(/needs no password, yet the URL gives one \(\?password=\)/);
    expect(query).not.toContain('s3cret');
    expect(await refusal(`redis://default:s3cret@127.0.0.1:${port}`)).toMatch(/^--queue: Redis at redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+ needs no password/);
  });

  it('stops worker and sweep with exit code 1 before anything is queued', async () => {
    const url = `redis://:s3cret@127.0.0.1:${open!.port}`;
    const worker = await run(['worker', '--queue', url]);
    expect(worker.code).toBe(1);
    expect(worker.err).toMatch(/^rnnlab worker: error: --queue: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ needs no password/);
    const root = tempDir();
    const spec = path.join(root, 'sweep.yaml');
    writeFileSync(spec, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n');
    const sweep = await run(['sweep', spec, '--queue', url, '--out', path.join(root, 'out')]);
    expect(sweep.code).toBe(1);
    expect(sweep.err).toMatch(/needs no password, yet the URL gives one/);
    expect(`${worker.err}${sweep.err}`).not.toContain('s3cret');
    const c = new Redis(open!.url);
    try { expect(await c.dbsize()).toBe(0); } finally { c.disconnect(); }
  });

  it('stops a worker started from code without a connection, as the CLI\'s, before it takes any job', async () => {
    // runWorker makes its own connection then: it is checked as connectRedis checks the CLI's, and `done` rejects.
    const refusedBy = async (url: string) => {
      const w = runWorker({ url, name: 'r51-unchecked', threads: 1 });
      try { return await w.done.then(() => 'resolved', (e: Error) => e.message); } finally { await w.stop(); }
    };
    const password = await refusedBy(`redis://:s3cret@127.0.0.1:${open!.port}`);
    expect(password).toMatch(/^--queue: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ needs no password, yet the URL gives one/);
    expect(password).not.toContain('s3cret');
    expect(await refusedBy(`redis://127.0.0.1:${open!.port}/99`)).toMatch(/^--queue: Redis at .* cannot select database 99 /);
    const c = new Redis(open!.url);
    try { expect(await c.dbsize()).toBe(0); } finally { c.disconnect(); }
    // Stopped while it still waits for Redis: the wait ends, and `done` resolves as the CLI's stop before Redis does.
    const waiting = runWorker({ url: `redis://127.0.0.1:${await freePort()}`, name: 'r51-unreached', threads: 1 });
    await waiting.stop();
    await expect(waiting.done).resolves.toBeUndefined();
  }, 30_000);

  it('connects with the password a server needs, and with a named user\'s password', async () => {
    const needed = await connectRedis(`redis://:s3cret@127.0.0.1:${locked!.port}`, { timeoutMs: 10_000 });
    try { expect(await needed.ping()).toBe('PONG'); } finally { needed.disconnect(); }
    const admin = new Redis(open!.url);
    try { await admin.acl('SETUSER', 'alice', 'on', '>wonder', '~*', '&*', '+@all'); } finally { admin.disconnect(); }
    const alice = await connectRedis(`redis://alice:wonder@127.0.0.1:${open!.port}`, { timeoutMs: 10_000 });
    try { expect(await alice.call('ACL', 'WHOAMI')).toBe('alice'); } finally { alice.disconnect(); }
  });

  it('takes the scheme in any case: REDIS:// connects, REDISS:// uses TLS as rediss:// does', async () => {
    const plain = await connectRedis(`REDIS://127.0.0.1:${open!.port}`, { timeoutMs: 10_000 });
    try { expect(await plain.ping()).toBe('PONG'); } finally { plain.disconnect(); }
    expect(await refusal(`REDIS://:s3cret@127.0.0.1:${open!.port}`)).toMatch(/needs no password, yet the URL gives one/);
    // This Redis speaks no TLS: a TLS client never gets an answer from it, whatever the scheme's case.
    const tls = (url: string) => connectRedis(url, { timeoutMs: 1_000 }).then((c) => { c.disconnect(); return 'connected'; }, (e: Error) => e.message);
    const lower = await tls(`rediss://127.0.0.1:${open!.port}`);
    expect(lower).toMatch(/^--queue: cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+/);
    expect((await tls(`REDISS://127.0.0.1:${open!.port}`)).replace('REDISS://', 'rediss://')).toBe(lower);
  });
});
