/**
 * rl.data.csv reads through src/data/csv_records.ts, the CLI's CSV reader: a file reads the same in both, and
 * plain files read as tfjs's data.csv reads them.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { csvRecords } from '../../src/data/csv_records.js';
import { readCsvRows } from '../../src/data/text_csv.js';
import type { TextRow } from '../../src/data/text_types.js';
import { tempCsvFiles } from '../data_pipeline/csv_file.js';

const { dir, csvFile } = tempCsvFiles('rnnlab-csv-');

describe('rl.data.csv reads RFC 4180 CSV as the CLI does', () => {
  it('quoted fields hold separators, newlines and "" ; later rows keep their own line numbers', async () => {
    const f = csvFile('text,label\n"a, ""quoted""\nsecond line",1\nplain,0\n"x,2\n');
    const seen: unknown[] = [];
    await expect(rl.data.csv(f, { columnConfigs: { text: { dtype: 'string' } } }).forEachAsync((r) => { seen.push(r); }))
      .rejects.toThrow(new RegExp(`data\\.csv: .*f\\d+\\.csv:5: a quoted field opens here and is never closed`));
    expect(seen).toEqual([{ text: 'a, "quoted"\nsecond line', label: 1 }, { text: 'plain', label: 0 }]);
    // The CLI's reader sees the same texts in the same file.
    const rows: TextRow[] = [];
    await readCsvRows(f, f, ',', { skipBadRows: true }, { row: (r) => rows.push(r), bad: () => undefined });
    expect(rows.map((r) => r.text)).toEqual(['a, "quoted"\nsecond line', 'plain']);
    expect(rows.map((r) => r.where.slice(f.length))).toEqual([':2', ':4']);
  });

  it('names the line where a wrong row starts, after a multi-line record', async () => {
    const f = csvFile('a,b\n"1\n\n",2\n3\n');
    await expect(rl.data.csv(f).toArray()).rejects.toThrow(/f\d+\.csv:5: expected 2 fields, got 1/);
  });

  it('drops a byte-order mark, reads CRLF and lone-CR line ends, skips blank lines', async () => {
    const f = csvFile('\uFEFFa,b\r\n1,2\r\n\r\n3,4\r5,6');
    const ds = rl.data.csv(f, { columnConfigs: { a: { isLabel: true } } });
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect(await ds.toArray()).toEqual([{ xs: { b: 2 }, ys: { a: 1 } }, { xs: { b: 4 }, ys: { a: 3 } }, { xs: { b: 6 }, ys: { a: 5 } }]);
  });

  it('trims unquoted fields (header "a, b" names b), keeps quoted ones, and a field of spaces is empty, never 0', async () => {
    const f = csvFile('a, b ,c\n x , 2 ," y "\n1,   ,z\n');
    expect(await rl.data.csv(f).toArray()).toEqual([{ a: 'x', b: 2, c: ' y ' }, { a: 1, b: undefined, c: 'z' }]);
    await expect(rl.data.csv(f, { columnConfigs: { b: { required: true } } }).toArray()).rejects.toThrow(/:3: Required column b is empty in this line/);
    expect(await rl.data.csv(f, { columnConfigs: { b: { default: -1 } } }).toArray()).toEqual([{ a: 'x', b: 2, c: ' y ' }, { a: 1, b: -1, c: 'z' }]);
  });
});

describe('tfjs CSVConfig', () => {
  it('plain files read as tfjs data.csv reads them (numbers, strings, empty fields, labels, configuredColumnsOnly)', async () => {
    const f = csvFile('x,name,y,z\n1.5,ab,0,\n-2,cd,1,7\n3e2,,1,8\n');
    for (const config of [{}, { columnConfigs: { y: { isLabel: true } } }, { columnConfigs: { x: {}, y: { isLabel: true } }, configuredColumnsOnly: true }]) {
      const theirs = tf.data.csv(`file://${f}`, config as never);
      const ours = rl.data.csv(f, config as never);
      expect(await ours.toArray()).toEqual(await theirs.toArray());
      expect(await ours.columnNames()).toEqual(await theirs.columnNames());
    }
  });

  it('delimWhitespace splits on runs of spaces (tfjs); a quoted "" stays an empty field; delimiter with it is refused', async () => {
    const f = csvFile('a  b   c\n  1 2    3  \n4 "" 6\n');
    expect(await rl.data.csv(f, { delimWhitespace: true }).toArray()).toEqual([{ a: 1, b: 2, c: 3 }, { a: 4, b: undefined, c: 6 }]);
    expect(await rl.data.csv(f, { delimWhitespace: true }).columnNames()).toEqual(['a', 'b', 'c']);
    expect(() => rl.data.csv(f, { delimWhitespace: true, delimiter: ' ' })).toThrow(/delimiter must not be given when delimWhitespace is true/);
    expect(() => rl.data.csv(f, { delimWhitespace: 1 } as never)).toThrow(/delimWhitespace must be true or false/);
    // Without it a space is no separator: one column named 'a  b   c'.
    expect(await rl.data.csv(f).toArray()).toEqual([{ 'a  b   c': '1 2    3' }, { 'a  b   c': '4 "" 6' }]);
  });

  it('delimiter: one character; ";" and tab work, a longer one or a quote is refused by name', async () => {
    const semi = csvFile('a;b\n"1;5";2\n');
    expect(await rl.data.csv(semi, { delimiter: ';' }).toArray()).toEqual([{ a: '1;5', b: 2 }]);
    const tsv = csvFile('a\tb\n"x\ty"\t2\n', 'tsv');
    expect(await rl.data.csv(tsv, { delimiter: '\t' }).toArray()).toEqual([{ a: 'x\ty', b: 2 }]);
    expect(() => rl.data.csv(semi, { delimiter: '::' })).toThrow(/delimiter must be one character, got "::"/);
    expect(() => rl.data.csv(semi, { delimiter: '"' })).toThrow(/delimiter cannot be/);
  });

  it('columnNames() checks as iteration does and lists only configured columns with configuredColumnsOnly', async () => {
    const f = csvFile('a,b,c\n1,2,3\n');
    expect(await rl.data.csv(f, { columnConfigs: { c: { isLabel: true } }, configuredColumnsOnly: true }).columnNames()).toEqual(['c']);
    expect(await rl.data.csv(f, { columnNames: ['x', 'y', 'z'] }).toArray()).toEqual([{ x: 1, y: 2, z: 3 }]);
    await expect(rl.data.csv(f, { columnNames: ['x', 'y'] }).columnNames()).rejects.toThrow(/:1: columnNames has 2 names but the header has 3 fields/);
    await expect(rl.data.csv(f, { columnConfigs: { q: {} } }).columnNames()).rejects.toThrow(/The key "q" provided in columnConfigs does not match/);
    await expect(rl.data.csv(f, { hasHeader: false, columnNames: ['a', 'b'], columnConfigs: { q: {} } }).columnNames()).rejects.toThrow(/The key "q"/);
    expect(() => rl.data.csv(f, { configuredColumnsOnly: true })).toThrow(/configuredColumnsOnly is true but no columnConfigs/);
  });

  it('an empty file is an error naming it, for iteration and columnNames()', async () => {
    const f = csvFile('');
    await expect(rl.data.csv(f).toArray()).rejects.toThrow(/data\.csv: .*f\d+\.csv is empty: no header line/);
    await expect(rl.data.csv(f).columnNames()).rejects.toThrow(/is empty: no header line/);
    expect(await rl.data.csv(f, { hasHeader: false, columnNames: ['a'] }).toArray()).toEqual([]);
  });

  it('a file that is not UTF-8 is an error naming the line', async () => {
    const f = join(dir, 'latin1.csv');
    writeFileSync(f, Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0x63, 0xe9, 0x2c, 0x31, 0x0a])]));
    await expect(rl.data.csv(f).toArray()).rejects.toThrow(/data\.csv: .*latin1\.csv:3: byte 0xe9 is not UTF-8/);
  });
});

describe('csvRecords closes its file when the reader stops early', () => {
  it.runIf(existsSync('/proc/self/fd'))('a file larger than one read chunk, stopped after one record', async () => {
    // Over 1 MiB, so the stream is still open when the consumer stops.
    const big = csvFile(`a,b\n${'1234567,1\n'.repeat(300_000)}`);
    const fds = () => readdirSync('/proc/self/fd').length;
    const settle = () => new Promise((r) => setTimeout(r, 100));
    const firstOf = async () => { for await (const it of csvRecords(big, big, ',', 1000)) return it; };
    await firstOf();
    await settle();
    const f0 = fds();
    for (let i = 0; i < 20; i++) {
      expect(await firstOf()).toEqual({ fields: ['a', 'b'], line: 1 });
      await rl.data.csv(big).take(1).toArray();
    }
    await settle();
    expect(fds() - f0).toBeLessThanOrEqual(2);
  });
});
