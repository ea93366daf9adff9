/**
 * rl.layers.inputLayer reads tfjs's InputLayerArgs and Keras 3's InputLayer arguments and nothing else: the options
 * every other layer takes (inputDim, trainable, weights, ...) are refused by name rather than accepted and dropped;
 * inputDType is read as dtype; batchSize must be a positive integer; Keras 3's optional is taken at false, refused
 * at true, alike in the factory, fromConfig and a loaded file.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const batchShapeOf = (l: { getConfig(): Record<string, unknown> }) => l.getConfig().batchInputShape;

describe('InputLayer refuses the base options it does not read', () => {
  it.each([
    ['inputDim', 6, /inputDim is not an InputLayer option \(an InputLayer's shape is inputShape or shape: give inputShape: \[n\]\)/],
    ['trainable', false, /trainable is not an InputLayer option \(an InputLayer has no weights to train or freeze\)/],
    ['weights', [], /weights is not an InputLayer option \(an InputLayer has no weights\)/],
    ['activityRegularizer', 'l2', /activityRegularizer is not an InputLayer option \(an InputLayer computes nothing to regularize\)/],
    ['stateful', true, /stateful is not an InputLayer option/],
    ['seed', 3, /seed is not an InputLayer option/],
  ])('%s', (key, value, message) => {
    expect(() => L.inputLayer({ inputShape: [4], [key]: value } as never)).toThrow(message);
    expect(() => new rl.layerClasses.InputLayer({ shape: [4], [key]: value } as never)).toThrow(message);
  });

  it('names inputDim when it is the only shape given, not a missing shape', () => {
    expect(() => L.inputLayer({ inputDim: 6 } as never)).toThrow(/^rl\.layers\.inputLayer \(InputLayer\): inputDim is not an InputLayer option/);
  });

});

describe('InputLayer reads inputDType as dtype (tfjs\'s legacy name)', () => {
  it('gives the layer and its symbolic tensor that dtype', () => {
    const l = L.inputLayer({ inputShape: [4], inputDType: 'int32' } as never);
    expect(l.getConfig().dtype).toBe('int32');
    expect(l.inboundNodes[0].outputs[0].dtype).toBe('int32');
    expect(L.inputLayer({ inputShape: [4], inputDType: 'int32', dtype: 'int32' } as never).getConfig().dtype).toBe('int32');
  });

  it('refuses a dtype that disagrees, and a dtype rnnlab does not have', () => {
    expect(() => L.inputLayer({ inputShape: [4], inputDType: 'int32', dtype: 'float32' } as never)).toThrow(/dtype "float32" and inputDType "int32" disagree/);
    expect(() => L.inputLayer({ inputShape: [4], inputDType: 'string' } as never)).toThrow(/dtype must be 'float32' or 'int32'/);
  });
});

describe('batchSize must be a positive integer', () => {
  it.each([[0, /got 0/], [-1, /got -1/], [1.5, /got 1\.5/], ['2', /got the string "2"/]])('batchSize %s', (v, got) => {
    expect(() => L.inputLayer({ inputShape: [4], batchSize: v } as never)).toThrow(/batchSize must be a positive integer/);
    expect(() => L.inputLayer({ inputShape: [4], batchSize: v } as never)).toThrow(got);
    expect(() => rl.input({ shape: [4], batchSize: v } as never)).toThrow(/batchSize must be a positive integer/);
  });

  it('a positive one fixes the batch axis; null leaves it free', () => {
    expect(batchShapeOf(L.inputLayer({ inputShape: [4], batchSize: 3 }))).toEqual([3, 4]);
    expect(batchShapeOf(L.inputLayer({ inputShape: [4], batchSize: null } as never))).toEqual([null, 4]);
  });

  it('shape entries are refused as batchSize is (0, negative, fractional)', () => {
    expect(() => L.inputLayer({ inputShape: [0] })).toThrow(/inputShape must be a list of positive integers or null, got \[0\]: entry 0 is 0/);
    expect(() => L.inputLayer({ batchInputShape: [null, -2] })).toThrow(/entry 1 is -2/);
    expect(() => L.inputLayer({ shape: [2.5] } as never)).toThrow(/entry 0 is 2\.5/);
  });
});

describe('Keras 3\'s optional: false taken, true refused, by one rule', () => {
  const topology = (optional: unknown) => ({
    class_name: 'Sequential',
    config: {
      name: 's',
      layers: [
        { class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'inp', optional } },
        { class_name: 'Dense', config: { name: 'd', units: 2 } },
      ],
    },
  });

  it('in fromConfig, as Keras 3 writes it', () => {
    const l = rl.layerClasses.InputLayer.fromConfig({ batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'x', optional: false });
    expect(batchShapeOf(l)).toEqual([null, 4]);
    expect(() => rl.layerClasses.InputLayer.fromConfig({ batch_shape: [null, 4], optional: true })).toThrow(/optional = true is not supported \(rnnlab's inputs are always given\)/);
  });

  it('in the factory (Keras 3\'s InputLayer argument)', () => {
    expect(batchShapeOf(L.inputLayer({ shape: [4], optional: false } as never))).toEqual([null, 4]);
    expect(() => L.inputLayer({ shape: [4], optional: true } as never)).toThrow(/optional = true is not supported/);
  });

  it('in a loaded file, naming the layer', async () => {
    const m = await rl.models.modelFromJSON({ modelTopology: topology(false) } as never);
    expect(m.inputs[0].shape).toEqual([null, 4]);
    await expect(rl.models.modelFromJSON({ modelTopology: topology(true) } as never)).rejects.toThrow(/layer 0 \(InputLayer 'inp'\): optional = true is not supported/);
  });
});

describe('a base layer\'s shape disagreement prints a free size as null', () => {
  it('inputDim and batchSize against batchInputShape', () => {
    expect(() => L.dense({ units: 2, inputDim: 5, batchInputShape: [null, 6] })).toThrow(/inputDim 5 disagrees with batchInputShape \[null, 6\], whose last size wins/);
    expect(() => L.dense({ units: 2, batchSize: 2, batchInputShape: [null, 6] })).toThrow(/batchSize 2 disagrees with batchInputShape \[null, 6\]/);
  });
});

describe('InputLayer.fromConfig takes Keras\'s (config) and tfjs\'s (cls, config), building that class', () => {
  // rl.layerClasses.InputLayer reads snake_case keys first (a Proxy); a layer's constructor is the class itself.
  const Plain = rl.layerClasses.InputLayer;
  const Raw = L.inputLayer({ inputShape: [1] }).constructor as typeof Plain;
  class MyInput extends Plain { static override readonly className: string = 'MyInputR48'; }
  const config = () => L.inputLayer({ batchInputShape: [2, 3, 4], dtype: 'int32', name: 'ids' }).getConfig();
  const same = (l: { name: string; getConfig(): Record<string, unknown> }) => ({ batch: batchShapeOf(l), dtype: l.getConfig().dtype, name: l.name });
  const want = { batch: [2, 3, 4], dtype: 'int32', name: 'ids' };

  it('tfjs\'s form, as layer.constructor.fromConfig(layer.constructor, layer.getConfig()) calls it', () => {
    const l = L.inputLayer({ inputShape: [5], name: 'x' });
    const ctor = l.constructor as typeof Plain;
    const back = ctor.fromConfig(ctor, l.getConfig());
    expect(back).toBeInstanceOf(Plain);
    expect(batchShapeOf(back)).toEqual([null, 5]);
    expect(same(Raw.fromConfig(Raw, config()))).toEqual(want);
    expect(same(Raw.fromConfig(config()))).toEqual(want);
    expect(same(Plain.fromConfig(Plain, config()))).toEqual(want);
  });

  it('a subclass comes back as itself in both forms', () => {
    const viaThis = MyInput.fromConfig(config());
    const viaCls = Plain.fromConfig(MyInput, config());
    const viaOwnCtor = (viaThis.constructor as typeof MyInput).fromConfig(viaThis.constructor as typeof MyInput, viaThis.getConfig());
    for (const l of [viaThis, viaCls, viaOwnCtor]) {
      expect(l.constructor).toBe(MyInput);
      expect(same(l)).toEqual(want);
    }
  });

  it('keeps its rules in tfjs\'s form (optional, two batch shapes, a missing config)', () => {
    expect(() => Raw.fromConfig(Raw, { batchInputShape: [null, 4], optional: true })).toThrow(/optional = true is not supported/);
    expect(() => Plain.fromConfig(MyInput, { batch_shape: [null, 4], optional: true })).toThrow(/optional = true is not supported/);
    expect(() => Raw.fromConfig(Raw, { batchInputShape: [null, 4], batchShape: [null, 5] })).toThrow(/give batchInputShape or Keras 3's batchShape, not both/);
    expect(() => Raw.fromConfig(Raw, { batchShape: [null, 4], ragged: true })).toThrow(/ragged = true is not supported/);
    expect(() => (Raw.fromConfig as (...a: unknown[]) => unknown).call(Raw, Raw)).toThrow(/InputLayer\.fromConfig: expected a config object after the class \(tfjs's fromConfig\(cls, config\)\), got undefined/);
  });
});

describe('an unknown option\'s error lists only what InputLayer reads', () => {
  const list = 'options: inputShape, batchInputShape, shape, batchShape, batchSize, dtype, inputDType, sparse, optional, name';
  it.each([
    ['rl.layers.inputLayer', (o: object) => L.inputLayer(o as never)],
    ['rl.layerClasses.InputLayer', (o: object) => new rl.layerClasses.InputLayer(o as never)],
  ])('%s', (where, make) => {
    expect(() => make({ inputShape: [4], foo: 1 })).toThrow(`${where}: unknown option 'foo'; ${list}`);
    expect(() => make({ inputShap: [4] })).toThrow(`${where}: unknown option 'inputShap' (did you mean 'inputShape'?); ${list}`);
  });

  it('other layers\' shared options at their off values are refused by name, not taken', () => {
    expect(() => L.inputLayer({ inputShape: [4], stateful: false } as never)).toThrow(/stateful is not an InputLayer option \(rnnlab's other layers read it, an InputLayer does not\); it reads inputShape, /);
    expect(() => L.inputLayer({ inputShape: [4], seed: null } as never)).toThrow(/seed is not an InputLayer option/);
  });

  it('rl.input (tfjs\'s InputConfig) refuses Keras 3\'s optional as an unknown option', () => {
    expect(() => rl.input({ shape: [4], optional: false } as never)).toThrow("rl.input: unknown option 'optional'; options: shape, batchShape, batchSize, dtype, sparse, name");
  });
});

describe('sparse is taken at false (or left out) and refused otherwise, naming sparse', () => {
  it.each([['the string "yes"', 'yes'], ['number 1', 1], ['number 0', 0]])('%s in the factory, rl.input, fromConfig and a loaded file', async (said, value) => {
    const message = `sparse must be true or false (only false is supported), got ${said}`;
    expect(() => L.inputLayer({ inputShape: [4], name: 'sp', sparse: value } as never)).toThrow(`sp (InputLayer): ${message}`);
    expect(() => rl.input({ shape: [4], name: 'sq', sparse: value } as never)).toThrow(`sq (InputLayer): ${message}`);
    expect(() => rl.layerClasses.InputLayer.fromConfig({ batchInputShape: [null, 4], name: 'sr', sparse: value })).toThrow(`sr (InputLayer): ${message}`);
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], name: 'ss', sparse: value } }, { class_name: 'Dense', config: { name: 'd', units: 2 } }] } };
    await expect(rl.models.modelFromJSON({ modelTopology: topology } as never)).rejects.toThrow(message);
  });

  it('false, null and absent give a dense input; true is refused as unsupported', () => {
    for (const sparse of [false, null, undefined]) expect(rl.input({ shape: [4], sparse } as never).shape).toEqual([null, 4]);
    expect(() => L.inputLayer({ inputShape: [4], sparse: true })).toThrow(/sparse = true is not supported/);
  });
});
