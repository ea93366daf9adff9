/** maxlen 'auto' stops at the cap a given --maxlen has: one very long text must not size every batch past it. */
import { describe, expect, it } from 'vitest';
import { MAX_SIZE } from '../../src/cli/text_cli.js';
import { MAX_MAXLEN, TextVectorizer } from '../../src/data/text_vectorizer.js';

describe("TextVectorizer maxlen 'auto'", () => {
  it('is capped at MAX_MAXLEN when the 95th percentile is longer', () => {
    // Of three texts the 95th percentile is the longest: 100,001 words.
    const v = new TextVectorizer();
    v.adapt(['a b', 'c', 'w '.repeat(MAX_MAXLEN + 1)]);
    expect(v.maxlen).toBe(MAX_MAXLEN);
    expect(v.encode(['a']).shape).toEqual([1, MAX_MAXLEN]);
  });

  it('keeps the 95th percentile below the cap', () => {
    const v = new TextVectorizer();
    v.adapt(['a b', 'c', 'one two three four five']);
    expect(v.maxlen).toBe(5);
  });

  it('caps where a given --maxlen is refused', () => {
    expect(MAX_MAXLEN).toBe(100_000);
    expect(MAX_SIZE).toBe(MAX_MAXLEN);
  });
});
