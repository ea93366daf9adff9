/**
 * rl.layers.rnn before and after its build. A stateful rnn whose batchInputShape (or batchSize) fixes its batch answers
 * getStates, layer.states and resetStates before its first call, as simpleRNN, lstm and gru do; without a known batch
 * the error names the rnn layer (it named its first cell's engine, "gru_cell (GRU)", and asked for a batchInputShape
 * already given). After the build, a stack of cells is built with the layer, as a single cell is: its outputShape is
 * its step's outputs, as the same stack applied alone reports (it said "the layer is not built yet").
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/index.js';
import { LinearMinimalCell } from '../compat/user_cells.js';

type Stateful = Layer & { getStates(): rl.Tensor[]; resetStates(s?: unknown): void; states: (rl.Tensor | null)[] };
const stateful = (args: Record<string, unknown>) => rl.layers.rnn({ stateful: true, ...args } as never) as unknown as Stateful;
const values = (ts: (rl.Tensor | null)[]) => ts.map((t) => Array.from(t!.dataSync()));
const shapes = (ts: (rl.Tensor | null)[]) => ts.map((t) => t!.shape);
const seq = (shape: number[], seed: number) => { rl.setSeed(seed); return rl.randomNormal(shape); };

describe('a stateful rnn before its build', () => {
  it('reads zeros of the declared batch, as gru does', () => {
    const r = stateful({ cell: rl.layers.gruCell({ units: 3 }), batchInputShape: [2, 3, 4] });
    const g = rl.layers.gru({ units: 3, stateful: true, batchInputShape: [2, 3, 4] }) as unknown as Stateful;
    expect(r.built).toBe(false);
    expect(shapes(r.getStates())).toEqual([[2, 3]]);
    expect(values(r.getStates())).toEqual(values(g.getStates()));
    expect(values(r.states)).toEqual([[0, 0, 0, 0, 0, 0]]);
    // A stack, in tfjs's order (the last cell's states first); batchSize with inputShape declares the batch too.
    const s = stateful({ cell: [rl.layers.lstmCell({ units: 4 }), rl.layers.gruCell({ units: 5 })], batchSize: 2, inputShape: [3, 6] });
    expect(shapes(s.getStates())).toEqual([[2, 5], [2, 4], [2, 4]]);
    expect(shapes(s.states)).toEqual([[2, 5], [2, 4], [2, 4]]);
  });

  it('takes states that the first call starts from, and resetStates() zeros them again', () => {
    const x = seq([2, 3, 4], 1);
    const h = rl.tensor2d([[1, -2, 3], [0.5, 0, -1]]);
    const r = stateful({ cell: rl.layers.gruCell({ units: 3 }), batchInputShape: [2, 3, 4] });
    r.resetStates([h]);
    expect(values(r.getStates())).toEqual(values([h]));
    expect(values(r.states)).toEqual(values([h]));
    const y = r.apply(x) as rl.Tensor;
    // The same weights from the same states given as the initial state of a plain call.
    const plain = rl.layers.rnn({ cell: rl.layers.gruCell({ units: 3 }) });
    plain.apply([x, h]);
    plain.setWeights(r.getWeights());
    expect(Array.from(y.dataSync())).toEqual(Array.from((plain.apply([x, h]) as rl.Tensor).dataSync()));
    expect(values(r.getStates())).toEqual(values([y]));

    const z = stateful({ cell: rl.layers.gruCell({ units: 3 }), batchInputShape: [2, 3, 4] });
    z.resetStates([h]);
    z.resetStates();
    expect(values(z.getStates())).toEqual([[0, 0, 0, 0, 0, 0]]);
  });

  it("a stack with a user's cell takes its states before the build, each cell its own", () => {
    const x = seq([2, 3, 4], 2);
    const set = [rl.tensor2d([[1, 2], [3, 4]]), rl.tensor2d([[-1, 0, 1], [2, 2, 2]])];
    const r = stateful({ cell: [new LinearMinimalCell({ units: 3 }), rl.layers.simpleRNNCell({ units: 2 })], batchInputShape: [2, 3, 4] });
    expect(shapes(r.getStates())).toEqual([[2, 2], [2, 3]]);
    r.resetStates(set);
    const y = r.apply(x) as rl.Tensor;
    const plain = rl.layers.rnn({ cell: [new LinearMinimalCell({ units: 3 }), rl.layers.simpleRNNCell({ units: 2 })] });
    plain.apply([x, ...set]);
    plain.setWeights(r.getWeights());
    expect(Array.from(y.dataSync())).toEqual(Array.from((plain.apply([x, ...set]) as rl.Tensor).dataSync()));
  });

  it('refuses states of another shape, naming the rnn layer and the declared batch', () => {
    const r = stateful({ cell: rl.layers.gruCell({ units: 3 }), batchInputShape: [2, 3, 4], name: 'carry' });
    expect(() => r.resetStates([rl.ones([3, 3])])).toThrow(/^carry \(RNN\): resetStates: state 0 must be a tensor of shape \[2, 3\] .*got \[3, 3\]$/);
    expect(values(r.getStates())).toEqual([[0, 0, 0, 0, 0, 0]]);
  });

  it('states set for the declared batch are refused when it is built for another one', () => {
    const r = stateful({ cell: rl.layers.gruCell({ units: 3 }), batchInputShape: [2, 3, 4], name: 'carry' });
    r.resetStates([rl.ones([2, 3])]);
    expect(() => r.apply(rl.input({ batchShape: [4, 3, 4] }))).toThrow(/^carry \(RNN\): its states were set for batches of 2 \(batchInputShape\) before it was built, but it is built for input \(4, 3, 4\)/);
  });

  it('without a known batch says so, naming the rnn layer and advice that fits what was given', () => {
    const none = stateful({ cell: rl.layers.gruCell({ units: 3 }), name: 'r0' });
    for (const f of [() => none.getStates(), () => none.resetStates([rl.ones([2, 3])])]) {
      expect(f).toThrow(/^r0 \(RNN\): stateful layer is not built yet, so its batch size is unknown \(give it batchInputShape, or call it once\)$/);
    }
    expect(none.states).toEqual([null]);
    const shaped = stateful({ cell: rl.layers.gruCell({ units: 3 }), inputShape: [3, 4], name: 'r1' });
    expect(() => shaped.getStates()).toThrow(/^r1 \(RNN\): .*unknown \(give it batchSize with its inputShape, or call it once\)$/);
    const open = stateful({ cell: rl.layers.gruCell({ units: 3 }), batchInputShape: [null, 3, 4], name: 'r2' });
    expect(() => open.getStates()).toThrow(/^r2 \(RNN\): .*unknown \(give its batchInputShape a batch size, or call it once\)$/);
    expect(open.states).toEqual([null]);
  });

  it('built without a fixed batch, the error names the rnn layer', () => {
    const r = stateful({ cell: rl.layers.gruCell({ units: 3 }), name: 'free' });
    expect(() => r.apply(rl.input({ shape: [3, 4] }))).toThrow(/^free \(RNN\): stateful needs a fixed batch size; .*got input \(None, 3, 4\)$/);
  });
});

describe('a stack of cells after its rnn is built', () => {
  const make = () => rl.layers.rnn({ cell: [rl.layers.lstmCell({ units: 4 }), rl.layers.gruCell({ units: 5 })] });
  const alone = () => {
    const stack = rl.layers.stackedRNNCells({ cells: [rl.layers.lstmCell({ units: 4 }), rl.layers.gruCell({ units: 5 })] });
    stack.apply([rl.zeros([2, 6]), ...stack.stateSize.map((n) => rl.zeros([2, n]))]);
    return stack.outputShape;
  };

  const inputs: [string, () => rl.Tensor | rl.SymbolicTensor][] = [['a tensor', () => rl.zeros([2, 3, 6])], ['an rl.input', () => rl.input({ shape: [3, 6] })]];
  for (const [what, input] of inputs) {
    it(`is built with the layer applied to ${what}: its step's outputs, its weights and built cells`, () => {
      const r = make();
      r.apply(input() as rl.Tensor);
      const stack = r.cell;
      expect(stack.built).toBe(true);
      expect(stack.outputShape).toEqual([[null, 5], [null, 5], [null, 4], [null, 4]]);
      expect(stack.outputShape).toEqual(alone());
      expect(stack.weights.length).toBe(6);
      expect(stack.weights.every((w, i) => w === r.weights[i])).toBe(true);
      expect(r.cells.map((c) => c.built)).toEqual([true, true]);
      expect(r.cells.map((c) => c.outputShape)).toEqual([[[null, 4], [null, 4], [null, 4]], [[null, 5], [null, 5]]]);
    });
  }
});
