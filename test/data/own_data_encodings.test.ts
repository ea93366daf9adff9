/**
 * Own data saved in the wrong encoding (a spreadsheet's "Unicode Text", UTF-16 without a mark, binary), empty files,
 * and JSON Lines options naming one field twice.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../cli/helpers.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-encodings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string | Buffer) => { const f = path.join(dir, name); writeFileSync(f, body); return f; };

const utf16le = (s: string, mark: boolean) => Buffer.concat([mark ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(s, 'utf16le')]);

describe('own data in an encoding other than UTF-8', () => {
  it('a UTF-16 file with a byte-order mark is named as UTF-16, not as a stray byte', async () => {
    await expect(loadTextDataset(file('le.tsv', utf16le('text\tlabel\nhello\tpos\n', true)))).rejects.toThrow(/le\.tsv:1: the file starts with a UTF-16 byte-order mark \(0xff\); save it as UTF-8/);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('text,label\n', 'utf16le').swap16()]);
    await expect(loadTextDataset(file('be.csv', be))).rejects.toThrow(/be\.csv:1: the file starts with a UTF-16 byte-order mark \(0xfe\)/);
  });

  it('NUL bytes (UTF-16 without a mark, or a binary file) are refused with the line, not read as column names', async () => {
    await expect(loadTextDataset(file('nomark.csv', utf16le('text,label\nhello,pos\n', false)))).rejects.toThrow(/nomark\.csv:1: byte 0x00 \(NUL\) is not text: the file looks like UTF-16 or binary/);
    await expect(loadTextDataset(file('late.jsonl', '{"text":"a","label":"x"}\n{"text":"b\u0000","label":"y"}\n'))).rejects.toThrow(/late\.jsonl:2: byte 0x00 \(NUL\)/);
    const folder = path.join(dir, 'classes');
    for (const c of ['pos', 'neg']) mkdirSync(path.join(folder, c), { recursive: true });
    writeFileSync(path.join(folder, 'pos', 'a.txt'), 'fine');
    writeFileSync(path.join(folder, 'neg', 'b.txt'), utf16le('awful', true));
    await expect(loadTextDataset(folder)).rejects.toThrow(/neg\/b\.txt:1: the file starts with a UTF-16 byte-order mark/);
  });

  it('an empty JSON Lines file says it holds no examples without speaking of a header', async () => {
    await expect(loadTextDataset(file('blank.jsonl', '\n\r\n  \n'))).rejects.toThrow(/blank\.jsonl: no examples \(the file is empty or holds only blank lines\)$/);
    await expect(loadTextDataset(file('header.csv', 'text,label\r\n'))).rejects.toThrow(/header\.csv: no examples \(the file is empty or holds only a header\)$/);
  });

  it('rnnlab train stops with the file and line and leaves nothing in --out', async () => {
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', file('excel.tsv', utf16le('text\tlabel\r\ngood\tpos\r\nbad\tneg\r\n', true)), '--epochs', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rnnlab train: data error: .*excel\.tsv:1: the file starts with a UTF-16 byte-order mark/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('JSON Lines column options', () => {
  const jsonl = () => file('rows.jsonl', ['{"text":"good film","label":"pos"}', '{"text":"bad film","label":"neg"}'].join('\n'));

  it('text and label resolving to one field is an options error, not a row to skip', async () => {
    const f = jsonl();
    await expect(loadTextDataset(f, { textColumn: 'label' })).rejects.toThrow(/rows\.jsonl:1: the text and the label are the same column 'label' \(textColumn, labelColumn\); they must be two columns$/);
    // Skipping rows cannot fix it: it still stops at the first row instead of skipping every row.
    await expect(loadTextDataset(f, { textColumn: 'label', skipBadRows: true })).rejects.toThrow(/rows\.jsonl:1: the text and the label are the same column/);
    const r = await run(['train', '--data', f, '--text-column', 'label', '--epochs', '1', '--out', path.join(dir, 'run2')]);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/skip such rows/);
    expect(existsSync(path.join(dir, 'run2'))).toBe(false);
  });
});

describe('a header read with the wrong separator', () => {
  it('a .tsv whose header holds commas asks whether it is CSV', async () => {
    await expect(loadTextDataset(file('commas.tsv', 'text,label\nhello,pos\nbye,neg\n'))).rejects.toThrow(/commas\.tsv:1: no text column found .*; the header holds commas: is this CSV \(format 'csv'\)\?$/);
  });

  it("a spreadsheet's 'sep=,' first line is named as such, not listed as columns to pick from", async () => {
    await expect(loadTextDataset(file('excel.csv', 'sep=,\r\ntext,label\r\nhello,pos\r\n'))).rejects.toThrow(/excel\.csv:1: .*; the first line 'sep=,' is a spreadsheet's separator hint, not a header: delete that line$/);
  });
});
