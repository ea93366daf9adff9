/**
 * A Functional model with an input no output reads takes that input's data, checks its shape and ignores its values
 * (Keras 3 and tfjs do the same, silently). rnnlab says so once, when the model is made, naming the input.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as rl from '../../src/index.js';

let warn: MockInstance<typeof console.warn>;
beforeEach(() => { warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); });
afterEach(() => warn.mockRestore());

const messages = () => warn.mock.calls.map((c) => String(c[0]));
const x = rl.tensor2d([[1, 2], [3, 4], [5, 6]]);

describe('a Functional model with an input no output reads', () => {
  it('warns once at construction, naming the input, and not again on predict, fit or evaluate', async () => {
    const a = rl.input({ shape: [2], name: 'a_r50' }), b = rl.input({ shape: [3], name: 'b_r50' });
    const m = rl.model({ inputs: [a, b], outputs: rl.layers.dense({ units: 1 }).apply(a) as rl.SymbolicTensor, name: 'unused_r50' });
    expect(messages()).toHaveLength(1);
    expect(messages()[0]).toMatch(/model 'unused_r50': input 'b_r50' is not used by any output.*its values are not used/);
    expect(messages()[0]).not.toMatch(/a_r50/);

    const p1 = m.predict([x, rl.zeros([3, 3])]) as rl.Tensor;
    const p2 = m.predict([x, rl.ones([3, 3])]) as rl.Tensor;
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    expect(() => m.predict([x, rl.zeros([3, 4])])).toThrow(/input 'b_r50' expects shape/);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y = rl.tensor2d([[1], [0], [1]]);
    const h = await m.fit([x, rl.zeros([3, 3])], y, { epochs: 2, verbose: 0 });
    expect(h.history.loss).toHaveLength(2);
    expect(Number.isFinite(h.history.loss[1] as number)).toBe(true);
    const ev = m.evaluate([x, rl.zeros([3, 3])], y) as rl.Tensor;
    expect(Number.isFinite(ev.dataSync()[0])).toBe(true);
    expect(messages()).toHaveLength(1);
  });

  it('names every unused input in one warning', () => {
    const a = rl.input({ shape: [2], name: 'a2_r50' }), b = rl.input({ shape: [3], name: 'b2_r50' }), c = rl.input({ shape: [1], name: 'c2_r50' });
    rl.model({ inputs: [a, b, c], outputs: rl.layers.dense({ units: 1 }).apply(a) as rl.SymbolicTensor });
    expect(messages()).toHaveLength(1);
    expect(messages()[0]).toMatch(/inputs 'b2_r50', 'c2_r50' are not used by any output.*their values are not used/);
  });

  it('a model whose inputs all reach an output gives no warning', () => {
    const a = rl.input({ shape: [2] }), b = rl.input({ shape: [2] });
    const m = rl.model({ inputs: [a, b], outputs: rl.layers.add().apply([a, b]) as rl.SymbolicTensor });
    m.predict([x, x]);
    expect(messages()).toEqual([]);
  });
});
