/** relu6's slope at its corners, as tfjs's: 0 at 0, 1 at 6, the same for the op and the layer activation. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('relu6 slope', () => {
  const x = () => rl.tensor1d([-1, 0, 3, 6, 7]);
  const want = [0, 0, 1, 1, 0];
  it('of the op', () => {
    expect([...rl.grad((t: rl.Tensor) => rl.sum(rl.relu6(t)))(x()).dataSync()]).toEqual(want);
  });
  it('of the layer activation', () => {
    const layer = rl.layers.activation({ activation: 'relu6' });
    expect([...rl.grad((t: rl.Tensor) => rl.sum(layer.apply(t) as rl.Tensor))(x()).dataSync()]).toEqual(want);
  });
});
