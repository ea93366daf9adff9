// A custom layer's call(inputs, kwargs) gets the padding mask as tfjs's executor hands it: kwargs.mask, a bool Tensor
// [batch, steps]. The same class source runs on rnnlab and on tfjs 4.22 (the library is a parameter), and the two
// predict the same with the same weights: embedding(maskZero) -> custom layer reading kwargs.mask -> LSTM.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady, toTf } from './tfjs_twin.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

/** Zeroes the padded steps by the mask it is handed and adds 1 to the real ones, so the mask's values matter. */
function maskedShiftClass(lib: Lib, seen: unknown[]) {
  return class MaskedShift extends lib.layers.Layer {
    static className = 'MaskedShift';
    constructor(config?: object) { super(config ?? {}); this.supportsMasking = true; }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    call(inputs: any, kwargs: any) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const m = kwargs.mask;
      seen.push({ isTensor: m instanceof lib.Tensor, dtype: m.dtype, shape: m.shape, data: Array.from(m.dataSync()) });
      const keep = lib.expandDims(lib.cast(kwargs.mask, 'float32'), -1);
      return lib.mul(lib.add(x, 1), keep);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    computeMask(_inputs: any, mask: any) { return Array.isArray(mask) ? mask[0] : mask; }
  };
}

function build(lib: Lib, layer: object) {
  const inp = lib.input({ shape: [5] });
  const e = lib.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true }).apply(inp);
  const h = (layer as { apply(x: unknown): unknown }).apply(e);
  const out = lib.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }).apply(h);
  return lib.model({ inputs: inp, outputs: out });
}

const ids = [[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [5, 4, 3, 2, 1]];

describe('custom layers get kwargs.mask as a bool tensor, as tfjs', () => {
  beforeAll(() => tfjsReady());

  it('call sees a bool Tensor [batch, steps], and the model predicts as tfjs with the same weights', () => {
    rl.setSeed(3);
    const seenR: unknown[] = [], seenT: unknown[] = [];
    const ours = build(rl, new (maskedShiftClass(rl, seenR))()) as rl.Functional;
    const theirs = build(tf, new (maskedShiftClass(tf, seenT))()) as tf.LayersModel;
    theirs.setWeights(ours.getWeights().map(toTf));
    const x = rl.tensor2d(ids);
    const want = (theirs.predict(toTf(x)) as tf.Tensor).dataSync();
    const got = (ours.predict(x) as rl.Tensor).dataSync();
    expect(Array.from(got).map((v, i) => Math.abs(v - want[i])).every((d) => d < 1e-5)).toBe(true);
    expect(seenR.at(-1)).toEqual({ isTensor: true, dtype: 'bool', shape: [3, 5], data: [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1] });
    expect(seenT.at(-1)).toEqual(seenR.at(-1));
    // The mask reaches the LSTM through computeMask: without it the padded steps would change the result.
    const plain = build(rl, new (class extends rl.layers.Layer { static className = 'PlainShift'; call(v: rl.Tensor) { return rl.add(v, 1); } })()) as rl.Functional;
    plain.setWeights(ours.getWeights());
    expect(Math.abs((plain.predict(x) as rl.Tensor).dataSync()[0] - got[0])).toBeGreaterThan(1e-3);
  });

  it('trains through the mask tensor (fit, a few steps) and the loss falls', async () => {
    rl.setSeed(4);
    const m = build(rl, new (maskedShiftClass(rl, []))()) as rl.Functional;
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = rl.tensor2d(ids), y = rl.tensor2d([[0.5, -0.5], [0.2, 0.1], [-0.3, 0.4]]);
    const h = await m.fit(x, y, { epochs: 15, batchSize: 3, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss.at(-1)!).toBeLessThan(loss[0]);
  });

  it('kwargs passed on to an inner layer mask it (this.lstm.apply(x, kwargs)), as tfjs', () => {
    rl.setSeed(5);
    class Wrapped extends rl.layers.Layer {
      static className = 'WrappedLSTM';
      inner = rl.layers.lstm({ units: 2 });
      build(shape: (number | null)[]) { this.inner.build(shape); this.weights = this.inner.weights; }
      computeOutputShape(s: (number | null)[]) { return [s[0], 2]; }
      call(x: rl.Tensor, kwargs: rl.layerClasses.Kwargs) { return this.inner.apply(x, kwargs) as rl.Tensor; }
    }
    const inp = rl.input({ shape: [5] });
    const e = rl.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true });
    const w = new Wrapped();
    const m = rl.model({ inputs: inp, outputs: w.apply(e.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const x = rl.tensor2d(ids);
    const got = (m.predict(x) as rl.Tensor).dataSync();
    // The reference: the same LSTM on the embedding with apply(x, {mask}) given explicitly, as tfjs takes it.
    const emb = e.apply(x) as rl.Tensor;
    const mask = rl.notEqual(x, 0);
    const want = (w.inner.apply(emb, { mask }) as rl.Tensor).dataSync();
    expect(Array.from(got)).toEqual(Array.from(want));
    const unmasked = (w.inner.apply(emb) as rl.Tensor).dataSync();
    expect(Math.abs(unmasked[2] - want[2])).toBeGreaterThan(1e-4);
  });

  it('apply(x, {mask}) on real tensors is checked: a mask of the wrong shape, or one on symbolic inputs, is an error naming the layer', () => {
    const l = rl.layers.lstm({ units: 2, name: 'my_lstm' });
    expect(() => l.apply(rl.ones([2, 4, 3]), { mask: rl.ones([2, 3], 'bool') })).toThrow(/my_lstm \(LSTM\): mask must be a tensor \[batch, steps\] matching the input \[2, 4, 3\], got a tensor of shape \[2, 3\]/);
    expect(() => l.apply(rl.input({ shape: [4, 3] }), { mask: rl.ones([2, 4], 'bool') } as never)).toThrow(/my_lstm \(LSTM\): mask is not taken on symbolic inputs/);
  });
});
