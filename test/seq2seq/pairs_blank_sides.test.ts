/** A TSV line of only a tab (and spaces) is a pair with empty sides, not a blank line; a JSON null side is no string. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPairs } from '../../src/seq2seq/pairs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-pairs-blank-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = async (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return readPairs(p, name).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
};

describe('TSV lines holding a tab and nothing else', () => {
  it.each([
    ['a tab alone', 'tab.tsv', 'ab\tba\n\t\ncd\tdc\n', 'DataError: tab.tsv:2: the source (before the tab) is empty'],
    ['spaces around the tab', 'spaces.tsv', 'ab\tba\n  \t  \ncd\tdc\n', 'DataError: spaces.tsv:2: the source (before the tab) is empty or only whitespace'],
    ['a space before the tab', 'one.tsv', 'ab\tba\n \tx\n', 'DataError: one.tsv:2: the source (before the tab) is empty or only whitespace'],
    ['spaces after the tab', 'tgt.tsv', 'ab\tba\ncd\t  \n', 'DataError: tgt.tsv:2: the target (after the tab) is empty or only whitespace'],
    ['a tab-only first line', 'first.tsv', '\t\nab\tba\n', 'DataError: first.tsv:1: the source (before the tab) is empty'],
  ])('%s is refused naming the file and line', async (_what, name, content, message) => {
    expect(await refusal(name, content)).toBe(message);
  });

  it('lines of spaces only are still blank lines, skipped', async () => {
    const p = path.join(dir, 'blank.tsv');
    writeFileSync(p, 'ab\tba\n   \n\ncd\tdc\n');
    expect((await readPairs(p, 'blank.tsv')).map((q) => q.where)).toEqual(['blank.tsv:1', 'blank.tsv:4']);
  });
});

describe('JSON Lines null sides', () => {
  it('a null target must be a string, not a blank one', async () => {
    expect(await refusal('t.jsonl', '{"source":"ab","target":"ba"}\n{"source":"cd","target":null}\n')).toBe("DataError: t.jsonl:2: field 'target' must be a string, got null");
  });

  it('a null source names its type too; a whitespace target is still blank', async () => {
    expect(await refusal('s.jsonl', '{"source":null,"target":"ba"}\n')).toBe("DataError: s.jsonl:1: field 'source' must be a non-empty string, got null");
    expect(await refusal('w.jsonl', '{"source":"ab","target":"  "}\n')).toBe("DataError: w.jsonl:1: blank target in field 'target'");
  });
});
