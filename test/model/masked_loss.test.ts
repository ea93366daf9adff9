// Keras weighs a per-step output's loss (and its mean metrics) by the padding mask that reaches the output
// (keras/src/losses/loss.py: apply_mask turns the sum-over-batch-size mean into sum(loss x mask) / valid, and a
// sample weight multiplies in). tfjs-layers does not mask the loss: it is the reference for the predictions (the
// same weights give the same per-step outputs) and for the unmasked cases; the masked numbers are Keras's formula.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Lib = typeof rl | typeof tf;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Either = any;

const IDS = [[1, 2, 0, 0], [0, 3, 4, 1]];
const MASK = IDS.flat().map((v) => (v === 0 ? 0 : 1));
const VALID = MASK.reduce((a: number, b) => a + b, 0);
const Y1 = [[[1], [1], [1], [1]], [[1], [1], [1], [1]]];

/** embedding(maskZero) -> lstm(returnSequences) -> [timeDistributed] dense, the same in both libraries. */
function seqModel(lib: Lib, opts: { returnSequences?: boolean; units?: number; activation?: string; td?: boolean } = {}) {
  const { returnSequences = true, units = 1, activation = 'linear', td = false } = opts;
  const head = lib.layers.dense({ units, activation } as never);
  return (lib.sequential as (a: unknown) => rl.Sequential)({
    layers: [
      lib.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true, inputLength: 4 } as never),
      lib.layers.lstm({ units: 2, returnSequences, recurrentActivation: 'sigmoid' } as never),
      td ? lib.layers.timeDistributed({ layer: head } as never) : head,
    ],
  });
}

/** An rl model and a tfjs one with the rl model's (seeded) weights. */
function pair(opts: Parameters<typeof seqModel>[1] = {}, seed = 3) {
  rl.setSeed(seed);
  const ours = seqModel(rl, opts);
  const theirs = seqModel(tf, opts) as unknown as tf.Sequential;
  theirs.setWeights(ours.getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
  return { ours, theirs };
}

const ids = () => rl.tensor2d(IDS, [2, 4], 'int32');
const tfIds = () => tf.tensor2d(IDS, [2, 4], 'int32');
const scalarOf = (r: unknown, i = 0): number => (Array.isArray(r) ? r[i] : r as rl.Scalar).dataSync()[0];

describe('the loss of a masked per-step output (Keras)', () => {
  it('mse averages over the unmasked steps only: sum(l x mask) / valid, where tfjs averages over all steps', () => {
    const { ours, theirs } = pair();
    ours.compile({ optimizer: 'sgd', loss: 'mse' });
    theirs.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const p = Array.from((theirs.predict(tfIds()) as tf.Tensor).dataSync());
    const sq = p.map((v) => (v - 1) ** 2);
    const keras = sq.reduce((s, v, i) => s + v * MASK[i], 0) / VALID;
    const plain = sq.reduce((s, v) => s + v, 0) / sq.length;
    // tfjs's own loss is the plain mean: the predictions agree, only the reduction differs.
    expect(scalarOf(theirs.evaluate(tfIds(), tf.tensor3d(Y1)))).toBeCloseTo(plain, 5);
    const ev = scalarOf(ours.evaluate(ids(), rl.tensor3d(Y1)));
    expect(ev).toBeCloseTo(keras, 5);
    expect(Math.abs(ev - plain)).toBeGreaterThan(1e-4);
  });

  it('timeDistributed(dense) keeps the mask too', () => {
    const { ours, theirs } = pair({ td: true });
    ours.compile({ optimizer: 'sgd', loss: 'mae' });
    const p = Array.from((theirs.predict(tfIds()) as tf.Tensor).dataSync());
    const keras = p.reduce((s, v, i) => s + Math.abs(v - 1) * MASK[i], 0) / VALID;
    expect(scalarOf(ours.evaluate(ids(), rl.tensor3d(Y1)))).toBeCloseTo(keras, 5);
  });

  it('trains on the masked loss: one SGD step equals tfjs trained on the masked mean written as a custom loss', async () => {
    const { ours, theirs } = pair({}, 7);
    ours.compile({ optimizer: rl.train.sgd(0.5), loss: 'mse' });
    const lossBefore = ours.trainOnBatch(ids(), rl.tensor3d(Y1)) as number;
    const mask = tf.tensor3d(MASK, [2, 4, 1]);
    theirs.compile({ optimizer: tf.train.sgd(0.5), loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.square(tf.sub(yp, yt)), mask)), VALID) });
    const theirLoss = await theirs.trainOnBatch(tfIds(), tf.tensor3d(Y1)) as number;
    expect(lossBefore).toBeCloseTo(theirLoss, 5);
    const got = ours.getWeights().map((w) => Array.from(w.dataSync()));
    theirs.getWeights().forEach((w, i) => Array.from(w.dataSync()).forEach((v, j) => expect(got[i][j]).toBeCloseTo(v, 5)));
  });

  it('fit logs the masked loss and masked mean metrics; evaluate returns the same', async () => {
    const { ours, theirs } = pair({ activation: 'sigmoid' }, 11);
    ours.compile({ optimizer: rl.train.sgd(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy', 'mae', 'mse'] });
    const y = [[[1], [0], [1], [1]], [[0], [1], [0], [1]]];
    const p = Array.from((theirs.predict(tfIds()) as tf.Tensor).dataSync());
    const t = y.flat(2);
    const eps = 1e-7;
    const bce = p.map((v, i) => { const q = Math.min(Math.max(v, eps), 1 - eps); return -(t[i] * Math.log(q) + (1 - t[i]) * Math.log(1 - q)); });
    const masked = (vals: number[]) => vals.reduce((s, v, i) => s + v * MASK[i], 0) / VALID;
    const want = [masked(bce), masked(p.map((v, i) => ((v > 0.5 ? 1 : 0) === t[i] ? 1 : 0))), masked(p.map((v, i) => Math.abs(v - t[i]))), masked(p.map((v, i) => (v - t[i]) ** 2))];
    const ev = (ours.evaluate(ids(), rl.tensor3d(y)) as rl.Scalar[]).map((s) => s.dataSync()[0]);
    want.forEach((w, i) => expect(ev[i]).toBeCloseTo(w, 5));
    // One batch: fit's logs are measured before the update, so they equal evaluate's.
    const h = await ours.fit(ids(), rl.tensor3d(y), { epochs: 1, batchSize: 2, verbose: 0, shuffle: false });
    ['loss', 'accuracy', 'mae', 'mse'].forEach((k, i) => expect((h.history[k] as number[])[0]).toBeCloseTo(want[i], 5));
  });

  it('combines with sample weights as Keras: sum(l x w x mask) / valid, per sample or per step', () => {
    const { ours, theirs } = pair({}, 5);
    ours.compile({ optimizer: 'sgd', loss: 'mse' });
    const p = Array.from((theirs.predict(tfIds()) as tf.Tensor).dataSync());
    const sq = p.map((v) => (v - 1) ** 2);
    const sw = [2, 0.5];
    expect(scalarOf(ours.evaluate(ids(), rl.tensor3d(Y1), { sampleWeight: rl.tensor1d(sw) }))).toBeCloseTo(sq.reduce((s, v, i) => s + v * MASK[i] * sw[Math.floor(i / 4)], 0) / VALID, 5);
    const steps = [[1, 2, 3, 4], [0.5, 1, 1.5, 2]];
    expect(scalarOf(ours.evaluate(ids(), rl.tensor3d(Y1), { sampleWeight: rl.tensor2d(steps) }))).toBeCloseTo(sq.reduce((s, v, i) => s + v * MASK[i] * steps.flat()[i], 0) / VALID, 5);
  });

  it('a returnSequences:false RNN drops the mask: the loss stays the plain mean, equal to tfjs\'s', () => {
    const { ours, theirs } = pair({ returnSequences: false, activation: 'sigmoid' }, 9);
    ours.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    theirs.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const r = (ours.evaluate(ids(), rl.tensor2d([[1], [0]])) as rl.Scalar[]).map((s) => s.dataSync()[0]);
    const t = (theirs.evaluate(tfIds(), tf.tensor2d([[1], [0]])) as tf.Scalar[]).map((s) => s.dataSync()[0]);
    r.forEach((v, i) => expect(v).toBeCloseTo(t[i], 5));
  });

  it('a Functional model masks each output by its own mask; sparse targets and accuracy under the mask', () => {
    rl.setSeed(13);
    const build = (lib: Lib) => {
      const inp = lib.input({ shape: [4], dtype: 'int32' } as never) as never;
      const emb = (lib.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true, name: 'emb' } as never) as Either).apply(inp) as never;
      const seq = (lib.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', name: 'seq' } as never) as Either).apply(emb) as never;
      const o1 = (lib.layers.dense({ units: 3, activation: 'softmax', name: 'tags' } as never) as Either).apply(seq) as never;
      const last = (lib.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', name: 'last' } as never) as Either).apply(emb) as never;
      const o2 = (lib.layers.dense({ units: 1, name: 'score' } as never) as Either).apply(last) as never;
      return (lib.model as (a: unknown) => rl.Functional)({ inputs: inp, outputs: [o1, o2] });
    };
    const ours = build(rl), theirs = build(tf) as unknown as tf.LayersModel;
    for (const name of ['emb', 'seq', 'tags', 'last', 'score']) {
      theirs.getLayer(name).setWeights(ours.getLayer(name).getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
    }
    ours.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'mse'], metrics: { tags: 'accuracy' } });
    const tags = [[2, 1, 0, 0], [0, 1, 2, 0]], score = [[0.5], [-1]];
    const [pt, ps] = (theirs.predict(tfIds()) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    const ce = tags.flat().map((id, r) => -Math.log(Math.min(Math.max(pt[r * 3 + id], 1e-7), 1 - 1e-7)));
    const hits = tags.flat().map((id, r) => { const row = pt.slice(r * 3, r * 3 + 3); return row.indexOf(Math.max(...row)) === id ? 1 : 0; });
    const masked = (v: number[]) => v.reduce((s, x, i) => s + x * MASK[i], 0) / VALID;
    const mse = ((ps[0] - 0.5) ** 2 + (ps[1] + 1) ** 2) / 2;
    const r = (ours.evaluate(ids(), [rl.tensor2d(tags), rl.tensor2d(score)]) as rl.Scalar[]).map((s) => s.dataSync()[0]);
    expect(r).toHaveLength(4);
    expect(r[1]).toBeCloseTo(masked(ce), 5);
    expect(r[2]).toBeCloseTo(mse, 5);
    expect(r[0]).toBeCloseTo(masked(ce) + mse, 5);
    expect(r[3]).toBeCloseTo(masked(hits), 6);
  });

  it('a user loss function returning per-step losses is masked too; another shape under a mask is an error', () => {
    const { ours } = pair({}, 2);
    ours.compile({ optimizer: 'sgd', loss: 'mse' });
    const builtIn = scalarOf(ours.evaluate(ids(), rl.tensor3d(Y1)));
    const perStep = function stepMse(yt: rl.Tensor, yp: rl.Tensor) { const d = rl.sub(yp, yt); return rl.mean(rl.mul(d, d), -1); };
    ours.compile({ optimizer: 'sgd', loss: perStep });
    expect(scalarOf(ours.evaluate(ids(), rl.tensor3d(Y1)))).toBeCloseTo(builtIn, 5);
    const perSample = function sampleMse(yt: rl.Tensor, yp: rl.Tensor) { const d = rl.sub(yp, yt); return rl.mean(rl.mul(d, d), [1, 2]); };
    ours.compile({ optimizer: 'sgd', loss: perSample });
    expect(() => ours.evaluate(ids(), rl.tensor3d(Y1))).toThrow(/loss function 'sampleMse': the output \[2, 4, 1\] carries a padding mask.*returned shape \[2\]/);
  });
});
