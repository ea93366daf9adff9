/** tfjs's image layers and Keras 3's layers tfjs lacks are refused by name, not left as "is not a function". */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('tfjs image layers', () => {
  it('each refuses with a sentence naming the layer', () => {
    for (const name of ['conv2d', 'maxPooling2d', 'convLstm2d', 'globalAveragePooling2d', 'resizing'] as const) {
      expect(() => rl.layers[name]({ filters: 2, kernelSize: 3 })).toThrow(new RegExp(`^layers\\.${name}: rnnlab has no 2D/3D or image layers`));
    }
  });
  it("Keras 3's text/attention layers that tfjs lacks refuse naming the layer and what to use", () => {
    const names = ['groupQueryAttention', 'einsumDense', 'textVectorization', 'stringLookup'] as const;
    for (const name of names) {
      expect(() => rl.layers[name]({ numHeads: 2, keyDim: 8 })).toThrow(new RegExp(`^layers\\.${name}: Keras 3 has this layer; rnnlab \\(as tfjs-layers\\) does not: \\w`));
    }
    expect(() => rl.layers.groupQueryAttention({} as never)).toThrow(/use layers\.multiHeadAttention/);
  });
  it('sequence layers of the same family still build', () => {
    expect(rl.layers.conv1d({ filters: 2, kernelSize: 3 }).getClassName()).toBe('Conv1D');
  });
});
