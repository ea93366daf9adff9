/**
 * The database and the other parameters of a --queue URL: a value ioredis would send as is (SELECT NaN) or quietly
 * not use is refused before anything is written, and a database Redis does not have stops the sweep or worker at
 * once, naming --queue, instead of working on database 0's queue. A real redis-server on a free loopback port.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrlProblem } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, run, tempDir } from './helpers.js';

const hasRedis = redisAvailable();
let root: string;
let spec: string;
let redis: RedisServer | undefined;

beforeAll(async () => {
  root = tempDir();
  spec = path.join(root, 'sweep.yaml');
  writeFileSync(spec, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\ngrid: { rnn: [lstm, gru] }\n');
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  cleanup();
});

/** How many keys each database of the test's Redis holds (databases without keys left out). */
async function keysPerDb(): Promise<Record<number, number>> {
  const c = new Redis(redis!.url);
  try {
    const info = await c.info('keyspace');
    return Object.fromEntries([...info.matchAll(/^db(\d+):keys=(\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])]));
  } finally {
    c.disconnect();
  }
}

describe('--queue URL parameter values', () => {
  it('takes a database as /N or ?db=N (both when they agree) and family 4 or 6', () => {
    for (const ok of ['redis://h:1/0', 'redis://h:1?db=15', 'redis://h:1/2?db=2', 'redis://h:1/2?db=02', 'redis://h:1?family=4', 'redis://h:1?family=6&db=1']) {
      expect(redisUrlProblem(ok), ok).toBeNull();
    }
  });

  it('refuses a db that is no whole number, two databases that disagree, a bad family and a repeated parameter, naming them', () => {
    expect(redisUrlProblem('redis://h:1?db=x')).toBe("--queue: 'redis://h:1?db=x' has db=x; a database is a whole number 0 or more (redis://HOST:PORT/0 or ?db=0)");
    expect(redisUrlProblem('redis://h:1?db=')).toMatch(/has db=; a database is a whole number/);
    expect(redisUrlProblem('redis://h:1?db=-1')).toMatch(/has db=-1;/);
    expect(redisUrlProblem('redis://h:1?db=1.5')).toMatch(/has db=1\.5;/);
    expect(redisUrlProblem('redis://h:1/1?db=2')).toBe("--queue: 'redis://h:1/1?db=2' names two databases, /1 and db=2; give one");
    expect(redisUrlProblem('redis://h:1?family=abc')).toBe("--queue: 'redis://h:1?family=abc' has family=abc; family takes 4 (IPv4) or 6 (IPv6)");
    expect(redisUrlProblem('redis://h:1?family=7')).toMatch(/has family=7;/);
    expect(redisUrlProblem('redis://h:1?db=1&db=2')).toBe("--queue: 'redis://h:1?db=1&db=2' gives the parameter 'db' more than once; give it once");
  });

  it('refuses credentials given both before the @ and as parameters (ioredis would drop the parameters), the password masked', () => {
    const both = redisUrlProblem('redis://app:s3cret@h:1?password=other');
    expect(both).toBe("--queue: 'redis://app:***@h:1?password=***' gives credentials both before the '@' and as ?password=, which Redis would never see; give them one way");
    expect(redisUrlProblem('redis://:s3cret@h:1?username=app')).toMatch(/both before the '@' and as \?username=/);
    const twice = redisUrlProblem('redis://h:1?password=s3cret&password=other');
    expect(twice).toMatch(/gives the parameter 'password' more than once/);
    expect(twice).not.toMatch(/s3cret|other/);
  });

  it('sweep and worker refuse ?db=x with exit code 2 naming --queue, before writing or connecting', async () => {
    const out = path.join(root, 'db-x');
    const url = 'redis://:s3cret@127.0.0.1:1?db=x';
    const sweep = await run(['sweep', spec, '--queue', url, '--out', out]);
    expect(sweep.code).toBe(2);
    expect(sweep.err).toMatch(/^rnnlab sweep: error: --queue: 'redis:\/\/:\*\*\*@127\.0\.0\.1:1\?db=x' has db=x; a database is a whole number/);
    expect(sweep.err).not.toContain('s3cret');
    expect(existsSync(out)).toBe(false);
    const worker = await run(['worker', '--queue', url]);
    expect(worker.code).toBe(2);
    expect(worker.err).toMatch(/--queue: .* has db=x;/);
    expect(worker.out).toBe('');
  });
});

describe.skipIf(!hasRedis)('--queue with a database Redis does not have', () => {
  it('sweep --queue stops at once naming --queue, the database and Redis\'s answer, and queues nothing', async () => {
    const out = path.join(root, 'db-99');
    const r = await run(['sweep', spec, '--queue', `${redis!.url}/99`, '--queue-name', 'db-test', '--detach', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`rnnlab sweep: error: --queue: Redis at ${redis!.url}/99 cannot select database 99 (ERR DB index is out of range); Redis has as many as its 'databases' setting (16 by default), numbered from 0\n`);
    expect(r.out).not.toMatch(/Queued/);
    expect(await keysPerDb()).toEqual({});
    // The folder is released: its runs are still to be queued.
    expect(existsSync(path.join(out, '.sweep.lock'))).toBe(false);
    expect(readSweepRecord(out)?.runs.map((x) => x.status)).toEqual(['pending', 'pending']);
  }, 60_000);

  it('a worker on ?db=16 stops at once with the same error instead of working on database 0', async () => {
    const r = await run(['worker', '--queue', `${redis!.url}?db=16`, '--queue-name', 'db-test']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab worker: error: --queue: Redis at redis:\/\/127\.0\.0\.1:\d+\?db=16 cannot select database 16 \(ERR DB index is out of range\)/);
    expect(r.out).not.toMatch(/Worker on/);
  }, 60_000);

  it('a database Redis has gets the jobs, and database 0 none', async () => {
    const r = await run(['sweep', spec, '--queue', `${redis!.url}/3`, '--queue-name', 'db-test', '--detach', '--out', path.join(root, 'db-3')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Queued 2 run\(s\) on redis:\/\/127\.0\.0\.1:\d+\/3 /);
    const keys = await keysPerDb();
    expect(Object.keys(keys)).toEqual(['3']);
    expect(keys[3]).toBeGreaterThan(0);
  }, 60_000);
});
