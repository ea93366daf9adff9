import { describe, expect, it } from 'vitest';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { encodeLabels, mapLabels, resolveLabelMap, sortClassNames } from '../../src/data/text_labels.js';
import { readLines } from '../../src/data/text_stream.js';
import { scratchFiles } from './scratch_files.js';

const { file, tree } = scratchFiles('rnnlab-text-data-');

describe('CSV and TSV', () => {
  it('reads RFC 4180 quoting, embedded newlines, a BOM and CRLF; finds the columns by name', async () => {
    const f = file('reviews.csv', '\uFEFFid,Review,Sentiment\r\n1,"Great, really ""great"" film",pos\r\n2,"line one\r\nline two",neg\r\n3,plain text,pos\r\n');
    const ds = await loadTextDataset(f);
    expect(ds.format).toBe('csv');
    expect(ds.texts).toEqual(['Great, really "great" film', 'line one\nline two', 'plain text']);
    expect(ds.labels).toEqual(['pos', 'neg', 'pos']);
    expect(ds.where).toEqual([`${f}:2`, `${f}:3`, `${f}:5`]);
  });

  it('reads TSV by extension, with named columns and numeric labels', async () => {
    const f = file('data.tsv', 'words\ttarget\nhello there\t1\nbye now\t0\nsay "hi\t2\n');
    const ds = await loadTextDataset(f, { textColumn: 'words', labelColumn: 'TARGET' });
    expect(ds.texts).toEqual(['hello there', 'bye now', 'say "hi']);
    expect(encodeLabels(ds.labels, ds.where, f).classNames).toEqual(['0', '1', '2']);
  });

  it('names unknown columns and lists the available ones', async () => {
    const f = file('cols.csv', 'words,label\nx,a\n');
    expect((await loadTextDataset(file('tweets.csv', 'Target,id,Tweet\n1,7,hello\n'))).texts).toEqual(['hello']);
    await expect(loadTextDataset(f)).rejects.toThrow(/no text column found.*"words", "label"; name one with textColumn$/);
    await expect(loadTextDataset(f, { textColumn: 'words', labelColumn: 'stars' })).rejects.toThrow(/no label column 'stars'.*"words", "label"/);
  });

  it('stops at a bad row with its line, or skips and counts it with skipBadRows', async () => {
    const f = file('bad.csv', 'text,label\ngood one,a\nbroken,row,extra\nanother,b\n,a\nlast,\nfine,b\n');
    await expect(loadTextDataset(f)).rejects.toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: wrong number of fields`));
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['good one', 'another', 'fine']);
    expect(ds.skipped).toBe(3);
    expect(ds.skippedRows.map((r) => r.problem)).toEqual([expect.stringMatching(/wrong number of fields/), "empty text in column 'text'", "blank label in column 'label'"]);
    expect(ds.skippedRows[2].where).toBe(`${f}:6`);
  });

  it('rejects an empty file, a header alone, and non-UTF-8 bytes (with the line)', async () => {
    await expect(loadTextDataset(file('empty.csv', ''))).rejects.toThrow(/empty\.csv: no examples/);
    await expect(loadTextDataset(file('header.csv', 'text,label\n'))).rejects.toThrow(/no examples/);
    const latin1 = file('latin1.csv', Buffer.concat([Buffer.from('text,label\nok,a\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait,b\n')]));
    await expect(loadTextDataset(latin1)).rejects.toThrow(/latin1\.csv:3: byte 0xe9 is not UTF-8/);
  });

  it('format overrides the extension; a JSON array is not JSON Lines', async () => {
    const f = file('data.txt', 'text\tlabel\na, b\tx\nc\ty\n');
    expect((await loadTextDataset(f, { format: 'tsv' })).texts).toEqual(['a, b', 'c']);
    await expect(loadTextDataset(f)).rejects.toThrow(/data\.txt:1: no text column found.*is this TSV \(format 'tsv'\)\?$/);
    await expect(loadTextDataset(f, { format: 'folder' })).rejects.toThrow(/format 'folder' needs a folder/);
    await expect(loadTextDataset(file('arr.json', '[{"text": "a", "label": 1}]'))).rejects.toThrow(/arr\.json:1: this looks like one JSON array/);
  });

  it('caps the length of a record', async () => {
    const f = file('long.csv', `text,label\n"${'x'.repeat(5000)}",a\nshort,b\n`);
    await expect(loadTextDataset(f, { maxLineChars: 1000 })).rejects.toThrow(/long\.csv:\d+: record is too long/);
  });
});

describe('JSON Lines', () => {
  it('reads objects with string or number labels, skipping blank lines', async () => {
    const f = file('d.jsonl', '{"text": "a b", "label": 1}\r\n\n{"text": "c", "label": 0, "extra": true}\n{"text": "d", "label": "1"}');
    const ds = await loadTextDataset(f);
    expect(ds.texts).toEqual(['a b', 'c', 'd']);
    expect(ds.labels).toEqual(['1', '0', '1']);
    expect(ds.where).toEqual([`${f}:1`, `${f}:3`, `${f}:4`]);
  });

  it('chooses the text and label fields once per file: a row lacking them is bad, not read from another field', async () => {
    const f = file('keys.jsonl', '{"text": "a b", "label": 1}\n\n{"sentence": "c", "label": 0}\n{"text": "d", "category": "x"}\n{"text": "e", "label": 0}\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/keys\.jsonl:3: no text field 'text' \(line 1 chose the file's fields\): every row needs it; its fields are "sentence", "label"/);
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['a b', 'e']);
    expect(ds.skippedRows.map((r) => r.where)).toEqual([`${f}:3`, `${f}:4`]);
    expect(ds.skippedRows[1].problem).toMatch(/^no label field 'label' \(line 1 chose the file's fields\)/);
  });

  it('reports bad JSON, a missing label, a blank label and an over-long line with their lines', async () => {
    const f = file('bad.jsonl', '{"text": "ok", "label": "a"}\n{"text": "oops"\n{"text": "no label"}\n{"text": "x", "label": " "}\n{"text": "y", "label": "b"}\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/bad\.jsonl:2: not valid JSON/);
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['ok', 'y']);
    expect(ds.skippedRows.map((r) => r.where)).toEqual([`${f}:2`, `${f}:3`, `${f}:4`]);
    expect(ds.skippedRows[1].problem).toMatch(/^no label field 'label' \(line 1 chose the file's fields\)/);
    expect(ds.skippedRows[2].problem).toMatch(/blank label/);
    await expect(loadTextDataset(file('huge.jsonl', `{"text": "${'y'.repeat(3000)}", "label": 1}\n`), { maxLineChars: 100 })).rejects.toThrow(/huge\.jsonl:1: line is longer than 100/);
  });
});

describe('folder of class subfolders', () => {
  it('reads DIR/<class>/*.txt with sorted class names, ignores top-level files, picks classes', async () => {
    const dir = tree({ 'pos/1.txt': 'good', 'pos/2.txt': 'great', 'neg/1.txt': 'bad', 'unsup/1.txt': 'meh', 'urls.txt': 'http://x', 'neg/notes.md': 'no' });
    const all = await loadTextDataset(dir);
    expect(encodeLabels(all.labels, all.where, dir).classNames).toEqual(['neg', 'pos', 'unsup']);
    // Given classes are read in the order given (Keras's class_names).
    const ds = await loadTextDataset(dir, { classes: ['pos', 'neg'] });
    expect(ds.format).toBe('folder');
    expect(ds.texts).toEqual(['good', 'great', 'bad']);
    expect(ds.labels).toEqual(['pos', 'pos', 'neg']);
    await expect(loadTextDataset(dir, { classes: ['pos', 'neutral'] })).rejects.toThrow(/no subfolder 'neutral'.*neg, pos, unsup/);
  });

  it('rejects a folder without .txt files, without subfolders, and a non-UTF-8 file (named)', async () => {
    await expect(loadTextDataset(tree({ 'a/x.csv': 'x', 'b/y.md': 'y' }))).rejects.toThrow(/no \.txt files in a\/, b\//);
    await expect(loadTextDataset(tree({ 'x.txt': 'x' }))).rejects.toThrow(/no class subfolders/);
    await expect(loadTextDataset(tree({ 'a/1.txt': 'x', 'b/1.md': 'y', 'c/2.txt': 'z' }))).rejects.toThrow(/no \.txt files in b\/; every class subfolder needs examples/);
    const long = tree({ 'a/1.txt': 'fine', 'b/2.txt': 'z'.repeat(500), 'b/3.txt': 'ok' });
    await expect(loadTextDataset(long, { maxLineChars: 100 })).rejects.toThrow(/b\/2\.txt:1: the file is 500 bytes, longer than 100 characters can be/);
    expect((await loadTextDataset(long, { maxLineChars: 200, skipBadRows: true })).skippedRows[0].problem).toBe('the text is longer than 200 characters');
    const dir = tree({ 'a/1.txt': 'fine', 'b/2.txt': Buffer.from([0x61, 0xff, 0x62]) });
    await expect(loadTextDataset(dir)).rejects.toThrow(/b\/2\.txt:1: byte 0xff is not UTF-8/);
  });
});

describe('labels', () => {
  it('sorts names (numerically when all are numbers) and rejects one class and blanks', () => {
    expect(sortClassNames(['10', '2', '1'])).toEqual(['1', '2', '10']);
    expect(sortClassNames(['sports', 'arts', 'news'])).toEqual(['arts', 'news', 'sports']);
    // Hex, binary and octal spellings are names, not numbers: the order is the text's whatever the rows' order.
    expect(sortClassNames(['16', '0x10'])).toEqual(['0x10', '16']);
    expect(sortClassNames(['0x10', '16'])).toEqual(['0x10', '16']);
    expect(sortClassNames(['5', '0x10', '16'])).toEqual(['0x10', '16', '5']);
    expect(sortClassNames(['2', '1', '0b1'])).toEqual(['0b1', '1', '2']);
    // Two decimal spellings one double cannot tell apart keep the text's order either way round.
    expect(sortClassNames(['9007199254740993', '9007199254740992'])).toEqual(['9007199254740992', '9007199254740993']);
    expect(sortClassNames(['9007199254740992', '9007199254740993'])).toEqual(['9007199254740992', '9007199254740993']);
    expect(() => encodeLabels(['a', 'a'], ['f:2', 'f:3'], 'f')).toThrow(/every example has the label 'a'.*two classes/);
    expect(() => encodeLabels(['a', null], ['f:2', 'f:3'], 'f')).toThrow(/f:3: no label/);
    expect(() => encodeLabels(['a', 'c'], ['f:2', 'f:3'], 'f', ['a', 'b'])).toThrow(/f:3: label 'c' is not one of the model's classes \(a, b\); map labels/);
    expect(() => encodeLabels(['red', 'Red'], ['f:2', 'f:3'], 'f', ['blue', 'red'])).toThrow(/f:3: label 'Red' is not one of the model's classes \(blue, red\) \(did you mean 'red'\?\); map labels/);
  });

  it('maps data labels onto a model\'s classes: explicitly, or sentiment labels by polarity', () => {
    expect(resolveLabelMap(['0', '1', '1'], ['neg', 'pos'])).toEqual({ 0: 'neg', 1: 'pos' });
    expect(resolveLabelMap(['positive', 'negative'], ['0', '1'])).toEqual({ positive: '1', negative: '0' });
    expect(resolveLabelMap(['neg', 'pos'], ['neg', 'pos'])).toBeNull();
    expect(resolveLabelMap(['cat', 'dog'], ['neg', 'pos'])).toBeNull();
    expect(resolveLabelMap(['0', '1'], ['a', 'b'])).toBeNull();
    expect(resolveLabelMap(['x', 'y'], ['a', 'b'], { x: 'b', y: 'a' })).toEqual({ x: 'b', y: 'a' });
    expect(() => resolveLabelMap(['x'], ['a', 'b'], { x: 'c' })).toThrow(/labelMap: 'x=c': 'c' is not one of the model's classes \(a, b\)/);
    expect(mapLabels(['x', 'z', null], { x: 'b' })).toEqual(['b', 'z', null]);
    expect(() => encodeLabels(['cat'], ['f:2'], 'f', ['neg', 'pos'])).toThrow(/label 'cat' is not one of the model's classes \(neg, pos\); map labels with labelMap$/);
  });

  it('readLines splits LF and CRLF across chunk boundaries and drops a BOM', async () => {
    async function* chunks() { yield Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0d]); yield Buffer.from('\nb\nc'); yield Buffer.from([0xc3]); yield Buffer.from([0xa9, 0x0a, 0x64]); }
    const lines: string[] = [];
    for await (const l of readLines(chunks(), 'mem')) lines.push(`${l.line}:${l.text}`);
    expect(lines).toEqual(['1:a', '2:b', '3:cé', '4:d']);
  });
});
