/**
 * TimeDistributed recognises a model as a user's layer recognises a held model (layer.ts isHeldModel: layers,
 * weights and compile): an object with layers and compile but no weights is no model, and is refused as any other
 * non-layer is, where it used to reach the model wrapping and fail there with a TypeError.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('timeDistributed: what counts as a model', () => {
  it('refuses an object with layers and compile but no weights as not a layer', () => {
    const fake = { name: 'fake', layers: [], compile() {} };
    expect(() => rl.layers.timeDistributed({ layer: fake as never })).toThrow("(TimeDistributed): 'layer' must be a layer, got an object");
  });

  it('still wraps a model, and names a disposed one', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    expect(rl.layers.timeDistributed({ layer: m as never }).layer.weights).toEqual(m.weights);
    const gone = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    gone.dispose();
    expect(() => rl.layers.timeDistributed({ layer: gone as never })).toThrow(/the wrapped model '.*' has been disposed/);
  });
});
