/**
 * Building a custom layer runs its call once on zeros to build the layers it holds (Keras 3 calls it symbolically,
 * inside a StatelessScope; tfjs never runs call on a symbolic input). That call must change no state: not when the
 * layer's call hands an inner BatchNormalization an explicit training: true, not for a stateful layer's states.
 * Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Always normalizes in training mode, as a Keras layer calling self.bn(x, training=True). */
class AlwaysTraining extends rl.layers.Layer {
  static className = 'AlwaysTraining';
  bn = rl.layers.batchNormalization({ momentum: 0.5, movingMeanInitializer: 'ones', movingVarianceInitializer: 'ones' });
  call(x: Any) { return this.bn.apply(x, { training: true }) as rl.Tensor; }
}

const stats = (l: AlwaysTraining) => l.bn.getWeights().slice(2).map((w) => Array.from(w.dataSync()));

describe('the build of a custom layer changes no state', () => {
  it('a symbolic build leaves the moving statistics at their initial values', () => {
    const layer = new AlwaysTraining({});
    layer.apply(rl.input({ shape: [3] }));
    expect(layer.bn.built).toBe(true);
    expect(stats(layer)).toEqual([[1, 1, 1], [1, 1, 1]]);
  });

  it('the first call on tensors updates them once, from its own batch (not from the build\'s zeros too)', () => {
    const layer = new AlwaysTraining({});
    layer.apply(rl.tensor2d([[1, 2, 3], [3, 4, 5]]));
    // moving = 0.5 * 1 + 0.5 * batch mean [2, 3, 4]; variance 0.5 * 1 + 0.5 * 1 (biased: ((1)^2 + (1)^2) / 2).
    expect(stats(layer)).toEqual([[1.5, 2, 2.5], [1, 1, 1]]);
  });

  it('in a model, predict after building runs on the initial statistics', () => {
    const layer = new AlwaysTraining({});
    const inp = rl.input({ shape: [2] });
    const model = rl.model({ inputs: inp, outputs: layer.apply(inp) as rl.SymbolicTensor });
    expect(stats(layer)).toEqual([[1, 1], [1, 1]]);
    // predict runs the layer's call, whose explicit training: true normalizes by the batch and moves the statistics once.
    model.predict(rl.tensor2d([[3, 5], [5, 9]]));
    expect(stats(layer)).toEqual([[2.5, 4], [1, 2.5]]);
  });

  it('a stateful recurrent layer held by the custom layer starts from zero states after the build', () => {
    class Holder extends rl.layers.Layer {
      static className = 'StatefulHolder';
      gru = rl.layers.gru({ units: 2, stateful: true, biasInitializer: 'ones' });
      call(x: Any) { return this.gru.apply(x) as rl.Tensor; }
      computeOutputShape(s: Any) { return [s[0], 2]; }
    }
    const layer = new Holder({});
    layer.apply(rl.input({ batchShape: [2, 3, 1] }));
    expect(layer.gru.getStates().map((s: rl.Tensor) => Array.from(s.dataSync()))).toEqual([[0, 0, 0, 0]]);
  });
});
