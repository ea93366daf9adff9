// compile's metrics, per-output metrics, options, lossWeights and per-output losses, against tfjs-layers (the same
// program and weights in both libraries) or, where tfjs lacks the feature (lossWeights), Keras's formula by hand.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

type Lib = typeof rl | typeof tf;
/** A model of either library: the test drives both through the same tfjs API. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Either = any;

const X = [[1, 2, 3], [0, -1, 0.5], [2, 2, -1], [-0.5, 0, 1], [1.5, -2, 0.25]];
const YR = [[1, -2], [0.5, 0.25], [3, 1], [-1, 2], [0.75, -0.5]];
const YB = [[1, 0], [0, 0], [1, 1], [0, 1], [1, 0]];
const YC = [[1, 0], [0, 1], [0, 1], [1, 0], [1, 0]];
const K = [[0.5, -0.3], [-1.25, 0.2], [2, 0.7]];
const B = [0.1, -0.2];

/** One Dense layer [3] -> [2] with fixed weights, compiled the same way in rl and tfjs. */
function dense(lib: Lib, activation: string, loss: string, metrics: unknown) {
  const m: Either = (lib.sequential as (a: unknown) => Either)({ layers: [lib.layers.dense({ units: 2, inputShape: [3], activation } as never)] });
  m.setWeights([lib.tensor2d(K), lib.tensor1d(B)] as never);
  m.compile({ optimizer: (lib.train.sgd as (lr: number) => never)(0.1), loss, metrics } as never);
  return m;
}

const values = (r: unknown): number[] => (Array.isArray(r) ? r : [r]).map((s) => (s as rl.Scalar).dataSync()[0]);

function closeAll(a: number[], b: number[], digits = 5) {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], digits));
}

/** fit's history keys and values against tfjs's (two epochs, no shuffling, uneven batches). */
async function sameFit(ours: Either, theirs: unknown, x: number[][], y: number[][], names: string[]) {
  const h = await ours.fit(rl.tensor2d(x), rl.tensor2d(y), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  const th = await (theirs as tf.Sequential).fit(tf.tensor2d(x), tf.tensor2d(y), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  expect(Object.keys(h.history).sort()).toEqual([...names].sort());
  expect(Object.keys(th.history).sort()).toEqual([...names].sort());
  for (const k of names) closeAll(h.history[k] as number[], th.history[k] as number[], 4);
}

describe('compile: loss-style metrics (tfjs tf.metrics functions and names)', () => {
  it('strings mse/MSE/mae/MAE/mape/MAPE/cosine: evaluate and fit logs equal tfjs\'s', async () => {
    const metrics = ['mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE', 'cosine'];
    const ours = dense(rl, 'linear', 'meanSquaredError', metrics), theirs = dense(tf, 'linear', 'meanSquaredError', metrics);
    closeAll(values(ours.evaluate(rl.tensor2d(X), rl.tensor2d(YR), { batchSize: 2 })), values(theirs.evaluate(tf.tensor2d(X), tf.tensor2d(YR), { batchSize: 2 })));
    await sameFit(ours, theirs, X, YR, ['loss', ...metrics]);
  });

  it('the rl.metrics functions log under tfjs\'s names with tfjs\'s values (r2Score per batch, weighted by batch size)', async () => {
    const ours = dense(rl, 'linear', 'meanSquaredError', [rl.metrics.mse, rl.metrics.meanAbsoluteError, rl.metrics.meanAbsolutePercentageError, rl.metrics.cosineProximity, rl.metrics.r2Score]);
    const theirs = dense(tf, 'linear', 'meanSquaredError', [tf.metrics.mse, tf.metrics.meanAbsoluteError, tf.metrics.meanAbsolutePercentageError, tf.metrics.cosineProximity, tf.metrics.r2Score]);
    expect(() => dense(rl, 'linear', 'mse', [rl.metrics.meanSquaredError, rl.metrics.meanAbsoluteError])).not.toThrow();
    closeAll(values(ours.evaluate(rl.tensor2d(X), rl.tensor2d(YR), { batchSize: 2 })), values(theirs.evaluate(tf.tensor2d(X), tf.tensor2d(YR), { batchSize: 2 })));
    // tfjs logs a function under its name: tf.metrics.mse as 'mse'.
    await sameFit(ours, theirs, X, YR, ['loss', 'mse', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'cosineProximity', 'r2Score']);
  });

  it('binaryCrossentropy / categoricalCrossentropy (functions and names) read probabilities as tfjs\'s, also with the activation folded into the loss', async () => {
    const oursB = dense(rl, 'sigmoid', 'binaryCrossentropy', ['binaryCrossentropy', rl.metrics.binaryCrossentropy, 'mse', 'binaryAccuracy']);
    const theirsB = dense(tf, 'sigmoid', 'binaryCrossentropy', [tf.metrics.binaryCrossentropy, 'mse', 'binaryAccuracy']);
    const rb = values(oursB.evaluate(rl.tensor2d(X), rl.tensor2d(YB), { batchSize: 2 }));
    const tb = values(theirsB.evaluate(tf.tensor2d(X), tf.tensor2d(YB), { batchSize: 2 }));
    closeAll(rb, [tb[0], tb[1], tb[1], tb[2], tb[3]]);
    // The string and the rl function name the same metric: both log 'binaryCrossentropy' (one key).
    const oursC = dense(rl, 'softmax', 'categoricalCrossentropy', ['categoricalCrossentropy', 'categorical_crossentropy', 'mae']);
    const theirsC = dense(tf, 'softmax', 'categoricalCrossentropy', ['categoricalCrossentropy', 'mae']);
    const rc = values(oursC.evaluate(rl.tensor2d(X), rl.tensor2d(YC), { batchSize: 2 }));
    const tc = values(theirsC.evaluate(tf.tensor2d(X), tf.tensor2d(YC), { batchSize: 2 }));
    closeAll(rc, [tc[0], tc[1], tc[1], tc[2]]);
    await sameFit(dense(rl, 'softmax', 'categoricalCrossentropy', ['categoricalCrossentropy', 'mae']), theirsC, X, YC, ['loss', 'categoricalCrossentropy', 'mae']);
  });

  it('Keras\'s snake_case and tfjs\'s camelCase names give the same numbers as the short ones; the log key is the name given', () => {
    const m = dense(rl, 'linear', 'mse', ['mean_squared_error', 'meanSquaredError', 'mse', 'mean_absolute_percentage_error', 'meanAbsolutePercentageError']);
    const v = values(m.evaluate(rl.tensor2d(X), rl.tensor2d(YR)));
    expect(v[1]).toBeCloseTo(v[0], 6);
    expect(v[2]).toBeCloseTo(v[0], 6);
    expect(v[3]).toBeCloseTo(v[0], 6);
    expect(v[4]).toBeCloseTo(v[5], 6);
    // By hand: the mean over every value of (pred - y)^2.
    const p = (m.predict(rl.tensor2d(X)) as rl.Tensor).dataSync();
    const se = YR.flat().reduce((s, y, i) => s + (p[i] - y) ** 2, 0) / 10;
    expect(v[1]).toBeCloseTo(se, 5);
  });

  it('an unknown metric is refused with the supported names listed', () => {
    expect(() => dense(rl, 'linear', 'mse', ['cosine_similarity'])).toThrow(/unknown metric 'cosine_similarity'; use one of .*meanSquaredError.*r2Score/);
    expect(() => dense(rl, 'softmax', 'sparseCategoricalCrossentropy', ['mse']).evaluate(rl.tensor2d(X), rl.tensor1d([0, 1, 1, 0, 0]))).toThrow(/'mse' needs targets shaped like the output/);
  });
});

/** Two heads o1 (regression) and o2 on a shared trunk, the same in rl and tfjs. */
function twoHeads(lib: Lib, args: Record<string, unknown>, lr = 0.1) {
  const inp = lib.input({ shape: [3] }) as never;
  const trunk = (lib.layers.dense({ units: 2, name: 'trunk', activation: 'tanh' } as never) as Either).apply(inp) as never;
  const o1 = (lib.layers.dense({ units: 2, name: 'o1' } as never) as Either).apply(trunk) as never;
  const o2 = (lib.layers.dense({ units: 1, name: 'o2', activation: 'sigmoid' } as never) as Either).apply(trunk) as never;
  const m: Either = (lib.model as (a: unknown) => Either)({ inputs: inp, outputs: [o1, o2] });
  m.setWeights([lib.tensor2d(K), lib.tensor1d(B), lib.tensor2d([[0.3, -0.6], [0.9, 0.4]]), lib.tensor1d([0.05, -0.1]), lib.tensor2d([[1.1], [-0.7]]), lib.tensor1d([0.2])] as never);
  m.compile({ optimizer: (lib.train.sgd as (lr: number) => never)(lr), loss: ['meanSquaredError', 'binaryCrossentropy'], ...args } as never);
  return m;
}
const Y2 = [[1], [0], [1], [1], [0]];

describe('several outputs: per-output losses and metrics as tfjs logs them', () => {
  it('evaluate returns [loss, o1_loss, o2_loss, ...metrics] and fit logs them (and val_*), equal to tfjs\'s', async () => {
    const ours = twoHeads(rl, { metrics: ['mae'] }), theirs = twoHeads(tf, { metrics: ['mae'] });
    const r = values(ours.evaluate(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)], { batchSize: 2 }));
    const t = values(theirs.evaluate(tf.tensor2d(X), [tf.tensor2d(YR), tf.tensor2d(Y2)], { batchSize: 2 }));
    expect((theirs as unknown as tf.LayersModel).metricsNames).toEqual(['loss', 'o1_loss', 'o2_loss', 'o1_mae', 'o2_mae']);
    // tfjs 4.22's evaluate puts a running total per output first ([o1, o1 + o2, o1_loss, ...]: one value more than
    // metricsNames); rnnlab returns metricsNames' order, as Keras and tfjs's fit and trainOnBatch.
    expect(t).toHaveLength(6);
    expect(r).toHaveLength(5);
    closeAll(r, t.slice(1));
    expect(r[0]).toBeCloseTo(r[1] + r[2], 6);
    const h = await ours.fit(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)], { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const th = await theirs.fit(tf.tensor2d(X), [tf.tensor2d(YR), tf.tensor2d(Y2)], { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const keys = ['loss', 'o1_loss', 'o2_loss', 'o1_mae', 'o2_mae'];
    expect(Object.keys(h.history).sort()).toEqual([...keys].sort());
    expect(Object.keys(th.history).sort()).toEqual([...keys].sort());
    for (const k of keys) closeAll(h.history[k] as number[], th.history[k] as number[], 4);
    // val_*: the same names, each equal to evaluate on the epoch's final weights.
    const hv = await ours.fit(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)], { epochs: 1, batchSize: 2, shuffle: false, verbose: 0, validationData: [rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]] });
    const after = values(ours.evaluate(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]));
    keys.forEach((k, i) => expect((hv.history[`val_${k}`] as number[])[0]).toBeCloseTo(after[i], 6));
  });

  it('trainOnBatch returns the per-output losses too, as tfjs', () => {
    const ours = twoHeads(rl, {}), theirs = twoHeads(tf, {});
    const r = ours.trainOnBatch(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]) as number[];
    const t = (theirs as unknown as tf.LayersModel).trainOnBatch(tf.tensor2d(X), [tf.tensor2d(YR), tf.tensor2d(Y2)]);
    return Promise.resolve(t).then((tv) => closeAll(r, tv as number[]));
  });

  it('one-output models keep their logs: loss and the metrics only', async () => {
    const m = dense(rl, 'linear', 'mse', ['mae']);
    const h = await m.fit(rl.tensor2d(X), rl.tensor2d(YR), { epochs: 1, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae']);
    expect(values(m.evaluate(rl.tensor2d(X), rl.tensor2d(YR)))).toHaveLength(2);
  });

  it('metrics as {output: metrics} apply to that output only, named <output>_<metric>, equal to tfjs\'s', async () => {
    const ours = twoHeads(rl, { metrics: { o2: ['binaryAccuracy', 'mse'] } }), theirs = twoHeads(tf, { metrics: { o2: ['binaryAccuracy', 'mse'] } });
    const r = values(ours.evaluate(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]));
    const t = values(theirs.evaluate(tf.tensor2d(X), [tf.tensor2d(YR), tf.tensor2d(Y2)]));
    closeAll(r, t.slice(1));
    const h = await ours.fit(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)], { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
    const th = await theirs.fit(tf.tensor2d(X), [tf.tensor2d(YR), tf.tensor2d(Y2)], { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'o1_loss', 'o2_binaryAccuracy', 'o2_loss', 'o2_mse']);
    for (const k of Object.keys(h.history)) closeAll(h.history[k] as number[], th.history[k] as number[], 4);
    // A one-output model keyed by its output's name: no prefix, as tfjs.
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'head' })] });
    s.compile({ optimizer: 'sgd', loss: 'mse', metrics: { head: 'mae' } });
    expect(Object.keys((await s.fit(rl.tensor2d(X), rl.tensor2d(YR), { verbose: 0 })).history).sort()).toEqual(['loss', 'mae']);
    expect(() => twoHeads(rl, { metrics: { o3: 'mae' } })).toThrow(/metrics names output 'o3', but the model's outputs are o1, o2/);
  });
});

describe('compile options', () => {
  it('unknown and unsupported options are refused by name', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [3] })] });
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metric: ['accuracy'], fooBar: 1 } as never)).toThrow(/compile: unknown option 'metric' \(did you mean 'metrics'\?\); options: optimizer, loss, metrics, lossWeights, loss_weights/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', fooBar: 1 } as never)).toThrow(/unknown option 'fooBar'/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', weightedMetrics: ['mae'] } as never)).toThrow(/option 'weightedMetrics' is not supported by rnnlab/);
    const f = twoHeads(rl, {});
    expect(() => f.compile({ optimizer: 'adam', loss: 'mse', run_eagerly: true } as never)).toThrow(/option 'run_eagerly' is not supported/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: undefined })).not.toThrow();
  });

  it('lossWeights (Keras\'s loss_weights): total = sum of weight x output loss; per-output logs stay unweighted', () => {
    const plain = values(twoHeads(rl, {}).evaluate(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]));
    for (const args of [{ lossWeights: [10, 0.5] }, { loss_weights: { o2: 0.5, o1: 10 } }]) {
      const v = values(twoHeads(rl, args).evaluate(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]));
      expect(v[1]).toBeCloseTo(plain[1], 6);
      expect(v[2]).toBeCloseTo(plain[2], 6);
      expect(v[0]).toBeCloseTo(10 * plain[1] + 0.5 * plain[2], 5);
    }
    expect(() => twoHeads(rl, { lossWeights: [1] })).toThrow(/lossWeights lists 1 weights but the model has 2 outputs/);
    expect(() => twoHeads(rl, { lossWeights: { o1: 1 } })).toThrow(/lossWeights gives no weight for output 'o2'/);
    expect(() => twoHeads(rl, { lossWeights: { o1: 1, o2: 1, o3: 2 } })).toThrow(/lossWeights names output 'o3'/);
    expect(() => twoHeads(rl, { lossWeights: 2 })).toThrow(/lossWeights is one number, but the model has 2 outputs/);
    expect(() => twoHeads(rl, { lossWeights: ['a', 1] })).toThrow(/lossWeights\[0\] must be a finite number/);
  });

  it('lossWeights [w, 0] trains like the first output alone with the learning rate times w (tfjs as the reference)', () => {
    const lr = 0.05, w = 10;
    const ours = twoHeads(rl, { lossWeights: [w, 0] }, lr);
    ours.trainOnBatch(rl.tensor2d(X), [rl.tensor2d(YR), rl.tensor2d(Y2)]);
    // tfjs: the trunk and o1 alone, loss mse, SGD at w x lr: the same update as w x mse at lr.
    const inp = tf.input({ shape: [3] });
    const trunk = tf.layers.dense({ units: 2, name: 'trunk', activation: 'tanh' }).apply(inp) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 2, name: 'o1' }).apply(trunk) as tf.SymbolicTensor;
    const ref = tf.model({ inputs: inp, outputs: o1 });
    ref.setWeights([tf.tensor2d(K), tf.tensor1d(B), tf.tensor2d([[0.3, -0.6], [0.9, 0.4]]), tf.tensor1d([0.05, -0.1])]);
    ref.compile({ optimizer: tf.train.sgd(lr * w), loss: 'meanSquaredError' });
    return Promise.resolve(ref.trainOnBatch(tf.tensor2d(X), tf.tensor2d(YR))).then(() => {
      const got = ours.getWeights().map((t: rl.Tensor) => Array.from(t.dataSync()));
      const want = ref.getWeights().map((t) => Array.from(t.dataSync()));
      want.forEach((wv, i) => closeAll(got[i], wv, 5));
      // o2 weighs 0: its head did not move.
      closeAll(got[4], [1.1, -0.7], 7);
      closeAll(got[5], [0.2], 7);
    });
  });

  it('a one-output model takes lossWeights as a number or a list of one', () => {
    const a = dense(rl, 'linear', 'mse', []);
    const base = values(a.evaluate(rl.tensor2d(X), rl.tensor2d(YR)))[0];
    for (const lw of [3, [3]]) {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
      m.setWeights([rl.tensor2d(K), rl.tensor1d(B)]);
      m.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: lw });
      expect(values(m.evaluate(rl.tensor2d(X), rl.tensor2d(YR)))[0]).toBeCloseTo(3 * base, 5);
    }
  });
});
