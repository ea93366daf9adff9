/** Padded target steps weigh zero: a padded batch trains exactly as the same batch without the padding. */
import { describe, expect, it } from 'vitest';
import { maskedLossOp } from '../../src/autograd/loss_ops.js';
import { withTape } from '../../src/autograd/tape.js';
import { makeOptimizer } from '../../src/experiments/imdb_task.js';
import { setSeed } from '../../src/random.js';
import { maskedAccuracy } from '../../src/seq2seq/masked_model.js';
import { buildSeq2Seq, idsTensor } from '../../src/seq2seq/model.js';
import { Tensor } from '../../src/tensor.js';

const ARCH = { rnn: 'lstm' as const, bidirectionalEncoder: false, layers: 1, units: 8, embeddingDim: 5, sourceVocabSize: 9, targetVocabSize: 7 };
const SOURCES = [[4, 5, 6], [7, 8], [4, 4, 5, 6]];
const TARGETS = [[5, 4, 3], [6, 5, 4, 3, 4], [3, 6]];
const END = 2, START = 1;

/** The loss and every weight's gradient for one batch whose targets are padded to `steps`. */
function lossAndGrads(attention: 'luong' | 'bahdanau' | 'none', steps: number): { loss: number; grads: Float32Array[]; acc: number } {
  setSeed(7);
  const net = buildSeq2Seq({ ...ARCH, attention });
  net.model.compile({ optimizer: makeOptimizer('adam'), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const xs = [idsTensor(SOURCES), idsTensor(TARGETS.map((t) => [START, ...t]), steps)];
  const y = idsTensor(TARGETS.map((t) => [...t, END]), steps);
  const { loss, backward, outs } = net.model.batchLoss(xs, [y], { training: true, mask: null });
  backward(loss);
  const grads = net.model.trainableWeights.map((v) => Float32Array.from(v.grad ?? []));
  const acc = net.model.metricFunctions.accuracy(y, outs[0]).values;
  return { loss: loss.values[0], grads, acc: Array.from(acc).reduce((a, b) => a + b, 0) / acc.length };
}

describe('seq2seq target mask', () => {
  for (const attention of ['luong', 'bahdanau', 'none'] as const) {
    it(`${attention}: the same loss and gradients with 3 extra padded steps`, () => {
      const tight = lossAndGrads(attention, 6), padded = lossAndGrads(attention, 9);
      expect(padded.loss).toBeCloseTo(tight.loss, 6);
      expect(Number.isFinite(tight.loss) && tight.loss > 0).toBe(true);
      expect(padded.grads.length).toBe(tight.grads.length);
      let worst = 0, norm = 0;
      padded.grads.forEach((g, i) => g.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - tight.grads[i][j])); norm = Math.max(norm, Math.abs(v)); }));
      expect(norm).toBeGreaterThan(1e-4);
      expect(worst).toBeLessThan(1e-6);
      expect(padded.acc).toBe(tight.acc);
    });
  }

  it('a batch runs on its own rows\' steps: the padding every row has is cut before the model, and its outputs are those steps\'', () => {
    setSeed(7);
    const net = buildSeq2Seq({ ...ARCH, attention: 'luong' });
    net.model.compile({ optimizer: makeOptimizer('adam'), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const seen: number[][][] = [];
    const runGraph = net.model.runGraph.bind(net.model);
    net.model.runGraph = ((xs: Tensor[], ...rest: unknown[]) => {
      seen.push(xs.map((x) => x.shape));
      return (runGraph as (...a: unknown[]) => Tensor[])(xs, ...rest);
    }) as typeof net.model.runGraph;
    // Sources padded to 12 steps (the longest has 4), targets to 20 (the longest, with START or END, 6).
    const xs = [idsTensor(SOURCES, 12), idsTensor(TARGETS.map((t) => [START, ...t]), 20)];
    const y = idsTensor(TARGETS.map((t) => [...t, END]), 20);
    const { outs, loss } = net.model.batchLoss(xs, [y], { training: false, mask: null });
    expect(seen).toEqual([[[3, 4], [3, 6]]]);
    // Not widened back to the 20 steps: the metrics read them against the whole targets (maskedAccuracy).
    expect(outs[0].shape).toEqual([3, 6, ARCH.targetVocabSize]);
    // The same loss and outputs as the batch padded only as far as its rows need.
    const tight = net.model.batchLoss([idsTensor(SOURCES), idsTensor(TARGETS.map((t) => [START, ...t]))], [idsTensor(TARGETS.map((t) => [...t, END]))], { training: false, mask: null });
    expect(loss.values[0]).toBe(tight.loss.values[0]);
    expect(Array.from(outs[0].values)).toEqual(Array.from(tight.outs[0].values));
    expect(Array.from(net.model.metricFunctions.accuracy(y, outs[0]).values)).toEqual(Array.from(net.model.metricFunctions.accuracy(idsTensor(TARGETS.map((t) => [...t, END])), tight.outs[0]).values));
  });

  it('maskedLossOp: the mean over the kept rows only, zero gradient on the rest', () => {
    const logits = new Tensor(Float32Array.from([1, 2, 0, 0.5, -1, 3, 2, 2, 2]), [3, 3], 'float32');
    logits.requiresGrad = true;
    const keep = Uint8Array.from([1, 0, 1]);
    const { value: loss, backward } = withTape(() => maskedLossOp('sparseCategoricalCrossentropy', logits, new Tensor(Int32Array.from([1, 0, 2]), [3], 'int32'), true, keep));
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    const want = ((lse([1, 2, 0]) - 2) + (lse([2, 2, 2]) - 2)) / 2;
    expect(loss.values[0]).toBeCloseTo(want, 6);
    backward(loss);
    expect(Array.from(logits.grad!.slice(3, 6))).toEqual([0, 0, 0]);
    const sm = [1, 2, 0].map((v) => Math.exp(v - lse([1, 2, 0])));
    expect(logits.grad![0]).toBeCloseTo(sm[0] / 2, 6);
    expect(logits.grad![1]).toBeCloseTo((sm[1] - 1) / 2, 6);
  });

  it('maskedAccuracy counts only the real steps', () => {
    const probs = new Tensor(Float32Array.from([0.1, 0.9, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4]), [1, 4, 2], 'float32');
    // targets 1, 1 (wrong), 1, then padding (0) that the argmax would "get right".
    const acc = maskedAccuracy(new Tensor(Int32Array.from([1, 1, 1, 0]), [1, 4], 'int32'), probs);
    expect(Array.from(acc.values)).toEqual([1, 0, 1]);
    // Outputs cut to fewer steps than the targets: the steps cut hold padding; a real target there has no output, a miss.
    const cut = new Tensor(Float32Array.from([-2, 3, 1, 0, 0, 5, 4, 1]), [2, 2, 2], 'float32');
    expect(Array.from(maskedAccuracy(new Tensor(Int32Array.from([1, 0, 0, 1, 1, 1]), [2, 3], 'int32'), cut).values)).toEqual([1, 1, 0, 0]);
  });
});
