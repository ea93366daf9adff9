/**
 * A stateful recurrent layer whose batchInputShape fixes its batch size has known state shapes before it is built:
 * getStates answers zeros of [batch, units] then, as resetStates already worked; without a known batch it says so.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Stateful = { getStates(): rl.Tensor[]; resetStates(s?: unknown): void; built: boolean };

describe('stateful states before the build', () => {
  it('getStates gives zeros of the declared batch for an unbuilt layer with batchInputShape', () => {
    const l = rl.layers.lstm({ units: 3, stateful: true, batchInputShape: [2, 4, 5] }) as unknown as Stateful;
    expect(l.built).toBe(false);
    const states = l.getStates();
    expect(states.map((s) => s.shape)).toEqual([[2, 3], [2, 3]]);
    expect(states.flatMap((s) => Array.from(s.dataSync())).every((v) => v === 0)).toBe(true);
    // batchSize with inputShape declares it too.
    const g = rl.layers.gru({ units: 4, stateful: true, batchSize: 3, inputShape: [4, 5] }) as unknown as Stateful;
    expect(g.getStates().map((s) => s.shape)).toEqual([[3, 4]]);
    // layer.states reads the same values (tfjs's property), set or not.
    const withStates = l as unknown as Stateful & { states: (rl.Tensor | null)[] };
    withStates.resetStates([rl.ones([2, 3]), rl.ones([2, 3])]);
    expect(withStates.states.map((s) => Array.from(s!.dataSync()))).toEqual([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]);
    const unknownBatch = rl.layers.lstm({ units: 3, stateful: true, inputShape: [4, 5] }) as unknown as { states: unknown[] };
    expect(unknownBatch.states).toEqual([null, null]);
  });

  it('states set before the build are the first call\'s initial states', () => {
    const l = rl.layers.simpleRNN({ units: 2, stateful: true, batchInputShape: [2, 1, 1], useBias: false, kernelInitializer: 'zeros', recurrentInitializer: 'identity', activation: 'linear' });
    (l as unknown as Stateful).resetStates([rl.tensor2d([[1, 2], [3, 4]])]);
    expect(Array.from((l as unknown as Stateful).getStates()[0].dataSync())).toEqual([1, 2, 3, 4]);
    // h_t = x W + h_{t-1} I with W = 0: one step gives the set states back.
    const out = l.apply(rl.zeros([2, 1, 1])) as rl.Tensor;
    expect(Array.from(out.dataSync())).toEqual([1, 2, 3, 4]);
  });

  it('states set for the declared batch are refused when the layer is built for another one', () => {
    const l = rl.layers.gru({ units: 3, stateful: true, batchInputShape: [2, 4, 3] });
    (l as unknown as Stateful).resetStates([rl.ones([2, 3])]);
    expect(() => l.apply(rl.input({ batchShape: [4, 4, 3] }))).toThrow(/gru\w* \(GRU\): its states were set for batches of 2 \(batchInputShape\) before it was built, but it is built for input \(4, 4, 3\)/);
  });

  it('without a declared batch, getStates before the build says the batch size is unknown', () => {
    const l = rl.layers.lstm({ units: 3, stateful: true }) as unknown as Stateful;
    expect(() => l.getStates()).toThrow(/lstm\w* \(LSTM\): stateful layer is not built yet, so its batch size is unknown \(give it batchInputShape, or call it once\)/);
  });

  it('a null entry in resetStates is called null', () => {
    const l = rl.layers.lstm({ units: 3, stateful: true, batchInputShape: [2, 4, 3] }) as unknown as Stateful;
    expect(() => l.resetStates([rl.ones([2, 3]), null])).toThrow(/lstm\w* \(LSTM\): resetStates: state 1 must be a tensor of shape \[2, 3\], got null$/);
    expect(() => l.resetStates([rl.ones([2, 3]), {}])).toThrow(/state 1 must be a tensor of shape \[2, 3\], got an object$/);
  });
});
