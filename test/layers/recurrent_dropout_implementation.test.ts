// Keras 3's LSTM and GRU draw their training dropout masks per implementation: implementation 1 (which
// recurrent_dropout forces) one input mask per gate, implementations 0 and 2 one input mask for all gates. With
// `dropout` alone, rnnlab's layers and cells must draw the same way, and inference must not depend on it.
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { drawKeepMasks } from '../../src/autograd/recurrent_dropout.js';
import type { RNN } from '../../src/layers/recurrent.js';
import { Tensor } from '../../src/tensor.js';
import { gradCheck, maxDiff, randomTensor } from '../compat/functional_helpers.js';
import { gateCount, kerasDropoutLoop } from './keras_dropout_loop.js';

afterEach(() => rl.setPrecision(32));

const B = 3, T = 5, D = 4, U = 3, RATE = 0.4;
const CASES: [string, 'lstm' | 'gru', Record<string, unknown>][] = [
  ['LSTM', 'lstm', {}], ['GRU resetAfter', 'gru', { resetAfter: true }], ['GRU reset before', 'gru', { resetAfter: false }],
];

function layerOf(kind: 'lstm' | 'gru', args: Record<string, unknown>): RNN {
  rl.setSeed(2);
  const layer = rl.layers[kind]({ units: U, returnSequences: true, dropout: RATE, ...args } as never) as RNN;
  layer.build([null, T, D]);
  return layer;
}

/** Uniform values in [-1, 1) stored as float32, as float32 precision takes them. */
function floatTensor(shape: number[], seed: number): Tensor {
  return new Tensor(Float32Array.from(randomTensor(shape, seed).values), shape, 'float32');
}

/** The layer's training output for input x, its masks drawn after setSeed(seed). */
function trainingOutput(layer: RNN, x: Tensor, seed: number): Float64Array {
  rl.setSeed(seed);
  return Float64Array.from(engineApply(layer, x, { training: true, mask: null }).values);
}

describe('dropout alone: implementation 1 draws one input mask per gate, 0 and 2 one for all gates', () => {
  for (const [name, kind, extra] of CASES) {
    it(`${name}: each implementation's training output equals Keras's cell loop with its masks`, () => {
      rl.setPrecision(64);
      const x = randomTensor([B, T, D], 4);
      const G = gateCount(kind);
      const loop = (masks: Uint8Array[], layer: RNN) => {
        const [w, r, bias] = layer.weights.map((v) => v.values);
        return kerasDropoutLoop({ kind, resetAfter: extra.resetAfter === true, dims: { B, T, D, U }, x: x.values, w, r, bias,
          recurrent: null, input: { masks, scale: 1 / (1 - RATE) } });
      };
      rl.setSeed(30);
      const perGate = drawKeepMasks(G, B * D, RATE);
      rl.setSeed(30);
      const [shared] = drawKeepMasks(1, B * D, RATE);
      for (let k = 1; k < G; k++) expect([...perGate[k]]).not.toEqual([...perGate[0]]);

      const one = layerOf(kind, { ...extra, implementation: 1 });
      const yOne = trainingOutput(one, x, 30);
      expect(maxDiff(yOne, loop(perGate, one))).toBeLessThan(1e-12);
      // The first gate's mask alone, shared by all gates, is a different computation.
      expect(maxDiff(yOne, loop([perGate[0]], one))).toBeGreaterThan(1e-3);

      for (const implementation of [0, 2]) {
        const other = layerOf(kind, { ...extra, implementation });
        expect(maxDiff(trainingOutput(other, x, 30), loop([shared], other))).toBeLessThan(1e-12);
      }
    });

    it(`${name}: inference ignores the implementation and the dropout`, () => {
      const x = floatTensor([B, T, D], 5);
      const outputs = [0, 1, 2].map((implementation) => [...engineApply(layerOf(kind, { ...extra, implementation }), x, { training: false, mask: null }).values]);
      const plain = [...engineApply(layerOf(kind, { ...extra, dropout: 0 }), x, { training: false, mask: null }).values];
      for (const y of outputs) expect(y).toEqual(plain);
    });
  }
});

describe('float64 gradients with per-gate input masks (implementation 1, dropout alone)', () => {
  const MASK = Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0]);
  for (const [name, kind, extra] of CASES) {
    it(`${name}: masked steps, backwards`, () => {
      rl.setPrecision(64);
      const layer = layerOf(kind, { ...extra, implementation: 1, goBackwards: true });
      // Reseeding before each forward replays the same masks, so the loss is a fixed function of the weights.
      const f = ([x]: Tensor[]) => { rl.setSeed(21); return engineApply(layer, x, { training: true, mask: MASK }); };
      gradCheck(f, [randomTensor([B, T, D], 3)], layer.weights);
    });
  }
});

describe('a cell in rnn draws as its layer', () => {
  it.each([['lstm', 'lstmCell'], ['gru', 'gruCell']] as const)('%s: rnn over the cell with implementation 1 equals the layer, not implementation 2', (kind, cellName) => {
    const x = floatTensor([B, T, D], 6);
    const outputOf = (implementation: number) => {
      const layer = layerOf(kind, { implementation, resetAfter: kind === 'gru' ? true : undefined });
      const rnn = rl.layers.rnn({ cell: rl.layers[cellName]({ units: U, dropout: RATE, implementation } as never), returnSequences: true });
      rnn.build([null, T, D]);
      rnn.setWeights(layer.getWeights());
      return { layer: trainingOutput(layer, x, 40), rnn: Float64Array.from((() => { rl.setSeed(40); return engineApply(rnn, x, { training: true, mask: null }).values; })()) };
    };
    const one = outputOf(1), two = outputOf(2);
    expect(maxDiff(one.rnn, one.layer)).toBeLessThan(1e-6);
    expect(maxDiff(two.rnn, two.layer)).toBeLessThan(1e-6);
    expect(maxDiff(one.rnn, two.rnn)).toBeGreaterThan(1e-3);
  });
});
