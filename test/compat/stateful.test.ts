// stateful: true on SimpleRNN, LSTM and GRU (Keras/tfjs semantics): a batch starts from the previous batch's final
// states, so a sequence fed in two halves gives the outputs of one call on the whole; resetStates starts afresh.
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { RNN } from '../../src/layers/recurrent.js';
import { Tensor } from '../../src/tensor.js';
import { maxDiff as maxArrayDiff, removeDir, tempDir } from './functional_helpers.js';

const root = tempDir('rnnlab-stateful-');
afterAll(() => removeDir(root));

/** float32 uniform values in [-1, 1), as the native kernels take them. */
function randomTensor(shape: number[], seed: number): Tensor {
  const r = new rl.Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-1, 1)), shape, 'float32');
}

function maxDiff(a: rl.Tensor, b: rl.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return maxArrayDiff(a.dataSync(), b.dataSync());
}

const B = 3, T = 8, D = 4, U = 5;
type Kind = 'simpleRNN' | 'lstm' | 'gru';
const KINDS: Kind[] = ['simpleRNN', 'lstm', 'gru'];

function recurrentLayer(kind: Kind, args: Record<string, unknown>): RNN {
  return rl.layers[kind]({ units: U, returnSequences: true, name: 'rnn', ...args } as never) as RNN;
}

/** A stateful model for chunks of `steps` steps with the weights of `like`. */
function statefulTwin(kind: Kind, like: rl.Sequential, steps: number): rl.Sequential {
  const m = rl.sequential({ layers: [recurrentLayer(kind, { stateful: true, batchInputShape: [B, steps, D] })] });
  m.setWeights(like.getWeights());
  return m;
}

/** Steps [from, to) of x [B, T, D] (or of a [B, T, U] output). */
function steps(x: rl.Tensor, from: number, to: number): rl.Tensor {
  const [b, , f] = x.shape;
  return rl.slice(x, [0, from, 0], [b, to - from, f]);
}

describe('stateful recurrent layers', () => {
  const x = randomTensor([B, T, D], 5);

  for (const kind of KINDS) {
    it(`${kind}: two calls on the halves of a sequence equal one call on the whole, and resetStates starts afresh`, () => {
      rl.setSeed(3);
      const whole = rl.sequential({ layers: [recurrentLayer(kind, { inputShape: [T, D] })] });
      const expected = whole.predict(x);
      const m = statefulTwin(kind, whole, T / 2);
      const first = m.predict(steps(x, 0, T / 2), { batchSize: B });
      const second = m.predict(steps(x, T / 2, T), { batchSize: B });
      expect(maxDiff(first, steps(expected, 0, T / 2))).toBeLessThan(1e-5);
      expect(maxDiff(second, steps(expected, T / 2, T))).toBeLessThan(1e-5);
      m.resetStates();
      // From zeros the second half differs: the comparison above can fail.
      expect(maxDiff(m.predict(steps(x, T / 2, T), { batchSize: B }), second)).toBeGreaterThan(1e-3);
      m.resetStates();
      expect(maxDiff(m.predict(steps(x, 0, T / 2), { batchSize: B }), first)).toBeLessThan(1e-6);
      const layer = m.layers[0] as RNN;
      const afterFirst = layer.getStates();
      m.predict(steps(x, T / 2, T), { batchSize: B });
      layer.resetStates(afterFirst);
      expect(maxDiff(m.predict(steps(x, T / 2, T), { batchSize: B }), second)).toBeLessThan(1e-6);
      layer.resetStates();
      expect(layer.getStates().every((s) => Array.from(s.dataSync()).every((v) => v === 0))).toBe(true);
    });
  }

  it('apply on real tensors (the training forward) carries states as predict does', () => {
    rl.setSeed(4);
    const whole = rl.sequential({ layers: [recurrentLayer('lstm', { inputShape: [T, D] })] });
    const expected = whole.predict(x);
    const layer = statefulTwin('lstm', whole, T / 2).layers[0] as RNN;
    layer.apply(steps(x, 0, T / 2));
    expect(maxDiff(layer.apply(steps(x, T / 2, T)) as rl.Tensor, steps(expected, T / 2, T))).toBeLessThan(1e-5);
  });

  it('batchSize with inputShape fixes the batch as batchInputShape does', () => {
    const l = recurrentLayer('gru', { stateful: true, batchSize: B, inputShape: [T, D] });
    expect(l.batchInputShape).toEqual([B, T, D]);
    expect(() => rl.layers.dense({ units: 2, batchSize: 2 } as never)).toThrow(/batchSize needs inputShape/);
  });

  it('a stateful layer without a fixed batch size, or fed another batch size, is an error naming stateful', () => {
    expect(() => rl.sequential({ layers: [recurrentLayer('lstm', { stateful: true, inputShape: [T, D] })] })).toThrow(/stateful needs a fixed batch size/);
    expect(() => rl.layers.lstm({ units: U, stateful: true }).apply(rl.input({ shape: [T, D] }))).toThrow(/stateful needs a fixed batch size/);
    const m = rl.sequential({ layers: [recurrentLayer('simpleRNN', { stateful: true, batchInputShape: [B, T, D] })] });
    const states = () => (m.layers[0] as RNN).getStates().map((s) => [...s.dataSync()]);
    const before = states();
    m.predict(randomTensor([B, T, D], 2), { batchSize: B });
    const moved = states();
    expect(moved).not.toEqual(before);
    // Refused before the first batch runs (as tfjs checks up front), so the carried states stay where they were.
    expect(() => m.predict(randomTensor([B + 1, T, D], 1), { batchSize: B })).toThrow(/stateful layer was built for batches of 3, but 4 samples in batches of 3 give it a batch of 1;.*\(nothing was run\)/);
    expect(states()).toEqual(moved);
    expect(() => recurrentLayer('lstm', { stateful: true, batchInputShape: [B, T, D] }).resetStates([rl.zeros([B, U])])).toThrow(/expects 2 state/);
  });

  it('a functional model with rl.input({batchShape}) is stateful too', () => {
    rl.setSeed(6);
    const inp = rl.input({ batchShape: [B, T / 2, D] });
    const m = rl.model({ inputs: inp, outputs: recurrentLayer('gru', { stateful: true }).apply(inp) as rl.SymbolicTensor });
    const a = m.predict(steps(x, 0, T / 2), { batchSize: B }) as rl.Tensor;
    const b = m.predict(steps(x, 0, T / 2), { batchSize: B }) as rl.Tensor;
    expect(maxDiff(a, b)).toBeGreaterThan(1e-3);
    m.resetStates();
    expect(maxDiff(m.predict(steps(x, 0, T / 2), { batchSize: B }) as rl.Tensor, a)).toBeLessThan(1e-6);
  });

  it('is refused where it would be ignored: Bidirectional, non-recurrent layers, resetStates on a plain layer', () => {
    expect(() => rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, stateful: true }) })).toThrow(/stateful/);
    expect(() => rl.layers.dense({ units: 2, stateful: true } as never)).toThrow(/stateful = true is not supported/);
    expect(() => rl.layers.gru({ units: 2 }).resetStates()).toThrow(/stateful: true/);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, stateful: true, batchInputShape: [1, 3, 2] })] });
    expect(() => rl.toOnnx(m)).toThrow(/is stateful/);
  });

  it('save and load keep stateful and the fixed batch size', async () => {
    rl.setSeed(7);
    const whole = rl.sequential({ layers: [recurrentLayer('lstm', { inputShape: [T, D] })] });
    const m = statefulTwin('lstm', whole, T / 2);
    const dir = `${root}/lstm`;
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Sequential;
    const layer = back.layers[0] as RNN;
    expect(layer.stateful).toBe(true);
    expect(layer.getConfig().stateful).toBe(true);
    expect(layer.batchInputShape).toEqual([B, T / 2, D]);
    back.predict(steps(x, 0, T / 2), { batchSize: B });
    const second = back.predict(steps(x, T / 2, T), { batchSize: B });
    expect(maxDiff(second, steps(whole.predict(x), T / 2, T))).toBeLessThan(1e-5);
  });

  it('fit trains a stateful model batch after batch (shuffle: false, as Keras asks) and leaves its states set', async () => {
    rl.setSeed(8);
    const m = rl.sequential({ layers: [
      rl.layers.lstm({ units: U, stateful: true, batchInputShape: [B, T, D] }),
      rl.layers.dense({ units: 1 }),
    ] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const xs = randomTensor([2 * B, T, D], 9);
    const ys = randomTensor([2 * B, 1], 10);
    const h = await m.fit(xs, ys, { batchSize: B, epochs: 3, shuffle: false, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    const states = (m.layers[0] as RNN).getStates();
    expect(states.some((s) => Array.from(s.dataSync()).some((v) => v !== 0))).toBe(true);

    // With a negligible learning rate the weights stay put, so fit's final states are predict's over the same batches in order.
    m.compile({ optimizer: rl.train.sgd(1e-12), loss: 'meanSquaredError' });
    m.resetStates();
    await m.fit(xs, ys, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
    const afterFit = (m.layers[0] as RNN).getStates();
    m.resetStates();
    m.predict(xs, { batchSize: B });
    const afterPredict = (m.layers[0] as RNN).getStates();
    m.resetStates();
    m.predict(rl.slice(xs, [B, 0, 0], [B, T, D]), { batchSize: B });
    const secondBatchOnly = (m.layers[0] as RNN).getStates();
    afterFit.forEach((s, i) => {
      expect(maxDiff(s, afterPredict[i])).toBeLessThan(1e-5);
      expect(maxDiff(s, secondBatchOnly[i])).toBeGreaterThan(1e-3);
    });
    await expect(m.fit(randomTensor([B + 1, T, D], 2), randomTensor([B + 1, 1], 3), { batchSize: B, epochs: 1, shuffle: false, verbose: 0 }))
      .rejects.toThrow(/stateful layer was built for batches of 3/);
  });
});
