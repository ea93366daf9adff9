/**
 * One rule, in parseModelJSON, for a Sequential config's first InputLayer: tfjs's modelFromJSON and
 * Sequential.fromConfig add every entry, so it stays the model's input (model.layers[0], inputNames); a topology
 * Keras wrote (keras_version, the converter's generatedBy, a Keras backend) keeps Keras's reading, shape only. An
 * InputLayer after other layers is refused, naming both, by a file's parse and by planStack as by Sequential.add.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { planStack } from '../../src/models/param_plan.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());

function topology(extra: Record<string, unknown> = {}, name = 'rule_a') {
  return { class_name: 'Sequential', config: { name, layers: [
    { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, name: `${name}_in` } },
    { class_name: 'Dense', config: { units: 2, name: `${name}_d` } },
  ] }, ...extra };
}

describe('modelFromJSON of a bare topology keeps its first InputLayer, as tfjs does', () => {
  it('a hand-written {class_name, config}: the same layers and input name as tfjs\'s modelFromJSON', async () => {
    const m = await rl.models.modelFromJSON(topology());
    const t = await tf.models.modelFromJSON(structuredClone(topology()) as never);
    expect(m.layers.map((l) => l.name)).toEqual(t.layers.map((l) => l.name));
    expect(m.layers.map((l) => l.name)).toEqual(['rule_a_in', 'rule_a_d']);
    expect(m.inputs.map((i) => i.sourceLayer.name)).toEqual(t.inputs.map((i) => i.sourceLayer.name));
    expect(m.inputNames).toEqual(['rule_a_in']);
    expect(m.inputs[0]).toBe(m.layers[0].output);
    const x = rl.tensor2d([[1, 2, 3, 4]]);
    expect(Array.from((m.predict({ rule_a_in: x }) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
  });

  it('as {modelTopology} and as a JSON string', async () => {
    for (const given of [{ modelTopology: topology({}, 'rule_b') }, JSON.stringify(topology({}, 'rule_c'))]) {
      const m = await rl.models.modelFromJSON(given);
      expect(m.layers[0].getClassName()).toBe('InputLayer');
      expect(m.layers).toHaveLength(2);
    }
  });

  it('a topology Keras wrote reads it for its shape only (Keras 2, Keras 3, a Keras backend)', async () => {
    for (const [i, extra] of ([{ keras_version: '2.13.1', backend: 'tensorflow' }, { keras_version: '3.5.0' }, { backend: 'theano' }] as Record<string, unknown>[]).entries()) {
      const m = await rl.models.modelFromJSON(topology(extra, `rule_k${i}`));
      expect(m.layers.map((l) => l.name)).toEqual([`rule_k${i}_d`]);
      expect(m.inputShape).toEqual([null, 4]);
    }
    // Keras 3's get_config() / config.json: no keras_version, but module and registered_name on every entry.
    const k3 = topology({}, 'rule_k3');
    k3.config.layers = k3.config.layers.map((e) => ({ module: 'keras.layers', registered_name: null, ...e }));
    expect((await rl.models.modelFromJSON(k3)).layers.map((l) => l.name)).toEqual(['rule_k3_d']);
    expect(rl.Sequential.fromConfig(structuredClone(k3.config)).layers.map((l) => l.name)).toEqual(['rule_k3_d']);
  });

  it('tfjs\'s own toJSON keeps it (tfjs-layers keras_version, tensor_flow.js backend)', async () => {
    const t = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [3], name: 'rule_t_in' }), tf.layers.dense({ units: 1, name: 'rule_t_d' })] });
    const m = await rl.models.modelFromJSON(t.toJSON(null, false) as object);
    expect(m.layers.map((l) => l.name)).toEqual(['rule_t_in', 'rule_t_d']);
  });
});

describe('an InputLayer after other layers is refused, naming both', () => {
  const mid = (name: string) => ({ class_name: 'Sequential', config: { name, layers: [
    { class_name: 'Dense', config: { units: 2, name: `${name}_d`, batch_input_shape: [null, 4] } },
    { class_name: 'InputLayer', config: { batch_input_shape: [null, 2], name: `${name}_late` } },
    { class_name: 'Dense', config: { units: 1, name: `${name}_e` } },
  ] } });

  it('in a file or topology: its index, its name and the layer it follows', async () => {
    await expect(rl.models.modelFromJSON(mid('rule_m'))).rejects.toThrow("modelFromJSON: layer 1: InputLayer may only come first in a Sequential model; 'rule_m_late' comes after layer 0, 'rule_m_d', here (an InputLayer takes no input)");
    await expect(rl.loadLayersModel(rl.io.fromMemory({ modelTopology: mid('rule_n'), weightSpecs: [], weightData: new ArrayBuffer(0) })))
      .rejects.toThrow(/layer 1: InputLayer may only come first .*'rule_n_late' comes after layer 0, 'rule_n_d'/);
  });

  it('by planStack, as Sequential.add words it', () => {
    const L = rl.layers;
    const late = () => [L.dense({ units: 2, inputShape: [4], name: 'rule_p_d' }), L.inputLayer({ inputShape: [2], name: 'rule_p_late' }), L.dense({ units: 1, name: 'rule_p_e' })];
    expect(() => planStack(late())).toThrow('planStack: rule_p_late (InputLayer) may only be the first layer of a Sequential model; it comes after rule_p_d here (an InputLayer takes no input)');
    // First, it is the model's input and counts nothing, as the built model counts.
    const first = planStack([L.inputLayer({ inputShape: [4], name: 'rule_q_in' }), L.dense({ units: 3, name: 'rule_q_d' })]);
    expect(first.params).toBe(15);
    expect(first.outputShape).toEqual([null, 3]);
  });
});
