/** tfjs's lstm.apply([x, h, c]): a list is the input and its initial states, symbolic or real, as in tfjs. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any;

function build(lib: Lib, cellRnn: boolean) {
  const x = lib.input({ shape: [3, 2] }), h = lib.input({ shape: [4] }), c = lib.input({ shape: [4] });
  const layer = cellRnn
    ? lib.layers.rnn({ cell: lib.layers.lstmCell({ units: 4, kernelInitializer: 'ones', recurrentInitializer: 'ones', unitForgetBias: false, recurrentActivation: 'sigmoid' }) })
    : lib.layers.lstm({ units: 4, kernelInitializer: 'ones', recurrentInitializer: 'ones', unitForgetBias: false, recurrentActivation: 'sigmoid' });
  const y = layer.apply([x, h, c]);
  return { model: lib.model({ inputs: [x, h, c], outputs: y }), layer };
}

describe('an RNN applied to [x, ...states]', () => {
  for (const cellRnn of [false, true]) {
    it(`${cellRnn ? 'rnn(lstmCell)' : 'lstm'}: one input and two states in the graph, predictions as tfjs`, () => {
      const ours = build(rl, cellRnn), theirs = build(tf, cellRnn);
      expect(ours.layer.inboundNodes[0].inputCount).toBe(1);
      const xs = [[[[0.1, 0.2], [0.3, -0.1], [0, 0.5]]], [[0.5, -0.5, 0.1, 0]], [[0.2, 0.1, -0.3, 0.4]]];
      const a = (ours.model.predict(xs.map((v) => rl.tensor(v))) as rl.Tensor).dataSync();
      const b = (theirs.model.predict(xs.map((v) => tf.tensor(v))) as tf.Tensor).dataSync();
      Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
      // On real tensors too.
      const direct = (ours.layer.apply(xs.map((v) => rl.tensor(v))) as rl.Tensor).dataSync();
      expect(Array.from(direct)).toEqual(Array.from(a));
    });
  }
});
