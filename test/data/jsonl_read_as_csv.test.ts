/**
 * A JSON Lines file read as CSV or TSV (named .txt, or with the format csv) is named as JSON Lines, with the option
 * of the entry point that reads it, instead of a quoting or column error that points at the wrong fix.
 */
import { describe, expect, it } from 'vitest';
import { TRAIN_OPTION_NAMES } from '../../src/cli/text_cli.js';
import { loadTextDataset, readRows } from '../../src/data/text_dataset.js';
import { readPairsFile } from '../../src/seq2seq/pairs.js';
import { scratchFiles } from './scratch_files.js';

const { file } = scratchFiles('rnnlab-jsonl-as-csv-');
const rows = (spaced: boolean) => ['good movie', 'bad movie', 'great', 'awful'].map((text, i) => JSON.stringify({ text, label: i % 2 ? 0 : 1 }, null, spaced ? 1 : undefined).replace(/\n\s*/g, ' ')).join('\n');

describe('a JSON Lines file read as CSV', () => {
  it('says so, with the flag of the CLI or the option of the API, whether the header breaks on a quote or on its columns', async () => {
    // {"text":"good movie","label":1} stops on the quote of the second field; with spaces after the commas the
    // fields read and no text column is found.
    for (const spaced of [false, true]) {
      const f = file('reviews.txt', `${rows(spaced)}\n`);
      await expect(loadTextDataset(f, { optionNames: TRAIN_OPTION_NAMES })).rejects.toThrow(
        new RegExp(`reviews\\.txt:1: this line is a JSON object: the file looks like JSON Lines, not CSV; read it as JSON Lines \\(--format jsonl\\) or name the file \\.jsonl$`));
      await expect(loadTextDataset(f)).rejects.toThrow(/not CSV; read it as JSON Lines \(format 'jsonl'\) or name the file \.jsonl$/);
      // The fix it names works.
      const ds = await loadTextDataset(f, { format: 'jsonl' });
      expect(ds.texts).toEqual(['good movie', 'bad movie', 'great', 'awful']);
      expect(ds.labels).toEqual(['1', '0', '1', '0']);
    }
  });

  it('names the first line that is not blank, and the TSV format when that was the one read', async () => {
    const f = file('reviews.dat', `\n  \n${rows(true)}\n`);
    await expect(loadTextDataset(f, { optionNames: TRAIN_OPTION_NAMES })).rejects.toThrow(/reviews\.dat:3: this line is a JSON object: the file looks like JSON Lines, not CSV/);
    await expect(loadTextDataset(f, { format: 'tsv', optionNames: TRAIN_OPTION_NAMES })).rejects.toThrow(/reviews\.dat:3: .*looks like JSON Lines, not TSV; read it as JSON Lines \(--format jsonl\)/);
  });

  it('gives the flag of the command reading it: predict --input-format, seq2seq --pairs-format', async () => {
    const f = file('texts.csv', `${rows(false)}\n`);
    await expect(readRows(f, 'csv', { labelsOptional: true, optionNames: { format: '--input-format' } }, { row() {}, bad() {} })).rejects.toThrow(/read it as JSON Lines \(--input-format jsonl\) or name the file \.jsonl$/);
    const pairs = file('pairs.csv', '{"source":"hi","target":"salut"}\n{"source":"bye","target":"ciao"}\n');
    await expect(readPairsFile(pairs, pairs, { format: 'csv', optionNames: { format: '--pairs-format' } })).rejects.toThrow(/pairs\.csv:1: .*looks like JSON Lines, not CSV; read it as JSON Lines \(--pairs-format jsonl\)/);
  });

  it('keeps the header error when the first line is not a JSON object', async () => {
    // Opens with { but is no JSON (its brace never closes): the quoting error stands.
    await expect(loadTextDataset(file('broken.txt', '{"text":"good","label":1\n'))).rejects.toThrow(/broken\.txt:1: the header: a quoted field opens here, but the quote that ends it .* is followed by ':'/);
    // A JSON array is not JSON Lines' object either.
    await expect(loadTextDataset(file('array.txt', '{1,2}\n["a",1]\n'))).rejects.toThrow(/no text column found/);
    await expect(loadTextDataset(file('other.txt', 'review;stars\ngood;5\n'))).rejects.toThrow(/the header holds semicolons/);
    // A CSV whose header reads is not affected by a JSON text in a row.
    const ds = await loadTextDataset(file('ok.txt', 'text,label\n"{""a"": 1}",pos\nplain,neg\n'));
    expect(ds.texts).toEqual(['{"a": 1}', 'plain']);
  });
});
