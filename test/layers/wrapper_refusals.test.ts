/**
 * What the wrappers and Sequential say when given what they cannot take: something that is not a layer inside
 * timeDistributed (a model is wrapped: time_distributed_model_r44), and a Bidirectional with extra outputs in a
 * Sequential (the advice must name something the layer has).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('timeDistributed given something that is not a layer', () => {
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
