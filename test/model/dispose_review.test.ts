/**
 * dispose's reference counts where models share things: an optimizer two models train with, an optimizer object
 * reused across a loop of models, a layer used on its own or twice in one model (tfjs 4.22's counts), a layer reached
 * through a wrapper, and a refused model build.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

function dense(units = 2): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.dense({ units, inputShape: [2] })] });
}

const x = rl.ones([4, 2]);
const fitOnce = (m: rl.Sequential) => m.fit(x, x, { epochs: 1, verbose: 0 });

describe('an optimizer compile made is disposed with the last live model holding it', () => {
  for (const share of ['compile', 'setter'] as const) {
    it(`shared by ${share === 'compile' ? "compile({optimizer: m1.optimizer})" : 'm2.optimizer = m1.optimizer'}: m1.dispose() keeps m2's Adam state`, async () => {
      const m1 = dense();
      m1.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const m2 = dense();
      if (share === 'compile') m2.compile({ optimizer: m1.optimizer!, loss: 'meanSquaredError' });
      else { m2.compile({ optimizer: 'sgd', loss: 'meanSquaredError' }); m2.optimizer = m1.optimizer!; }
      await fitOnce(m1);
      await fitOnce(m2);
      const opt = m2.optimizer!;
      expect(opt.iterations).toBe(2);
      // Only m1's weights: the optimizer still trains m2.
      expect(m1.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
      expect(opt.iterations).toBe(2);
      expect(opt.slotVariables()).toEqual(m2.weights);
      await fitOnce(m2);
      expect(opt.iterations).toBe(3);
      // The last holder disposes it, counted as tfjs counts an 'adam' after training one dense layer: 2 + 2 * 2.
      expect(m2.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 + 6 });
      expect(opt.iterations).toBe(0);
    });
  }

  it('a model that swapped to another optimizer no longer holds the first', async () => {
    const m1 = dense();
    m1.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const m2 = dense();
    m2.compile({ optimizer: m1.optimizer!, loss: 'meanSquaredError' });
    m2.optimizer = rl.train.sgd(0.1);
    await fitOnce(m1);
    const opt = m1.optimizer!;
    expect(m1.dispose().numDisposedVariables).toBe(2 + 6);
    expect(opt.iterations).toBe(0);
    m2.dispose();
  });
});

describe("an optimizer object's slots go with the disposed variables", () => {
  it('a loop of build, compile({optimizer}), fit, dispose keeps no slots of disposed models', async () => {
    const opt = rl.train.adam();
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const m = dense();
      m.compile({ optimizer: opt, loss: 'meanSquaredError' });
      await fitOnce(m);
      expect(opt.slotVariables()).toHaveLength(2);
      m.dispose();
      counts.push(opt.slotVariables().length);
    }
    expect(counts).toEqual([0, 0, 0, 0, 0]);
    expect(opt.iterations).toBe(5);
    // tfjs's getWeights: the step count alone.
    expect((await opt.getWeights()).map((w) => w.name)).toEqual(['iter']);
  });

  it('rl.dispose(variable) drops its slots too, before getWeights reads them', async () => {
    const v = rl.variable(rl.ones([3]), true, 'dispose_review_slot_v');
    const opt = rl.train.adam(0.1);
    opt.minimize(() => rl.sum(rl.mul(v, v)) as rl.Scalar, false, [v]);
    expect(opt.slotVariables()).toEqual([v]);
    rl.dispose(v);
    expect(opt.slotVariables()).toEqual([]);
    expect((await opt.getWeights()).map((w) => w.name)).toEqual(['iter']);
  });
});

describe("a layer's holds follow tfjs 4.22's counts", () => {
  it('used on real tensors first, then in a model: the model leaves it alive (tfjs {0, 0}), its own dispose frees it', async () => {
    await tfjsReady();
    const d = rl.layers.dense({ units: 2 });
    d.apply(rl.ones([1, 3]));
    const i = rl.input({ shape: [3] });
    const a = rl.model({ inputs: i, outputs: d.apply(i) as rl.SymbolicTensor });
    const td = tf.layers.dense({ units: 2 });
    td.apply(tf.ones([1, 3]));
    const ti = tf.input({ shape: [3] });
    const ta = tf.model({ inputs: ti, outputs: td.apply(ti) as tf.SymbolicTensor });
    expect(a.dispose()).toEqual(ta.dispose());
    expect((d.apply(rl.ones([1, 3])) as rl.Tensor).shape).toEqual([1, 2]);
    expect(d.dispose()).toEqual(td.dispose());
    expect(d.weights.every((w) => w.isDisposed)).toBe(true);
  });

  it('applied twice in one model: the model lets go once, as tfjs', async () => {
    await tfjsReady();
    const d = rl.layers.dense({ units: 3 });
    const i = rl.input({ shape: [3] });
    const f = rl.model({ inputs: i, outputs: d.apply(d.apply(i) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const td = tf.layers.dense({ units: 3 });
    const ti = tf.input({ shape: [3] });
    const tfm = tf.model({ inputs: ti, outputs: td.apply(td.apply(ti)) as tf.SymbolicTensor });
    expect(f.dispose()).toEqual(tfm.dispose());
    expect(d.weights.some((w) => w.isDisposed)).toBe(false);
    expect(d.dispose()).toEqual(td.dispose());
  });
});

describe('a wrapper holds the layer it wraps', () => {
  it("timeDistributed over a layer another model uses: disposing the wrapper's model leaves it working", () => {
    const d = rl.layers.dense({ units: 2 });
    const a = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: d, inputShape: [4, 3] })] });
    const i = rl.input({ shape: [3] });
    const b = rl.model({ inputs: i, outputs: d.apply(i) as rl.SymbolicTensor });
    expect(a.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 0 });
    expect((b.predict(rl.ones([1, 3])) as rl.Tensor).shape).toEqual([1, 2]);
    // Counted once, by the model that let go last.
    expect(b.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(d.weights.every((w) => w.isDisposed)).toBe(true);
  });

  it('a wrapper or rnn held by nothing else frees the inner weights, counted as tfjs counts them', async () => {
    await tfjsReady();
    const tdModel = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }), inputShape: [4, 3] })] });
    const tfTd = tf.sequential({ layers: [tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }), inputShape: [4, 3] })] });
    const inner = tdModel.layers[0].weights;
    expect(tdModel.dispose()).toEqual(tfTd.dispose());
    expect(inner.every((w) => w.isDisposed)).toBe(true);
    const rnnModel = rl.sequential({ layers: [rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), inputShape: [4, 3] })] });
    const tfRnn = tf.sequential({ layers: [tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 2 }), inputShape: [4, 3] })] });
    expect(rnnModel.dispose()).toEqual(tfRnn.dispose());
  });
});

describe('a refused build takes no holds', () => {
  it('rl.model refused over a disposed layer leaves the earlier layers as they were', () => {
    const xl = rl.layers.dense({ units: 2 });
    const yl = rl.layers.dense({ units: 2 });
    const i = rl.input({ shape: [3] });
    const hx = xl.apply(i) as rl.SymbolicTensor;
    const hy = yl.apply(hx) as rl.SymbolicTensor;
    const a = rl.model({ inputs: i, outputs: hx });
    rl.model({ inputs: i, outputs: hy }).dispose();
    expect(() => rl.model({ inputs: i, outputs: hy })).toThrow(/the layer has been disposed/);
    expect(a.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(xl.weights.every((w) => w.isDisposed)).toBe(true);
  });

  it('sequential.add refused leaves the model without the layer, and the layer unheld', () => {
    const d = rl.layers.dense({ units: 2, inputShape: [3] });
    const bad = rl.layers.reshape({ targetShape: [7] });
    const s = rl.sequential({ layers: [d] });
    expect(() => s.add(bad)).toThrow();
    expect(s.layers).toEqual([d]);
    expect(bad.modelRefs).toBe(0);
    expect(s.dispose().numDisposedVariables).toBe(2);
  });

  it('rl.sequential refused over its layers holds none of them', () => {
    const d = rl.layers.dense({ units: 2, inputShape: [3] });
    expect(() => rl.sequential({ layers: [d, rl.layers.reshape({ targetShape: [7] })] })).toThrow();
    expect(d.modelRefs).toBe(0);
  });
});
