/**
 * A StackedRNNCells run on tensors only (no rl.input() call) reports what its step gives, [last cell's output, ...new
 * states] in tfjs's order, as an RNNCell run on tensors does and as the same stack applied to rl.input()s reports;
 * it used to echo x's shape, the Layer default for x alone.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const stackOf = () => rl.layers.stackedRNNCells({ cells: [rl.layers.lstmCell({ units: 4 }), rl.layers.gruCell({ units: 5 })] });

describe('StackedRNNCells outputShape after a call on tensors', () => {
  it('lists the last cell\'s output and the new states, matching the tensors the call returned', () => {
    const stack = stackOf();
    const outs = stack.apply([rl.zeros([2, 3]), ...stack.stateSize.map((n) => rl.zeros([2, n]))]) as rl.Tensor[];
    expect(outs.map((t) => t.shape)).toEqual([[2, 5], [2, 5], [2, 4], [2, 4]]);
    expect(stack.outputShape).toEqual([[null, 5], [null, 5], [null, 4], [null, 4]]);
  });

  it('agrees with the same stack applied to rl.input()s and with computeOutputShape', () => {
    const eager = stackOf();
    eager.apply([rl.zeros([2, 3]), ...eager.stateSize.map((n) => rl.zeros([2, n]))]);
    const graph = stackOf();
    graph.apply([rl.input({ shape: [3] }), ...graph.stateSize.map((n) => rl.input({ shape: [n] }))]);
    expect(eager.outputShape).toEqual(graph.outputShape);
    expect(eager.outputShape).toEqual(eager.computeOutputShape([[null, 3], [null, 5], [null, 4], [null, 4]] as never));
  });

  it('a single-cell stack reports its cell\'s units, not x\'s width, as the cell itself does', () => {
    const cell = rl.layers.simpleRNNCell({ units: 2 });
    const stack = rl.layers.stackedRNNCells({ cells: [rl.layers.simpleRNNCell({ units: 2 })] });
    cell.apply([rl.zeros([1, 7]), rl.zeros([1, 2])]);
    stack.apply([rl.zeros([1, 7]), rl.zeros([1, 2])]);
    expect(stack.outputShape).toEqual([[null, 2], [null, 2]]);
    expect(stack.outputShape).toEqual(cell.outputShape);
  });
});
