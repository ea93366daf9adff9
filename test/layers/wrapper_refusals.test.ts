/**
 * What the wrappers and Sequential say when given what they cannot take: a model inside timeDistributed (tfjs and
 * Keras wrap one; rnnlab refuses it by name rather than as "not a layer"), and a Bidirectional with extra outputs in a
 * Sequential (the advice must name something the layer has).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('timeDistributed over a model', () => {
  it('is refused naming the model and what to do, for a Sequential and a functional model', () => {
    const seq = rl.sequential({ name: 'inner_seq', layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => rl.layers.timeDistributed({ layer: seq as never }))
      .toThrow(/^rl.layers.timeDistributed \(TimeDistributed\): 'layer' is the model 'inner_seq', and wrapping a model is not supported .*wrap each of its layers in timeDistributed/);
    const inp = rl.input({ shape: [3] });
    const fn = rl.model({ name: 'inner_fn', inputs: inp, outputs: rl.layers.dense({ units: 2 }).apply(inp) as rl.SymbolicTensor });
    expect(() => rl.layers.timeDistributed({ layer: fn as never })).toThrow(/'layer' is the model 'inner_fn'/);
  });

  it('anything else that is not a layer is described', () => {
    expect(() => rl.layers.timeDistributed({ layer: { units: 2 } as never })).toThrow(/\(TimeDistributed\): 'layer' must be a layer, got an object/);
  });
});

describe('a Bidirectional with extra outputs in a Sequential', () => {
  it('points at a functional model, not at a run method the wrapper lacks', () => {
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }), mergeMode: null as never, inputShape: [4, 3] });
    let message = '';
    try { rl.sequential({ layers: [bi] }); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/is not supported in a Sequential model \(the extra outputs would be dropped\); use a functional model \(rl\.model\), which keeps them$/);
    const lstm = rl.layers.lstm({ units: 2, returnState: true, inputShape: [4, 3] });
    expect(() => rl.sequential({ layers: [lstm] })).toThrow(/use a functional model \(rl\.model\), which keeps them, or call layer\.run directly$/);
  });
});
