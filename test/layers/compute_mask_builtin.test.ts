/**
 * layer.computeMask(inputs, mask) asked directly of rnnlab's own layers answers what the graph hands on (Keras 3 and
 * tfjs): a recurrent layer ends the mask without returnSequences, add ORs its inputs' masks, concatenate's unmasked
 * input counts as all real, dot ends it. A custom layer that delegates computeMask to an inner LSTM then builds.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const x = rl.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 4, 3]);
const m = rl.tensor2d([[1, 1, 0, 0], [1, 1, 1, 0]], [2, 4], 'bool');
const m2 = rl.tensor2d([[1, 0, 1, 0], [1, 0, 0, 0]], [2, 4], 'bool');
type Applied = { apply(x: rl.Tensor | rl.Tensor[]): unknown; computeMask(x: rl.Tensor | rl.Tensor[], m: rl.Tensor | null | (rl.Tensor | null)[]): rl.Tensor | null };
const built = <T extends Applied>(l: T, input: rl.Tensor | rl.Tensor[]): T => { l.apply(input); return l; };
const maskOf = (r: rl.Tensor | null) => (r === null ? null : r.arraySync());

describe('computeMask of rnnlab\'s layers', () => {
  it('recurrent layers: the input mask with returnSequences, none without', () => {
    expect(maskOf(built(L.lstm({ units: 2 }), x).computeMask(x, m))).toBeNull();
    expect(maskOf(built(L.gru({ units: 2, returnSequences: true }), x).computeMask(x, m))).toEqual(m.arraySync());
    expect(maskOf(built(L.bidirectional({ layer: L.lstm({ units: 2 }) }), x).computeMask(x, m))).toBeNull();
    expect(maskOf(built(L.rnn({ cell: L.simpleRNNCell({ units: 2 }), returnSequences: true }), x).computeMask(x, m))).toEqual(m.arraySync());
  });

  it('asked of a stateful layer, it moves no carried state', () => {
    const l = L.lstm({ units: 2, stateful: true, batchInputShape: [2, 4, 3] });
    l.apply(x);
    const before = l.states.map((s: rl.Tensor | null) => s && Array.from(s.dataSync()));
    l.computeMask(x, m);
    expect(l.states.map((s: rl.Tensor | null) => s && Array.from(s.dataSync()))).toEqual(before);
  });

  it('merges: add ORs masks (none when an input has none), concatenate counts an unmasked input as real, dot ends it', () => {
    expect(maskOf(built(L.add(), [x, x]).computeMask([x, x], [m, m2]))).toEqual([[1, 1, 1, 0], [1, 1, 1, 0]]);
    expect(maskOf(built(L.add(), [x, x]).computeMask([x, x], [null, m2]))).toBeNull();
    expect(maskOf(built(L.concatenate(), [x, x]).computeMask([x, x], [m, null]))).toEqual([[1, 1, 1, 1], [1, 1, 1, 1]]);
    expect(maskOf(built(L.dot({ axes: 2 }), [x, x]).computeMask([x, x], [m, m2]))).toBeNull();
  });

  it('per-step layers pass it on; layers that read every step drop it', () => {
    expect(maskOf(built(L.dense({ units: 2 }), x).computeMask(x, m))).toEqual(m.arraySync());
    expect(maskOf(built(L.attention(), [x, x]).computeMask([x, x], [m, m2]))).toEqual(m.arraySync());
    expect(maskOf(built(L.conv1d({ filters: 2, kernelSize: 1 }), x).computeMask(x, m))).toBeNull();
    expect(maskOf(built(L.globalAveragePooling1d(), x).computeMask(x, m))).toBeNull();
  });

  it('a custom layer delegating computeMask to an inner LSTM builds and predicts', () => {
    class Wrap extends rl.layers.Layer {
      static className = 'WrapForMask';
      inner = L.lstm({ units: 2 });
      call(input: rl.Tensor, kwargs: rl.layerClasses.Kwargs) { return this.inner.apply(input, kwargs) as rl.Tensor; }
      computeOutputShape(s: (number | null)[]) { return this.inner.computeOutputShape(s); }
      computeMask(input: rl.Tensor | rl.Tensor[], mask: rl.Tensor | null | (rl.Tensor | null)[]) { return this.inner.computeMask(input, mask); }
    }
    const ids = rl.input({ shape: [4], dtype: 'int32' });
    const e = L.embedding({ inputDim: 10, outputDim: 3, maskZero: true }).apply(ids);
    const out = L.dense({ units: 1 }).apply(new Wrap().apply(e as rl.SymbolicTensor)) as rl.SymbolicTensor;
    const y = rl.model({ inputs: ids, outputs: out }).predict(rl.tensor2d([[1, 2, 0, 0]], [1, 4], 'int32')) as rl.Tensor;
    expect(y.shape).toEqual([1, 1]);
  });
});
