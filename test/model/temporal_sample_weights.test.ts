/**
 * Per-timestep sample weights (Keras 3: a [batch, steps] sample_weight for a sequence output): the loss is
 * mean(weight x per-step loss) over every sample and step; a zero-weight step contributes nothing, in evaluate,
 * fit, trainOnBatch and with a user loss function.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const N = 4, T = 3, F = 2, C = 3;
const x = rl.tensor(Float32Array.from({ length: N * T * F }, (_, i) => Math.sin(i * 0.7)), [N, T, F]);
const y = rl.tensor(Int32Array.from({ length: N * T }, (_, i) => (i * 5) % C), [N, T], 'int32');
const w2 = rl.tensor(Float32Array.from({ length: N * T }, (_, i) => [1, 0, 2][i % 3] * (1 + (i % 2))), [N, T]);

function model(loss: string | ((a: rl.Tensor, b: rl.Tensor) => rl.Tensor) = 'sparseCategoricalCrossentropy'): rl.Sequential {
  rl.setSeed(8);
  const m = rl.sequential({ layers: [
    rl.layers.lstm({ units: 4, returnSequences: true, inputShape: [T, F] }),
    rl.layers.timeDistributed({ layer: rl.layers.dense({ units: C, activation: 'softmax' }) }),
  ] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.5 }), loss: loss as never });
  return m;
}

/** -log p(target) of every sample and step, from predict. */
function stepLosses(m: rl.Sequential): number[] {
  const p = (m.predict(x) as rl.Tensor).dataSync(), t = y.dataSync();
  return Array.from(t, (c, u) => -Math.log(p[u * C + c]));
}

const lossOf = (r: rl.Tensor | rl.Tensor[]) => (Array.isArray(r) ? r[0] : r).dataSync()[0];

describe('per-timestep sample weights', () => {
  it('evaluate: mean over samples and steps of weight x step loss', () => {
    const m = model();
    const l = stepLosses(m), w = w2.dataSync();
    const want = l.reduce((s, v, u) => s + w[u] * v, 0) / (N * T);
    expect(lossOf(m.evaluate(x, y, { sampleWeight: w2 }))).toBeCloseTo(want, 5);
    // All-ones per-step weights are the unweighted loss.
    expect(lossOf(m.evaluate(x, y, { sampleWeight: rl.ones([N, T]) }))).toBeCloseTo(lossOf(m.evaluate(x, y)), 6);
    // [N, T, 1] reads the same as [N, T].
    expect(lossOf(m.evaluate(x, y, { sampleWeight: w2.reshape([N, T, 1]) }))).toBeCloseTo(want, 6);
  });

  it('fit: a zero-weight step teaches nothing (changing its target changes no weight)', async () => {
    const zeroStep1 = rl.tensor(Float32Array.from({ length: N * T }, (_, i) => (i % T === 1 ? 0 : 1)), [N, T]);
    const yOther = rl.tensor(Int32Array.from(y.dataSync(), (c, i) => (i % T === 1 ? (c + 1) % C : c)), [N, T], 'int32');
    const a = model(), b = model(), plain = model();
    await a.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: zeroStep1 });
    await b.fit(x, yOther, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: zeroStep1 });
    await plain.fit(x, yOther, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const flat = (m: rl.Sequential) => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(flat(a)).toEqual(flat(b));
    expect(flat(plain)).not.toEqual(flat(a));
  });

  it('trainOnBatch takes them and returns the weighted loss before the step', () => {
    const m = model();
    const before = lossOf(m.evaluate(x, y, { sampleWeight: w2 }));
    const r = m.trainOnBatch(x, y, w2);
    expect(Array.isArray(r) ? r[0] : r).toBeCloseTo(before, 5);
    expect(lossOf(m.evaluate(x, y, { sampleWeight: w2 }))).toBeLessThan(before);
  });

  it('a user loss returning per-step losses is weighted step by step', () => {
    const perStep = (yt: rl.Tensor, yp: rl.Tensor) => rl.mean(rl.square(rl.sub(yt, yp)), -1);
    const m = model(perStep);
    const yOne = rl.oneHot(y.reshape([N * T]), C).cast('float32').reshape([N, T, C]);
    const p = (m.predict(x) as rl.Tensor).dataSync(), t = yOne.dataSync(), w = w2.dataSync();
    let want = 0;
    for (let u = 0; u < N * T; u++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += (t[u * C + c] - p[u * C + c]) ** 2;
      want += (w[u] * s) / C;
    }
    expect(lossOf(m.evaluate(x, yOne, { sampleWeight: w2 }))).toBeCloseTo(want / (N * T), 5);
  });

  it('shapes that fit neither rule, and classWeight with per-step weights, are errors naming them', async () => {
    const m = model();
    expect(() => m.evaluate(x, y, { sampleWeight: rl.ones([N, T + 1]) })).toThrow(/sample weights: 16 weights for 4 samples of 3 steps \(give 4 or 12\)/);
    expect(() => m.evaluate(x, y, { sampleWeight: rl.ones([N + 1]) })).toThrow(/evaluate: sampleWeight must hold one weight per sample \(shape \[4\]\) or per sample and step \(shape \[4, steps\]\), got shape \[5\]/);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, sampleWeight: w2, classWeight: { 0: 1, 1: 2, 2: 1 } })).rejects.toThrow(/classWeight cannot combine with per-timestep sampleWeight/);
  });
});
