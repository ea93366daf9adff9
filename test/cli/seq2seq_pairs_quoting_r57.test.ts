/**
 * A pairs TSV written with spreadsheet/pandas quoting is read as written (docs/CLI.md, seq2seq), and rnnlab seq2seq
 * says so on stderr, with how to have the text inside the quotes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPairsFile } from '../../src/seq2seq/pairs.js';
import { cleanup, readResults, REPO_ROOT, run, tempDir } from './helpers.js';

afterAll(cleanup);

const FAST = ['--epochs', '1', '--units', '4', '--embedding-dim', '2', '--batch-size', '8', '--samples', '1', '--verbose', '0'];

/** Pairs as Python's csv.writer(delimiter='\t') writes them: a side holding a quote is quoted, its quotes doubled. */
const PANDAS_TSV = 'source\ttarget\n"""aba"""\t"""aba"""\ncbb\tbbc\naaa\taaa\n"ab""c"\t"c""ba"\nbca\tacb\nccb\tbcc\n';

function write(name: string, text: string): string {
  const file = path.join(tempDir('rnnlab-r57-quoting-'), name);
  writeFileSync(file, text);
  return file;
}

describe('seq2seq on a spreadsheet-quoted TSV', () => {
  it('trains on the sides as written and says on stderr that they look quoted, naming the first and the way out', async () => {
    const file = write('pd.tsv', PANDAS_TSV);
    const out = path.join(tempDir('rnnlab-r57-quoting-run-'), 'run');
    const r = await run(['seq2seq', '--data', file, '--out', out, ...FAST]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`rnnlab seq2seq: ${file}: 4 source/target side(s) are wholly in quotes with their inner quotes doubled (the first: ${file}:2's source """aba"""), ` +
      'as spreadsheets and pandas write a TSV field holding a quote; TSV pairs are read as written, so these quotes are trained on as text. ' +
      'For the text inside them, save the pairs as CSV (a .csv file with the header line source,target, read with CSV quoting rules) or as JSON Lines (.jsonl)\n');
    // Read as written: """aba""" is 9 characters, and '"' is a token of both vocabularies.
    const rec = readResults(out);
    expect(rec.config.maxSourceLen).toBe(9);
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    expect(JSON.stringify(spec)).toContain('"\\""');
    // Every key of the run's data is documented: in docs/CLI.md's seq2seq section and the schema's description of data.
    const cli = readFileSync(path.join(REPO_ROOT, 'docs/CLI.md'), 'utf8');
    const section = cli.slice(cli.indexOf('## `rnnlab seq2seq'), cli.indexOf('## `rnnlab translate'));
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs/results.schema.json'), 'utf8'));
    expect(Object.keys(rec.data).sort()).toEqual(['header', 'heldOutSeen', 'heldOutUnknown', 'pairs', 'path', 'skippedLong', 'sourceVocabulary', 'targetVocabulary', 'train', 'validation']);
    for (const key of Object.keys(rec.data)) {
      expect(section, key).toMatch(new RegExp(`\`(data\\.)?${key}\``));
      expect(schema.properties.data.description, key).toMatch(new RegExp(`\\b${key}\\b`));
    }
    // Said with the headline: a run refused before training says the refusal alone.
    const refused = await run(['seq2seq', '--data', file, '--out', path.join(tempDir('rnnlab-r57-quoting-run-'), 'run'), '--validation-split', '0.01', ...FAST]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^rnnlab seq2seq: error: --validation-split: [^\n]*\nRun 'rnnlab seq2seq --help' for usage\.\n$/);
    expect(refused.out).toBe('');
  }, 60_000);

  it('counts a TSV whose every side is quoted (a spreadsheet quoting all fields), and leaves its pairs as written', async () => {
    const read = await readPairsFile(write('all.tsv', '"ab"\t"ba"\n"cd"\t"dc"\n'), 'all.tsv');
    expect(read.pairs.map((p) => p.source)).toEqual(['"ab"', '"cd"']);
    expect(read.spreadsheetQuoting).toEqual({ sides: 4, first: { where: 'all.tsv:1', side: 'source', text: '"ab"' } });
  });

  it('finds no quoting where quotes are the data: a quote used otherwise, or quoted sides without doubled quotes among plain ones', async () => {
    const mixed = await readPairsFile(write('m.tsv', '"""aba"""\tx\nshe said "hi"\ty\n'), 'm.tsv');
    expect(mixed.pairs[0].source).toBe('"""aba"""');
    expect(mixed.spreadsheetQuoting).toBeNull();
    expect((await readPairsFile(write('t.tsv', 'abc\t"abc"\nde\t"de"\n'), 't.tsv')).spreadsheetQuoting).toBeNull();
    expect((await readPairsFile(write('p.tsv', 'abc\tcba\nde\ted\n'), 'p.tsv')).spreadsheetQuoting).toBeNull();
  });

  it('the way the note offers: the same pairs as CSV are read with CSV quoting rules, unquoted', async () => {
    const read = await readPairsFile(write('pd.csv', PANDAS_TSV.replaceAll('\t', ',')), 'pd.csv');
    expect(read.pairs.map((p) => [p.source, p.target]).slice(0, 4)).toEqual([['"aba"', '"aba"'], ['cbb', 'bbc'], ['aaa', 'aaa'], ['ab"c', 'c"ba']]);
    expect(read.spreadsheetQuoting).toBeNull();
  });
});

describe('evaluate of a seq2seq model on a spreadsheet-quoted TSV', () => {
  it('scores the sides as written and says so on stderr, as rnnlab seq2seq does', async () => {
    const file = write('pd.tsv', PANDAS_TSV);
    const out = path.join(tempDir('rnnlab-r57-quoting-eval-'), 'run');
    expect((await run(['seq2seq', '--data', file, '--out', out, ...FAST])).code).toBe(0);
    const r = await run(['evaluate', '--model', path.join(out, 'model'), '--data', file, '--samples', '1']);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`rnnlab evaluate: ${file}: 4 source/target side(s) are wholly in quotes with their inner quotes doubled (the first: ${file}:2's source """aba"""), ` +
      'as spreadsheets and pandas write a TSV field holding a quote; TSV pairs are read as written, so these quotes are scored as text. ' +
      'For the text inside them, save the pairs as CSV (a .csv file with the header line source,target, read with CSV quoting rules) or as JSON Lines (.jsonl)\n');
    // A file without such quoting is scored without the note.
    const plain = write('plain.tsv', 'abc\tcba\nba\tab\n');
    const quiet = await run(['evaluate', '--model', path.join(out, 'model'), '--data', plain, '--samples', '1']);
    expect(quiet.code).toBe(0);
    expect(quiet.err).not.toContain('wholly in quotes');
  }, 60_000);
});
