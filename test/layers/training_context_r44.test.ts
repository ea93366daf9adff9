/**
 * Keras's call context: a layer applied inside another layer's call without a `training` of its own runs in the mode
 * of the enclosing call (keras/src/layers/layer.py __call__), so a custom layer's `this.dropout.apply(x)` drops in fit
 * and its `this.bn.apply(x)` moves BatchNormalization's statistics; tfjs 4.22 runs both in inference there. An explicit
 * `training` wins at any depth, and the mode is restored when a call throws. Expectations are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
type Layer = InstanceType<typeof rl.layers.Layer>;

const X = [[1, 2, 3], [4, 0, -2], [0.5, 1, 7], [-3, 5, 1]];
const flat = X.flat();

/** A custom layer whose call applies an inner layer as Keras code does, optionally with a fixed `training`. */
function holder(inner: Layer, name: string, fixed?: boolean) {
  return new (class extends rl.layers.Layer {
    static className = 'InnerHolder';
    inner = inner;
    seen: number[][] = [];
    call(x: Any) {
      const v = (Array.isArray(x) ? x[0] : x) as rl.Tensor;
      const y = (fixed === undefined ? this.inner.apply(v) : this.inner.apply(v, { training: fixed })) as rl.Tensor;
      this.seen.push(Array.from(y.dataSync()));
      return y;
    }
  })({ name });
}

/** input [3] -> layer -> dense (so the model has weights to step), compiled with sgd(0): nothing but statistics moves. */
function modelAround(layer: Layer): rl.Functional {
  const x = rl.input({ shape: [3] });
  const y = rl.layers.dense({ units: 1, kernelInitializer: 'ones' }).apply(layer.apply(x) as rl.SymbolicTensor) as rl.SymbolicTensor;
  const m = rl.model({ inputs: x, outputs: y });
  m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
  return m;
}

/** Every value either dropped (0) or kept and scaled by 1 / (1 - 0.5); both happen. */
function expectDropped(got: number[], input: number[]): void {
  expect(got.length).toBe(input.length);
  got.forEach((v, i) => expect(v === 0 || Math.abs(v - 2 * input[i]) < 1e-6).toBe(true));
  expect(got.filter((v, i) => v === 0 && input[i] !== 0).length).toBeGreaterThan(0);
  expect(got.filter((v, i) => v !== 0 && Math.abs(v - 2 * input[i]) < 1e-6).length).toBeGreaterThan(0);
}

/** Per-column mean and biased variance of X (BatchNormalization's batch statistics). */
function columnStats(): { mean: number[]; variance: number[] } {
  const mean = [0, 1, 2].map((c) => X.reduce((s, r) => s + r[c], 0) / X.length);
  const variance = [0, 1, 2].map((c) => X.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / X.length);
  return { mean, variance };
}

function movingStats(bn: Layer): number[][] {
  return bn.getWeights().slice(2).map((w: rl.Tensor) => Array.from(w.dataSync()));
}

function expectClose(got: number[], want: number[], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(tol));
}

describe('training reaches layers a custom layer applies without kwargs (Keras\'s call context)', () => {
  it('an inner Dropout drops in trainOnBatch and fit, and not in predict or evaluate', async () => {
    rl.setSeed(5);
    const wrap = holder(rl.layers.dropout({ rate: 0.5 }), 'drop_holder');
    const m = modelAround(wrap);
    const x = rl.tensor2d(X), y = rl.zeros([4, 1]);
    m.trainOnBatch(x, y);
    expectDropped(wrap.seen.at(-1)!, flat);
    await m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expectDropped(wrap.seen.at(-1)!, flat);
    m.predict(x);
    expect(wrap.seen.at(-1)).toEqual(flat);
    m.evaluate(x, y);
    expect(wrap.seen.at(-1)).toEqual(flat);
  });

  it('a Sequential model a custom layer applies without kwargs drops in trainOnBatch and not in predict', () => {
    rl.setSeed(6);
    const inner = rl.sequential({ layers: [rl.layers.dropout({ rate: 0.5, inputShape: [3] })] });
    const wrap = holder(inner as never, 'seq_holder');
    const m = modelAround(wrap);
    const x = rl.tensor2d(X), y = rl.zeros([4, 1]);
    m.trainOnBatch(x, y);
    expectDropped(wrap.seen.at(-1)!, flat);
    m.predict(x);
    expect(wrap.seen.at(-1)).toEqual(flat);
  });

  it('an inner BatchNormalization moves its statistics by the momentum formula in training only', async () => {
    const bn = rl.layers.batchNormalization({ momentum: 0.5 });
    const m = modelAround(holder(bn, 'bn_holder'));
    const x = rl.tensor2d(X), y = rl.zeros([4, 1]);
    const { mean, variance } = columnStats();
    m.trainOnBatch(x, y);
    // moving = moving x momentum + batch x (1 - momentum), from 0 and 1.
    const mean1 = mean.map((v) => 0.5 * v), var1 = variance.map((v) => 0.5 + 0.5 * v);
    expectClose(movingStats(bn)[0], mean1);
    expectClose(movingStats(bn)[1], var1);
    m.predict(x);
    m.evaluate(x, y);
    expectClose(movingStats(bn)[0], mean1);
    expectClose(movingStats(bn)[1], var1);
    await m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expectClose(movingStats(bn)[0], mean1.map((v, i) => 0.5 * v + 0.5 * mean[i]));
    expectClose(movingStats(bn)[1], var1.map((v, i) => 0.5 * v + 0.5 * variance[i]));
  });

  it('a custom layer built inside its first training call does not train its inner layers on the build\'s zeros', () => {
    const bn = rl.layers.batchNormalization({ momentum: 0.5 });
    // First used on real tensors in training (a custom loop): it is built inside that call, by a call on zeros.
    holder(bn, 'lazy_holder').apply(rl.tensor2d(X), { training: true });
    const { mean, variance } = columnStats();
    expectClose(movingStats(bn)[0], mean.map((v) => 0.5 * v));
    expectClose(movingStats(bn)[1], variance.map((v) => 0.5 + 0.5 * v));
  });

  it('an explicit training wins inside either mode: false stays inference in fit, true trains in predict', () => {
    rl.setSeed(4);
    const bnOff = rl.layers.batchNormalization({ momentum: 0.5 });
    const sibling = rl.layers.dropout({ rate: 0.5 });
    const seen: number[][] = [];
    // The fixed false holds for its own call only: a sibling applied after it still takes fit's mode.
    const off = new (class extends rl.layers.Layer {
      static className = 'FixedThenInherited';
      call(x: Any) {
        const v = Array.isArray(x) ? x[0] : x;
        const normalized = bnOff.apply(v, { training: false }) as rl.Tensor;
        const dropped = sibling.apply(v) as rl.Tensor;
        seen.push(Array.from(normalized.dataSync()), Array.from(dropped.dataSync()));
        return rl.add(normalized, dropped);
      }
    })({ name: 'bn_off' });
    const m = modelAround(off);
    const x = rl.tensor2d(X), y = rl.zeros([4, 1]);
    m.trainOnBatch(x, y);
    expect(movingStats(bnOff)).toEqual([[0, 0, 0], [1, 1, 1]]);
    // Inference with the initial statistics: x / sqrt(1 + epsilon).
    expectClose(seen.at(-2)!, flat.map((v) => v / Math.sqrt(1 + 1e-3)));
    expectDropped(seen.at(-1)!, flat);

    rl.setSeed(6);
    const on = holder(rl.layers.dropout({ rate: 0.5 }), 'drop_on', true);
    modelAround(on).predict(x);
    expectDropped(on.seen.at(-1)!, flat);
  });

  it('the mode reaches two levels down, through custom layers and a functional model, and a fixed false holds below it', () => {
    rl.setSeed(7);
    const leaf = holder(rl.layers.dropout({ rate: 0.5 }), 'leaf');
    const sub = rl.input({ shape: [3] });
    const functional = rl.model({ inputs: sub, outputs: leaf.apply(sub) as rl.SymbolicTensor });
    const top = holder(holder(functional as unknown as Layer, 'middle'), 'top');
    const m = modelAround(top);
    const x = rl.tensor2d(X), y = rl.zeros([4, 1]);
    m.trainOnBatch(x, y);
    expectDropped(leaf.seen.at(-1)!, flat);
    m.predict(x);
    expect(leaf.seen.at(-1)).toEqual(flat);

    // The middle call fixes inference: the leaf below it, given nothing, inherits that, not fit's mode.
    const quietLeaf = holder(rl.layers.dropout({ rate: 0.5 }), 'quiet_leaf');
    const quiet = modelAround(holder(holder(quietLeaf, 'quiet_middle'), 'quiet_top', false));
    quiet.trainOnBatch(x, y);
    expect(quietLeaf.seen.at(-1)).toEqual(flat);
  });

  it('a custom training loop\'s model.apply(x, {training: true}) trains the inner layers; apply(x) does not', () => {
    rl.setSeed(8);
    const wrap = holder(rl.layers.dropout({ rate: 0.5 }), 'loop_holder');
    const m = modelAround(wrap);
    const x = rl.tensor2d(X);
    rl.variableGrads(() => rl.mean(m.apply(x, { training: true }) as rl.Tensor) as rl.Scalar);
    expectDropped(wrap.seen.at(-1)!, flat);
    m.apply(x);
    expect(wrap.seen.at(-1)).toEqual(flat);
  });

  it('the mode is restored when a call throws: a later call without training is inference again', () => {
    rl.setSeed(9);
    const drop = rl.layers.dropout({ rate: 0.5 });
    let fail = false;
    const thrower = new (class extends rl.layers.Layer {
      static className = 'ThrowsAfterInner';
      seen: number[] = [];
      call(x: Any) {
        const y = drop.apply(Array.isArray(x) ? x[0] : x) as rl.Tensor;
        this.seen = Array.from(y.dataSync());
        if (fail) throw new Error('boom');
        return y;
      }
    })({ name: 'thrower' });
    const x = rl.tensor2d(X);
    thrower.apply(x, { training: true });
    expectDropped(thrower.seen, flat);
    fail = true;
    expect(() => thrower.apply(x, { training: true })).toThrow(/boom/);
    expect(Array.from((drop.apply(x) as rl.Tensor).dataSync())).toEqual(flat);
    fail = false;
    thrower.apply(x);
    expect(thrower.seen).toEqual(flat);
  });

  it('a user RNN cell\'s inner Dropout drops under rnn() in fit and not in predict', () => {
    rl.setSeed(10);
    const drop = rl.layers.dropout({ rate: 0.5 });
    const seen: number[][] = [];
    const cell = new (class extends rl.layers.Layer {
      static className = 'DroppingSumCell';
      stateSize = 3;
      call(inputs: Any) {
        const [v, h] = inputs as rl.Tensor[];
        const d = drop.apply(v) as rl.Tensor;
        seen.push(Array.from(d.dataSync()));
        const out = rl.add(d, h);
        return [out, out];
      }
    })({ name: 'dropping_cell' });
    const inp = rl.input({ shape: [2, 3] });
    const h = rl.layers.rnn({ cell: cell as never }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1 }).apply(h) as rl.SymbolicTensor });
    m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
    const seq = [[X[0], X[1]], [X[2], X[3]]];
    const x = rl.tensor3d(seq), y = rl.zeros([2, 1]);
    const steps = [[...X[0], ...X[2]], [...X[1], ...X[3]]];
    m.trainOnBatch(x, y);
    expectDropped([...seen.at(-2)!, ...seen.at(-1)!], [...steps[0], ...steps[1]]);
    m.predict(x);
    expect(seen.slice(-2)).toEqual(steps);
  });

  it('timeDistributed over a custom layer passes the mode to the layers it applies', () => {
    rl.setSeed(11);
    const wrap = holder(rl.layers.dropout({ rate: 0.5 }), 'td_holder');
    const inp = rl.input({ shape: [2, 3] });
    const td = rl.layers.timeDistributed({ layer: wrap }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1 }).apply(rl.layers.flatten().apply(td) as rl.SymbolicTensor) as rl.SymbolicTensor });
    m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
    const x = rl.tensor3d([[X[0], X[1]], [X[2], X[3]]]), y = rl.zeros([2, 1]);
    m.trainOnBatch(x, y);
    expectDropped(wrap.seen.at(-1)!, flat);
    m.predict(x);
    expect(wrap.seen.at(-1)).toEqual(flat);
  });
});
