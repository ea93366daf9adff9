/**
 * What a seq2seq batch costs depends on its own rows, not on the longest pair of the data nor on the length limits:
 * the metrics get the outputs the batch ran (its own steps), read by argmax without a softmax over the vocabulary at
 * every step, and trainSeq2Seq builds its id tensors as wide as the longest kept pair, not as --max-target-len. The
 * accuracy it reports stays the next-token accuracy of the real steps, as predict's probabilities give it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kernels } from '../../src/backend/index.js';
import { makeOptimizer } from '../../src/experiments/imdb_task.js';
import { MetricMeters } from '../../src/metrics/meters.js';
import { Functional } from '../../src/models/functional.js';
import { setSeed } from '../../src/random.js';
import { buildSeq2Seq, idsTensor } from '../../src/seq2seq/model.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import type { Tensor } from '../../src/tensor.js';

const ARCH = { rnn: 'lstm' as const, bidirectionalEncoder: false, layers: 1, units: 8, embeddingDim: 5, attention: 'luong' as const, sourceVocabSize: 9, targetVocabSize: 40 };
const START = 1, END = 2, PAD = 0;

/** 12 sources of 2 to 4 ids and targets of 1 to 3, seeded. */
function rows(seed: number): { sources: number[][]; targets: number[][] } {
  let s = seed;
  const next = (n: number) => { s = (s * 1103515245 + 12345) % 2 ** 31; return s % n; };
  const sources = Array.from({ length: 12 }, () => Array.from({ length: 2 + next(3) }, () => 4 + next(5)));
  const targets = Array.from({ length: 12 }, () => Array.from({ length: 1 + next(3) }, () => 4 + next(36)));
  return { sources, targets };
}

function model() {
  setSeed(5);
  const net = buildSeq2Seq(ARCH);
  net.model.compile({ optimizer: makeOptimizer('adam', 0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return net.model;
}

/** The ids as fit takes them, each tensor `width` steps wide (or as wide as its longest row). */
function data(r: { sources: number[][]; targets: number[][] }, width?: number): { xs: Tensor[]; y: Tensor } {
  return {
    xs: [idsTensor(r.sources, width), idsTensor(r.targets.map((t) => [START, ...t]), width)],
    y: idsTensor(r.targets.map((t) => [...t, END]), width),
  };
}

afterEach(() => { vi.restoreAllMocks(); });

describe('the metrics of a seq2seq batch', () => {
  it('get the batch\'s own steps and softmax nothing more, however wide the data is padded', () => {
    const seen = (width?: number) => {
      const shapes: number[][] = [];
      const add = MetricMeters.prototype.add;
      vi.spyOn(MetricMeters.prototype, 'add').mockImplementation(function (this: MetricMeters, out: Tensor, ...rest) {
        shapes.push([...out.shape]);
        return add.call(this, out, ...rest);
      });
      let softmaxed = 0;
      const k = kernels();
      const softmax = k.softmax;
      vi.spyOn(k, 'softmax').mockImplementation((rowsN: number, cols: number, ...rest) => { softmaxed += rowsN * cols; return softmax(rowsN, cols, ...rest); });
      const m = model();
      const { xs, y } = data(rows(3), width);
      const [loss, acc] = m.evaluate(xs, y, { batchSize: 5 }) as Tensor[];
      vi.restoreAllMocks();
      return { shapes, softmaxed, loss: loss.dataSync()[0], acc: acc.dataSync()[0] };
    };
    const tight = seen(), wide = seen(300);
    // Batches of 5, 5 and 2 rows, each as many steps as its longest target (START or END included): at most 4.
    expect(tight.shapes).toHaveLength(3);
    for (const s of tight.shapes) {
      expect(s[1]).toBeLessThanOrEqual(4);
      expect(s[2]).toBe(ARCH.targetVocabSize);
    }
    // Padded to 300 steps the same outputs reach the metrics, and no more values are softmaxed.
    expect(wide.shapes).toEqual(tight.shapes);
    expect(wide.softmaxed).toBe(tight.softmaxed);
    expect(wide.acc).toBe(tight.acc);
    expect(wide.loss).toBe(tight.loss);
  });

  it('the accuracy fit records is predict\'s argmax over the real target steps: training (before the step) and validation', async () => {
    const train = data(rows(3)), val = data(rows(11));
    // predict's probabilities (the softmax applied) against the targets, the padding left out.
    const reference = (m: Functional, d: { xs: Tensor[]; y: Tensor }) => {
      const p = (m.predict(d.xs) as Tensor).dataSync(), y = d.y.dataSync(), V = ARCH.targetVocabSize;
      let hits = 0, real = 0;
      for (let r = 0; r < y.length; r++) {
        if (y[r] === PAD) continue;
        real++;
        let best = 0;
        for (let c = 1; c < V; c++) if (p[r * V + c] > p[r * V + best]) best = c;
        if (best === y[r]) hits++;
      }
      return hits / real;
    };
    const m = model();
    // One batch of all rows: the epoch's accuracy is that of the weights before their one step.
    const before = reference(m, train);
    const h = await m.fit(train.xs, train.y, { epochs: 1, batchSize: 12, shuffle: false, verbose: 0, validationData: [val.xs, val.y] });
    expect(h.history.accuracy[0]).toBe(before);
    expect(h.history.val_accuracy[0]).toBe(reference(m, val));
    // Something to compare: neither is all right or all wrong.
    for (const v of [h.history.accuracy[0], h.history.val_accuracy[0]]) expect(v > 0 && v < 1).toBe(true);
  });
});

describe('trainSeq2Seq\'s tensors', () => {
  it('are as wide as the longest kept pair, not as the length limits', async () => {
    const widths: number[] = [];
    const fit = Functional.prototype.fit;
    vi.spyOn(Functional.prototype, 'fit').mockImplementation(function (this: Functional, x, y, args) {
      const val = (args?.validationData ?? []) as [Tensor[], Tensor];
      widths.push(...[...(x as Tensor[]), y as Tensor, ...val[0], val[1]].map((t) => t.shape[1]));
      return fit.call(this, x, y, args);
    });
    // Sources of 2 to 4 letters, targets of 3 to 5 (the longest kept pair: 4 -> 5).
    const words = ['ab', 'abc', 'abcd', 'ba', 'cab', 'dcba', 'bd', 'dab'];
    const pairs = Array.from({ length: 40 }, (_, i) => { const w = words[i % words.length]; return { source: w, target: `${w}x`, where: `p${i + 1}` }; });
    const r = await trainSeq2Seq(pairs, { units: 4, embeddingDim: 2, epochs: 1, samples: 0, maxSourceLen: 5000, maxTargetLen: 5000 });
    // Source, decoder input and target (START or END added), of the training part then of the held-out one.
    const widest = (ps: readonly { source: string; target: string }[]) => [Math.max(...ps.map((p) => p.source.length)), Math.max(...ps.map((p) => p.target.length)) + 1];
    const [vs, vt] = widest(r.heldOut);
    expect(widths).toEqual([4, 6, 6, vs, vt, vt]);
    // The limits given are the model's all the same: saved, and the decoder's step limit.
    expect([r.spec.maxSourceLen, r.spec.maxTargetLen]).toEqual([5000, 5000]);
  });
});
