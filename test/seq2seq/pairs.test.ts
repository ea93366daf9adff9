/** Pairs files: TSV, CSV and JSON Lines read alike; each bad input is an error naming the file and line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pairFormatOf, readPairs } from '../../src/seq2seq/pairs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-pairs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('readPairs', () => {
  it('reads TSV lines (CRLF, a BOM and blank lines allowed) in order', async () => {
    const p = file('a.tsv', '\uFEFFhello\tolleh\r\n\r\nab c\tc ba\n');
    expect(await readPairs(p, p)).toEqual([
      { source: 'hello', target: 'olleh', where: `${p}:1` },
      { source: 'ab c', target: 'c ba', where: `${p}:3` },
    ]);
  });

  it('reads CSV (quoted commas) and JSON Lines with source and target columns', async () => {
    const c = file('a.csv', 'id,source,target\n1,"March 3, 2021",2021-03-03\n2,x,y\n');
    expect((await readPairs(c, c)).map((q) => [q.source, q.target])).toEqual([['March 3, 2021', '2021-03-03'], ['x', 'y']]);
    const j = file('a.jsonl', '{"source": "one", "target": "1"}\n{"target": "b", "source": "two"}\n');
    expect((await readPairs(j, j)).map((q) => [q.source, q.target, q.where])).toEqual([['one', '1', `${j}:1`], ['two', 'b', `${j}:2`]]);
  });

  it('refuses a JSON Lines target written as a number or true/false, whose text JSON does not keep', async () => {
    for (const [value, shown] of [['2.0', '2'], ['-0.0', '0'], ['true', 'true']]) {
      const j = file('n.jsonl', `{"source": "one", "target": "1"}\n{"source": "two", "target": ${value}}\n`);
      await expect(readPairs(j, j)).rejects.toThrow(`${j}:2: field 'target' must be a string, got ${shown} (JSON keeps no number's or true/false's text as written: 2.0 reads as 2); write it in quotes`);
    }
  });

  it('picks the format from the name, or as told', async () => {
    expect([pairFormatOf('x.csv'), pairFormatOf('x.JSONL'), pairFormatOf('x.txt'), pairFormatOf('x.tsv')]).toEqual(['csv', 'jsonl', 'tsv', 'tsv']);
    const p = file('pairs.txt', 'source,target\na,b\n');
    expect((await readPairs(p, p, { format: 'csv' }))[0]).toMatchObject({ source: 'a', target: 'b' });
  });

  it('names the file and line of each bad input', async () => {
    const bad = async (name: string, content: string | Buffer, opts = {}) => {
      const p = file(name, content);
      return readPairs(p, p, opts).then(() => 'no error', (e: Error) => e.message.replace(p, 'FILE'));
    };
    expect(await bad('tab.tsv', 'a\tb\nno tab here\n')).toBe('FILE:2: no tab; each line must be source<TAB>target');
    expect(await bad('tabs.tsv', 'a\tb\tc\n')).toMatch(/^FILE:1: more than one tab/);
    expect(await bad('src.tsv', 'a\tb\n \tb\n')).toBe('FILE:2: the source (before the tab) is empty or only whitespace');
    expect(await bad('tgt.tsv', 'a\t\n')).toBe('FILE:1: the target (after the tab) is empty');
    expect(await bad('empty.tsv', '')).toMatch(/^FILE: no pairs \(the file is empty\)/);
    expect(await bad('blank.tsv', '\n\n')).toMatch(/^FILE: no pairs/);
    expect(await bad('latin1.tsv', Buffer.from([0x61, 0x09, 0x62, 0x0a, 0x63, 0xe9, 0x09, 0x64, 0x0a]))).toBe('FILE:2: byte 0xe9 is not UTF-8; save the file as UTF-8');
    expect(await bad('long.tsv', `a\tb\n${'x'.repeat(50)}\ty\n`, { maxLineChars: 20 })).toMatch(/^FILE:2: line is longer than 20 characters/);
    expect(await bad('cols.csv', 'text,label\na,b\n')).toMatch(/^FILE:1: no 'source' column; the columns are "text", "label"/);
    expect(await bad('blank.csv', 'source,target\na,b\nc,\n')).toBe("FILE:3: blank target in 'target'");
    expect(await bad('bad.jsonl', '{"source": "a", "target": "b"}\n{"source": "a"\n')).toMatch(/^FILE:2: not valid JSON/);
    expect(await bad('nosrc.jsonl', '{"src": "a", "target": "b"}\n')).toMatch(/^FILE:1: no 'source' field; the fields are "src", "target"/);
  });
});
