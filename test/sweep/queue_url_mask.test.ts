/** --queue URLs in messages never show a password, not even when the URL does not parse. */
import { describe, expect, it } from 'vitest';
import { redisUrlProblem, shownUrl } from '../../src/sweep/queue.js';

describe('shownUrl', () => {
  it('masks the password of a URL that parses', () => {
    expect(shownUrl('redis://u:secret@127.0.0.1:6379/0')).toBe('redis://u:***@127.0.0.1:6379/0');
    expect(shownUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('masks everything between // and the last @ of a URL that does not parse', () => {
    expect(shownUrl('redis://u:secret@[bad')).toBe('redis://***@[bad');
    expect(shownUrl('redis://u:p@ss@w0rd@[bad:1')).toBe('redis://***@[bad:1');
    const message = redisUrlProblem('redis://u:secret@[bad');
    expect(message).toMatch(/--queue: 'redis:\/\/\*\*\*@\[bad' is not a URL/);
    expect(message).not.toMatch(/secret/);
  });
});
