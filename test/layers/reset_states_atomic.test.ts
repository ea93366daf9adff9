/**
 * resetStates(states) of rl.layers.rnn over several cells: every state is checked before any cell takes its own,
 * so a refused call changes nothing, and the error names the index in the list given (tfjs's order, the last
 * cell's states first), not a cell's own count.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const B = 2;

interface StatefulRNN { getStates(): rl.Tensor[]; resetStates(states: rl.Tensor[]): void }

function stacked(): { layer: StatefulRNN; states: () => number[][] } {
  const layer = rl.layers.rnn({ cell: [rl.layers.simpleRNNCell({ units: 2 }), rl.layers.lstmCell({ units: 3 })], stateful: true, name: 'stack' });
  const inp = rl.input({ batchShape: [B, 3, 2] });
  rl.model({ inputs: inp, outputs: layer.apply(inp) as rl.SymbolicTensor });
  const rnn = layer as unknown as StatefulRNN;
  return { layer: rnn, states: () => rnn.getStates().map((s) => Array.from(s.dataSync())) };
}

const reset = (layer: StatefulRNN, list: rl.Tensor[]) => layer.resetStates(list);

describe('rnn resetStates over several cells', () => {
  it('a wrong last state leaves the earlier cells\' states as they were', () => {
    const { layer, states } = stacked();
    reset(layer, [rl.fill([B, 3], 1), rl.fill([B, 3], 2), rl.fill([B, 2], 3)]);
    const before = states();
    expect(before.map((s) => s[0])).toEqual([1, 2, 3]);
    // Element 0 (the LSTM's h) is wrong; element 2 (the SimpleRNN's h) is right and must not be taken.
    expect(() => reset(layer, [rl.fill([B, 4], 7), rl.fill([B, 3], 8), rl.fill([B, 2], 9)]))
      .toThrow(/stack \(RNN\): resetStates: state 0 must be a tensor of shape \[2, 3\] .*got \[2, 4\]/);
    expect(states()).toEqual(before);
    // Element 2 wrong: the LSTM's states, checked and applied first before, are not taken either.
    expect(() => reset(layer, [rl.fill([B, 3], 7), rl.fill([B, 3], 8), rl.fill([B, 3], 9)]))
      .toThrow(/state 2 must be a tensor of shape \[2, 2\] .*got \[2, 3\]/);
    expect(states()).toEqual(before);
  });

  it('the message names the list index and the order: Keras 3\'s first-cell-first list is refused at element 0', () => {
    const { layer } = stacked();
    expect(() => reset(layer, [rl.fill([B, 2], 7), rl.fill([B, 3], 8), rl.fill([B, 3], 9)]))
      .toThrow("stack (RNN): resetStates: state 0 must be a tensor of shape [2, 3] (tfjs's order, the last cell's states first: [[2, 3], [2, 3], [2, 2]]), got [2, 2]");
    expect(() => reset(layer, [rl.fill([B, 3], 1), 'h' as never, rl.fill([B, 2], 3)])).toThrow(/state 1 must be a tensor of shape \[2, 3\] .*got /);
  });
});
