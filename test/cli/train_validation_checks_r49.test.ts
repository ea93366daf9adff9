/**
 * train --validation checks its files as a split does: training data whose label column holds a different value on
 * every row (a text column given as --label-column) is refused naming the file, and a --validation file read in the
 * wrong format says which name reads it, never --format (which reads only --data). Each refusal is a data error
 * (exit 1) that leaves --out without a file.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(cleanup);
const SMALL = ['--units', '4', '--embedding-dim', '4', '--epochs', '1', '--threads', '1', '--maxlen', '6'];
const ROWS = Array.from({ length: 30 }, (_, i) => ({ text: `film number ${i} was ${i % 2 ? 'good' : 'bad'}`, label: i % 2 ? 'pos' : 'neg' }));

function write(dir: string, name: string, body: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, body);
  return f;
}
const csv = (dir: string, name: string, rows = ROWS) => write(dir, name, ['text,label', ...rows.map((r) => `${r.text},${r.label}`)].join('\n') + '\n');
const jsonl = (dir: string, name: string) => write(dir, name, ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n');
const tsv = (dir: string, name: string) => write(dir, name, ['text\tlabel', ...ROWS.map((r) => `${r.text}\t${r.label}`)].join('\n') + '\n');

function expectDataError(r: { code: number; err: string }, message: RegExp, out: string): void {
  expect(r.code, r.err).toBe(1);
  expect(r.err).toMatch(/^rnnlab train: data error: /);
  expect(r.err).toMatch(message);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
}

describe('train --validation: every label occurring once', () => {
  const message = (file: string) => new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}: the label column 'text' holds a different value on every row \\(30 labels for 30 examples\\): is it the label\\?.*--label-column`);

  it('is refused naming the training file, as with a split', async () => {
    const dir = tempDir('rnnlab-r49-unique-');
    const data = csv(dir, 'reviews.csv'), val = csv(dir, 'val.csv', ROWS.slice(0, 10));
    const swapped = ['--text-column', 'label', '--label-column', 'text'];
    const withFile = path.join(dir, 'run-val');
    expectDataError(await run(['train', '--data', data, ...swapped, '--validation', val, ...SMALL, '--out', withFile]), message(data), withFile);
    const withSplit = path.join(dir, 'run-split');
    expectDataError(await run(['train', '--data', data, ...swapped, ...SMALL, '--out', withSplit]), message(data), withSplit);
  }, 60_000);

  it('a few rows of one example per class still train with a validation file (the threshold of the split check)', async () => {
    const dir = tempDir('rnnlab-r49-few-');
    const few = ROWS.slice(0, 4).map((r, i) => ({ text: r.text, label: `c${i}` }));
    const data = csv(dir, 'few.csv', few);
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', data, '--validation', csv(dir, 'few_val.csv', few), ...SMALL, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(path.join(out, 'results.json'))).toBe(true);
  }, 60_000);
});

describe('train --validation: a format error names the file name that reads it, not --format', () => {
  it('JSON Lines in a .txt validation file, with or without --format jsonl for --data', async () => {
    const dir = tempDir('rnnlab-r49-jsonl-');
    const data = jsonl(dir, 'reviews.jsonl'), val = jsonl(dir, 'val.txt');
    const out = path.join(dir, 'run');
    for (const format of [[], ['--format', 'jsonl']]) {
      const r = await run(['train', '--data', data, ...format, '--validation', val, ...SMALL, '--out', out]);
      expectDataError(r, /val\.txt:1: this line is a JSON object: the file looks like JSON Lines, not CSV; name the file \.jsonl to read it as JSON Lines\n$/, out);
      expect(r.err).not.toContain('--format');
    }
  }, 60_000);

  it('TSV in a .dat validation file', async () => {
    const dir = tempDir('rnnlab-r49-tsv-');
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', csv(dir, 'reviews.csv'), '--validation', tsv(dir, 'val.dat'), ...SMALL, '--out', out]);
    expectDataError(r, /val\.dat:1: no text column found .*the header holds tabs: is this TSV\? If so, name the file \.tsv\n$/, out);
    expect(r.err).not.toContain('--format');
  }, 60_000);

  it('--data keeps its --format hint', async () => {
    const dir = tempDir('rnnlab-r49-data-');
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', jsonl(dir, 'reviews.txt'), ...SMALL, '--out', out]);
    expectDataError(r, /reviews\.txt:1: .*read it as JSON Lines \(--format jsonl\) or name the file \.jsonl\n$/, out);
  }, 60_000);
});
