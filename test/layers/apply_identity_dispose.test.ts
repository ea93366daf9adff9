/**
 * layer.apply / model.apply on a real tensor never hand back the caller's own tensor (tfjs's apply clones such an
 * output), so disposing the result leaves the input readable; and a disposed model's layers refuse to read or write
 * their weights, while a layer shared with a model still alive keeps working.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i + 1));
const fresh = () => rl.tensor(data, [2, 3, 4]);

const passThrough: [string, () => InstanceType<typeof rl.layers.Layer>][] = [
  ['dropout', () => L.dropout({ rate: 0.5 })],
  ['gaussianNoise', () => L.gaussianNoise({ stddev: 0.3 })],
  ['spatialDropout1d', () => L.spatialDropout1d({ rate: 0.5 })],
  ["activation('linear')", () => L.activation({ activation: 'linear' })],
];

describe('apply at inference returns a tensor of its own', () => {
  for (const [name, make] of passThrough) {
    it(`${name}: the output equals x, and disposing it leaves x readable`, () => {
      const x = fresh();
      const y = make().apply(x) as rl.Tensor;
      expect(y).not.toBe(x);
      expect(Array.from(y.dataSync())).toEqual(Array.from(data));
      y.dispose();
      expect(Array.from(x.dataSync())).toEqual(Array.from(data));
    });
  }

  it('Sequential.apply and a functional model whose layers all pass x through', () => {
    const x = fresh();
    const seq = rl.sequential({ layers: [L.dropout({ rate: 0.5, inputShape: [3, 4] }), L.activation({ activation: 'linear' })] });
    const inp = rl.input({ shape: [3, 4] });
    const fm = rl.model({ inputs: inp, outputs: L.dropout({ rate: 0.5 }).apply(inp) as rl.SymbolicTensor });
    for (const m of [seq, fm]) {
      const y = m.apply(x) as rl.Tensor;
      expect(y).not.toBe(x);
      y.dispose();
      expect(Array.from(x.dataSync())).toEqual(Array.from(data));
    }
  });

  it('the gradient still passes through the returned tensor', () => {
    const layer = L.dropout({ rate: 0.5 });
    const g = rl.grad((x: rl.Tensor) => rl.sum(rl.mul(layer.apply(x) as rl.Tensor, 3)))(fresh());
    expect(Array.from(g.dataSync())).toEqual(Array.from(data, () => 3));
  });
});

describe('a disposed model\'s layers', () => {
  it('refuse getWeights and setWeights naming the layer', () => {
    const d = L.dense({ units: 2, inputShape: [3], name: 'gone' });
    const m = rl.sequential({ layers: [d] });
    const w = d.getWeights();
    m.dispose();
    expect(() => d.getWeights()).toThrow(/gone \(Dense\): the layer has been disposed/);
    expect(() => d.setWeights(w)).toThrow(/gone \(Dense\): the layer has been disposed/);
  });

  it('a layer shared with a model still alive keeps its weights readable and writable', () => {
    const shared = L.dense({ units: 2, inputShape: [3], name: 'shared_d' });
    const m1 = rl.sequential({ layers: [shared] });
    const m2 = rl.sequential({ layers: [shared, L.dense({ units: 1 })] });
    m1.dispose();
    const w = shared.getWeights();
    shared.setWeights([rl.onesLike(w[0]), w[1]]);
    expect(Array.from(shared.getWeights()[0].dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(m2.predict(rl.ones([1, 3])).shape).toEqual([1, 1]);
    m2.dispose();
    expect(() => shared.getWeights()).toThrow(/shared_d \(Dense\): the layer has been disposed/);
  });
});
