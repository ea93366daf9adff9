/**
 * Quotes in CSV and TSV datasets: a stray quote must never merge rows silently; it is an error naming the line
 * where the quote opened, or with skipBadRows one skipped row (counted), reading on at the next line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRecords, splitTsvLine } from '../../src/data/csv_records.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { encodeLabels, resolveLabelMap } from '../../src/data/text_labels.js';
import { stratifiedSample } from '../../src/data/text_split.js';
import { readPairs } from '../../src/seq2seq/pairs.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-csv-quotes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function file(name: string, content: string): string {
  const p = path.join(root, `${counter++}-${name}`);
  writeFileSync(p, content);
  return p;
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('CSV quoting', () => {
  it('a quote opened and never closed names the line where it opened, not the last line', async () => {
    const rows = Array.from({ length: 18 }, (_, i) => (i === 4 ? '"never closed,1' : `row ${i},${i % 2}`));
    const f = file('never.csv', ['text,label', ...rows].join('\n') + '\n');
    await expect(loadTextDataset(f)).rejects.toThrow(new RegExp(`^${esc(f)}:6: a quoted field opens here and is never closed .*\\(skip such rows with skipBadRows\\)$`));
    // Skipped, it costs that one row: reading goes on at line 7.
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.skipped).toBe(1);
    expect(ds.texts).toHaveLength(17);
    expect(ds.skippedRows[0].where).toBe(`${f}:6`);
    expect(ds.texts).toContain('row 5,1'.split(',')[0]);
  });

  it('stray opening quotes do not swallow the rows after them', async () => {
    const f = file('stray.csv', 'text,label\n"good film",1\n"bad film",0\n"good one,1\n"bad one,0\n');
    await expect(loadTextDataset(f)).rejects.toThrow(new RegExp(`^${esc(f)}:4: a quoted field opens here, but the quote that ends it \\(on line 5\\) is followed by 'b'`));
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['good film', 'bad film']);
    expect(ds.skipped).toBe(2);
    expect(ds.skippedRows.map((r) => r.where)).toEqual([`${f}:4`, `${f}:5`]);
    expect(ds.skippedRows[1].problem).toMatch(/never closed/);
  });

  it('a closing quote followed by text on the same line is named', async () => {
    const f = file('same.csv', 'text,label\n"fine",1\n"oops" more,0\nlast,1\n');
    await expect(loadTextDataset(f)).rejects.toThrow(new RegExp(`${esc(f)}:3: a quoted field opens here, but the quote that ends it \\(on this line\\) is followed by 'm' instead of ','`));
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['fine', 'last']);
    expect(ds.where).toEqual([`${f}:2`, `${f}:4`]);
  });

  it('keeps RFC 4180: doubled quotes, quoted separators and newlines, quotes inside an unquoted field, blank lines', async () => {
    const f = file('ok.csv', 'text,label\n"a ""quoted"" word, and a comma",1\n\n  \n"two\nlines",0\nShe said "meh" and left,1\n"spaces after" ,0\n');
    const ds = await loadTextDataset(f);
    expect(ds.texts).toEqual(['a "quoted" word, and a comma', 'two\nlines', 'She said "meh" and left', 'spaces after']);
    expect(ds.where).toEqual([`${f}:2`, `${f}:5`, `${f}:7`, `${f}:8`]);
  });

  it('reads the same across chunk boundaries (a stream cut anywhere)', async () => {
    const text = 'text,label\r\n"x, ""y""\r\nz",1\r\nplain,0\r\n"q",1';
    for (let cut = 1; cut < text.length; cut++) {
      const chunks = [Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))];
      const rows: string[] = [];
      const { readRows } = await import('../../src/data/text_dataset.js');
      await readRows(Readable.from(chunks), 'csv', {}, { row: (r) => rows.push(`${r.where}|${r.text}|${r.label}`), bad: (b) => { throw new Error(`${b.where}: ${b.problem}`); } }, 'mem');
      expect(rows, `cut at ${cut}`).toEqual(['mem:2|x, "y"\nz|1', 'mem:4|plain|0', 'mem:5|q|1']);
    }
  });

  it('a header with a bad quote stops the read even when skipping', async () => {
    const f = file('header.csv', '"text,label\na,1\n');
    await expect(loadTextDataset(f, { skipBadRows: true })).rejects.toThrow(new RegExp(`${esc(f)}:1: the header: a quoted field opens here and is never closed`));
  });
});

describe('TSV: tabs separate, quotes are ordinary characters', () => {
  it('a leading quote and quotes inside a field are text; rows never merge', async () => {
    const lines = ['text\tlabel'];
    for (let i = 2; i <= 12; i++) {
      lines.push(i === 7 ? '"Best film ever, 10/10\t1' : i === 11 ? 'She said "meh" and left\t1' : `review ${i}\t${i % 2}`);
    }
    const f = file('reviews.tsv', lines.join('\n') + '\n');
    const ds = await loadTextDataset(f);
    expect(ds.texts).toHaveLength(11);
    expect(ds.texts[5]).toBe('"Best film ever, 10/10');
    expect(ds.texts[9]).toBe('She said "meh" and left');
    expect(ds.where[5]).toBe(`${f}:7`);
  });

  it('a wholly quoted field (as spreadsheets export one holding a quote or a tab) loses its quotes', () => {
    expect(splitTsvLine('"a ""b"" c"\t1')).toEqual(['a "b" c', '1']);
    expect(splitTsvLine('"x\ty"\t"0"')).toEqual(['x\ty', '0']);
    expect(splitTsvLine('"Wow" she said\t1')).toEqual(['"Wow" she said', '1']);
    expect(splitTsvLine('"unclosed\t1')).toEqual(['"unclosed', '1']);
    expect(splitTsvLine('a\t\tb\t')).toEqual(['a', '', 'b', '']);
  });

  it('a line with the wrong number of tabs is named', async () => {
    const f = file('ragged.tsv', 'text\tlabel\nok\t1\ntoo\tmany\ttabs\nfine\t0\n');
    await expect(loadTextDataset(f)).rejects.toThrow(new RegExp(`${esc(f)}:3: wrong number of fields: 3, the header has 2`));
    expect((await loadTextDataset(f, { skipBadRows: true })).texts).toEqual(['ok', 'fine']);
  });
});

describe('messages name the caller\'s options', () => {
  it('the API names its options; a command passes its flags, or none', async () => {
    const f = file('empty-text.csv', 'text,label\n,1\nx,0\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/empty text in column 'text' \(skip such rows with skipBadRows\)$/);
    await expect(loadTextDataset(f, { optionNames: { skipBadRows: '--skip-bad-rows' } })).rejects.toThrow(/\(skip such rows with --skip-bad-rows\)$/);
    await expect(loadTextDataset(f, { optionNames: { skipBadRows: null } })).rejects.toThrow(/empty text in column 'text'$/);
    const tsv = file('tabs.csv', 'text\tlabel\na\t1\n');
    await expect(loadTextDataset(tsv)).rejects.toThrow(/is this TSV \(format 'tsv'\)\?/);
    await expect(loadTextDataset(tsv, { optionNames: { format: '--input-format', textColumn: '--text-column' } })).rejects.toThrow(/name one with --text-column; the header holds tabs: is this TSV \(--input-format tsv\)\?/);
  });

  it('seq2seq pairs: no skip option, the format flag is --pairs-format', async () => {
    const ragged = file('ragged.csv', 'source,target\na,b\nc,d,e\n');
    await expect(readPairs(ragged, ragged)).rejects.toThrow(new RegExp(`^${esc(ragged)}:3: wrong number of fields: 3, the header has 2 \\(a missing quote or separator\\?\\)$`));
    const tsv = file('pairs.csv', 'source\ttarget\na\tb\n');
    await expect(readPairs(tsv, tsv, { format: 'csv', optionNames: { format: '--pairs-format' } })).rejects.toThrow(/no 'source' column; the columns are "source\\ttarget"; the header holds tabs: is this TSV \(--pairs-format tsv\)\?$/);
    await expect(readPairs(tsv, tsv, { format: 'csv', optionNames: { format: '--pairs-format' } })).rejects.not.toThrow(/--format|skip/);
  });

  it('the text and the label cannot be one column', async () => {
    const f = file('same-col.csv', 'text,label\na,1\nb,0\n');
    await expect(loadTextDataset(f, { textColumn: 'text', labelColumn: 'text' })).rejects.toThrow(/:1: the text and the label are the same column 'text' \(textColumn, labelColumn\)/);
    const j = file('same-col.jsonl', '{"text": "a", "label": 1}\n');
    await expect(loadTextDataset(j, { textColumn: 'text', labelColumn: 'text', optionNames: { textColumn: '--text-column', labelColumn: '--label-column', skipBadRows: '--skip-bad-rows' } }))
      .rejects.toThrow(/the text and the label are the same column 'text' \(--text-column, --label-column\)/);
  });
});

describe('labels', () => {
  it('"1" and "1.0" are one class; a numeric label finds the class of the same value', () => {
    const enc = encodeLabels(['1', '1.0', '0', '0.0', '1e0'], ['f:2', 'f:3', 'f:4', 'f:5', 'f:6'], 'f');
    expect(enc.classNames).toEqual(['0', '1']);
    expect(Array.from(enc.ids)).toEqual([1, 1, 0, 0, 1]);
    expect(Array.from(encodeLabels(['1.0', '0'], ['f:2', 'f:3'], 'f', ['0', '1']).ids)).toEqual([1, 0]);
    // Labels that are not all numbers keep their spelling.
    expect(encodeLabels(['1', '1.0', 'x'], ['a', 'b', 'c'], 'f').classNames).toEqual(['1', '1.0', 'x']);
    // A value with no plain spelling keeps its first one; integers past 2^53 are never merged.
    expect(encodeLabels(['007', '5', '7.0'], ['a', 'b', 'c'], 'f').classNames).toEqual(['5', '007']);
    const big = encodeLabels(['90071992547409921', '90071992547409923'], ['a', 'b'], 'f');
    expect(big.classNames).toHaveLength(2);
    expect(Array.from(big.ids)).toEqual([0, 1]);
  });

  it('a JSON Lines file mixing boolean and number labels names the row', async () => {
    const f = file('mixed.jsonl', '{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n{"text": "c", "label": true}\n');
    await expect(loadTextDataset(f)).rejects.toThrow(new RegExp(`${esc(f)}:3: field 'label' is true, a boolean, but the label of ${esc(f)}:1 is a number`));
    const all = file('bools.jsonl', '{"text": "a", "label": true}\n{"text": "b", "label": false}\n');
    expect((await loadTextDataset(all)).labels).toEqual(['true', 'false']);
  });

  it('polarity matching blames the label that has no polarity, not a matched one', () => {
    const labels = ['pos', 'neg', 'mid', 'pos'];
    const map = resolveLabelMap(labels, ['0', '1']);
    expect(map).toEqual({ pos: '1', neg: '0' });
    const mapped = labels.map((l) => map![l] ?? l);
    expect(() => encodeLabels(mapped, ['f:2', 'f:3', 'f:4', 'f:5'], 'f', ['0', '1'])).toThrow(/^f:4: label 'mid' is not one of the model's classes \(0, 1\); map labels with labelMap$/);
    expect(() => encodeLabels(['mid'], ['f:2'], 'f', ['0', '1'], { classesOf: "the training data's classes", optionNames: { labelMap: null } }))
      .toThrow(/^f:2: label 'mid' is not one of the training data's classes \(0, 1\)$/);
  });
});

describe('stratifiedSample', () => {
  const ids = (counts: number[]) => Int32Array.from(counts.flatMap((n, c) => Array(n).fill(c)));
  it('takes exactly N, every class at least once, the rest by largest remainder', () => {
    const two = ids([10, 10]);
    for (const n of [2, 5, 11, 19]) expect(stratifiedSample(two, 2, n, 1)).toHaveLength(n);
    const three = ids([40, 40, 20]);
    for (const n of [3, 7, 50, 99]) {
      const s = stratifiedSample(three, 3, n, 1);
      expect(s).toHaveLength(n);
      const per = [0, 0, 0];
      for (const i of s) per[three[i]]++;
      expect(Math.min(...per)).toBeGreaterThanOrEqual(1);
    }
    const s = stratifiedSample(three, 3, 10, 1);
    const per = [0, 0, 0];
    for (const i of s) per[three[i]]++;
    expect(per).toEqual([4, 4, 2]);
    expect(Array.from(s)).toEqual([...s].sort((a, b) => a - b));
    expect(stratifiedSample(three, 3, 100, 1)).toHaveLength(100);
    expect(() => stratifiedSample(three, 3, 2, 1)).toThrow(/limit 2 is below the 3 classes/);
  });
});

describe('csvRecords: line ends, a byte-order mark in text, a quote that does not close within the limit', () => {
  async function items(chunks: (string | Uint8Array)[], max = 1000) {
    const out: unknown[] = [];
    async function* src() { for (const c of chunks) yield c; }
    for await (const it of csvRecords(src(), 'f.csv', ',', max)) out.push(it);
    return out;
  }

  it('reads lone-CR line ends as line ends, across chunk edges too', async () => {
    expect(await items(['a,b\r1,', '2\r', '3,4\r'])).toEqual([
      { fields: ['a', 'b'], line: 1 }, { fields: ['1', '2'], line: 2 }, { fields: ['3', '4'], line: 3 }]);
    expect(await items(['a,b\r', '\n1,2'])).toEqual([{ fields: ['a', 'b'], line: 1 }, { fields: ['1', '2'], line: 2 }]);
  });

  it('drops a byte-order mark from text given as strings, as from bytes', async () => {
    expect(await items(['\uFEFFtext,label\nx,1\n'])).toEqual([{ fields: ['text', 'label'], line: 1 }, { fields: ['x', '1'], line: 2 }]);
  });

  it('a quote that no quote closes within the limit is one bad row at its line, and reading goes on', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `x${i},1`).join('\n');
    const got = await items([`a,b\n"abc,1\n${rows}\n`], 100);
    expect(got[0]).toEqual({ fields: ['a', 'b'], line: 1 });
    expect(got[1]).toEqual({ bad: { line: 2, problem: expect.stringMatching(/^a quoted field opens here and no quote closes it within 100 characters/) } });
    expect(got).toHaveLength(42);
    expect(got[41]).toEqual({ fields: ['x39', '1'], line: 42 });
  });
});
