// Where a padding mask goes through each layer, checked by what the LSTM after it computes. Layers that pass it
// on are compared with tfjs 4.22 (same weights); the merges follow Keras 3's compute_mask (tfjs 4.22's elementwise
// merges fail on masked inputs, and its Concatenate ANDs along features where Keras 3 ORs), checked against the
// same LSTM given that mask explicitly through apply(x, {mask}).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady, toTf } from './tfjs_twin.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
const ids = [[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [5, 4, 3, 2, 1]];
const ids2 = [[1, 0, 0, 0, 0], [4, 3, 2, 0, 0], [5, 4, 0, 2, 1]];
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const lstm = (lib: Lib) => lib.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' });

/** ids -> embedding(maskZero) -> mid -> LSTM, in either library. */
function chain(lib: Lib, mid: (lib: Lib, e: Lib) => Lib) {
  const a = lib.input({ shape: [5] });
  const e = lib.layers.embedding({ inputDim: 6, outputDim: 4, maskZero: true }).apply(a);
  return lib.model({ inputs: a, outputs: lstm(lib).apply(mid(lib, e)) });
}

const passing: Record<string, (lib: Lib, e: Lib) => Lib> = {
  dense: (lib, e) => lib.layers.dense({ units: 3 }).apply(e),
  timeDistributed: (lib, e) => lib.layers.timeDistributed({ layer: lib.layers.dense({ units: 3 }) }).apply(e),
  bidirectional: (lib, e) => lib.layers.bidirectional({ layer: lib.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }) }).apply(e),
  dropout: (lib, e) => lib.layers.dropout({ rate: 0.5 }).apply(e),
  layerNormalization: (lib, e) => lib.layers.layerNormalization({}).apply(e),
  concatenateSameMask: (lib, e) => lib.layers.concatenate({}).apply([e, lib.layers.dense({ units: 2 }).apply(e)]),
};

describe('padding masks through the layers', () => {
  beforeAll(() => tfjsReady());

  for (const [name, mid] of Object.entries(passing)) {
    it(`${name} passes the mask on: the LSTM after it predicts as tfjs's`, () => {
      rl.setSeed(11);
      const ours = chain(rl, mid) as rl.Functional, theirs = chain(tf, mid) as tf.LayersModel;
      theirs.setWeights(ours.getWeights().map(toTf));
      const x = rl.tensor2d(ids);
      expect(maxDiff((ours.predict(x) as rl.Tensor).dataSync(), (theirs.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
    });
  }

  /** Two id inputs (the second optionally unmasked, or a float sequence through a dense), merged, then an LSTM. */
  function merged(merge: rl.layerClasses.Layer, second: 'masked' | 'unmasked', order: 'ab' | 'ba' = 'ab') {
    rl.setSeed(12);
    const a = rl.input({ shape: [5] }), b = rl.input({ shape: [5] });
    const ea = rl.layers.embedding({ inputDim: 6, outputDim: 4, maskZero: true });
    const eb = rl.layers.embedding({ inputDim: 6, outputDim: 4, maskZero: second === 'masked' });
    const [ta, tb] = [ea.apply(a), eb.apply(b)] as rl.SymbolicTensor[];
    const rnn = lstm(rl);
    const m = rl.model({ inputs: [a, b], outputs: rnn.apply(merge.apply(order === 'ab' ? [ta, tb] : [tb, ta]) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const [xa, xb] = [rl.tensor2d(ids), rl.tensor2d(ids2)];
    const [va, vb] = [ea.apply(xa), eb.apply(xb)] as rl.Tensor[];
    const got = (m.predict([xa, xb]) as rl.Tensor).dataSync();
    const [ma, mb] = [rl.notEqual(xa, 0), rl.notEqual(xb, 0)];
    // The merge itself gets its inputs' masks as a list (attention reads them), the LSTM the mask under test.
    const masks = [ma, second === 'masked' ? mb : null];
    const run = (mask: rl.Tensor | null) => {
      const h = merge.apply(order === 'ab' ? [va, vb] : [vb, va], { mask: order === 'ab' ? masks : [masks[1], masks[0]] }) as rl.Tensor;
      return (rnn.apply(h, { mask }) as rl.Tensor).dataSync();
    };
    return { got, run, ma, mb };
  }

  it('add of two masked inputs: a step is real where either is (Keras 3)', () => {
    const { got, run, ma, mb } = merged(rl.layers.add({}), 'masked');
    expect(maxDiff(got, run(rl.logicalOr(ma, mb)))).toBeLessThan(1e-6);
    expect(maxDiff(got, run(ma))).toBeGreaterThan(1e-4);
  });

  it('add of a masked and an unmasked input has no mask, whichever comes first (Keras 3)', () => {
    for (const order of ['ab', 'ba'] as const) {
      const { got, run, ma } = merged(rl.layers.add({}), 'unmasked', order);
      expect(maxDiff(got, run(null))).toBeLessThan(1e-6);
      expect(maxDiff(got, run(ma))).toBeGreaterThan(1e-4);
    }
  });

  it('concatenate along features: two masks OR, an unmasked input makes every step real, in either order (Keras 3)', () => {
    const two = merged(rl.layers.concatenate({}), 'masked');
    expect(maxDiff(two.got, two.run(rl.logicalOr(two.ma, two.mb)))).toBeLessThan(1e-6);
    for (const order of ['ab', 'ba'] as const) {
      const one = merged(rl.layers.concatenate({}), 'unmasked', order);
      expect(maxDiff(one.got, one.run(null))).toBeLessThan(1e-6);
    }
  });

  it('concatenate along time joins the masks (an unmasked input all real), where the first mask alone would not fit', () => {
    const { got, run, ma } = merged(rl.layers.concatenate({ axis: 1 }), 'unmasked');
    expect(maxDiff(got, run(rl.concat([ma, rl.ones([3, 5], 'bool')], 1)))).toBeLessThan(1e-6);
    expect(maxDiff(got, run(null))).toBeGreaterThan(1e-4);
  });

  it('dot ends the mask (Keras 3 and tfjs): the LSTM after it runs every step', () => {
    const { got, run } = merged(rl.layers.dot({ axes: 2 }), 'masked');
    expect(maxDiff(got, run(null))).toBeLessThan(1e-6);
  });

  it('attention carries the query mask on, not the value mask', () => {
    const { got, run, ma, mb } = merged(rl.layers.attention({}), 'masked');
    expect(maxDiff(got, run(ma))).toBeLessThan(1e-6);
    expect(maxDiff(got, run(mb))).toBeGreaterThan(1e-4);
  });
});
