/**
 * readPairs and pairsTsv agree: what pairsTsv writes reads back as the same pairs, and a pair no TSV line can hold
 * is refused naming it. A TSV header after leading blank lines is found as a CSV's is; a stream's format comes from
 * its name; messages name a pair given without `where` by its place, and JSON Lines files by their fields.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { pairsTsv } from '../../src/seq2seq/generate.js';
import { readPairs, readPairsFile, type Pair } from '../../src/seq2seq/pairs.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { readResults, run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();
const sides = (ps: readonly Pair[]) => ps.map((p) => [p.source, p.target]);
const pair = (source: string, target: string, where = ''): Pair => ({ source, target, where });

describe('pairsTsv', () => {
  it('writes text readPairs reads back as the same pairs, spaces and a first pair reading source/target included', async () => {
    const pairs = [pair('source', 'target'), pair(' a b ', 'b a '), pair('Source', 'TARGET'), pair('日本', '🙂x')];
    const text = pairsTsv(pairs);
    // The first pair would be read as the header: the header is written before it.
    expect(text.startsWith('source\ttarget\nsource\ttarget\n')).toBe(true);
    expect(sides(await readPairs(file('rt.tsv', text), 'rt.tsv'))).toEqual(sides(pairs));
    // Without such a first pair, no header line.
    expect(pairsTsv([pair('x', 'y'), pair('source', 'target')])).toBe('x\ty\nsource\ttarget\n');
  });

  it('refuses a pair no TSV line can hold, naming it (its where, else its place) and the side', () => {
    const refusal = (pairs: Pair[]) => { try { pairsTsv(pairs); } catch (e) { expect(e).toBeInstanceOf(DataError); return (e as Error).message; } return 'written'; };
    expect(refusal([pair('x', 'y'), pair('a\tb', 'c')])).toMatch(/^pair 2: the source holds a tab, which a TSV line cannot hold/);
    expect(refusal([pair('x', 'y\nz', 'mine:7')])).toMatch(/^mine:7: the target holds a line break/);
    expect(refusal([pair('x', 'y\rz')])).toMatch(/^pair 1: the target holds a line break/);
    expect(refusal([pair(' ', 'y')])).toMatch(/^pair 1: the source is only whitespace/);
    expect(refusal([pair('x', '')])).toMatch(/^pair 1: the target is empty/);
    expect(refusal([pair('\uFEFFx', 'y')])).toMatch(/^pair 1: the source starts with U\+FEFF/);
    expect(refusal([pair('x', 'y'), pair('a\ud800', 'b')])).toMatch(/^pair 2: the source holds a lone surrogate U\+D800/);
    expect(refusal([pair('x', 'y'), pair('\uFEFFx', 'y')])).toBe('written');
    // A line longer than readPairs reads by default (100,000 characters with the tab) is refused; one at it is written.
    expect(refusal([pair('x', 'y'), pair('a'.repeat(60_000), 'b'.repeat(40_000))])).toMatch(/^pair 2: its line would be 100001 characters, longer than readPairs reads by default \(100000/);
    expect(refusal([pair('a'.repeat(60_000), 'b'.repeat(39_999))])).toBe('written');
  });
});

describe('readPairs', () => {
  const BODY = 'abc\tcba\nbcd\tdcb\n';

  it('finds a TSV header after leading blank lines, as a CSV\'s', async () => {
    const r = await readPairsFile(file('lead.tsv', `\n \r\nSource\tTarget\r\n${BODY}`), 'lead.tsv');
    expect(sides(r.pairs)).toEqual([['abc', 'cba'], ['bcd', 'dcb']]);
    expect(r).toMatchObject({ tsvHeader: true, headerLine: 3 });
    expect((await readPairsFile(file('none.tsv', `\n${BODY}`), 'none.tsv')).headerLine).toBeNull();
    // Only the first line that is not blank: a later source<TAB>target is a pair.
    expect(sides(await readPairs(file('later.tsv', `\nx\ty\nsource\ttarget\n`), 'later.tsv'))).toEqual([['x', 'y'], ['source', 'target']]);
  });

  it('reads a stream by the extension of its name', async () => {
    const csv = file('s.csv', 'source,target\n"a,b",c\nd,e\n');
    expect(sides(await readPairs(createReadStream(csv), 'named.csv'))).toEqual([['a,b', 'c'], ['d', 'e']]);
    const jsonl = file('s.jsonl', '{"source":"a","target":"b"}\n{"source":"c","target":"d"}\n');
    expect(sides(await readPairs(createReadStream(jsonl), 'named.jsonl'))).toEqual([['a', 'b'], ['c', 'd']]);
    // A name without one of those extensions is TSV; format overrides the name.
    expect(sides(await readPairs(createReadStream(file('s.txt', BODY)), '(stdin)'))).toEqual([['abc', 'cba'], ['bcd', 'dcb']]);
    expect(sides(await readPairs(createReadStream(csv), 'named.tsv', { format: 'csv' }))).toEqual([['a,b', 'c'], ['d', 'e']]);
  });

  it('words JSON Lines problems by fields, never by columns, a CSV header or a label', async () => {
    const keys = file('k.jsonl', '{"src":"a","tgt":"b"}\n{"src":"x","tgt":"y"}\n');
    await expect(readPairs(keys, 'k.jsonl')).rejects.toThrow(/^k\.jsonl:1: no 'source' field; the fields are "src", "tgt"; each line of a JSON Lines pairs file is an object \{"source": "\.\.\.", "target": "\.\.\."\}$/);
    const missing = file('m.jsonl', '{"source":"a","target":"b"}\n{"source":"x"}\n');
    await expect(readPairs(missing, 'm.jsonl')).rejects.toThrow(/^m\.jsonl:2: no 'target' field: every row needs it; its fields are "source"$/);
    const noSource = file('n.jsonl', '{"source":"a","target":"b"}\n{"target":"x"}\n');
    await expect(readPairs(noSource, 'n.jsonl')).rejects.toThrow(/^n\.jsonl:2: no 'source' field: every row needs it; its fields are "target"$/);
    for (const f of [keys, missing, noSource]) await expect(readPairs(f, f)).rejects.toThrow(/^(?!.*(column|label|CSV))/);
    // A CSV keeps its column wording and header hint.
    await expect(readPairs(file('h.csv', 'a,b\nc,d\n'), 'h.csv')).rejects.toThrow(/^h\.csv:1: no 'source' column; the columns are "a", "b"; a CSV of pairs starts with the header line source,target$/);
  });
});

describe('pairs given in code without where', () => {
  const base = Array.from({ length: 20 }, (_, i) => ({ source: `ab ${i}`, target: `${i} ba` })) as unknown as Pair[];
  const TINY = { epochs: 1, units: 4, embeddingDim: 2 };

  it('are named by their place in every refusal', async () => {
    await expect(trainSeq2Seq([...base, { source: 'a\ud800', target: 'b' } as Pair], TINY)).rejects.toThrow(/^pair 21: the source holds a lone surrogate U\+D800 at character 2/);
    await expect(trainSeq2Seq([...base, { source: 'x <end>', target: 'y' } as Pair], { ...TINY, tokens: 'word' })).rejects.toThrow(/^pair 21: the source holds the word '<end>'/);
    await expect(trainSeq2Seq([...base, { source: 'x', target: ' ' } as Pair], TINY)).rejects.toThrow(/^pair 21: the target holds only whitespace/);
  });
});

describe('rnnlab seq2seq --data with a header after blank lines', () => {
  it('reads it as the header and says which line it was', async () => {
    const pairs = Array.from({ length: 20 }, (_, i) => `a${i}\t${i}a\n`).join('');
    const f = file('blank-head.tsv', `\n\nsource\ttarget\n${pairs}`);
    const out = path.join(dir, 'run-blank-head');
    const r = await run(['seq2seq', '--data', f, '--out', out, '--units', '4', '--embedding-dim', '2', '--epochs', '1', '--samples', '0', '--verbose', '0']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`20 pairs from ${f} (line 3 read as a header); char tokens`);
    expect(readResults(out).data).toMatchObject({ pairs: 20, header: true });
  });
});

describe('readPairs optionNames', () => {
  it('names the format option in messages as given, and refuses anything but {format: NAME}', async () => {
    const tsv = file('tabs.tsv', 'source\ttarget\na\tb\n');
    await expect(readPairs(tsv, 'tabs.tsv', { format: 'csv', optionNames: { format: '--my-format' } })).rejects.toThrow(/is this TSV \(--my-format tsv\)\?$/);
    for (const bad of ['--pairs-format', { fromat: 'x' }, { format: 3 }, null]) {
      await expect(readPairs(tsv, 'tabs.tsv', { optionNames: bad as never })).rejects.toThrow(/^optionNames: must be \{format: NAME\}/);
    }
  });
});
