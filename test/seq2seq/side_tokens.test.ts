/**
 * Per-side tokens: a character-level source with a word-level target (and the reverse), as Keras's lstm_seq2seq
 * variants and tfjs-examples' translation choose per side, through the API and the CLI; a side option that
 * contradicts tokens is refused naming both; a model saved with one token kind for both sides still loads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeq2Seq, saveSeq2Seq, seq2seqModelOf } from '../../src/seq2seq/store.js';
import { resultLines } from '../../src/seq2seq/result.js';
import { trainSeq2Seq, type Seq2SeqTrainResult } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { settingsOf } from '../../src/server/runs.js';
import { cleanup, expectRefused, readResults, run, tempDir } from '../cli/helpers.js';

const NAMES = ['zero', 'one', 'two', 'three', 'four'];

/** Every string of 1 to 3 digits from 0-4 (155), paired with its digits spelled as words: '301' -> 'three zero one'. */
function digitPairs(): Pair[] {
  const strings = (n: number): string[] => (n === 0 ? [''] : strings(n - 1).flatMap((s) => [...'01234'].map((c) => s + c)));
  return [...strings(1), ...strings(2), ...strings(3)].map((s, i) => ({ source: s, target: [...s].map((c) => NAMES[+c]).join(' '), where: `digits:${i + 1}` }));
}

const FAST = { units: 32, embeddingDim: 16, epochs: 25, batchSize: 16, lr: 0.02, seed: 1, validationSplit: 0.1 };

let root = '';
let charToWord: Seq2SeqTrainResult;
beforeAll(async () => {
  root = tempDir('rnnlab-sides-');
  charToWord = await trainSeq2Seq(digitPairs(), { ...FAST, sourceTokens: 'char', targetTokens: 'word' });
}, 120_000);
afterAll(cleanup);

describe('sourceTokens / targetTokens (API)', () => {
  it('a char source with a word target: a vocabulary of characters and one of words, learnt, recorded per side', () => {
    const r = charToWord;
    expect(r.spec.source.tokens).toBe('char');
    expect(r.spec.target.tokens).toBe('word');
    expect(r.spec.source.items.slice(4).sort()).toEqual([...'01234']);
    expect(r.spec.target.items.slice(4).sort()).toEqual([...NAMES].sort());
    // '301' is 3 source tokens and 3 target tokens: the lengths are counted per side's kind.
    expect(r.spec.maxSourceLen).toBe(3);
    expect(r.spec.maxTargetLen).toBe(3);
    expect(r.config).toMatchObject({ tokens: 'char->word', sourceTokens: 'char', targetTokens: 'word' });
    expect(r.greedy.exact).toBeGreaterThan(0.6);
  });

  it('saves, reloads and translates with each side\'s kind: words out, joined by spaces', async () => {
    const dir = path.join(root, 'c2w');
    await saveSeq2Seq(dir, charToWord.net, charToWord.spec);
    const saved = JSON.parse(readFileSync(path.join(dir, 'rnnlab-seq2seq.json'), 'utf8'));
    expect([saved.source.tokens, saved.target.tokens]).toEqual(['char', 'word']);
    const m = await loadSeq2Seq(dir);
    expect([m.source.kind, m.target.kind]).toEqual(['char', 'word']);
    const [t] = translateTexts(m, ['421']);
    expect(t.sourceTokens).toEqual(['4', '2', '1']);
    expect(t.output).toBe(t.outputTokens.filter((w) => w !== '<end>').join(' '));
    expect(t.output.split(' ').every((w) => NAMES.includes(w))).toBe(true);
    // The reloaded model decodes as the trained one.
    const fresh = translateTexts(seq2seqModelOf(charToWord.net, charToWord.spec), ['421', '03', '4']);
    expect(translateTexts(m, ['421', '03', '4']).map((x) => x.output)).toEqual(fresh.map((x) => x.output));
  });

  it('a word source with a char target: words in, characters out', async () => {
    const pairs = digitPairs().map((p) => ({ ...p, source: p.target, target: p.source }));
    const r = await trainSeq2Seq(pairs, { ...FAST, tokens: undefined, sourceTokens: 'word', targetTokens: 'char' });
    expect(r.spec.source.items.slice(4).sort()).toEqual([...NAMES].sort());
    expect(r.spec.target.items.slice(4).sort()).toEqual([...'01234']);
    expect(r.greedy.exact).toBeGreaterThan(0.6);
    const [t] = translateTexts(seq2seqModelOf(r.net, r.spec), ['four two']);
    expect(t.sourceTokens).toEqual(['four', 'two']);
    expect(t.output).not.toContain(' ');
  }, 120_000);

  it('tokens sets both sides; a side option may repeat it but not contradict it (named both ways)', async () => {
    const pairs = digitPairs();
    const tiny = { units: 4, embeddingDim: 2, epochs: 1, samples: 0 };
    await expect(trainSeq2Seq(pairs, { ...tiny, tokens: 'char', targetTokens: 'word' })).rejects.toThrow(/^targetTokens: "word" contradicts tokens "char", which sets both sides/);
    await expect(trainSeq2Seq(pairs, { ...tiny, tokens: 'word', sourceTokens: 'char' })).rejects.toThrow(/^sourceTokens: "char" contradicts tokens "word"/);
    await expect(trainSeq2Seq(pairs, { ...tiny, sourceTokens: 'chars' as never })).rejects.toThrow(/^sourceTokens: must be one of char, word, got "chars"/);
    const same = await trainSeq2Seq(pairs, { ...tiny, tokens: 'word', sourceTokens: 'word' });
    expect([same.spec.source.tokens, same.spec.target.tokens, same.config.tokens]).toEqual(['word', 'word', 'word']);
    const one = await trainSeq2Seq(pairs, { ...tiny, targetTokens: 'word' });
    expect([one.spec.source.tokens, one.spec.target.tokens]).toEqual(['char', 'word']);
  });

  it('each side is checked with its own kind: an empty word target and a special-token word are refused, as characters they are fine', async () => {
    const base = digitPairs().slice(0, 20);
    const tiny = { units: 4, embeddingDim: 2, epochs: 1, samples: 0, validationSplit: 0.5 };
    await expect(trainSeq2Seq([...base, { source: '12', target: ' ', where: 'mine:3' }], { ...tiny, sourceTokens: 'char', targetTokens: 'word' })).rejects.toThrow(/^mine:3: the target has no words/);
    await expect(trainSeq2Seq([...base, { source: '12', target: 'one <end>', where: 'mine:4' }], { ...tiny, targetTokens: 'word' })).rejects.toThrow(/^mine:4: the target holds the word '<end>'/);
    // As characters, '<end>' is five characters and a space is a token.
    const ok = await trainSeq2Seq([...base, { source: '<end>', target: 'one two', where: 'mine:5' }], { ...tiny, sourceTokens: 'char', targetTokens: 'word' });
    expect(ok.counts.train + ok.counts.validation + ok.counts.skippedLong).toBe(21);
    expect(ok.spec.target.tokens).toBe('word');
  });
});

describe('the word-token hint names the side', () => {
  it('a word target of text without spaces (each sentence one word) points to --target-tokens char, not --tokens', async () => {
    const zh = ['我们', '你好', '谢谢', '再见', '早上', '晚安', '朋友', '学生'];
    // Every target is a different run of characters without spaces: as words, every held-out one is unknown.
    const pairs = Array.from({ length: 40 }, (_, i) => ({ source: String(i), target: zh[i % 8] + zh[(i >> 3) % 8] + String(i), where: `zh:${i + 1}` }));
    const r = await trainSeq2Seq(pairs, { sourceTokens: 'char', targetTokens: 'word', units: 4, embeddingDim: 2, epochs: 1, samples: 0, validationSplit: 0.25 });
    expect(r.heldOutUnknown.target).toBe(1);
    const lines = resultLines(r);
    expect(lines).toContain('(with word tokens a text without spaces, such as Chinese or Japanese, is one word; --target-tokens char reads it character by character)');
    const chars = await trainSeq2Seq(pairs, { tokens: 'char', units: 4, embeddingDim: 2, epochs: 1, samples: 0, validationSplit: 0.25 });
    expect(resultLines(chars).some((l) => l.includes('is one word'))).toBe(false);
  });
});

describe('--source-tokens / --target-tokens (CLI)', () => {
  const TSV = () => {
    const f = path.join(root, 'digits.tsv');
    writeFileSync(f, digitPairs().map((p) => `${p.source}\t${p.target}`).join('\n') + '\n');
    return f;
  };
  const TRAIN = ['--units', '32', '--embedding-dim', '16', '--epochs', '25', '--batch-size', '16', '--lr', '0.02', '--verbose', '0', '--samples', '2'];

  it('trains a char source with a word target, says so, records it, and translate reproduces it', async () => {
    const data = TSV(), out = path.join(root, 'cli-c2w');
    const r = await run(['seq2seq', '--data', data, '--source-tokens', 'char', '--target-tokens', 'word', '--out', out, ...TRAIN]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^155 pairs from .*digits\.tsv; char source tokens, word target tokens$/m);
    const rec = readResults(out);
    expect(rec.config).toMatchObject({ tokens: 'char->word', sourceTokens: 'char', targetTokens: 'word' });
    expect(rec.finding).toMatch(/char source and word target tokens/);
    // The dashboard's runs table shows a run's settings from its record: the mixed kind shows as one setting.
    expect(settingsOf(rec.config)).toMatch(/(^| )tokens=char->word( |$)/);
    expect(rec.metrics.validationExact).toBeGreaterThan(0.6);
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    expect([spec.source.tokens, spec.target.tokens]).toEqual(['char', 'word']);
    const t = await run(['translate', '--model', out, '--format', 'jsonl', '--show-attention', '301', '22']);
    expect(t.code).toBe(0);
    const recs = t.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(recs[0].attention.source).toEqual(['3', '0', '1']);
    for (const x of recs) expect(x.output.split(' ').every((w: string) => NAMES.includes(w))).toBe(true);
  });

  it('--tokens with a contradicting side flag is refused naming both; an agreeing one is accepted', async () => {
    const data = TSV(), out = path.join(root, 'cli-bad');
    expectRefused(await run(['seq2seq', '--data', data, '--tokens', 'word', '--source-tokens', 'char', '--out', out, ...TRAIN]), 'seq2seq',
      /--source-tokens char contradicts --tokens word, which sets both sides/, out);
    expectRefused(await run(['seq2seq', '--generate', 'date', '--count', '20', '--tokens', 'char', '--target-tokens', 'word', '--out', out, ...TRAIN]), 'seq2seq',
      /--target-tokens word contradicts --tokens char/, out);
    expectRefused(await run(['seq2seq', '--data', data, '--target-tokens', 'bytes', '--out', out, ...TRAIN]), 'seq2seq', /--target-tokens/, out);
    const ok = await run(['seq2seq', '--data', data, '--tokens', 'word', '--target-tokens', 'word', '--out', out, '--epochs', '1', '--units', '4', '--verbose', '0', '--samples', '0']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/; word tokens$/m);
    expect(readResults(out).config).toMatchObject({ tokens: 'word', sourceTokens: 'word', targetTokens: 'word' });
  });

  it('--generate keeps its task\'s kind for the side not given', async () => {
    const out = path.join(root, 'cli-gen');
    const r = await run(['seq2seq', '--generate', 'reverse-words', '--count', '40', '--source-tokens', 'char', '--out', out, '--epochs', '1', '--units', '4', '--verbose', '0', '--samples', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/; char source tokens, word target tokens$/m);
  });

  it('a model saved with one token kind for both sides (the layout before per-side flags) still loads and translates', async () => {
    const data = TSV(), out = path.join(root, 'cli-old');
    const r = await run(['seq2seq', '--data', data, '--tokens', 'char', '--out', out, '--epochs', '2', '--units', '8', '--verbose', '0', '--samples', '0']);
    expect(r.code).toBe(0);
    const file = path.join(out, 'model', 'rnnlab-seq2seq.json');
    const spec = JSON.parse(readFileSync(file, 'utf8'));
    // Written by hand as the old writer laid it out: the same fields, one kind given twice, nothing new.
    const old = { format: 'rnnlab-seq2seq', version: 1, architecture: spec.architecture, source: { tokens: 'char', items: spec.source.items },
      target: { tokens: 'char', items: spec.target.items }, maxSourceLen: spec.maxSourceLen, maxTargetLen: spec.maxTargetLen, metrics: spec.metrics };
    expect(Object.keys(spec).sort()).toEqual(Object.keys(old).sort());
    const before = await run(['translate', '--model', out, '--format', 'tsv', '301', '4']);
    writeFileSync(file, JSON.stringify(old, null, 1) + '\n');
    const m = await loadSeq2Seq(out);
    expect([m.source.kind, m.target.kind]).toEqual(['char', 'char']);
    const after = await run(['translate', '--model', out, '--format', 'tsv', '301', '4']);
    expect(after.code).toBe(0);
    expect(after.out).toBe(before.out);
    // Both sides still read by characters: the target vocabulary is single characters (its space included).
    expect(m.target.items.slice(4).every((t) => [...t].length === 1)).toBe(true);
    expect(m.target.items).toContain(' ');
  });
});
