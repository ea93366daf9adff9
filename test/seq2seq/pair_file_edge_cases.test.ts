/**
 * `rnnlab seq2seq` on users' own pairs files: a file of one pair is refused naming the file (no split can work), a
 * split leaving a part empty names the file too, an auto length limit that leaves no held-out pair says it was auto,
 * a CRLF/BOM file with duplicates and tabs inside CSV text trains per side, and the same seed gives the same model.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { cleanup, expectRefused, readResults, run, tempDir } from '../cli/helpers.js';

let root = '';
const file = (name: string, content: string) => { const p = path.join(root, name); writeFileSync(p, content); return p; };
const TINY = ['--units', '4', '--embedding-dim', '2', '--epochs', '1', '--verbose', '0', '--samples', '0'];
beforeAll(() => { root = tempDir('rnnlab-files-'); });
afterAll(cleanup);

describe('too few pairs for a split', () => {
  it('a one-pair file (TSV, a TSV with a header, JSON Lines) is refused naming the file, that it holds one pair, and what to do', async () => {
    const out = path.join(root, 'one-out');
    for (const [name, content, line] of [['one.tsv', 'Go.\tVa !\n', 1], ['header.tsv', 'source\ttarget\r\nGo.\tVa !\r\n', 2], ['one.jsonl', '{"source":"Go.","target":"Va !"}\n', 1]] as const) {
      const f = file(name, content);
      for (const split of [[], ['--validation-split', '0.5']]) {
        const r = await run(['seq2seq', '--data', f, '--out', out, ...split, ...TINY]);
        expectRefused(r, 'seq2seq', new RegExp(`--data: .*${name.replace('.', '\\.')}: holds only one pair \\(.*${name.replace('.', '\\.')}:${line}\\); training and the held-out part \\(--validation-split\\) need at least one pair each: add pairs \\(2 or more\\)`), out);
      }
    }
  });

  it('a split that leaves a part empty names --validation-split and the --data file', async () => {
    const f = file('three.tsv', 'ab\tba\ncd\tdc\nef\tfe\n');
    const out = path.join(root, 'three-out');
    expectRefused(await run(['seq2seq', '--data', f, '--out', out, ...TINY]), 'seq2seq',
      /--validation-split: 0\.1 of 3 pairs leaves 0 for validation and 3 for training; both need at least one \(more pairs, or another split\) \(--data .*three\.tsv\)$/, out);
  });
});

describe('length limits', () => {
  it('auto limits that leave no held-out pair say the limit was auto (not set by the user); an explicit one does not', async () => {
    // The one held-out pair (validation split 0.25 of 4, seed 1) is the long one: it outruns the longest training pair.
    const pairs = ['ab\tba', 'cd\tdc', 'ef\tfe', `${'a'.repeat(3000)}\tb`];
    const f = file('long.tsv', pairs.join('\n') + '\n');
    const held = await trainSeq2Seq(pairs.slice(0, 3).map((l, i) => ({ source: l.split('\t')[0], target: l.split('\t')[1], where: `p${i}` })).concat([{ source: 'a'.repeat(3000), target: 'b', where: 'long' }]),
      { validationSplit: 0.25, seed: 1, epochs: 1, units: 4, embeddingDim: 2, maxSourceLen: 3000, samples: 4 });
    expect(held.samples.map((s) => s.question)).toEqual(['a'.repeat(3000)]);
    const out = path.join(root, 'long-out');
    const r = await run(['seq2seq', '--data', f, '--out', out, '--validation-split', '0.25', '--seed', '1', ...TINY]);
    expectRefused(r, 'seq2seq', /--max-source-len: no validation pair is within 2 source and 2 target tokens \(this limit was left to auto: the longest training pair's length\); give a larger limit/, out);
    const set = await run(['seq2seq', '--data', f, '--out', out, '--validation-split', '0.25', '--seed', '1', '--max-source-len', '2', ...TINY]);
    expectRefused(set, 'seq2seq', /--max-source-len: no validation pair is within 2 source and 2 target tokens$/, out);
    // The held-out pair's target is what outruns the auto limit: that limit is named, given a source limit or not.
    const longTarget = file('long-target.tsv', ['ab\tba', 'cd\tdc', 'ef\tfe', `ab\t${'b'.repeat(8)}`].join('\n') + '\n');
    for (const extra of [[], ['--max-source-len', '100']]) {
      const t = await run(['seq2seq', '--data', longTarget, '--out', out, '--validation-split', '0.25', '--seed', '1', ...extra, ...TINY]);
      expectRefused(t, 'seq2seq', /--max-target-len: no validation pair is within \d+ source and 2 target tokens \(this limit was left to auto/, out);
    }
    // Raising the limit keeps the pair, as the message says.
    const ok = await run(['seq2seq', '--data', f, '--out', out, '--validation-split', '0.25', '--seed', '1', '--max-source-len', '3000', ...TINY]);
    expect(ok.code).toBe(0);
    expect(readResults(out).data).toMatchObject({ train: 3, validation: 1, skippedLong: 0 });
  });
});

describe('a user\'s file end to end', () => {
  it('CRLF, a byte-order mark, duplicate pairs and a quoted tab in a CSV: per-side tokens, duplicates counted, the tab a source character', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `"${'abcd'[i % 4]}\t${'efgh'[(i >> 2) % 4]}",${['red', 'green', 'blue', 'gold'][i % 4]} ${['one', 'two', 'three', 'four'][(i >> 2) % 4]}`);
    const f = file('mine.csv', `\ufeffsource,target\r\n${[...rows, ...rows].join('\r\n')}\r\n`);
    const out = path.join(root, 'mine');
    const r = await run(['seq2seq', '--data', f, '--source-tokens', 'char', '--target-tokens', 'word', '--out', out, '--seed', '3', ...TINY]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^80 pairs from .*mine\.csv; char source tokens, word target tokens$/m);
    expect(r.out).toMatch(/\(\d+ of them also training pairs: the file repeats them\)/);
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    expect(spec.source.items).toContain('\t');
    expect(spec.source.items.every((t: string) => [...t].length === 1 || t.startsWith('<'))).toBe(true);
    expect(spec.target.items.slice(4).sort()).toEqual(['blue', 'four', 'gold', 'green', 'one', 'red', 'three', 'two']);
    expect(readResults(out).data.heldOutSeen).toBeGreaterThan(0);
  });

  it('the same seed trains the same model byte for byte; another seed does not', async () => {
    const f = file('seed.tsv', Array.from({ length: 30 }, (_, i) => `${'abc'[i % 3]}${'xyz'[(i >> 1) % 3]}\t${'xyz'[(i >> 1) % 3]}${'abc'[i % 3]}`).join('\n') + '\n');
    const weights = async (name: string, seed: string) => {
      const out = path.join(root, name);
      const r = await run(['seq2seq', '--data', f, '--out', out, '--seed', seed, '--attention', 'bahdanau', '--beam', '2', ...TINY]);
      expect(r.code).toBe(0);
      return { bin: readFileSync(path.join(out, 'model', 'weights.bin')), metrics: readResults(out).metrics };
    };
    const a = await weights('seed-a', '5'), b = await weights('seed-b', '5'), c = await weights('seed-c', '6');
    expect(a.bin.equals(b.bin)).toBe(true);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.bin.equals(c.bin)).toBe(false);
  });
});
