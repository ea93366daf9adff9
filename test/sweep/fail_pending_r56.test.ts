/**
 * failPending: a worker stopped by force leaves BullMQ's wait for a job (BZPOPMIN) held by its blocking client, parked
 * between two reconnection attempts ("reconnecting", its retry timer cleared), where ioredis never fails it. It is now
 * failed through ioredis's public calls (a connection attempt begun and cut off at once) rather than through its
 * private queues: against a real redis-server, the held command fails with "Connection is closed.", whether Redis is
 * down or back, and nothing reaches Redis; a client in any other state is left alone. The end-to-end check (the
 * worker's process exits before BullMQ's watchdog) is worker_forced_exit_r54.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { failPending, redisConnection } from '../../src/sweep/queue.js';
import { REPO_ROOT } from '../helpers/imdb.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const servers: RedisServer[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const s of servers) await s.stop();
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

/** A client whose BZPOPMIN was under way when its Redis stopped, then disconnected between two reconnection attempts. */
async function parkedWithWait(): Promise<{ client: Redis; wait: Promise<string>; redis: RedisServer }> {
  const redis = await startRedis();
  servers.push(redis);
  const client = redisConnection(redis.url);
  clients.push(client);
  client.on('error', () => undefined);
  await client.ping();
  const wait = client.bzpopmin('rnnlab-r56-marker', 5).then(() => 'answered', (e: Error) => `failed: ${e.message}`);
  // Under way, not merely queued, when Redis goes: Redis lists the client as blocked in it.
  const observer = new Redis(redis.url);
  for (let i = 0; i < 250 && !String(await observer.client('LIST')).includes('cmd=bzpopmin'); i++) await new Promise((r) => setTimeout(r, 20));
  expect(String(await observer.client('LIST'))).toContain('cmd=bzpopmin');
  await observer.quit();
  await redis.stop();
  await until("the client's reconnection attempts", () => client.status === 'reconnecting');
  // As BullMQ's disconnect of its blocking connection does: the retry timer is cleared, and the client parks.
  client.disconnect();
  expect(client.status).toBe('reconnecting');
  return { client, wait, redis };
}

describe.skipIf(!redisAvailable())('failPending against a real redis-server', () => {
  it('fails the held wait of a parked client while Redis is down, and the client ends', async () => {
    const { client, wait } = await parkedWithWait();
    failPending(client);
    expect(await wait).toBe('failed: Connection is closed.');
    expect(client.status).toBe('end');
  }, 30_000);

  it('with Redis back on its port, fails it without connecting: Redis sees no client but the one asking', async () => {
    const { client, wait, redis } = await parkedWithWait();
    const back = await startRedis({ port: redis.port });
    servers.push(back);
    failPending(client);
    expect(await wait).toBe('failed: Connection is closed.');
    expect(client.status).toBe('end');
    const observer = new Redis(back.url);
    clients.push(observer);
    const list = String(await observer.client('LIST'));
    expect(list.trim().split('\n')).toHaveLength(1);
    expect(list).toContain('cmd=client');
  }, 30_000);

  it('leaves alone a client that is ready (it keeps working) or has ended (it stays closed)', async () => {
    const redis = await startRedis();
    servers.push(redis);
    const ready = redisConnection(redis.url);
    clients.push(ready);
    await ready.ping();
    failPending(ready);
    expect(ready.status).toBe('ready');
    expect(await ready.ping()).toBe('PONG');
    await ready.quit();
    await until('the end of the quit client', () => ready.status === 'end');
    failPending(ready);
    await new Promise((r) => setTimeout(r, 200));
    expect(ready.status).toBe('end');
    failPending(undefined);
  }, 30_000);
});

describe('the sweep queue', () => {
  it("reaches no private member of ioredis's client (those Redis.d.ts declares private, or leaves out)", () => {
    const declared = readFileSync(path.join(REPO_ROOT, 'node_modules', 'ioredis', 'built', 'Redis.d.ts'), 'utf8');
    const privates = [...declared.matchAll(/^\s*private (?:static )?(?:\[[^\]]+\]|(\w+))/gm)].flatMap((m) => (m[1] ? [m[1]] : []));
    expect(privates).toContain('flushQueue');
    // Kept by ioredis without a declaration at all.
    const undeclared = ['prevCommandQueue', 'prevCondition'];
    const src = path.join(REPO_ROOT, 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
      .filter((f) => /from 'ioredis'|from 'bullmq'/.test(readFileSync(path.join(src, f), 'utf8')));
    expect(files).toContain(path.join('sweep', 'queue.ts'));
    const reached = files.flatMap((f) => {
      const text = readFileSync(path.join(src, f), 'utf8');
      return [...privates, ...undeclared].filter((name) => new RegExp(`(\\.|\\?\\.|\\b)${name}\\??:|\\.${name}\\b|\\?\\.${name}\\b`).test(text)).map((name) => `${f}: ${name}`);
    });
    expect(reached).toEqual([]);
  });
});
