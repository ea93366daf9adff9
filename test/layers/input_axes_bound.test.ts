/**
 * A built layer binds only the input axes its weights depend on, as Keras's and tfjs's input specs do: a Dense first
 * run on 9 steps runs on 12, a Flatten on any length, a layer shared between inputs of different lengths works, and a
 * user's layer holding a Dense runs on every length of a free-length input. What the weights need (the features) and
 * what the user declared (inputShape, inputLength) still bind, with an error naming the layer. tfjs is the oracle for
 * the values.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

const L = rl.layers;
const seq = (shape: number[], seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37));
};
const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
};

/** The same layer in rnnlab and tfjs, with rnnlab's weights, run on each shape in turn. */
function againstTfjs(make: () => Layer, makeTf: () => tf.layers.Layer, shapes: number[][]) {
  const ours = make(), theirs = makeTf();
  shapes.forEach((shape, k) => {
    const x = seq(shape, k);
    const y = ours.apply(rl.tensor(Array.from(x), shape)) as rl.Tensor;
    if (k === 0) {
      theirs.apply(tf.tensor(x, shape));
      theirs.setWeights(ours.getWeights().map((w: rl.Tensor) => tf.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    }
    const t = theirs.apply(tf.tensor(x, shape)) as tf.Tensor;
    expect(y.shape).toEqual(t.shape);
    close(y.dataSync() as Float32Array, t.dataSync() as Float32Array);
  });
}

describe('a built layer binds the axes its weights need, not the others (Keras and tfjs input specs)', () => {
  it('Dense, Conv1D, LSTM, GRU and Flatten run on other lengths and batch sizes after their first call, as tfjs', () => {
    const lengths = [[1, 9, 4], [1, 12, 4], [3, 5, 4]];
    againstTfjs(() => L.dense({ units: 3 }), () => tf.layers.dense({ units: 3 }), lengths);
    againstTfjs(() => L.conv1d({ filters: 2, kernelSize: 3 }), () => tf.layers.conv1d({ filters: 2, kernelSize: 3 }), lengths);
    againstTfjs(() => L.lstm({ units: 2, returnSequences: true }), () => tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }), lengths);
    // tfjs's recurrent layers default to hardSigmoid gates and its GRU has no resetAfter (Keras 3's defaults).
    againstTfjs(() => L.gru({ units: 2, resetAfter: false }), () => tf.layers.gru({ units: 2, recurrentActivation: 'sigmoid' }), lengths);
    againstTfjs(() => L.flatten(), () => tf.layers.flatten(), lengths);
  });

  it('still refuses what the weights cannot take, naming the layer and the shape it was built for', () => {
    const d = L.dense({ units: 3, name: 'four_features' });
    d.apply(rl.zeros([1, 9, 4]));
    expect(() => d.apply(rl.zeros([1, 12, 5]))).toThrow(/four_features \(Dense\): expected input of shape \(None, 9, 4\), got \[1, 12, 5\]/);
    // Another rank takes the same kernel (Keras's min_ndim 2, as tfjs's Dense), but not another last axis.
    expect((d.apply(rl.zeros([1, 2, 9, 4])) as rl.Tensor).shape).toEqual([1, 2, 9, 3]);
    expect(() => d.apply(rl.zeros([1, 2, 9, 5]))).toThrow(/four_features \(Dense\): expected input of shape/);
    const c = L.conv1d({ filters: 2, kernelSize: 3, name: 'conv_4' });
    c.apply(rl.zeros([1, 9, 4]));
    expect(() => c.apply(rl.zeros([1, 9, 3]))).toThrow(/conv_4 \(Conv1D\): expected input of shape \(None, 9, 4\), got \[1, 9, 3\]/);
  });

  it('a declared input shape binds: inputShape and an Embedding\'s inputLength', () => {
    const lstm = L.lstm({ units: 2, inputShape: [9, 4], name: 'declared_9' });
    expect((lstm.apply(rl.zeros([2, 9, 4])) as rl.Tensor).shape).toEqual([2, 2]);
    expect(() => lstm.apply(rl.zeros([2, 12, 4]))).toThrow(/declared_9 \(LSTM\): expected input of shape \(None, 9, 4\), got \[2, 12, 4\]/);
    const e = L.embedding({ inputDim: 5, outputDim: 2, inputLength: 4, name: 'length_4' });
    expect((e.apply(rl.zeros([1, 4], 'int32')) as rl.Tensor).shape).toEqual([1, 4, 2]);
    expect(() => e.apply(rl.zeros([1, 6], 'int32'))).toThrow(/length_4 \(Embedding\): expected input of shape \(None, 4\), got \[1, 6\]/);
  });

  it('a stateful layer still binds its batch size', () => {
    const s = L.simpleRNN({ units: 2, stateful: true, name: 'stateful_2' });
    s.apply(rl.zeros([2, 5, 3]));
    expect((s.apply(rl.zeros([2, 8, 3])) as rl.Tensor).shape).toEqual([2, 2]);
    expect(() => s.apply(rl.zeros([3, 5, 3]))).toThrow(/stateful_2 \(SimpleRNN\): stateful layer was built for batches of 2, got a batch of 3/);
  });

  it('one layer shared by two inputs of different lengths in a functional model', () => {
    const a = rl.input({ shape: [9, 4] }), b = rl.input({ shape: [12, 4] });
    const shared = L.dense({ units: 3 });
    const ya = shared.apply(a) as rl.SymbolicTensor, yb = shared.apply(b) as rl.SymbolicTensor;
    expect(ya.shape).toEqual([null, 9, 3]);
    expect(yb.shape).toEqual([null, 12, 3]);
    const m = rl.model({ inputs: [a, b], outputs: [ya, yb] });
    const xa = rl.tensor(Array.from(seq([2, 9, 4], 1)), [2, 9, 4]), xb = rl.tensor(Array.from(seq([2, 12, 4], 2)), [2, 12, 4]);
    const [pa, pb] = m.predict([xa, xb]) as rl.Tensor[];
    close(pb.dataSync() as Float32Array, (shared.apply(xb) as rl.Tensor).dataSync() as Float32Array);
    close(pa.dataSync() as Float32Array, (shared.apply(xa) as rl.Tensor).dataSync() as Float32Array);
    expect(m.countParams()).toBe(4 * 3 + 3);
  });
});

/** A user's layer that holds a Dense and calls it: its weights are the Dense's, made on its first call. */
class PerStep extends L.Layer {
  static get className() { return 'PerStep'; }
  readonly inner = L.dense({ units: 3 });
  call(x: rl.Tensor | rl.Tensor[]): rl.Tensor { return this.inner.apply(x as rl.Tensor) as rl.Tensor; }
  computeOutputShape(s: (number | null)[]): (number | null)[] { return [...s.slice(0, -1), 3]; }
}

describe('a user\'s layer holding a Dense, on inputs whose steps are free', () => {
  it('in a functional model with Input shape [null, 4]: every length runs and trains', async () => {
    rl.setSeed(5);
    const input = rl.input({ shape: [null, 4] });
    const block = new PerStep();
    const m = rl.model({ inputs: input, outputs: L.globalAveragePooling1d().apply(block.apply(input)) as rl.SymbolicTensor });
    expect(m.countParams()).toBe(4 * 3 + 3);
    for (const T of [7, 9, 2]) {
      const x = rl.tensor(Array.from(seq([2, T, 4], T)), [2, T, 4]);
      const y = m.predict(x) as rl.Tensor;
      expect(y.shape).toEqual([2, 3]);
      // The mean over steps of the Dense's outputs.
      const per = (block.inner.apply(x) as rl.Tensor).dataSync() as Float32Array;
      const want = Float32Array.from({ length: 6 }, (_, i) => {
        const [r, u] = [Math.floor(i / 3), i % 3];
        let s = 0;
        for (let t = 0; t < T; t++) s += per[(r * T + t) * 3 + u];
        return s / T;
      });
      close(y.dataSync() as Float32Array, want);
    }
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = block.inner.getWeights()[0].dataSync().slice();
    await m.fit(rl.tensor(Array.from(seq([4, 5, 4], 3)), [4, 5, 4]), rl.ones([4, 3]), { epochs: 1, verbose: 0 });
    expect(Array.from(block.inner.getWeights()[0].dataSync())).not.toEqual(Array.from(before));
  });

  it('in a Sequential after an Embedding without inputLength, built by its first batch: other lengths run and train, as in Keras 3', async () => {
    rl.setSeed(6);
    const block = new PerStep();
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 4 }), block, L.globalAveragePooling1d(), L.dense({ units: 1 })] });
    expect(m.predict(rl.zeros([2, 7], 'int32')).shape).toEqual([2, 1]);
    // Built for the first batch's 7 steps (Keras 3 builds a user's layer for the whole first shape, and so it is saved) ...
    expect(m.inputShape).toEqual([null, 7]);
    // ... but taken at any length, as Keras 3 runs it.
    const x9 = rl.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1]], [2, 9], 'int32');
    expect(m.predict(x9).shape).toEqual([2, 1]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const h = await m.fit(x9, rl.ones([2, 1]), { epochs: 2, verbose: 0 });
    expect(h.history.loss.length).toBe(2);
    expect((m.evaluate(rl.ones([3, 4], 'int32'), rl.ones([3, 1])) as rl.Tensor).shape).toEqual([]);
  });
});
