/**
 * The encoder-decoder on users' own data: pairs files read alike in every format (spaces included), decoding
 * never picks a token training cannot target, training is the same for the same seed, unknown characters at
 * inference, and a saved model decodes exactly as before (greedy, beam, scores and attention).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setSeed } from '../../src/random.js';
import { beamDecode, beamSearch, greedyDecode } from '../../src/seq2seq/decode.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import { readPairs, type Pair } from '../../src/seq2seq/pairs.js';
import { loadSeq2Seq, saveSeq2Seq } from '../../src/seq2seq/store.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { END, START, UNKNOWN } from '../../src/seq2seq/vocab.js';
import type { Tensor } from '../../src/tensor.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();

/** Reversal of strings over 'abc', some with a space at either end (a token like any other with char tokens). */
function pairs(n: number): Pair[] {
  return Array.from({ length: n }, (_, i) => {
    const s = `${i % 5 === 0 ? ' ' : ''}${'abc'[i % 3]}${'abc'[(i >> 1) % 3]}${i % 7 === 0 ? 'c ' : ''}`;
    return { source: s, target: [...s].reverse().join(''), where: `gen:${i + 1}` };
  });
}

describe('pairs files', () => {
  it('CSV and JSON Lines targets keep their surrounding spaces, as TSV and every source do', async () => {
    const want = [[' ab', 'ba '], ['x ', ' y ']];
    const tsv = file('s.tsv', want.map(([s, t]) => `${s}\t${t}\n`).join(''));
    const csv = file('s.csv', `source,target\n${want.map(([s, t]) => `"${s}","${t}"\n`).join('')}`);
    const jsonl = file('s.jsonl', want.map(([source, target]) => `${JSON.stringify({ source, target })}\n`).join(''));
    for (const f of [tsv, csv, jsonl]) expect((await readPairs(f, f)).map((p) => [p.source, p.target])).toEqual(want);
    // A target of spaces only is still an empty target, named by line.
    const blank = file('b.csv', 'source,target\na,b\nc,"  "\n');
    await expect(readPairs(blank, blank)).rejects.toThrow(/b\.csv:3: blank target in 'target'/);
  });
});

describe('decoding', () => {
  it('never picks PAD, START or UNKNOWN, however probable (greedy and beam)', () => {
    setSeed(4);
    const net = buildSeq2Seq({ rnn: 'lstm', bidirectionalEncoder: false, layers: 1, units: 6, embeddingDim: 4, attention: 'luong', sourceVocabSize: 8, targetVocabSize: 7 });
    // Push the output's bias towards the three ids no training target holds.
    const dense = (net.layers.output as unknown as { layer: { getWeights(): Tensor[]; setWeights(w: (Tensor | Float32Array)[]): void } }).layer;
    const [kernel, bias] = dense.getWeights();
    const b = Float32Array.from(bias.values as Float32Array);
    b[0] += 20; b[START] += 20; b[UNKNOWN] += 20;
    dense.setWeights([kernel, b]);
    const sources = [[4, 5, 6], [7, 4]];
    const o = { maxSteps: 5 };
    for (const d of [...greedyDecode(net.layers, sources, o), ...beamSearch(net.layers, sources, 3, o), ...beamDecode(net.layers, sources, 2, o)]) {
      expect(d.ids.length + (d.ended ? 1 : 0)).toBeGreaterThan(0);
      for (const id of d.ids) expect(id).toBeGreaterThan(UNKNOWN);
    }
    expect(beamSearch(net.layers, sources, 1, o)).toEqual(greedyDecode(net.layers, sources, o));
    expect(END).toBe(2);
  });
});

describe('training on a pairs list', () => {
  const options = { units: 8, embeddingDim: 4, epochs: 2, batchSize: 16, samples: 2, beam: 2 };

  it('is the same for the same seed (history, outputs, scores), and another seed splits differently', async () => {
    const data = pairs(80);
    const a = await trainSeq2Seq(data, { ...options, seed: 5 }), b = await trainSeq2Seq(data, { ...options, seed: 5 });
    expect(b.history).toEqual(a.history);
    expect(b.samples).toEqual(a.samples);
    expect([b.greedy, b.beam]).toEqual([a.greedy, a.beam]);
    const c = await trainSeq2Seq(data, { ...options, seed: 6 });
    expect(c.samples.map((s) => s.question)).not.toEqual(a.samples.map((s) => s.question));
  }, 60_000);

  it('a saved model reloads with the same vocabularies and decodes identically; unknown characters read as <unk>', async () => {
    const r = await trainSeq2Seq(pairs(80), { ...options, seed: 2 });
    await saveSeq2Seq(path.join(dir, 'm'), r.net, r.spec);
    const m = await loadSeq2Seq(path.join(dir, 'm'));
    expect(m.source.toJSON()).toEqual(r.spec.source);
    expect(m.target.toJSON()).toEqual(r.spec.target);
    const texts = ['ab', ' ca', 'bbc ', 'aQb', 'a\u00e9b', ''];
    const ids = texts.map((t) => m.source.encode(t));
    expect(ids[3]).toEqual([m.source.encode('a')[0], UNKNOWN, m.source.encode('b')[0]]);
    const o = { maxSteps: r.spec.maxTargetLen + 1 };
    const nonEmpty = ids.slice(0, 5);
    expect(greedyDecode(m.net.layers, nonEmpty, o)).toEqual(greedyDecode(r.net.layers, nonEmpty, o));
    expect(beamDecode(m.net.layers, nonEmpty, 3, o)).toEqual(beamDecode(r.net.layers, nonEmpty, 3, o));
    const out = translateTexts(m, texts, { beam: 2 });
    expect(out.map((t) => t.input)).toEqual(texts);
    // Named as written (the attention's columns), though the model read it as <unk> (ids[3] above).
    expect(out[3].sourceTokens).toEqual(['a', 'Q', 'b']);
    // Two different unknown characters are the same input to the model.
    expect(out[4].output).toBe(out[3].output);
    expect(out[4].weights).toEqual(out[3].weights);
    expect(out[5]).toMatchObject({ output: '', sourceTokens: [], weights: [] });
  }, 60_000);
});
