/** initialState given as tensors to a layer applied to a graph input: refused naming initialState and the fix. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('initialState and symbolic inputs', () => {
  it('tensor states on a symbolic input are refused naming initialState and rl.input', () => {
    const x = rl.input({ shape: [4, 3] });
    const layer = rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 5 }), returnState: true });
    expect(() => layer.apply(x, { initialState: [rl.ones([2, 5]), rl.ones([2, 5])] }))
      .toThrow(/initialState holds tensors but the input is symbolic; give the states as rl\.input\(\)s/);
  });

  it('the same states as rl.input()s become model inputs', () => {
    const x = rl.input({ shape: [4, 3] });
    const h = rl.input({ shape: [5] }), c = rl.input({ shape: [5] });
    const lstm = rl.layers.lstm({ units: 5 });
    const out = lstm.apply(x, { initialState: [h, c] }) as rl.SymbolicTensor;
    const model = rl.model({ inputs: [x, h, c], outputs: out });
    const y = model.predict([rl.ones([2, 4, 3]), rl.zeros([2, 5]), rl.zeros([2, 5])]) as rl.Tensor;
    expect(y.shape).toEqual([2, 5]);
  });

  it('a real input with symbolic states is still the general mixed-kinds error', () => {
    const h = rl.input({ shape: [5] });
    const layer = rl.layers.simpleRNN({ units: 5 });
    expect(() => layer.apply(rl.ones([2, 4, 3]), { initialState: [h] })).toThrow(/symbolic and real tensors mixed/);
  });
});
