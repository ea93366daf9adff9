/**
 * A TSV pairs file's first line `source<TAB>target` is read as a header, a guess from its words: the run says it
 * made the guess and records it, so a real pair written that way is not left out unseen.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPairsFile } from '../../src/seq2seq/pairs.js';
import { readResults, run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();

const PAIRS = Array.from({ length: 20 }, (_, i) => `a${i}\t${i}a\n`).join('');

describe('readPairsFile', () => {
  it('says when a TSV first line was read as a header, and only then', async () => {
    const withHeader = await readPairsFile(file('h.tsv', `SOURCE\ttarget\n${PAIRS}`), 'h.tsv');
    expect(withHeader.tsvHeader).toBe(true);
    expect(withHeader.pairs).toHaveLength(20);
    const later = await readPairsFile(file('later.tsv', `${PAIRS}source\ttarget\n`), 'later.tsv');
    expect(later).toMatchObject({ tsvHeader: false });
    expect(later.pairs.at(-1)).toMatchObject({ source: 'source', target: 'target' });
    // A CSV's header is the format's own, not a guess.
    expect((await readPairsFile(file('p.csv', 'source,target\nx,y\n'), 'p.csv')).tsvHeader).toBe(false);
  });
});

describe('rnnlab seq2seq --data with a TSV header', () => {
  const tiny = ['--units', '4', '--embedding-dim', '2', '--epochs', '1', '--samples', '0', '--verbose', '0'];

  it("prints '(line 1 read as a header)' and records data.header", async () => {
    const f = file('head.tsv', `source\ttarget\n${PAIRS}`);
    const out = path.join(dir, 'run-head');
    const r = await run(['seq2seq', '--data', f, '--out', out, ...tiny]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`20 pairs from ${f} (line 1 read as a header); char tokens`);
    expect(readResults(out).data).toMatchObject({ pairs: 20, header: true });
  });

  it('says nothing of a header, and records none, when the first line is a pair', async () => {
    const f = file('plain.tsv', PAIRS);
    const out = path.join(dir, 'run-plain');
    const r = await run(['seq2seq', '--data', f, '--out', out, ...tiny]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`20 pairs from ${f}; char tokens`);
    expect(r.out).not.toContain('header');
    expect(readResults(out).data).not.toHaveProperty('header');
  });
});
