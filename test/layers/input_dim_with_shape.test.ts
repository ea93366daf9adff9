/** inputDim beside inputShape: tfjs and Keras let the shape win, so a disagreeing inputDim is refused, not ignored. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('inputDim with inputShape', () => {
  it('an agreeing inputDim is taken', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], inputDim: 3 })] });
    expect(m.inputs[0].shape).toEqual([null, 3]);
  });
  it('a disagreeing one is refused naming both', () => {
    expect(() => rl.layers.dense({ units: 2, inputShape: [3], inputDim: 4 })).toThrow(/inputDim 4 disagrees with inputShape \[3\], whose last size wins; give one of them/);
    expect(() => rl.layers.lstm({ units: 2, batchInputShape: [1, 5, 3], inputDim: 2 })).toThrow(/inputDim 2 disagrees with batchInputShape \[1, 5, 3\]/);
  });
});
