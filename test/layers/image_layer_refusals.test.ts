/** tfjs's image layers are refused by name, not left as "is not a function". */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('tfjs image layers', () => {
  it('each refuses with a sentence naming the layer', () => {
    for (const name of ['conv2d', 'maxPooling2d', 'convLstm2d', 'globalAveragePooling2d', 'resizing'] as const) {
      expect(() => rl.layers[name]({ filters: 2, kernelSize: 3 })).toThrow(new RegExp(`^layers\\.${name}: rnnlab has no 2D/3D or image layers`));
    }
  });
  it('sequence layers of the same family still build', () => {
    expect(rl.layers.conv1d({ filters: 2, kernelSize: 3 }).getClassName()).toBe('Conv1D');
  });
});
