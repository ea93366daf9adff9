/**
 * tfjs's base-layer properties, against @tensorflow/tfjs 4.22: supportsMasking per class, losses and
 * calculateLosses (the weight regularizers' penalties), updates, id, stateful (custom stateful layers included) and
 * outboundNodes.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import type { Tensor } from '../../src/tensor.js';
import { randomF32, tfjsReady, toTf } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Factory = (a: Record<string, unknown>) => unknown;
const ours = (name: string, args: Record<string, unknown>) => (rl.layers as unknown as Record<string, Factory>)[name](args) as Layer;
const theirs = (name: string, args: Record<string, unknown>) => (tf.layers as unknown as Record<string, Factory>)[name](args) as tf.layers.Layer;

describe('supportsMasking', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['dense', { units: 2 }], ['activation', { activation: 'relu' }], ['dropout', { rate: 0.1 }], ['masking', {}], ['reLU', {}], ['prelu', {}],
    ['concatenate', {}], ['add', {}], ['multiply', {}], ['average', {}], ['maximum', {}], ['dot', { axes: 1 }], ['gaussianNoise', { stddev: 1 }],
    ['gaussianDropout', { rate: 0.1 }], ['alphaDropout', { rate: 0.1 }], ['batchNormalization', {}], ['layerNormalization', {}],
    ['simpleRNN', { units: 2 }], ['lstm', { units: 2 }], ['gru', { units: 2 }], ['embedding', { inputDim: 4, outputDim: 2 }],
    ['conv1d', { filters: 2, kernelSize: 2 }], ['flatten', {}], ['reshape', { targetShape: [2] }], ['repeatVector', { n: 2 }],
    ['maxPooling1d', {}], ['globalAveragePooling1d', {}], ['permute', { dims: [2, 1] }],
  ];
  for (const [name, args] of cases) {
    // tfjs's Embedding leaves it undefined: false.
    it(`${name}: as tfjs`, () => expect(ours(name, args).supportsMasking).toBe(Boolean(theirs(name, args).supportsMasking)));
  }
  it("leakyReLU, elu, softmax, thresholdedReLU: true, Keras 3's (and Keras 2's) value; tfjs 4.22 leaves them false, and fails on a mask there", () => {
    for (const name of ['leakyReLU', 'elu', 'softmax', 'thresholdedReLU']) {
      expect(ours(name, {}).supportsMasking, name).toBe(true);
      expect(Boolean(theirs(name, {}).supportsMasking), name).toBe(false);
    }
  });
  it('wrappers and rl.layers.rnn as tfjs', () => {
    expect(rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }) }).supportsMasking).toBe(true);
    expect(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.RNN }).supportsMasking).toBe(true);
    expect(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }) }).supportsMasking).toBe(true);
    expect(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }).supportsMasking).toBe(true);
    expect(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }) }).supportsMasking).toBe(true);
  });
});

describe('losses, calculateLosses and updates', () => {
  it('Dense with kernel and bias regularizers: one loss per regularized weight, tfjs\'s values', () => {
    const args = { units: 3, kernelRegularizer: tf.regularizers.l1l2({ l1: 0.01, l2: 0.3 }), biasRegularizer: tf.regularizers.l2({ l2: 0.5 }), biasInitializer: 'ones' };
    const a = rl.layers.dense({ ...args, kernelRegularizer: rl.regularizers.l1l2({ l1: 0.01, l2: 0.3 }), biasRegularizer: rl.regularizers.l2({ l2: 0.5 }) } as never);
    const b = tf.layers.dense(args as never);
    const x = randomF32([2, 4], 1);
    a.apply(x, {}); b.apply(toTf(x));
    b.setWeights(a.getWeights().map(toTf));
    expect(a.losses.length).toBe(b.losses.length);
    expect(a.losses.length).toBe(2);
    const want = b.calculateLosses().map((t) => t.dataSync()[0]);
    const got = a.calculateLosses().map((t) => t.dataSync()[0]);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]))));
    // The functions read the weights as they are now.
    a.setWeights(a.getWeights().map((w) => rl.zeros(w.shape)));
    expect(a.calculateLosses().map((t) => t.dataSync()[0])).toEqual([0, 0]);
  });

  it('LSTM\'s three regularizers (tfjs\'s cell\'s values); none gives []', () => {
    const a = rl.layers.lstm({ units: 2, kernelRegularizer: 'l2', recurrentRegularizer: 'l1', biasRegularizer: 'l1l2', biasInitializer: 'ones', recurrentActivation: 'sigmoid' } as never);
    const b = tf.layers.lstm({ units: 2, kernelRegularizer: tf.regularizers.l2(), recurrentRegularizer: tf.regularizers.l1(), biasRegularizer: tf.regularizers.l1l2(), recurrentActivation: 'sigmoid' });
    const x = randomF32([2, 3, 4], 2);
    a.apply(x, {}); b.apply(toTf(x));
    b.setWeights(a.getWeights().map(toTf));
    // tfjs 4.22 keeps them on the LSTM's cell (layer.losses is []); Keras, and rnnlab, list them on the layer, where fit reads them.
    const want = (b as unknown as { cell: tf.layers.Layer }).cell.calculateLosses().map((t) => t.dataSync()[0]);
    const got = a.calculateLosses().map((t) => t.dataSync()[0]);
    expect(got.length).toBe(3);
    expect(want.length).toBe(3);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]))));
    expect(rl.layers.dense({ units: 2 }).losses).toEqual([]);
    expect(tf.layers.dense({ units: 2 }).losses).toEqual([]);
  });

  it('updates is [] as in tfjs (BatchNormalization updates its statistics in place)', () => {
    const bn = rl.layers.batchNormalization({});
    bn.apply(randomF32([4, 3], 3), { training: true });
    expect(bn.updates).toEqual([]);
    expect(tf.layers.batchNormalization({}).updates).toEqual([]);
  });
});

describe('id', () => {
  it('a distinct number per layer, growing in creation order', () => {
    const ls = [rl.layers.dense({ units: 1 }), rl.layers.lstm({ units: 1 }), rl.layers.dropout({ rate: 0.1 })];
    expect(ls.every((l) => Number.isInteger(l.id))).toBe(true);
    expect(ls[1].id).toBeGreaterThan(ls[0].id);
    expect(ls[2].id).toBeGreaterThan(ls[1].id);
    expect(typeof tf.layers.dense({ units: 1 }).id).toBe('number');
  });
});

/** Adds its input to a running total carried from batch to batch, until resetStates(). */
class RunningSum extends rl.layers.Layer {
  static override readonly className: string = 'RunningSum';
  // @ts-expect-error TS2610: stateful is an accessor on Layer (as on tfjs's); a JavaScript subclass declares the field like this
  stateful = true;
  total: Float32Array | null = null;
  resets = 0;
  call(x: Tensor): Tensor {
    const d = Float32Array.from(x.dataSync());
    if (this.total) d.forEach((v, i) => { d[i] = v + this.total![i]; });
    this.total = d;
    return rl.tensor(d, x.shape);
  }
  resetStates(): void { this.total = null; this.resets++; }
}

/** The same, stateful set by assignment in the constructor (TypeScript's way). */
class AssignedStateful extends RunningSum {
  static override readonly className: string = 'AssignedStateful';
  constructor() {
    super({});
    this.stateful = true;
  }
}

describe('stateful', () => {
  it('false on non-recurrent layers and on recurrent ones made without it, as tfjs', () => {
    for (const [name, args] of [['dense', { units: 2 }], ['conv1d', { filters: 1, kernelSize: 1 }], ['lstm', { units: 2 }], ['bidirectional', null]] as const) {
      const a = args ? ours(name, args) : rl.layers.bidirectional({ layer: rl.layers.gru({ units: 2 }) });
      const b = args ? theirs(name, args) : tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2 }) as tf.RNN });
      expect(a.stateful).toBe(false);
      expect(b.stateful).toBe(false);
    }
    expect(rl.layers.lstm({ units: 2, stateful: true, batchInputShape: [2, 3, 1] }).stateful).toBe(true);
    expect(rl.layers.rnn({ cell: rl.layers.gruCell({ units: 2 }), stateful: true, batchInputShape: [2, 3, 1] }).stateful).toBe(true);
  });

  it('a built-in layer refuses stateful = true; a recurrent layer\'s is fixed', () => {
    const d = rl.layers.dense({ units: 2, name: 'd_state' });
    expect(() => { d.stateful = true; }).toThrow(/d_state \(Dense\): stateful = true needs a resetStates\(\) method/);
    expect(() => { (d as unknown as { stateful: unknown }).stateful = 'yes'; }).toThrow(/stateful must be true or false, got/);
    const l = rl.layers.lstm({ units: 2, name: 'l_state' });
    expect(() => { l.stateful = true; }).toThrow(/l_state \(LSTM\): stateful is fixed when the layer is made/);
    expect(l.stateful).toBe(false);
  });

  for (const Cls of [RunningSum, AssignedStateful]) {
    it(`a custom ${Cls.className} declaring stateful = true keeps it, carries its total and model.resetStates() resets it`, () => {
      const layer = new Cls({});
      expect(layer.stateful).toBe(true);
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, kernelInitializer: 'ones', useBias: false, inputShape: [2] }), layer] });
      const x = rl.tensor([1, 2], [1, 2]);
      expect(Array.from((m.predict(x) as rl.Tensor).dataSync())).toEqual([3, 3]);
      expect(Array.from((m.predict(x) as rl.Tensor).dataSync())).toEqual([6, 6]);
      m.resetStates();
      expect(layer.resets).toBe(1);
      expect(Array.from((m.predict(x) as rl.Tensor).dataSync())).toEqual([3, 3]);
    });
  }
});

describe('outboundNodes', () => {
  it('the calls that read a layer\'s outputs, as tfjs counts them', () => {
    const build = (lib: 'rl' | 'tf') => {
      const L = (lib === 'rl' ? rl.layers : tf.layers) as unknown as Record<string, Factory>;
      const input = (lib === 'rl' ? rl.input : tf.input)({ shape: [4] }) as never;
      const shared = L.dense({ units: 3 }) as { apply(x: unknown): unknown };
      const a = shared.apply(input), b = shared.apply(input);
      const head = L.dense({ units: 3 }) as { apply(x: unknown): unknown };
      (L.add({}) as { apply(x: unknown): unknown }).apply([head.apply(a), b]);
      return { input, shared, head };
    };
    const r = build('rl'), t = build('tf');
    const count = (l: unknown) => (l as { outboundNodes: unknown[] }).outboundNodes.length;
    const src = (x: unknown) => (x as { sourceLayer: unknown }).sourceLayer;
    expect([count(src(r.input)), count(r.shared), count(r.head)]).toEqual([count(src(t.input)), count(t.shared), count(t.head)]);
    expect(count(r.shared)).toBe(2);
  });
});
