/**
 * The decoder's attention step against a hand-written float64 reference of Keras's layers: Attention (Luong dot
 * scores, no scale) and AdditiveAttention (Bahdanau: sum_d scale[d] * tanh(q[d] + k[d])), padded source steps
 * masked out of the softmax (weight 0), then Luong's tanh(W [context; h] + b) and the softmax output.
 * And decoding a source never depends on the other sources of its batch (the encoder's padding mask).
 */
import { describe, expect, it } from 'vitest';
import { setSeed } from '../../src/random.js';
import { beamSearch, greedyDecode } from '../../src/seq2seq/decode.js';
import { decodeSteps, encode } from '../../src/seq2seq/graph.js';
import { buildSeq2Seq, idsTensor, TensorRunner } from '../../src/seq2seq/model.js';
import type { Tensor } from '../../src/tensor.js';

const ARCH = { rnn: 'lstm' as const, bidirectionalEncoder: false, layers: 1, units: 4, embeddingDim: 3, sourceVocabSize: 10, targetVocabSize: 9 };

const vals = (t: Tensor) => Array.from(t.values as Float32Array, Number);

function softmax(xs: number[]): number[] {
  const m = Math.max(...xs), e = xs.map((x) => Math.exp(x - m)), s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** y = x W + b for one row (W [in, out] flat, Keras's kernel layout). */
function dense(x: number[], W: number[], b: number[]): number[] {
  return b.map((bj, j) => x.reduce((s, xi, i) => s + xi * W[i * b.length + j], bj));
}

describe('seq2seq attention against a float64 reference', () => {
  for (const attention of ['luong', 'bahdanau'] as const) {
    it(`${attention}: weights (0 on padded source steps), context, combine and output probabilities`, () => {
      setSeed(11);
      const net = buildSeq2Seq({ ...ARCH, attention });
      const l = net.layers;
      const runner = new TensorRunner();
      // The second source is padded from 2 to 4 steps.
      const sources = [[4, 5, 6, 7], [8, 9]], lengths = [4, 2];
      const enc = encode(l, runner.call, idsTensor(sources));
      const target = idsTensor([[1, 4, 5], [1, 6, 4]]);
      const got = decodeSteps(l, runner.call, target, enc.states, enc.sequence);
      // The decoder's own outputs (the query), computed by calling its layers the same way.
      const h = runner.call(l.decoders[0], [runner.call(l.targetEmbedding, [target])[0]], enc.states[0])[0];
      const E = vals(enc.sequence), H = vals(h), U = 4, Tv = 4, Tq = 3, V = 9;
      const scale = attention === 'bahdanau' ? vals(l.attention!.getWeights()[0]) : null;
      expect(attention === 'luong' ? l.attention!.getWeights() : scale).toHaveLength(attention === 'luong' ? 0 : U);
      const [Wc, bc] = (l.attentionCombine as unknown as { layer: { getWeights(): Tensor[] } }).layer.getWeights().map(vals);
      const [Wo, bo] = (l.output as unknown as { layer: { getWeights(): Tensor[] } }).layer.getWeights().map(vals);
      const P = vals(got.probs), A = vals(got.attention!);
      expect(got.attention!.shape).toEqual([2, Tq, Tv]);
      for (let b = 0; b < 2; b++) for (let i = 0; i < Tq; i++) {
        const q = H.slice((b * Tq + i) * U, (b * Tq + i + 1) * U);
        const keys = Array.from({ length: lengths[b] }, (_, j) => E.slice((b * Tv + j) * U, (b * Tv + j + 1) * U));
        const scores = keys.map((k) => (scale ? k.reduce((s, kd, d) => s + scale[d] * Math.tanh(q[d] + kd), 0) : k.reduce((s, kd, d) => s + q[d] * kd, 0)));
        const w = softmax(scores);
        const context = q.map((_, d) => w.reduce((s, wj, j) => s + wj * keys[j][d], 0));
        const combined = dense([...context, ...q], Wc, bc).map(Math.tanh);
        const probs = softmax(dense(combined, Wo, bo));
        const row = A.slice((b * Tq + i) * Tv, (b * Tq + i + 1) * Tv);
        w.forEach((wj, j) => expect(row[j]).toBeCloseTo(wj, 6));
        // Keras subtracts 1e9: exp underflows (the softmax kernel stops at float32's smallest normal, ~6e-39).
        for (let j = lengths[b]; j < Tv; j++) expect(row[j]).toBeLessThan(1e-37);
        probs.forEach((p, v) => expect(P[(b * Tq + i) * V + v]).toBeCloseTo(p, 6));
      }
    });
  }

  const variants = [
    ...(['luong', 'bahdanau', 'none'] as const).flatMap((attention) => [false, true].map((bi) => ({ attention, bidirectionalEncoder: bi, rnn: 'lstm' as const }))),
    { attention: 'luong' as const, bidirectionalEncoder: true, rnn: 'gru' as const },
  ];
  for (const v of variants) {
    it(`${v.rnn} ${v.attention}${v.bidirectionalEncoder ? ', bidirectional' : ''}: a source decodes the same alone and padded in a batch with a longer one`, () => {
      setSeed(3);
      const net = buildSeq2Seq({ ...ARCH, ...v, layers: 2, units: 6, embeddingDim: 5 });
      const a = [4, 5, 6], long = [7, 8, 9, 4, 5, 6, 7];
      const alone = greedyDecode(net.layers, [a], { maxSteps: 6 })[0];
      const batched = greedyDecode(net.layers, [a, long], { maxSteps: 6 })[0];
      expect(batched.ids).toEqual(alone.ids);
      expect(batched.logProb).toBeCloseTo(alone.logProb, 5);
      if (v.attention !== 'none') batched.attention.forEach((row, t) => row.forEach((w, j) => expect(w).toBeCloseTo(alone.attention[t][j] ?? 0, 6)));
      expect(beamSearch(net.layers, [long, a], 3, { maxSteps: 6 })[1].logProb).toBeCloseTo(beamSearch(net.layers, [a], 3, { maxSteps: 6 })[0].logProb, 5);
    });
  }
});
