/**
 * A bad input shape is shown as written: JSON.stringify printed NaN and Infinity as null, the very entries at fault.
 * tfjs 4.22 refuses these too once weights are made ("Tensor must have a shape comprised of positive integers").
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const RULE = 'must be a list of positive integers or null';

describe('rl.input names the bad entry of its shape', () => {
  it.each([[NaN, 'NaN'], [Infinity, 'Infinity'], [-1, '-1'], [1.5, '1.5']])('shape [%s]', (d, text) => {
    expect(() => rl.input({ shape: [d] })).toThrow(`input (InputLayer): inputShape ${RULE}, got [${text}]: entry 0 is ${text}`);
  });

  it('batchShape [null, NaN], and a string entry in words', () => {
    expect(() => rl.input({ batchShape: [null, NaN] })).toThrow(`input: batchShape ${RULE}, got [null, NaN]: entry 1 is NaN`);
    expect(() => rl.input({ shape: ['3' as never] })).toThrow(`input (InputLayer): inputShape ${RULE}, got ["3"]: entry 0 is the string "3"`);
  });

  it('an entry JSON cannot write (a bigint) is named, not a TypeError from the message itself', () => {
    expect(() => rl.input({ shape: [2n as never] })).toThrow(`input (InputLayer): inputShape ${RULE}, got [bigint 2]: entry 0 is bigint 2`);
  });
});

describe("a first layer's bad shape in a Sequential", () => {
  it.each([
    ['inputShape [NaN]', { inputShape: [NaN] }, '[null, NaN]: entry 1 is NaN'],
    ['inputShape [Infinity]', { inputShape: [Infinity] }, '[null, Infinity]: entry 1 is Infinity'],
    ['batchInputShape [NaN, 3]', { batchInputShape: [NaN, 3] }, '[NaN, 3]: entry 0 is NaN'],
  ])('%s is shown as given, and no weight is made', (_what, shape, got) => {
    const layer = rl.layers.dense({ units: 2, ...shape });
    expect(() => rl.sequential({ layers: [layer] })).toThrow(`(InputLayer): batchInputShape ${RULE}, got ${got}`);
    expect(layer.built).toBe(false);
  });

  it("a recurrent layer's inputDim NaN is refused when the layer is made, as Dense's is", () => {
    expect(() => rl.layers.lstm({ units: 2, inputDim: NaN, name: 'l' })).toThrow('l (LSTM): inputDim must be a positive integer, got NaN');
    expect(() => rl.layers.gru({ units: 2, inputDim: 1.5, name: 'g' })).toThrow('g (GRU): inputDim must be a positive integer, got 1.5');
    expect(() => rl.layers.dense({ units: 2, inputDim: NaN, name: 'd' })).toThrow('d: inputDim must be a positive integer, got NaN');
    expect(rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputDim: 3 })] }).inputs[0].shape).toEqual([null, null, 3]);
  });
});
