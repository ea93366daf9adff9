/** A tiny encoder-decoder learns to reverse short strings; its decoders agree with each other and survive a save. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { beamDecode, beamSearch, greedyDecode, normalisedScore, sequenceLogProb } from '../../src/seq2seq/decode.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { loadSeq2Seq, saveSeq2Seq } from '../../src/seq2seq/store.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { translateLines, translateTexts } from '../../src/seq2seq/translate.js';
import { Random, setSeed } from '../../src/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reversePairs(n: number, seed: number): Pair[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, (_, i) => {
    const s = Array.from({ length: 2 + rng.int(4) }, () => 'abcdef'[rng.int(6)]).join('');
    return { source: s, target: [...s].reverse().join(''), where: `gen:${i + 1}` };
  });
}

function randomSources(n: number, vocab: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => Array.from({ length: 1 + rng.int(6) }, () => 4 + rng.int(vocab - 4)));
}

const ARCH = { rnn: 'lstm' as const, bidirectionalEncoder: false, layers: 1, units: 12, embeddingDim: 6, attention: 'luong' as const, sourceVocabSize: 9, targetVocabSize: 7 };

describe('seq2seq training', () => {
  it('learns to reverse short strings (Luong attention): high exact match, greedy and beam, and the saved model decodes the same', async () => {
    const r = await trainSeq2Seq(reversePairs(1500, 3), { units: 32, embeddingDim: 16, epochs: 12, batchSize: 32, lr: 0.01, samples: 3, beam: 3 });
    expect(r.greedy.exact).toBeGreaterThan(0.9);
    expect(r.greedy.perToken).toBeGreaterThan(0.95);
    expect(r.beam!.exact).toBeGreaterThan(0.9);
    expect(r.samples).toHaveLength(3);
    expect(r.counts.train + r.counts.validation).toBe(1500);
    expect(r.attention!.weights).toHaveLength(r.attention!.output.length);
    await saveSeq2Seq(path.join(dir, 'rev'), r.net, r.spec);
    const m = await loadSeq2Seq(path.join(dir, 'rev'));
    const inputs = ['abc', 'fed', 'cafe', 'bb'];
    const out = translateTexts(m, inputs);
    expect(out.filter((t, i) => t.output === [...inputs[i]].reverse().join('')).length).toBeGreaterThanOrEqual(3);
    const before = greedyDecode(r.net.layers, inputs.map((s) => m.source.encode(s)), { maxSteps: 6 });
    expect(out.map((t) => t.output)).toEqual(before.map((d) => m.target.decode(d.ids)));
    // Streamed lines, two per batch, come out in order and equal to decoding them all at once.
    const streamed: string[] = [];
    async function* text() { yield `${inputs.join('\n')}\n\nab\n`; }
    for await (const t of translateLines(m, text(), 'lines', { batchSize: 2 })) streamed.push(t.output);
    expect(streamed).toEqual([...out.map((t) => t.output), '', translateTexts(m, ['ab'])[0].output]);
    expect(translateTexts(m, inputs, { beam: 2, batchSize: 3 }).map((t) => t.input)).toEqual(inputs);
  }, 120_000);

  it('builds and trains every variant: GRU, bidirectional encoder, two layers, Bahdanau, no attention', async () => {
    const pairs = reversePairs(200, 4);
    for (const o of [
      { rnn: 'gru' as const, attention: 'bahdanau' as const },
      { bidirectionalEncoder: true, layers: 2, attention: 'luong' as const },
      { rnn: 'gru' as const, bidirectionalEncoder: true, attention: 'none' as const },
    ]) {
      const r = await trainSeq2Seq(pairs, { ...o, units: 8, embeddingDim: 4, epochs: 1, samples: 1 });
      expect(r.history.loss).toHaveLength(1);
      expect(r.greedy.perToken).toBeGreaterThanOrEqual(0);
      expect(r.attention === null).toBe(o.attention === 'none');
      expect(r.net.model.getLayer('decoder_1').getConfig().units).toBe(o.bidirectionalEncoder ? 16 : 8);
    }
  }, 60_000);

  it('names the option that is wrong', async () => {
    const pairs = reversePairs(20, 1);
    await expect(trainSeq2Seq(pairs, { validationSplit: 0.01 })).rejects.toThrow(/^validationSplit: 0.01 of 20 pairs leaves 0 for validation/);
    await expect(trainSeq2Seq(pairs, { units: 0 })).rejects.toThrow(/^units: must be an integer from 1/);
    await expect(trainSeq2Seq(pairs, { validationSplit: '0.25' as never })).rejects.toThrow(/^validationSplit: must be a number in \(0, 1\), got "0\.25"$/);
    await expect(trainSeq2Seq(pairs, { validationSplit: Number.NaN })).rejects.toThrow(/^validationSplit: must be a number in \(0, 1\), got NaN$/);
    await expect(trainSeq2Seq(pairs, null as never)).rejects.toThrow(/^options: trainSeq2Seq takes an object of options, got null$/);
    await expect(trainSeq2Seq(pairs, { maxSourceLen: 1, epochs: 1 })).rejects.toThrow(/^maxSourceLen: no training pair is within 1 source/);
  });
});

describe('decoding', () => {
  for (const attention of ['luong', 'bahdanau', 'none'] as const) {
    it(`${attention}: beam width 1 is greedy; beam never scores below greedy; scores match teacher forcing`, () => {
      setSeed(7);
      const { layers } = buildSeq2Seq({ ...ARCH, attention, bidirectionalEncoder: attention === 'bahdanau' });
      const sources = randomSources(12, ARCH.sourceVocabSize, 2);
      const o = { maxSteps: 6, batchSize: 5 };
      const greedy = greedyDecode(layers, sources, o);
      expect(beamSearch(layers, sources, 1, o)).toEqual(greedy);
      for (const width of [2, 4]) {
        const beam = beamDecode(layers, sources, width, o);
        beam.forEach((b, i) => expect(b.score).toBeGreaterThanOrEqual(greedy[i].score));
        for (const [i, b] of beam.entries()) {
          if (!b.ended) continue;
          expect(b.logProb).toBeCloseTo(sequenceLogProb(layers, sources[i], b.ids), 4);
          expect(b.score).toBeCloseTo(normalisedScore(b.logProb, b.ids.length + 1, 1), 10);
        }
      }
      // An untrained model gives near-uniform outputs, so some beam must find a better output than greedy.
      expect(beamDecode(layers, sources, 4, o).some((b, i) => b.score > greedy[i].score + 1e-9)).toBe(true);
    });
  }

  it.each([false, true])('attention weights: one row per output step, each summing to 1 over the real source tokens only (bidirectional %s)', (bidirectionalEncoder) => {
    setSeed(3);
    const { layers } = buildSeq2Seq({ ...ARCH, bidirectionalEncoder });
    const sources = [[4, 5, 6, 7, 8], [5], [6, 7]];
    const d = greedyDecode(layers, sources, { maxSteps: 5 });
    d.forEach((x, i) => {
      expect(x.attention).toHaveLength(x.ids.length + (x.ended ? 1 : 0));
      for (const row of x.attention) {
        expect(row).toHaveLength(5);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(row.slice(sources[i].length).every((w) => w < 1e-6)).toBe(true);
      }
    });
    // Padding changes nothing: each source alone decodes the same.
    expect(sources.map((s) => greedyDecode(layers, [s], { maxSteps: 5 })[0].ids)).toEqual(d.map((x) => x.ids));
  });

  it('beam search decides a source once it has beam finished outputs: the same result alone as in any batch', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      setSeed(seed);
      // A small target vocabulary makes <end> likely at every step of an untrained model, so sources finish while
      // others still run, and some finish with hypotheses of their last step still live.
      const { layers } = buildSeq2Seq({ ...ARCH, targetVocabSize: 5, attention: seed % 2 ? 'luong' : 'none' });
      const sources = randomSources(10, ARCH.sourceVocabSize, seed);
      for (const width of [2, 3]) {
        const o = { maxSteps: 7, batchSize: 64 };
        const together = beamSearch(layers, sources, width, o);
        sources.forEach((src, i) => {
          const alone = beamSearch(layers, [src], width, o)[0];
          expect(together[i].ids).toEqual(alone.ids);
          expect(together[i].ended).toBe(alone.ended);
          expect(together[i].logProb).toBeCloseTo(alone.logProb, 5);
          // Unfinished (truncated) only when the step limit came first.
          if (!alone.ended) expect(alone.ids).toHaveLength(o.maxSteps);
        });
      }
    }
  });

  it('length normalisation: lengthPenalty 0 ranks by summed log probability', () => {
    expect(normalisedScore(-6, 3, 1)).toBe(-2);
    expect(normalisedScore(-6, 3, 0)).toBe(-6);
    setSeed(5);
    const { layers } = buildSeq2Seq(ARCH);
    const sources = randomSources(6, ARCH.sourceVocabSize, 9);
    const raw = greedyDecode(layers, sources, { maxSteps: 6, lengthPenalty: 0 });
    raw.forEach((x) => expect(x.score).toBe(x.logProb));
    expect(() => beamSearch(layers, sources, 0, { maxSteps: 3 })).toThrow(/beam: must be an integer from 1 to 64, got 0/);
  });
});
