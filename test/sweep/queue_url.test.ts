/** --queue URLs: secrets never printed (also as ?password=), and URL parts ioredis would take and ignore are refused by name. */
import { describe, expect, it } from 'vitest';
import { redisUrlProblem, shownUrl } from '../../src/sweep/queue.js';

describe('--queue URL secrets and parts', () => {
  it('masks a password given as a query parameter as well as user:password@', () => {
    expect(shownUrl('redis://127.0.0.1:6379?password=s3cret')).toBe('redis://127.0.0.1:6379?password=***');
    expect(shownUrl('redis://u:p@h:1/2?password=s3cret&family=6')).toBe('redis://u:***@h:1/2?password=***&family=6');
    expect(shownUrl('redis://u:secret@[bad?password=zz')).not.toMatch(/secret|zz/);
  });

  it('refuses a path that is not a database number and unknown parameters, naming them without the secret', () => {
    expect(redisUrlProblem('redis://127.0.0.1:6379/2')).toBeNull();
    expect(redisUrlProblem('redis://127.0.0.1:6379?password=x&db=1')).toBeNull();
    expect(redisUrlProblem('redis://:s3cret@127.0.0.1:6379/queue')).toBe("--queue: 'redis://:***@127.0.0.1:6379/queue' ends in '/queue'; after the port only a database number may follow (redis://HOST:PORT/0)");
    const typo = redisUrlProblem('redis://127.0.0.1:6379?pasword=s3cret');
    expect(typo).toMatch(/has the parameter 'pasword', which rnnlab does not know/);
    expect(typo).not.toContain('s3cret');
  });

  it('echoes a URL of another scheme in full, its password masked', () => {
    expect(redisUrlProblem('http://x:1')).toBe("--queue: expected a redis:// URL (or rediss://), got 'http://x:1'");
    const secret = redisUrlProblem('https://me:s3cret@queue.example:6379/0');
    expect(secret).toBe("--queue: expected a redis:// URL (or rediss://), got 'https://me:***@queue.example:6379/0'");
    expect(redisUrlProblem('rediss://127.0.0.1:6380')).toBeNull();
    // Without '//' a URL parser reads 'default:s3cret@...' as a scheme and a path: the credentials are still hidden.
    const bare = redisUrlProblem('default:s3cret@127.0.0.1:6379');
    expect(bare).toBe("--queue: expected a redis:// URL (or rediss://), got 'default:***@127.0.0.1:6379'");
    expect(shownUrl('u:p@w@host:1')).toBe('u:***@host:1');
  });
});
