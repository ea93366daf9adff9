/**
 * A user's own seq2seq problems through the API: sorting digits (characters), dates in many spellings to ISO
 * (tfjs-examples' date-conversion-attention), reversing word order (words). Each learns past an exact-match bar on
 * held-out pairs, the same numbers for the same seed; a saved model reloads and decodes the same, also inputs
 * longer than any in training, with unknown characters, and a file with a byte-order mark, CRLF and blank lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { Random } from '../../src/random.js';
// The library's seq2seq entry point (src/seq2seq/index.ts), as a user would import it.
import {
  beamDecode, generatePairs, greedyDecode, loadSeq2Seq, saveSeq2Seq, seq2seqModelOf, trainSeq2Seq, translateLines, translateTexts,
  type Pair, type Seq2SeqModel, type Seq2SeqTrainResult,
} from '../../src/seq2seq/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-own-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 3 to 7 digits -> the same digits in ascending order. */
function sortDigitPairs(n: number, seed: number): Pair[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, (_, i) => {
    const s = Array.from({ length: 3 + rng.int(5) }, () => String(rng.int(10))).join('');
    return { source: s, target: [...s].sort().join(''), where: `sort:${i + 1}` };
  });
}

const SORT_OPTIONS = { units: 32, embeddingDim: 16, epochs: 10, batchSize: 32, lr: 0.01, seed: 5, beam: 3 } as const;

describe('sorting digits, character tokens, Luong attention', () => {
  let r: Seq2SeqTrainResult;
  let m: Seq2SeqModel;
  beforeAll(async () => {
    r = await trainSeq2Seq(sortDigitPairs(1200, 1), SORT_OPTIONS);
    await saveSeq2Seq(path.join(dir, 'sort'), r.net, r.spec);
    m = await loadSeq2Seq(path.join(dir, 'sort'));
  });

  it('learns: exact match over 90% on held-out pairs, greedy and beam', () => {
    expect(r.counts).toEqual({ train: 1080, validation: 120, skippedLong: 0, heldOutSeen: expect.any(Number) });
    expect(r.greedy.exact).toBeGreaterThan(0.9);
    expect(r.beam!.exact).toBeGreaterThan(0.9);
    expect(r.spec.maxSourceLen).toBe(7);
  });

  it('is deterministic per seed: a second run gives the same losses and scores', async () => {
    const again = await trainSeq2Seq(sortDigitPairs(1200, 1), SORT_OPTIONS);
    expect(again.history.loss).toEqual(r.history.loss);
    expect(again.greedy).toEqual(r.greedy);
    expect(again.samples.map((s) => s.guess)).toEqual(r.samples.map((s) => s.guess));
  });

  it('the reloaded model decodes as the trained one: greedy and beam, long inputs, unknown characters, empty input', () => {
    // 23 digits (training: at most 7), letters it never saw, a lone digit, nothing.
    const inputs = ['3141592', '12345678901234567890123', '9x8y7', '0', ''];
    const sources = inputs.map((s) => m.source.encode(s)).filter((ids) => ids.length > 0);
    const opts = { maxSteps: r.spec.maxTargetLen + 1 };
    const trained = greedyDecode(r.net.layers, sources, opts).map((d) => m.target.decode(d.ids));
    const greedy = translateTexts(m, inputs);
    expect(greedy.map((t) => t.output)).toEqual([...trained, '']);
    const beam = translateTexts(m, inputs, { beam: 3 });
    expect(beam.map((t) => t.output)).toEqual([...beamDecode(r.net.layers, sources, 3, opts).map((d) => m.target.decode(d.ids)), '']);
    expect(greedy[0].output).toBe('1123459');
    // Translating the model just trained, unsaved, gives the same.
    expect(translateTexts(seq2seqModelOf(r.net, r.spec), inputs).map((t) => t.output)).toEqual(greedy.map((t) => t.output));
    // An unknown character is read as <unk> (named as written, for the attention's columns); the output still ends.
    expect(greedy[2].sourceTokens).toEqual(['9', 'x', '8', 'y', '7']);
    expect(greedy[2].outputTokens.at(-1)).toBe('<end>');
    // The 23-digit input runs to the step limit (maxTargetLen + 1 steps), written without <end>.
    expect(greedy[1].outputTokens).toHaveLength(r.spec.maxTargetLen + 1);
    expect(greedy[1].outputTokens).not.toContain('<end>');
    expect(greedy[4]).toMatchObject({ output: '', outputTokens: [], weights: [] });
  });

  it('every attention row sums to 1 over the input\'s own tokens, and padding in a batch gets no weight', () => {
    const inputs = ['5', '987654', '12345678901234567890123'];
    const sources = inputs.map((s) => m.source.encode(s));
    const decoded = greedyDecode(m.net.layers, sources, { maxSteps: r.spec.maxTargetLen + 1 });
    decoded.forEach((d, i) => {
      expect(d.attention.length).toBe(d.ids.length + (d.ended ? 1 : 0));
      for (const row of d.attention) {
        // The batch pads every source to 23 steps: the weights past this one's length are 0 (the attention layer's
        // masked softmax leaves the smallest normal float there, ~1e-38).
        expect(row).toHaveLength(23);
        expect(Math.max(0, ...row.slice(sources[i].length))).toBeLessThan(1e-30);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    });
    // Alone (no padding) or in the batch, the same output.
    expect(greedyDecode(m.net.layers, [sources[0]], { maxSteps: r.spec.maxTargetLen + 1 })[0].ids).toEqual(decoded[0].ids);
  });

  it('a file with a byte-order mark, CRLF line ends and blank lines: one output per line, in order', async () => {
    const file = path.join(dir, 'in.txt');
    writeFileSync(file, '\uFEFF3141592\r\n\r\n9x8y7\r\n0');
    const out: { input: string; output: string }[] = [];
    for await (const t of translateLines(m, file, 'in.txt', { batchSize: 2 })) out.push({ input: t.input, output: t.output });
    expect(out.map((t) => t.input)).toEqual(['3141592', '', '9x8y7', '0']);
    expect(out.map((t) => t.output)).toEqual(translateTexts(m, ['3141592', '', '9x8y7', '0']).map((t) => t.output));
  });
});

describe('other own tasks and cells', () => {
  it('sorting digits without attention (GRU) and with Bahdanau over two layers also train and decode to <end>', async () => {
    for (const o of [{ rnn: 'gru' as const, attention: 'none' as const }, { rnn: 'gru' as const, attention: 'bahdanau' as const, layers: 2 }]) {
      const r = await trainSeq2Seq(sortDigitPairs(1200, 1), { ...SORT_OPTIONS, ...o, beam: 0, samples: 120 });
      expect(r.greedy.exact).toBeGreaterThan(0.5);
      expect(r.greedy.perToken).toBeGreaterThan(0.85);
      expect(r.attention === null).toBe(o.attention === 'none');
      // Every held-out guess has the truth's length or close: decoding stops at <end>, not at the step limit.
      expect(r.samples.filter((s) => s.guess.length === s.truth.length).length / r.samples.length).toBeGreaterThan(0.9);
    }
  });

  it('dates written a dozen ways -> ISO (characters): over 85% exact match in 6 epochs', async () => {
    const r = await trainSeq2Seq(generatePairs('date', 3000, 1), { units: 32, embeddingDim: 16, epochs: 6, batchSize: 32, lr: 0.01, seed: 1 });
    expect(r.greedy.exact).toBeGreaterThan(0.85);
    expect(r.greedy.perToken).toBeGreaterThan(0.97);
  });

  it('reversing 6 to 16 words (word tokens): over 60% exact match, 90% per token', async () => {
    const r = await trainSeq2Seq(generatePairs('reverse-words', 1500, 1), { tokens: 'word', units: 32, embeddingDim: 16, epochs: 8, batchSize: 32, lr: 0.01, seed: 1 });
    expect(r.greedy.exact).toBeGreaterThan(0.6);
    expect(r.greedy.perToken).toBeGreaterThan(0.9);
  });
});

describe('pairs given through the API are checked as a file\'s are', () => {
  const base = sortDigitPairs(20, 2);
  it('an empty source or target is an error naming the pair, not a pair counted as too long', async () => {
    await expect(trainSeq2Seq([...base, { source: '', target: '12', where: 'mine:7' }], { epochs: 1 })).rejects.toThrow(/^mine:7: the source has no characters/);
    await expect(trainSeq2Seq([...base, { source: 'a b', target: '  ', where: 'mine:8' }], { tokens: 'word', epochs: 1 })).rejects.toThrow(/^mine:8: the target has no words/);
    // Character tokens would keep the spaces, but a pairs file refuses a blank side, and so does the API.
    await expect(trainSeq2Seq([...base, { source: ' \t', target: '12', where: 'mine:9' }], { epochs: 1 })).rejects.toThrow(/^mine:9: the source holds only whitespace; every pair needs a source and a target$/);
    await expect(trainSeq2Seq([...base, { source: 12 as never, target: '12', where: 'mine:9' }], { epochs: 1 })).rejects.toThrow(DataError);
    await expect(trainSeq2Seq([...base, { source: 12 as never, target: '12', where: 'mine:9' }], { epochs: 1 })).rejects.toThrow(/mine:9: the source must be a string, got number/);
  });
});

describe('translate options are checked, not ignored', () => {
  it('a misspelt option, a batch size of 0 (which never advanced) or a bad beam is an error naming it', async () => {
    const r = await trainSeq2Seq(sortDigitPairs(40, 3), { units: 4, embeddingDim: 2, epochs: 1, seed: 1 });
    const m = seq2seqModelOf(r.net, r.spec);
    expect(() => translateTexts(m, ['12'], { beem: 2 } as never)).toThrow(/beem: is not an option of translateTexts \(did you mean 'beam'\?\)/);
    expect(() => translateTexts(m, ['12'], { batchSize: 0 })).toThrow(/batchSize: must be a positive integer, got 0 \(translateTexts\)/);
    expect(() => translateTexts(m, ['12'], { beam: -1 })).toThrow(/beam: must be an integer from 0 to 64 \(0: greedy\), got -1/);
    expect(() => greedyDecode(m.net.layers, [[4]], { maxSteps: 2, batchSize: Number.NaN })).toThrow(/batchSize: must be a positive integer, got NaN/);
    expect(() => beamDecode(m.net.layers, [[4]], 2, { maxSteps: 2, batchSize: 0 })).toThrow(/batchSize: must be a positive integer, got 0/);
    async function* none() { yield '12\n'; }
    await expect((async () => { for await (const t of translateLines(m, none(), 'in', { batchSize: 0 })) void t; })()).rejects.toThrow(/batchSize: .*\(translateLines\)/);
    expect(translateTexts(m, ['12', '345'], { batchSize: 1, beam: 2 })).toHaveLength(2);
    // maxLineChars bounds the lines translateLines reads; translateTexts reads none, so it is not its option.
    expect(() => translateTexts(m, ['12'], { maxLineChars: 1 })).toThrow(/maxLineChars: is not an option of translateTexts; options: beam, batchSize/);
    const lines: string[] = [];
    async function* two() { yield '12\n345\n'; }
    for await (const t of translateLines(m, two(), 'in', { maxLineChars: 3 })) lines.push(t.input);
    expect(lines).toEqual(['12', '345']);
  });

  it('trainSeq2Seq takes bidirectionalEncoder as true or false only (a truthy 1 built a model its spec could not load)', async () => {
    await expect(trainSeq2Seq(sortDigitPairs(20, 3), { bidirectionalEncoder: 1 as never, epochs: 1 })).rejects.toThrow(/^bidirectionalEncoder: must be true or false, got 1/);
  });
});
