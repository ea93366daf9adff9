/**
 * --max-vocab: each side keeps its most frequent training tokens (Keras's max_tokens), the rest read as <unk> in
 * training too; the decoder then learns to write <unk>, and decoding (and a reloaded model) may choose it.
 * A held-out target word left out of the target vocabulary reads as <unk>; the model writing <unk> there has not
 * written the word, so neither the scores nor a sample's ☑ count it as right. The capped copy model is trained once
 * (beforeAll) for every check on it: the training is the slow part, and each check reads a different property.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSeed } from '../../src/random.js';
import { beamSearch, greedyDecode, type Decoding } from '../../src/seq2seq/decode.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import { resultLines, sampleLines } from '../../src/seq2seq/result.js';
import { checkSpec, loadSeq2Seq, saveSeq2Seq } from '../../src/seq2seq/store.js';
import { isExactMatch, scoreDecodings, trainSeq2Seq, type Seq2SeqTrainResult } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { UNKNOWN, Vocab } from '../../src/seq2seq/vocab.js';
import type { Tensor } from '../../src/tensor.js';
import { readResults, run, schemaProblems } from '../cli/helpers.js';
import { copyPairs } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Vocab.fromTexts with a size', () => {
  it('keeps the most frequent tokens (ties: the higher code point, as Keras), in order of first appearance; the rest are <unk>', () => {
    const v = Vocab.fromTexts(['c b a', 'a b', 'a d d d'], 'word', 6);
    expect(v.items.slice(4)).toEqual(['a', 'd']);
    expect(v.encode('c a d b')).toEqual([UNKNOWN, 4, 5, UNKNOWN]);
    expect(Vocab.fromTexts(['y x', 'x y'], 'word', 5).items.slice(4)).toEqual(['y']);
    // Tied at one each: Keras keeps 'y' (lexsort reversed), whichever is seen first.
    expect(Vocab.fromTexts(['x y'], 'word', 5).items.slice(4)).toEqual(['y']);
    expect(Vocab.fromTexts(['\uFFFD \u{1F600} a a'], 'word', 6).items.slice(4)).toEqual(['\u{1F600}', 'a']);
    expect(Vocab.fromTexts(['ab'], 'char', 100).items.slice(4)).toEqual(['a', 'b']);
  });
});

describe('decoding with <unk> targets', () => {
  it('chooses <unk> only when training targets held it', () => {
    setSeed(4);
    const net = buildSeq2Seq({ rnn: 'gru', bidirectionalEncoder: false, layers: 1, units: 6, embeddingDim: 4, attention: 'luong', sourceVocabSize: 8, targetVocabSize: 7 });
    const dense = (net.layers.output as unknown as { layer: { getWeights(): Tensor[]; setWeights(w: (Tensor | Float32Array)[]): void } }).layer;
    const [kernel, bias] = dense.getWeights();
    const b = Float32Array.from(bias.values as Float32Array);
    b[UNKNOWN] += 20;
    dense.setWeights([kernel, b]);
    const sources = [[4, 5, 6], [7, 4]];
    for (const d of greedyDecode(net.layers, sources, { maxSteps: 3 })) expect(d.ids).not.toContain(UNKNOWN);
    const o = { maxSteps: 3, unknownTargets: true };
    for (const d of greedyDecode(net.layers, sources, o)) expect(d.ids).toEqual([UNKNOWN, UNKNOWN, UNKNOWN]);
    expect(beamSearch(net.layers, sources, 1, o)).toEqual(greedyDecode(net.layers, sources, o));
  });
});

/** Copy three words: six frequent ones, and 150 rare ones seen once each, which a capped vocabulary reads as <unk>. */
describe('training with a capped vocabulary', () => {
  let r: Seq2SeqTrainResult;
  beforeAll(async () => {
    r = await trainSeq2Seq(copyPairs(), { tokens: 'word', maxVocab: 10, units: 24, embeddingDim: 8, epochs: 12, batchSize: 16, lr: 0.02, samples: 1000, seed: 3 });
  });

  it('learns to copy <unk>; the saved model says so and writes <unk> for a word it never saw', async () => {
    expect(r.spec.source.items).toHaveLength(10);
    expect(r.spec.target.items.slice(4).sort()).toEqual(['blue', 'cyan', 'gold', 'green', 'pink', 'red']);
    expect(r.spec.unknownTargets).toBe(true);
    expect(r.config.maxVocab).toBe(10);
    const copied = r.samples.filter((s) => s.guess === s.truth.replace(/rare\d+/, '<unk>'));
    expect(copied.length / r.samples.length).toBeGreaterThan(0.8);
    // <unk> is not the word it stands for: only held-out pairs without a rare word can score as right.
    expect(r.greedy.exact).toBeLessThanOrEqual(r.samples.filter((s) => !/rare/.test(s.truth)).length / r.samples.length);
    await saveSeq2Seq(path.join(dir, 'capped'), r.net, r.spec);
    const m = await loadSeq2Seq(path.join(dir, 'capped'));
    expect(m.spec.unknownTargets).toBe(true);
    expect(translateTexts(m, ['gold zebra red'])[0].output).toBe('gold <unk> red');
  });

  it('a model that copies <unk> gets no credit for held-out pairs with a rare word; their samples read ☒', () => {
    expect(r.samples).toHaveLength(r.counts.validation);
    const rare = r.samples.filter((s) => /rare/.test(s.truth));
    // The model did learn to write <unk> where the rare word was: the case the old scoring counted as right.
    const unkCopied = rare.filter((s) => s.guess === s.truth.replace(/rare\d+/, '<unk>'));
    expect(unkCopied.length).toBeGreaterThan(rare.length / 2);
    for (const s of rare) expect(s.correct).toBe(false);
    expect(r.greedy.exact).toBeLessThanOrEqual(1 - rare.length / r.samples.length);
    expect(r.greedy.exact).toBeCloseTo(r.samples.filter((s) => s.correct).length / r.samples.length, 10);
    // Per token, a rare word's position is never right: at most 3 of the 4 (three words and <end>).
    const commonOnly = r.samples.length - rare.length;
    expect(r.greedy.perToken).toBeLessThanOrEqual((4 * commonOnly + 3 * rare.length) / (4 * r.samples.length) + 1e-12);
    const line = sampleLines([unkCopied[0]])[0];
    expect(line).toMatch(/True \S+ rare\d+ \S+ +Guess \S+ <unk> \S+ ☒$/);
  });
});

describe('rnnlab seq2seq --max-vocab', () => {
  it('rnnlab seq2seq --max-vocab records it; under 5 is refused by name', async () => {
    const file = path.join(dir, 'copy.tsv');
    writeFileSync(file, copyPairs().map((p) => `${p.source}\t${p.target}\n`).join(''));
    const out = path.join(dir, 'run');
    const ok = await run(['seq2seq', '--data', file, '--tokens', 'word', '--max-vocab', '8', '--out', out, '--units', '4', '--embedding-dim', '2', '--epochs', '1', '--samples', '0', '--verbose', '0']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(schemaProblems(readResults(out))).toEqual([]);
    expect(readResults(out).config.maxVocab).toBe(8);
    expect(readResults(out).data.targetVocabulary).toBe(8);
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    expect(spec.unknownTargets).toBe(true);
    expect(() => checkSpec({ ...spec, unknownTargets: 'yes' }, 'spec.json')).toThrow(/spec\.json: field 'unknownTargets'.*true or false/);
    const bad = await run(['seq2seq', '--data', file, '--max-vocab', '4', '--epochs', '1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-vocab must be an integer from 5/);
  });
});

/** A decoding as scoring reads it: only its ids and whether it ended. */
const decoding = (ids: number[], ended = true): Decoding => ({ ids, ended, attention: [], logProb: 0, score: 0 });

describe('scoring a truth that holds <unk>', () => {
  const target = Vocab.fromTexts(['gold red', 'gold red', 'blue'], 'word', 6);
  const truth = target.encode('gold zebra red');

  it('does not count an output <unk> as the word it stands for', () => {
    expect(truth).toEqual([4, UNKNOWN, 5]);
    const guess = decoding(target.encode('gold <unk> red'));
    // gold, red and <end> right; zebra not.
    expect(scoreDecodings([guess], [truth])).toEqual({ perToken: 3 / 4, exact: 0 });
    expect(isExactMatch(guess, truth)).toBe(false);
  });

  it('scores a truth without <unk> as before', () => {
    const t = target.encode('gold red');
    const right = decoding([...t]);
    const unended = decoding([...t], false);
    expect(scoreDecodings([right, unended], [t, t])).toEqual({ perToken: 5 / 6, exact: 1 / 2 });
    expect(isExactMatch(right, t)).toBe(true);
    expect(isExactMatch(unended, t)).toBe(false);
  });
});

describe('the unknown-token hint names the cause it can tell', () => {
  const result = (config: Record<string, unknown>) => ({
    greedy: { perToken: 0.5, exact: 0.1 }, beam: null, heldOutUnknown: { source: 0.6, target: 0.1 },
    config: { tokens: 'word', sourceTokens: 'word', targetTokens: 'word', ...config },
  }) as unknown as Seq2SeqTrainResult;

  it('with --max-vocab it says the limit cut tokens to <unk>, not that the text may lack spaces', () => {
    const cut = resultLines(result({ maxVocab: 20 })).join('\n');
    expect(cut).toContain("(--max-vocab 20 kept each side's 16 most frequent training tokens; the others read as <unk>)");
    expect(cut).not.toContain('Chinese');
    expect(resultLines(result({ maxVocab: null })).join('\n')).toContain('such as Chinese or Japanese, is one word');
  });
});
