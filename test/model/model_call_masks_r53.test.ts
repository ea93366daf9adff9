/**
 * model.call(x, {mask}) and model.computeMask(x, mask) on a Functional and a Sequential model, against
 * @tensorflow/tfjs 4.22: the mask is each input's padding mask, which the layers reading that input get and pass on
 * by their own rules (Keras 3's Functional.call(inputs, mask=), tfjs's runInternalGraph). tfjs 4.22's own
 * computeMask(x, mask) fails on any mask ("Layer ... does not support masking": it hands the mask to the InputLayer
 * too), so the masks are checked against tfjs's computeMask(x, null) where a layer inside makes the mask, and
 * against its layers' own computeMask where the given mask is passed through.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = 5;
/** Ids with trailing padding and a hole, so the Embedding's mask differs from the one given. */
const ids = () => rl.tensor([[3, 1, 0, 4, 0], [2, 0, 0, 0, 0], [1, 2, 3, 4, 1]]);
/** The mask given to call: not the Embedding's (ids != 0), nor all ones. */
const given = [[1, 1, 1, 0, 0], [1, 1, 0, 1, 0], [1, 0, 1, 1, 1]];
const rlMask = () => rl.tensor(given, [3, T], 'bool');
const tfMask = () => tf.tensor(given, [3, T], 'bool');
const lstm = (lib: Lib, name: string, returnSequences: boolean) => lib.layers.lstm({ units: 3, returnSequences, recurrentActivation: 'sigmoid', name });
const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

/** rnnlab's weights copied into tfjs's twin by name. */
function copyWeights(from: { weights: { name: string; values: ArrayLike<number> }[] }, to: tf.LayersModel): void {
  const ours = new Map(from.weights.map((w) => [w.name, w]));
  expect(to.weights.map((w) => w.originalName).sort()).toEqual([...ours.keys()].sort());
  for (const w of to.weights) w.write(tf.tensor(Array.from(ours.get(w.originalName)!.values), w.shape as number[]));
}

function expectSame(ours: rl.Tensor[], theirs: tf.Tensor | tf.Tensor[]): void {
  const ts = Array.isArray(theirs) ? theirs : [theirs];
  expect(ours.map((o) => o.shape)).toEqual(ts.map((t) => t.shape));
  ours.forEach((o, i) => expect(maxDiff(o.dataSync(), ts[i].dataSync())).toBeLessThan(1e-5));
}

/** Two models, one per library, with rnnlab's weights in both. */
function twins(build: (lib: Lib) => Lib, seed: number): { r: Lib; t: tf.LayersModel } {
  rl.setSeed(seed);
  const r = build(rl), t = build(tf);
  copyWeights(r, t);
  return { r, t };
}

describe('a mask given to a model whose Embedding (maskZero) makes its own', () => {
  const build = (lib: Lib) => {
    const x = lib.input({ shape: [T], name: 'em_x' });
    const e = lib.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'em_emb' }).apply(x);
    const seq = lstm(lib, 'em_seq', true).apply(e);
    return lib.model({ inputs: x, outputs: [seq, lstm(lib, 'em_last', false).apply(seq)], name: 'em_model' });
  };

  it("call gives tfjs's outputs: the Embedding's mask takes the given one's place", () => {
    const { r, t } = twins(build, 1);
    const ours = r.call(ids(), { mask: rlMask() });
    expectSame(ours, t.call(toTf(ids()), { mask: tfMask() }) as tf.Tensor[]);
    expectSame(ours, t.predict(toTf(ids())) as tf.Tensor[]);
  });

  it("computeMask gives the Embedding's mask where the LSTM returns sequences, none after the last step, as tfjs's", () => {
    const { r, t } = twins(build, 2);
    const ours = r.computeMask(ids(), rlMask()) as (rl.Tensor | null)[];
    const theirs = t.computeMask(toTf(ids())) as (tf.Tensor | null)[];
    expect(ours[1]).toBeNull();
    expect(theirs[1]).toBeNull();
    expect(ours[0]!.dtype).toBe('bool');
    expect(values(ours[0]!)).toEqual(values(theirs[0]!));
    expect(values(ours[0]!)).toEqual(values(ids()).map((v) => (v === 0 ? 0 : 1)));
  });
});

describe('a mask given to a model with a Masking layer', () => {
  // Steps of zeros: the Masking layer masks them, whatever mask was given.
  const x = () => rl.tensor3d([
    [[1, 2], [0, 0], [3, 1], [0, 0], [0, 0]],
    [[2, 1], [1, 1], [0, 0], [0, 0], [0, 0]],
    [[0, 0], [1, 3], [2, 2], [1, 1], [4, 1]],
  ]);
  const build = (lib: Lib) => lib.sequential({ layers: [
    lib.layers.masking({ maskValue: 0, inputShape: [T, 2], name: 'mk_masking' }),
    lstm(lib, 'mk_seq', true),
    lib.layers.dense({ units: 2, name: 'mk_dense' }),
  ], name: 'mk_model' });

  it("call gives tfjs's output, the Masking layer's mask in force", () => {
    const { r, t } = twins(build, 3);
    const ours = r.call(x(), { mask: rlMask() });
    expectSame(ours, t.call(toTf(x()), { mask: tfMask() }) as tf.Tensor[]);
    expectSame(ours, t.predict(toTf(x())) as tf.Tensor);
  });

  it("computeMask gives the Masking layer's mask, through the LSTM and the Dense, as tfjs's layers pass it on", () => {
    const { r, t } = twins(build, 4);
    const ours = r.computeMask(x(), rlMask())[0]!;
    // tfjs 4.22's Sequential.computeMask fails ("Could not compute output"): its layers' own computeMask, in turn.
    const theirs = t.layers.reduce((m: tf.Tensor | null, l) => l.computeMask(toTf(x()), m ?? undefined) as tf.Tensor, null);
    expect(values(ours)).toEqual(values(theirs!));
    expect(values(ours)).toEqual([1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

describe('a mask given to a model with no layer that makes one', () => {
  const x = () => randomF32([3, T, 2], 11, 1.5);
  const functional = (lib: Lib) => {
    const i = lib.input({ shape: [T, 2], name: 'ex_x' });
    const h = lstm(lib, 'ex_first', true).apply(i);
    return lib.model({ inputs: i, outputs: lstm(lib, 'ex_second', true).apply(lib.layers.dense({ units: 2, name: 'ex_dense' }).apply(h)), name: 'ex_model' });
  };
  const sequential = (lib: Lib) => lib.sequential({ layers: [
    lib.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, 2], name: 'es_first' }),
    lib.layers.dense({ units: 2, name: 'es_dense' }),
    lstm(lib, 'es_second', false),
  ], name: 'es_model' });

  it.each([
    { what: 'a functional model', build: functional, seed: 5 },
    { what: 'a Sequential model', build: sequential, seed: 6 },
  ])("$what: call masks both LSTMs, as tfjs's call does; without the mask the outputs differ", ({ build, seed }) => {
    const { r, t } = twins(build, seed);
    const ours = r.call(x(), { mask: rlMask() });
    expectSame(ours, t.call(toTf(x()), { mask: tfMask() }) as tf.Tensor | tf.Tensor[]);
    expect(maxDiff(ours[0].dataSync(), r.call(x(), {})[0].dataSync())).toBeGreaterThan(1e-3);
    // A list of one mask per input is the same mask; apply on tensors takes it as call does.
    expect(maxDiff(r.call(x(), { mask: [rlMask()] })[0].dataSync(), ours[0].dataSync())).toBe(0);
    const applied = r.apply(x(), { mask: rlMask() });
    expect(maxDiff((Array.isArray(applied) ? applied[0] : applied).dataSync(), ours[0].dataSync())).toBe(0);
  });

  it("computeMask passes the given mask through the LSTM that returns sequences, as tfjs's LSTM and Dense pass it on", () => {
    const { r, t } = twins(functional, 7);
    const ours = r.computeMask(x(), rlMask())[0]!;
    const first = t.getLayer('ex_first'), dense = t.getLayer('ex_dense'), second = t.getLayer('ex_second');
    const passed = [first, dense, second].reduce((m: tf.Tensor, l) => l.computeMask(toTf(x()), m) as tf.Tensor, tfMask());
    expect(values(ours)).toEqual(values(passed));
    expect(values(ours)).toEqual(given.flat());
    // The Sequential's last LSTM returns one step: no mask comes out.
    expect(twins(sequential, 8).r.computeMask(x(), rlMask())).toEqual([null]);
  });

  it("with two inputs, each input's mask reaches the layers reading it (a list, null for none), as tfjs's LSTM applied alone", () => {
    const build = (lib: Lib) => {
      const a = lib.input({ shape: [T, 2], name: 'tw_a' }), b = lib.input({ shape: [T, 2], name: 'tw_b' });
      return lib.model({ inputs: [a, b], outputs: [lstm(lib, 'tw_la', false).apply(a), lstm(lib, 'tw_lb', false).apply(b)], name: 'tw_model' });
    };
    const { r, t } = twins(build, 9);
    const xa = x(), xb = randomF32([3, T, 2], 12, 1.5);
    const [oa, ob] = r.call([xa, xb], { mask: [null, rlMask()] });
    expectSame([oa], t.getLayer('tw_la').apply(toTf(xa)) as tf.Tensor);
    expectSame([ob], t.getLayer('tw_lb').apply(toTf(xb), { mask: tfMask() }) as tf.Tensor);
    expect(maxDiff(ob.dataSync(), r.call([xa, xb])[1].dataSync())).toBeGreaterThan(1e-3);
  });
});

describe('masks that do not fit are refused, naming the call', () => {
  const model = () => {
    const i = rl.input({ shape: [T, 2], name: 'bad_x' });
    return rl.model({ inputs: i, outputs: rl.layers.lstm({ units: 2, name: 'bad_lstm' }).apply(i) as rl.SymbolicTensor, name: 'bad_model' });
  };
  const x = () => rl.ones([3, T, 2]);

  it('a mask of another shape, a list of the wrong length, or not a tensor', () => {
    const m = model();
    expect(() => m.call(x(), { mask: rl.ones([3, 4], 'bool') })).toThrow(/bad_model\.call: mask must be a tensor \[batch, steps\] matching the input \[3, 5, 2\], got a tensor of shape \[3, 4\]/);
    expect(() => m.computeMask(x(), [rlMask(), rlMask()])).toThrow(/bad_model\.computeMask: mask is a list of 2 for 1 input\(s\); give a list of one mask per input \(null for none\)/);
    expect(() => m.call(x(), { mask: given as never })).toThrow(/bad_model\.call: mask is a list of 3 for 1 input\(s\)/);
    expect(() => m.call(x(), { mask: [given[0]] as never })).toThrow(/bad_model\.call \(mask\[0\]\): mask must be a bool tensor \[batch, steps\] or null, got/);
    const s = rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputShape: [T, 2] })], name: 'bad_seq' });
    expect(() => s.apply(x(), { mask: rl.ones([2, T]) })).toThrow(/bad_seq\.apply: mask must be a tensor \[batch, steps\] matching the input \[3, 5, 2\], got a tensor of shape \[2, 5\]/);
  });
});
