/**
 * A file read as TSV that is JSON Lines or CSV says which format it looks like and how to read it so, naming the
 * caller's option (the API's `format`, the CLI's --pairs-format), as a CSV read of JSON Lines already did.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { readPairs, type Pair } from '../../src/seq2seq/pairs.js';
import { expectRefused, run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();
const sides = (ps: readonly Pair[]) => ps.map((p) => [p.source, p.target]);

async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(DataError); return (e as Error).message; }
  return 'read';
}

describe('a file read as TSV that is another format', () => {
  const JSONL = '\n{"source":"ab","target":"ba"}\n{"source":"ca","target":"ac"}\n';

  it('names JSON Lines, with the API option by default and the caller\'s name when given', async () => {
    const f = file('j.txt', JSONL);
    expect(await refusal(readPairs(f, 'j.txt'))).toBe("j.txt:2: this line is a JSON object: the file looks like JSON Lines, not TSV; read it as JSON Lines (format 'jsonl') or name the file .jsonl");
    expect(await refusal(readPairs(f, 'j.txt', { optionNames: { format: '--pairs-format' } }))).toMatch(/not TSV; read it as JSON Lines \(--pairs-format jsonl\) or name the file \.jsonl$/);
    // A .jsonl file read as TSV on purpose is named the same way; read as JSON Lines it is two pairs.
    const g = file('j.jsonl', JSONL);
    expect(await refusal(readPairs(g, 'j.jsonl', { format: 'tsv' }))).toMatch(/^j\.jsonl:2: this line is a JSON object: the file looks like JSON Lines/);
    expect(sides(await readPairs(f, 'j.txt', { format: 'jsonl' }))).toEqual([['ab', 'ba'], ['ca', 'ac']]);
  });

  it('asks whether a first line with commas and no tab is CSV; a later such line is a line without a tab', async () => {
    const f = file('c.tsv', 'source,target\nab,ba\n');
    expect(await refusal(readPairs(f, 'c.tsv'))).toBe("c.tsv:1: no tab; each line must be source<TAB>target; the first line holds commas: is this CSV (format 'csv')?");
    expect(sides(await readPairs(f, 'c.tsv', { format: 'csv' }))).toEqual([['ab', 'ba']]);
    const g = file('later.tsv', 'ab\tba\nhello, world\n');
    expect(await refusal(readPairs(g, 'later.tsv'))).toBe('later.tsv:2: no tab; each line must be source<TAB>target');
    // Not an object (an array, a brace alone): the line's own error.
    expect(await refusal(readPairs(file('a.txt', '["ab","ba"]\n'), 'a.txt'))).toMatch(/^a\.txt:1: no tab; .*the first line holds commas: is this CSV/);
    expect(await refusal(readPairs(file('b.txt', '{\n'), 'b.txt'))).toBe('b.txt:1: no tab; each line must be source<TAB>target');
    // A line with a tab is TSV even where JSON would read it (a raw tab is JSON whitespace; JSON Lines never holds one).
    expect(sides(await readPairs(file('t.tsv', '{\t}\n{"a": 1,\t"b": 2}\n'), 't.tsv'))).toEqual([['{', '}'], ['{"a": 1,', '"b": 2}']]);
  });
});

describe('rnnlab seq2seq --data', () => {
  const tiny = ['--units', '4', '--embedding-dim', '2', '--epochs', '1', '--samples', '0', '--verbose', '0'];

  it('names --pairs-format for a JSON Lines or CSV file read as TSV', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['pairs.txt', '{"source":"ab","target":"ba"}\n{"source":"ca","target":"ac"}\n', /--data: \S*pairs\.txt:1: this line is a JSON object: the file looks like JSON Lines, not TSV; read it as JSON Lines \(--pairs-format jsonl\) or name the file \.jsonl$/],
      ['commas.tsv', 'source,target\nab,ba\nca,ac\n', /--data: \S*commas\.tsv:1: no tab; each line must be source<TAB>target; the first line holds commas: is this CSV \(--pairs-format csv\)\?$/],
    ];
    for (const [name, content, message] of cases) {
      const out = path.join(dir, `run-${name}`);
      expectRefused(await run(['seq2seq', '--data', file(name, content), '--out', out, ...tiny]), 'seq2seq', message, out);
    }
  });
});
