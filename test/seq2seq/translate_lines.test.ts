/**
 * `rnnlab translate` promises one output line per input. A model trained on CSV pairs whose targets hold a quoted
 * newline and a tab writes outputs holding them: text and TSV output stop naming the input instead of shifting
 * every later line, and --format jsonl carries them (and the attention matrix) escaped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPairs } from '../../src/seq2seq/pairs.js';
import { saveSeq2Seq } from '../../src/seq2seq/store.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { run } from '../cli/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let model = '', plain = '';
const WANT = 'a\tb\nc';

beforeAll(async () => {
  // Every target is the same two-line, tabbed text, so a few epochs learn to write it for the training sources.
  const rows = Array.from({ length: 80 }, (_, i) => `${'xy'[i % 2]}${'xyz'[i % 3]}${'zx'[(i >> 2) % 2]},"a\tb\nc"`);
  const csv = path.join(dir, 'pairs.csv');
  writeFileSync(csv, `source,target\n${rows.join('\n')}\n`);
  const pairs = await readPairs(csv, csv);
  expect(pairs[0].target).toBe(WANT);
  const r = await trainSeq2Seq(pairs, { units: 16, embeddingDim: 8, epochs: 15, batchSize: 16, lr: 0.03, samples: 0, seed: 3 });
  expect(r.greedy.exact).toBe(1);
  model = path.join(dir, 'model');
  await saveSeq2Seq(model, r.net, r.spec);
  // A plain copy model, whose outputs are one-line texts.
  const copy = Array.from({ length: 40 }, (_, i) => ({ source: 'xyz'[i % 3] + 'xy'[i % 2], target: 'xyz'[i % 3] + 'xy'[i % 2], where: `c:${i + 1}` }));
  const c = await trainSeq2Seq(copy, { units: 4, embeddingDim: 2, epochs: 1, samples: 0 });
  plain = path.join(dir, 'plain');
  await saveSeq2Seq(plain, c.net, c.spec);
}, 120_000);

describe('rnnlab translate: one line per input', () => {
  it('text and tsv stop at an output holding a line break or a tab, naming the argument or file line', async () => {
    const text = await run(['translate', '--model', model, 'xyz']);
    expect(text.code).toBe(2);
    expect(text.err).toMatch(/--format text: the output of text argument 1 holds a line break, which would break the one line per input; use --format jsonl/);
    expect(text.out).toBe('');
    const file = path.join(dir, 'in.txt');
    writeFileSync(file, '\nxyz\n');
    const tsv = await run(['translate', '--model', model, '--file', file, '--format', 'tsv']);
    expect(tsv.code).toBe(2);
    expect(tsv.err).toMatch(/--format tsv: the output of .*in\.txt:2 holds a tab/);
    expect(tsv.out).toBe('\t\n');
  });

  it('tsv refuses an input holding a tab; text format prints it, since it prints only the output', async () => {
    const tsv = await run(['translate', '--model', plain, '--format', 'tsv', 'xy', 'x\ty']);
    expect(tsv.code).toBe(2);
    expect(tsv.err).toMatch(/--format tsv: the input of text argument 2 holds a tab/);
    expect(tsv.out.split('\n')[0]).toMatch(/^xy\t/);
    const text = await run(['translate', '--model', plain, 'xy', 'x\ty']);
    expect(text.code).toBe(0);
    expect(text.out.split('\n')).toHaveLength(3);
  });

  it('a --file line over 100,000 characters (a wrong file) exits 2 naming its line, as a pairs file does', async () => {
    const file = path.join(dir, 'long.txt');
    writeFileSync(file, `xyz\n${'x'.repeat(100_001)}\n`);
    const r = await run(['translate', '--model', plain, '--file', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--file: .*long\.txt:2: line is longer than 100000 characters/);
  });

  it('every line before a bad one is translated first, including the part of a batch read before it', async () => {
    // 70 good lines (a full batch of 64 and 6 more), then a line too long: 70 outputs, then the error.
    const file = path.join(dir, 'long_late.txt');
    writeFileSync(file, `${Array.from({ length: 70 }, (_, i) => 'xyz'[i % 3] + 'xy'[i % 2]).join('\n')}\n${'x'.repeat(100_001)}\nxy\n`);
    const r = await run(['translate', '--model', plain, '--file', file, '--format', 'tsv']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/long_late\.txt:71: line is longer than 100000 characters/);
    const rows = r.out.trimEnd().split('\n').map((l) => l.split('\t')[0]);
    expect(rows).toEqual(Array.from({ length: 70 }, (_, i) => 'xyz'[i % 3] + 'xy'[i % 2]));
    // A byte that is not UTF-8 on line 71 stops the run the same way.
    writeFileSync(file, Buffer.concat([Buffer.from(`${Array.from({ length: 70 }, () => 'xy').join('\n')}\nx`), Buffer.from([0xff]), Buffer.from('y\nxy\n')]));
    const bytes = await run(['translate', '--model', plain, '--file', file, '--format', 'tsv']);
    expect(bytes.code).toBe(2);
    expect(bytes.err).toMatch(/long_late\.txt:71: byte 0xff is not UTF-8/);
    expect(bytes.out.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual(Array(70).fill('xy'));
  });

  it('jsonl carries tabs and line breaks escaped, one object per input, with the attention matrix when asked', async () => {
    const r = await run(['translate', '--model', model, '--format', 'jsonl', '--show-attention', 'xyz', '', 'yxx']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const recs = lines.map((l) => JSON.parse(l));
    expect(recs.map((x) => [x.input, x.output])).toEqual([['xyz', WANT], ['', ''], ['yxx', WANT]]);
    expect(recs[1].attention).toBeNull();
    const a = recs[2].attention;
    expect(a.source).toEqual(['y', 'x', 'x']);
    expect(a.output).toEqual([...WANT, '<end>']);
    expect(a.weights).toHaveLength(a.output.length);
    for (const row of a.weights) {
      expect(row).toHaveLength(3);
      expect(row.reduce((s: number, w: number) => s + w, 0)).toBeCloseTo(1, 4);
    }
    const bare = await run(['translate', '--model', model, '--format', 'jsonl', 'xy']);
    expect(Object.keys(JSON.parse(bare.out))).toEqual(['input', 'output', 'truncated']);
  });
});
