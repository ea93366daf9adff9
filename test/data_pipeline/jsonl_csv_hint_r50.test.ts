/**
 * A JSON Lines file whose first line is a CSV or TSV header says how to read it as such: by the format option where
 * the caller has one, else (train's --validation, whose format comes from its name) by the name that reads it so.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAIN_OPTION_NAMES } from '../../src/cli/text_cli.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { trainTextClassifier } from '../../src/tasks/text_train.js';

const dir = mkdtempSync(join(tmpdir(), 'rl-jsonl-hint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = Array.from({ length: 8 }, (_, i) => ({ text: `film number ${i} was ${i % 2 ? 'good' : 'bad'}`, label: i % 2 ? 'pos' : 'neg' }));
function write(name: string, sep: string): string {
  const f = join(dir, name);
  writeFileSync(f, [`text${sep}label`, ...ROWS.map((r) => `${r.text}${sep}${r.label}`)].join('\n') + '\n');
  return f;
}
const noFormatOption = { optionNames: { ...TRAIN_OPTION_NAMES, format: null } };
const notJsonl = (name: string) => new RegExp(`${name.replace('.', '\\.')}:1: not valid JSON \\(.*\\): the file does not start with a JSON object, so it is not JSON Lines; it looks like a `);

describe('a .jsonl file holding CSV or TSV', () => {
  it('where the caller has no format option, the error says to name the file .csv, and so named it reads', async () => {
    const f = write('val.jsonl', ',');
    const err = await loadTextDataset(f, noFormatOption).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(notJsonl('val.jsonl'));
    expect(err).toMatch(/it looks like a CSV header: name the file \.csv to read it as CSV$/);
    const renamed = join(dir, 'val.csv');
    copyFileSync(f, renamed);
    expect((await loadTextDataset(renamed, noFormatOption)).texts).toEqual(ROWS.map((r) => r.text));
  });

  it('a TSV header: name the file .tsv', async () => {
    const f = write('val_tabs.jsonl', '\t');
    await expect(loadTextDataset(f, noFormatOption)).rejects.toThrow(/it looks like a TSV header: name the file \.tsv to read it as TSV$/);
  });

  it('train\'s validation file (format from its name) gets the name, never --format', async () => {
    const data = write('train.csv', ',');
    const val = write('held.jsonl', ',');
    const err = await trainTextClassifier({ data, validation: val, optionNames: TRAIN_OPTION_NAMES, epochs: 1 }).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/held\.jsonl:1: .*it looks like a CSV header: name the file \.csv to read it as CSV$/);
    expect(err).not.toContain('--format');
  });

  it('with a format option, the option: the CLI\'s flag, the API\'s format \'csv\'', async () => {
    const f = write('data.jsonl', ',');
    await expect(loadTextDataset(f, { optionNames: TRAIN_OPTION_NAMES })).rejects.toThrow(/it looks like a CSV header: read the file as csv \(--format csv\)$/);
    await expect(loadTextDataset(f)).rejects.toThrow(/it looks like a CSV header: read the file as csv \(format 'csv'\)$/);
  });
});
