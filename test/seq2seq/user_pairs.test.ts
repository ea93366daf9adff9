/**
 * What a user bringing their own pairs runs into: a TSV that starts with a `source<TAB>target` header, Tatoeba's
 * three-column lines, pairs the file repeats (held out and trained on at once), option names the trainer does not
 * know, and CJK, emoji or control characters in the printed samples and attention heatmaps.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attentionHeatmap, displayWidth } from '../../src/seq2seq/heatmap.js';
import { readPairs, type Pair } from '../../src/seq2seq/pairs.js';
import { sampleLines } from '../../src/seq2seq/result.js';
import { loadSeq2Seq, saveSeq2Seq } from '../../src/seq2seq/store.js';
import { trainSeq2Seq, type Seq2SeqTrainOptions } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { readResults, run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();

const TINY = { units: 8, embeddingDim: 4, epochs: 1, batchSize: 16 };

/** Strings over a small alphabet and their reversals, all distinct. */
function reversals(n: number, alphabet: readonly string[]): Pair[] {
  return Array.from({ length: n }, (_, i) => {
    const s = Array.from({ length: 1 + (i % 4) }, (_, k) => alphabet[Math.floor(i / 4 ** k) % alphabet.length]).join('') + alphabet[i % alphabet.length];
    return { source: `${s}${i}`, target: `${i}${[...s].reverse().join('')}`, where: `gen:${i + 1}` };
  });
}

describe('TSV pairs files', () => {
  it('a first line source<TAB>target is a header, not a pair; the same words further down are a pair', async () => {
    const f = file('h.tsv', '\ufeffSource\tTarget\r\nab\tba\r\nsource\ttarget\r\n');
    const pairs = await readPairs(f, 'h.tsv');
    expect(pairs.map((p) => [p.source, p.target, p.where])).toEqual([['ab', 'ba', 'h.tsv:2'], ['source', 'target', 'h.tsv:3']]);
    await expect(readPairs(file('only.tsv', 'source\ttarget\n'), 'only.tsv')).rejects.toThrow(/^only\.tsv: no pairs \(only a header\); expected source<TAB>target lines/);
    await expect(readPairs(file('only.csv', 'source,target\r\n\r\n'), 'only.csv')).rejects.toThrow(/^only\.csv: no pairs \(only a header\); expected rows with 'source' and 'target'/);
  });

  it("a Tatoeba line (a third, attribution column, as in Keras's fra.txt) is refused with how to keep the pair", async () => {
    const f = file('fra.txt', 'Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272\n');
    await expect(readPairs(f, 'fra.txt')).rejects.toThrow(/^fra\.txt:1: more than one tab; .* keep the first two columns with e\.g\. cut -f1,2$/);
  });
});

describe('trainSeq2Seq options', () => {
  const pairs = reversals(20, ['a', 'b']);
  it('refuses a misspelt option and a kind it does not build, by name, before training', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ maxLen: 5 }, /^maxLen: is not an option of trainSeq2Seq \(options: tokens, rnn, .*maxTargetLen/],
      [{ rnn: 'simple' }, /^rnn: must be one of lstm, gru, got "simple"/],
      [{ attention: 'dot' }, /^attention: must be one of luong, bahdanau, none, got "dot"/],
      [{ tokens: 'chars' }, /^tokens: must be one of char, word, got "chars"/],
      [{ lr: 0 }, /^lr: must be a number > 0 that float32 holds \(about 3.4e38 at most\), got 0/],
      [{ seed: 1.5 }, /^seed: must be an integer, got 1.5/],
    ];
    for (const [o, msg] of bad) await expect(trainSeq2Seq(pairs, { ...TINY, ...o } as Seq2SeqTrainOptions)).rejects.toThrow(msg);
  });
});

describe('pairs the file repeats', () => {
  it('counts the held-out pairs that are also training pairs (from the held-out pairs themselves), 0 for distinct pairs', async () => {
    const distinct = reversals(30, ['a', 'b', 'c']);
    const twice = [...distinct, ...distinct.slice(0, 15)];
    const r = await trainSeq2Seq(twice, { ...TINY, validationSplit: 0.4, samples: 1000, seed: 4 });
    expect(r.samples).toHaveLength(r.counts.validation);
    const inFile = (q: string, t: string) => twice.filter((p) => p.source === q && p.target === t).length;
    const heldOut = (q: string, t: string) => r.samples.filter((s) => s.question === q && s.truth === t).length;
    const expected = r.samples.filter((s) => inFile(s.question, s.truth) > heldOut(s.question, s.truth)).length;
    expect(expected).toBeGreaterThan(0);
    expect(r.counts.heldOutSeen).toBe(expected);
    const clean = await trainSeq2Seq(distinct, { ...TINY, validationSplit: 0.4, samples: 0, seed: 4 });
    expect(clean.counts.heldOutSeen).toBe(0);
  });

  it('rnnlab seq2seq says so, reads a TSV header as a header, and records both in results.json', async () => {
    const distinct = reversals(30, ['a', 'b', 'c']);
    const lines = [...distinct, ...distinct].map((p) => `${p.source}\t${p.target}`);
    const f = file('twice.tsv', `source\ttarget\n${lines.join('\n')}\n`);
    const out = path.join(dir, 'run-twice');
    const r = await run(['seq2seq', '--data', f, '--out', out, '--units', '8', '--embedding-dim', '4', '--epochs', '1', '--samples', '0',
      '--validation-split', '0.5', '--verbose', '0']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rec = readResults(out);
    expect(rec.data.pairs).toBe(60);
    expect(rec.data.heldOutSeen).toBeGreaterThan(0);
    expect(r.out).toContain(`30 held-out pairs (${rec.data.heldOutSeen} of them also training pairs: the file repeats them)`);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain(`30 held-out pairs (${rec.data.heldOutSeen} of them also training pairs)`);
    // The header's letters are in neither vocabulary: no pair holds 's', 'o', 'u', 'r', 'e', 't' or 'g'.
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    for (const side of [spec.source, spec.target]) expect(side.items.filter((t: string) => /^[souretg]$/.test(t))).toEqual([]);
  });
});

describe('CJK, emoji and control characters on the terminal', () => {
  it('the heatmap keeps its columns under wide characters, and draws a newline or tab token as a picture', () => {
    const lines = attentionHeatmap(['日', '本', 'a', '😀'], ['本', '<end>'], [[0, 1, 0, 0], [0, 0, 0, 1]]);
    expect(lines[0]).toBe('      │日 本 a  😀');
    expect(lines[2]).toBe('本    │   ██      ');
    expect(lines[3]).toBe('<end> │         ██');
    for (const l of lines) expect(displayWidth(l)).toBe(displayWidth(lines[0]));
    const ctl = attentionHeatmap(['a', '\n', '\t'], ['\n', '<end>'], [[0, 1, 0], [1, 0, 0]]);
    expect(ctl[0]).toBe('      │a␊␉');
    expect(ctl[2]).toBe('␊     │ █ ');
    expect(ctl.join('')).not.toMatch(/[\n\t]/);
  });

  it('the printed samples line up their True and Guess columns by terminal width, one line per sample', () => {
    const lines = sampleLines([
      { question: '日本語', truth: '語本日', guess: '語本日', correct: true },
      { question: 'abc', truth: 'cba', guess: 'ab', correct: false },
      { question: 'two\nlines', truth: 'x\ty', guess: 'x', correct: false },
    ]);
    expect(lines).toEqual([
      'Question 日本語    True 語本日 Guess 語本日 ☑',
      'Question abc       True cba    Guess ab ☒',
      'Question two␊lines True x␉y    Guess x ☒',
    ]);
  });
});

describe('translateTexts', () => {
  it("gives each input its own attention columns when a batch pads it to a longer input's length", async () => {
    const r = await trainSeq2Seq(reversals(60, ['a', 'b', 'c']), { ...TINY, samples: 0, seed: 2 });
    await saveSeq2Seq(path.join(dir, 'model'), r.net, r.spec);
    const m = await loadSeq2Seq(path.join(dir, 'model'));
    const inputs = ['a1', 'abcabc12', 'b'];
    const together = translateTexts(m, inputs);
    for (const [i, t] of together.entries()) {
      expect(t.sourceTokens).toHaveLength([...inputs[i]].length);
      expect(t.weights).toHaveLength(t.outputTokens.length);
      for (const row of t.weights) {
        expect(row).toHaveLength(t.sourceTokens.length);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
      const alone = translateTexts(m, [inputs[i]])[0];
      expect(t.output).toBe(alone.output);
      t.weights.forEach((row, k) => row.forEach((w, j) => expect(w).toBeCloseTo(alone.weights[k][j], 5)));
    }
  });
});
