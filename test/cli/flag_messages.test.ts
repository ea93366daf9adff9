/**
 * The CLI's flags and the messages of train / evaluate / predict / seq2seq: every message names only flags the
 * running command has, --no-<flag> works for every boolean flag, sizes are capped, usage errors exit 2 before any
 * output, and the data counts (bad rows, --limit, predict's lines) are exact.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { run } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-flag-messages-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function file(name: string, content: string): string {
  const p = path.join(root, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}
const outDir = () => path.join(root, `out-${n++}`);
const TINY = ['--epochs', '1', '--units', '4', '--embedding-dim', '4', '--batch-size', '16'];
const examples = (out: string) => /Examples: (\d+) train, (\d+) validation(?:, (\d+) bad rows skipped)?/.exec(out);

/** Two-class data: 20 per class. */
const twoClass = () => writeCsv(root, `two-${n++}.csv`, topicTexts(20, 1, ['arts', 'sports']));
let model = '';

beforeAll(async () => {
  model = outDir();
  const r = await run(['train', '--data', writeCsv(root, 'binary.csv', topicTexts(20, 2, ['arts', 'sports']).map((r) => ({ ...r, label: r.label === 'arts' ? '0' : '1' }))),
    ...TINY, '--out', model]);
  expect(r.code, r.err).toBe(0);
}, 60_000);

describe('stray quotes in train data (defect 1)', () => {
  it('TSV: a leading quote and a quote inside a field are text, so no rows merge', async () => {
    const lines = ['text\tlabel'];
    const rows = topicTexts(10, 3, ['arts', 'sports']);
    rows.forEach((r, i) => lines.push(i === 5 ? `"Best film ever, 10/10 ${r.text}\t${r.label}` : i === 9 ? `She said "meh" and left ${r.text}\t${r.label}` : `${r.text}\t${r.label}`));
    const r = await run(['train', '--data', file('quotes.tsv', `${lines.join('\n')}\n`), ...TINY, '--validation-split', '0.2', '--out', outDir()]);
    expect(r.code, r.err).toBe(0);
    const m = examples(r.out)!;
    expect(Number(m[1]) + Number(m[2])).toBe(rows.length);
  });

  it('CSV: an unclosed quote stops train naming the line it opened on; --skip-bad-rows counts each bad row', async () => {
    const rows = topicTexts(10, 4, ['arts', 'sports']).map((r) => `"${r.text}",${r.label}`);
    rows[3] = `"good one,${'arts'}`;
    rows[4] = `"bad one,${'sports'}`;
    const f = file('stray.csv', `text,label\n${rows.join('\n')}\n`);
    const r = await run(['train', '--data', f, ...TINY, '--out', outDir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`stray\\.csv:5: a quoted field opens here, but the quote that ends it \\(on line 6\\).*\\(skip such rows with --skip-bad-rows\\)\\n$`));
    const s = await run(['train', '--data', f, ...TINY, '--skip-bad-rows', '--validation-split', '0.2', '--out', outDir()]);
    expect(s.code, s.err).toBe(0);
    const m = examples(s.out)!;
    expect([Number(m[1]) + Number(m[2]), Number(m[3])]).toEqual([18, 2]);
  });
});

describe('messages name only the running command\'s flags (defect 2)', () => {
  it('predict: an empty text in a CSV does not suggest --skip-bad-rows', async () => {
    const r = await run(['predict', '--model', model, '--file', file('p.csv', 'text\nfine\n""\n')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/p\.csv:3: empty text in column 'text'\n$/);
    expect(r.err).not.toMatch(/skip|skipBadRows/);
    expect(r.out).toBe('');
  });

  it('seq2seq: a ragged CSV and a TSV read as CSV name no train flags', async () => {
    const ragged = await run(['seq2seq', '--data', file('r.csv', 'source,target\na,b\nc,d,e\n'), '--out', outDir()]);
    expect(ragged.code).toBe(2);
    expect(ragged.err).toMatch(/r\.csv:3: wrong number of fields: 3, the header has 2 \(a missing quote or separator\?\)\n/);
    expect(ragged.err).not.toMatch(/skip/);
    const tsv = await run(['seq2seq', '--data', file('t.tsv', 'source\ttarget\na\tb\n'), '--pairs-format', 'csv', '--out', outDir()]);
    expect(tsv.code).toBe(2);
    expect(tsv.err).toMatch(/is this TSV \(--pairs-format tsv\)\?/);
    expect(tsv.err).not.toMatch(/--format|format '/);
  });

  it('train --validation: a label outside the training classes suggests no --label-map', async () => {
    const val = writeCsv(root, 'val.csv', topicTexts(3, 5, ['arts', 'sports']).map((r) => ({ ...r, label: r.label === 'arts' ? 'neg' : 'pos' })));
    const train = writeCsv(root, 'train01.csv', topicTexts(10, 5, ['arts', 'sports']).map((r) => ({ ...r, label: r.label === 'arts' ? '0' : '1' })));
    const r = await run(['train', '--data', train, '--validation', val, ...TINY, '--out', outDir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/val\.csv:2: label '(neg|pos)' is not one of the training data's classes \(0, 1\)\n$/);
    expect(r.err).not.toMatch(/label-map|labelMap/);
  });
});

describe('--no-<flag> and --flag=false (defect 3)', () => {
  it('train and evaluate take --no-mask-zero, --no-bucket, --no-skip-bad-rows and --mask-zero=false', async () => {
    const data = twoClass();
    const t = await run(['train', '--data', data, ...TINY, '--no-mask-zero', '--no-bucket', '--no-skip-bad-rows', '--mask-zero=false', '--no-early-stopping', '--out', outDir()]);
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const on = await run(['train', '--data', data, ...TINY, '--mask-zero=true', '--bucket', '--out', outDir()]);
    expect(on.code, on.err).toBe(0);
    // A flag with an optional value is switched by the same words: --early-stopping=false is --no-early-stopping.
    const offDir = outDir();
    const off = await run(['train', '--data', data, ...TINY, '--validation-split', '0.25', '--early-stopping=false', '--out', offDir]);
    expect(off.code, off.err).toBe(0);
    const config = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')).config;
    expect(config(offDir).earlyStopping).toBe(null);
    const onDir = outDir(), threeDir = outDir();
    expect((await run(['train', '--data', data, ...TINY, '--validation-split', '0.25', '--early-stopping=yes', '--out', onDir])).code).toBe(0);
    expect((await run(['train', '--data', data, ...TINY, '--validation-split', '0.25', '--early-stopping=3', '--out', threeDir])).code).toBe(0);
    expect([config(onDir).earlyStopping, config(threeDir).earlyStopping]).toEqual([2, 3]);
    const e = await run(['evaluate', '--model', model, '--data', data, '--no-skip-bad-rows', '--label-map', 'arts=0,sports=1', '--out', outDir()]);
    expect(e.code, e.err).toBe(0);
  });

  it('a bad boolean value names the flag the user typed', async () => {
    const bad = await run(['train', '--data', twoClass(), '--mask-zero=maybe']);
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/^rnnlab train: error: --mask-zero expects true or false, got 'maybe'\n/) });
    const neg = await run(['train', '--data', twoClass(), '--no-mask-zero=1']);
    expect(neg).toMatchObject({ code: 2, err: expect.stringMatching(/--no-mask-zero takes no value/) });
  });
});

describe('size caps (defect 4)', () => {
  it.each([['--maxlen', ' or auto'], ['--embedding-dim', ''], ['--units', '']])('train %s 99999999999 is refused with exit 2', async (flag, auto) => {
    const r = await run(['train', '--data', twoClass(), flag, '99999999999', '--out', outDir()]);
    expect(r.code).toBe(2);
    const range = auto ? 'a positive integer up to 100000' : 'an integer from 1 to 100000';
    expect(r.err).toMatch(new RegExp(`^rnnlab train: error: ${flag} must be ${range}${auto}, got '99999999999'`));
  });

  it('seq2seq caps --max-source-len and --units', async () => {
    const pairs = file('p.tsv', 'a\tb\nc\td\n');
    expect(await run(['seq2seq', '--data', pairs, '--max-source-len', '99999999999'])).toMatchObject({ code: 2, err: expect.stringMatching(/--max-source-len must be a positive integer up to 100000 or auto/) });
    expect(await run(['seq2seq', '--data', pairs, '--units', '99999999999'])).toMatchObject({ code: 2, err: expect.stringMatching(/--units must be an integer from 1 to 4096/) });
  });
});

describe('blame and flag names (defect 5)', () => {
  it('free text as the label: blames --label-column', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `some text,review number ${i} is unique,${i % 2}`);
    const r = await run(['train', '--data', file('free.csv', `text,review,label\n${rows.join('\n')}\n`), '--label-column', 'review', '--out', outDir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/free\.csv: the label column 'review' holds a different value on every row \(30 labels for 30 examples\).*--label-column/);
    expect(r.err).not.toMatch(/validationSplit/);
  });

  it('a tiny file names --validation-split and --validation', async () => {
    const r = await run(['train', '--data', file('three.csv', 'text,label\na b,x\nc d,y\ne f,z\n'), '--out', outDir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/three\.csv: --validation-split 0\.1 holds out no example: each of the 3 labels occurs once.*--validation\n/);
  });

  it('evaluate --label-map to no class of the model is a usage error naming --label-map', async () => {
    const r = await run(['evaluate', '--model', model, '--data', twoClass(), '--label-map', '0=x', '--out', outDir()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab evaluate: error: --label-map: '0=x': 'x' is not one of the model's classes \(0, 1\)\nRun 'rnnlab evaluate --help' for usage\.\n$/);
  });

  it('predict --top-k above the classes: exit 2 naming --top-k, nothing printed', async () => {
    for (const extra of [['a text'], ['--file', file('lines.txt', 'one\ntwo\n')]]) {
      const r = await run(['predict', '--model', model, '--top-k', '5', ...extra]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^rnnlab predict: error: --top-k must be from 1 to 2 for this model \(classes 0, 1\), got '5'/);
    }
  });

  it('evaluate: pos/neg are matched by polarity, so the third label is the one blamed', async () => {
    const f = file('pnm.csv', 'text,label\nmuseum opera,neg\nfootball goal,pos\nsomething else,mid\n');
    const r = await run(['evaluate', '--model', model, '--data', f, '--out', outDir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/pnm\.csv:4: label 'mid' is not one of the model's classes \(0, 1\); map labels with --label-map\n$/);
  });
});

describe('--limit N trains on exactly N examples (defect 6)', () => {
  it.each([[5], [11], [99]])('2 classes, --limit %i', async (limit) => {
    const data = writeCsv(root, `lim-${limit}.csv`, topicTexts(70, 6, ['arts', 'sports']));
    const r = await run(['train', '--data', data, ...TINY, '--limit', String(limit), '--out', outDir()]);
    expect(r.code, r.err).toBe(0);
    expect(Number(examples(r.out)![1])).toBe(limit);
  });

  it('3 classes: exact counts; fewer than the classes is refused naming --limit', async () => {
    const data = writeCsv(root, 'lim3.csv', topicTexts(40, 7));
    for (const limit of [7, 100]) {
      const r = await run(['train', '--data', data, ...TINY, '--limit', String(limit), '--out', outDir()]);
      expect(r.code, r.err).toBe(0);
      expect(Number(examples(r.out)![1])).toBe(limit);
    }
    const one = await run(['train', '--data', data, ...TINY, '--limit', '1', '--out', outDir()]);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/--limit: 1 is below the 3 classes/);
  });
});

describe('predict --file keeps blank lines in line (defect 7)', () => {
  it('a blank line gives an empty output in every format', async () => {
    const f = file('blanks.txt', 'museum opera\n\nfootball goal\n   \nlast one\n');
    const jsonl = await run(['predict', '--model', model, '--file', f, '--format', 'jsonl']);
    expect(jsonl.code, jsonl.err).toBe(0);
    const recs = jsonl.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(recs.map((r) => r.text)).toEqual(['museum opera', '', 'football goal', '   ', 'last one']);
    expect(recs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(recs[1]).toMatchObject({ label: null, probability: null, probabilities: {} });
    expect(recs[2].label).toMatch(/^[01]$/);
    const csv = (await run(['predict', '--model', model, '--file', f, '--format', 'csv'])).out.split('\n');
    expect(csv).toHaveLength(1 + 5 + 1);
    expect(csv[2]).toBe(',,,,');
    const table = (await run(['predict', '--model', model, '--file', f])).out.split('\n');
    expect(table).toHaveLength(1 + 5 + 1);
    expect(table[2]).toBe('');
    expect(table[3]).toMatch(/"football goal"/);
  });
});

describe('seq2seq --validation-split range (defect 8)', () => {
  it.each([['1'], ['0'], ['1.5']])('--validation-split %s names the real range', async (v) => {
    const r = await run(['seq2seq', '--generate', 'date', '--validation-split', v]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`--validation-split must be a number in \\(0, 1\\), got '${v.replace('.', '\\.')}'`));
  });
});

describe('questionable items', () => {
  it('a value flag given twice is refused naming it; booleans may repeat', async () => {
    const r = await run(['train', '--data', twoClass(), '--epochs', '1', '--epochs', '2']);
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/^rnnlab train: error: --epochs is given more than once; give it once\n/) });
    expect(await run(['seq2seq', '--generate', 'date', '--units=4', '--units', '8'])).toMatchObject({ code: 2, err: expect.stringMatching(/--units is given more than once/) });
    // After --, a text that looks like a flag is only a text.
    const p = await run(['predict', '--model', model, '--format', 'jsonl', '--', '--format', '--format']);
    expect(p.code, p.err).toBe(0);
  });

  it('train --seed takes any integer, as seq2seq and imdb do', async () => {
    for (const seed of ['0', '-1']) {
      const r = await run(['train', '--data', twoClass(), ...TINY, '--seed', seed, '--out', outDir()]);
      expect(r.code, r.err).toBe(0);
    }
    expect(await run(['train', '--data', twoClass(), '--seed', '1.5'])).toMatchObject({ code: 2, err: expect.stringMatching(/--seed expects an integer, got '1\.5'/) });
    // An integer past 2^53 - 1 is refused for its size, not as "not an integer".
    expect(await run(['train', '--data', twoClass(), '--seed', '9007199254740993'])).toMatchObject({ code: 2,
      err: expect.stringMatching(/--seed must be an integer between -9007199254740991 and 9007199254740991, got '9007199254740993'/) });
  });

  it('CSV labels 1 and 1.0 are one class', async () => {
    const rows = topicTexts(10, 8, ['arts', 'sports']).map((r, i) => ({ ...r, label: r.label === 'arts' ? '0' : i % 4 === 1 ? '1.0' : '1' }));
    const r = await run(['train', '--data', writeCsv(root, 'onezero.csv', rows), ...TINY, '--out', outDir()]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Classes: 0, 1 \(sigmoid head\)/);
  });

  it('--text-column and --label-column naming one column is refused', async () => {
    // Both flags name it: a conflict of the flags, refused before the data is read (exit 2), naming both.
    const r = await run(['train', '--data', twoClass(), '--text-column', 'text', '--label-column', 'text', '--out', outDir()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab train: error: --text-column and --label-column both name the column 'text'; the text and the label must be two columns\n/);
  });
});
