/**
 * A user's own text files as spreadsheets and other tools write them: lone-CR line ends (Excel for Mac's
 * "Macintosh" formats) in TSV, JSON Lines and pairs files, read as the CSV reader already read them; header columns
 * that differ only in case; class folders named by numbers; and Keras's Tokenizer / pad_sequences on the cases
 * users trip over.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLabels } from '../../src/data/text_labels.js';
import { padSequences } from '../../src/data/pad.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { readLines } from '../../src/data/text_stream.js';
import { Tokenizer } from '../../src/data/tokenizer.js';
import { readPairs } from '../../src/seq2seq/pairs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => { const p = path.join(dir, name); writeFileSync(p, content); return p; };

async function lines(chunks: (string | Uint8Array)[]): Promise<{ text: string; line: number }[]> {
  async function* src() { yield* chunks; }
  const out: { text: string; line: number }[] = [];
  for await (const l of readLines(src(), 'in')) out.push(l);
  return out;
}

describe('line ends: LF, CRLF and a lone CR', () => {
  it('readLines ends a line at each, also when a CRLF is split between two chunks', async () => {
    expect(await lines(['a\rb\r\nc\nd\r'])).toEqual([{ text: 'a', line: 1 }, { text: 'b', line: 2 }, { text: 'c', line: 3 }, { text: 'd', line: 4 }]);
    // CR ending one chunk, LF opening the next: one line end, not a blank line between.
    expect(await lines(['a\r', '\nb'])).toEqual([{ text: 'a', line: 1 }, { text: 'b', line: 2 }]);
    expect(await lines(['a\r', 'b\r', '\r', '\nc'])).toEqual([{ text: 'a', line: 1 }, { text: 'b', line: 2 }, { text: '', line: 3 }, { text: 'c', line: 4 }]);
    expect(await lines([new TextEncoder().encode('x\ry'), new Uint8Array(0), new TextEncoder().encode('\r\n')])).toEqual([{ text: 'x', line: 1 }, { text: 'y', line: 2 }]);
  });

  it('a TSV, a JSON Lines file and a pairs file saved with lone CRs read row by row, named by their lines', async () => {
    const tsv = await loadTextDataset(file('mac.tsv', 'text\tlabel\rgood film\tpos\rbad film\tneg\r'));
    expect(tsv.texts).toEqual(['good film', 'bad film']);
    expect(tsv.labels).toEqual(['pos', 'neg']);
    expect(tsv.where.map((w) => w.slice(-2))).toEqual([':2', ':3']);
    const jsonl = await loadTextDataset(file('mac.jsonl', '{"text": "a", "label": 1}\r{"text": "b", "label": 0}\r'));
    expect(jsonl.texts).toEqual(['a', 'b']);
    const pairs = await readPairs(file('mac-pairs.tsv', 'ab\tba\rcd\tdc\r'), 'mac-pairs.tsv');
    expect(pairs).toEqual([{ source: 'ab', target: 'ba', where: 'mac-pairs.tsv:1' }, { source: 'cd', target: 'dc', where: 'mac-pairs.tsv:2' }]);
  });

  it('a byte that is not UTF-8 is named by its line in a lone-CR and a CRLF file alike', async () => {
    const bad = (end: string) => Buffer.concat([Buffer.from(`text\tlabel${end}ok\t1${end}`), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x09, 0x30])]);
    await expect(loadTextDataset(file('latin1-cr.tsv', bad('\r')))).rejects.toThrow(/latin1-cr\.tsv:3: byte 0xe9 is not UTF-8/);
    await expect(loadTextDataset(file('latin1-crlf.tsv', bad('\r\n')))).rejects.toThrow(/latin1-crlf\.tsv:3: byte 0xe9 is not UTF-8/);
  });
});

describe('header columns that differ only in case or spaces', () => {
  it('are an error naming both fields when the column is found by name, not the first one read silently', async () => {
    await expect(loadTextDataset(file('case.csv', 'Text,text,label\nA,B,1\nC,D,0\n'))).rejects.toThrow(
      /case\.csv:1: the columns "Text" and "text" \(fields 1, 2\) both read as the text column 'text'; .*rename one or give its exact name with textColumn/);
    await expect(loadTextDataset(file('label.tsv', 'text\tLabel\t label\nA\t1\t2\n'))).rejects.toThrow(/label\.tsv:1: the columns "Label" and " label" \(fields 2, 3\) both read as the label column 'label'/);
    // Given exactly, the column is the one so spelt.
    const exact = await loadTextDataset(file('case2.csv', 'Text,text,label\nA,B,1\nC,D,0\n'), { textColumn: 'text' });
    expect(exact.texts).toEqual(['B', 'D']);
    // Labels optional (texts to score): an ambiguous label column is still an error, not a file read without labels.
    await expect(loadTextDataset(file('opt.csv', 'text,Label,label\nA,1,2\n'), { labelsOptional: true })).rejects.toThrow(/both read as the label column/);
  });
});

describe("Keras's Tokenizer and pad_sequences on users' cases", () => {
  it('oov_token takes index 1 and counts against num_words; words at or past num_words read as it', () => {
    // Keras: Tokenizer(num_words=3, oov_token='<OOV>').fit_on_texts(['a a a b b c']) -> {'<OOV>': 1, 'a': 2, 'b': 3, 'c': 4}.
    const t = new Tokenizer({ numWords: 3, oovToken: '<OOV>' });
    t.fitOnTexts(['a a a b b c']);
    expect(Object.fromEntries(t.wordIndex)).toEqual({ '<OOV>': 1, a: 2, b: 3, c: 4 });
    expect(t.textsToSequences(['a b c d'])).toEqual([[2, 1, 1, 1]]);
    // Without an oov_token those words are dropped.
    const plain = new Tokenizer({ numWords: 3 });
    plain.fitOnTexts(['a a a b b c']);
    expect(plain.textsToSequences(['a b c d'])).toEqual([[1, 2]]);
  });

  it('lower, filters and split: the filters become the split string, then empty pieces go', () => {
    const t = new Tokenizer({ lower: false, filters: '-', split: '|' });
    t.fitOnTexts(['Ab|cd-EF||x y']);
    expect([...t.wordIndex.keys()]).toEqual(['Ab', 'cd', 'EF', 'x y']);
  });

  it("pad_sequences: padding and truncating 'pre' and 'post', value, maxlen null (the longest)", () => {
    const seqs = [[1, 2, 3], [4, 5], [6]];
    const rows = (o: Parameters<typeof padSequences>[1]) => { const b = padSequences(seqs, o); return Array.from({ length: b.shape[0] }, (_, i) => Array.from(b.data.slice(i * b.shape[1], (i + 1) * b.shape[1]))); };
    expect(rows({})).toEqual([[1, 2, 3], [0, 4, 5], [0, 0, 6]]);
    expect(rows({ maxlen: 2 })).toEqual([[2, 3], [4, 5], [0, 6]]);
    expect(rows({ maxlen: 2, padding: 'post', truncating: 'post', value: -1 })).toEqual([[1, 2], [4, 5], [6, -1]]);
    expect(rows({ maxlen: 4, padding: 'post' })).toEqual([[1, 2, 3, 0], [4, 5, 0, 0], [6, 0, 0, 0]]);
  });
});

describe('class folders named by numbers', () => {
  function tree(name: string, classes: string[]): string {
    const root = path.join(dir, name);
    classes.forEach((c, i) => { mkdirSync(path.join(root, c), { recursive: true }); writeFileSync(path.join(root, c, 'a.txt'), `text ${i}`); });
    return root;
  }

  it('two folders naming one number (1 and 01) are an error, not one class', async () => {
    await expect(loadTextDataset(tree('same', ['1', '01', '2']))).rejects.toThrow(/same: the class folders '01' and '1' name the same number, so they would read as one class; rename one/);
    // Numbers past 2^53 are classes as written (one double would stand for both): two folders, two classes.
    const big = await loadTextDataset(tree('big', ['12345678901234567890', '12345678901234567891']));
    expect(encodeLabels(big.labels, big.where, big.source).classNames).toHaveLength(2);
  });

  it('folders 1, 2, 10 are three classes in numeric order (Keras sorts the names as strings: 1, 10, 2)', async () => {
    const ds = await loadTextDataset(tree('stars', ['1', '2', '10']));
    expect(encodeLabels(ds.labels, ds.where, ds.source).classNames).toEqual(['1', '2', '10']);
  });
});
