/**
 * Spellings other writers put in model files: Keras 3's early initializer class names, tfjs's null for an unset
 * unit_forget_bias; and a layer name no file can hold ('/', which separates a weight's layer from its name).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/converter_files/keras3_lstm/model.json'), 'utf8'));

describe('model files from other writers', () => {
  it("reads Keras 3's {class_name: 'OrthogonalInitializer'} as Orthogonal", async () => {
    const text = JSON.stringify(fixture.modelTopology);
    expect(text).toMatch(/"class_name": ?"Orthogonal"/);
    const renamed = JSON.parse(text.replace(/"class_name": ?"Orthogonal"/g, '"class_name": "OrthogonalInitializer"'));
    const a = await rl.models.modelFromJSON({ modelTopology: fixture.modelTopology } as never);
    const b = await rl.models.modelFromJSON({ modelTopology: renamed } as never);
    expect(b.countParams()).toBe(a.countParams());
  });

  it("reads tfjs's unit_forget_bias: null as tfjs does (off: a zero forget-gate bias), and writes false back", async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 2, inputShape: [3, 1] }));
    const topology = m.toJSON(null, false) as unknown as { config: { layers: { config: Record<string, unknown> }[] } };
    expect(topology.config.layers[0].config.unit_forget_bias).toBeNull();
    const theirs = await tf.models.modelFromJSON({ modelTopology: topology } as never);
    const ours = await rl.models.modelFromJSON({ modelTopology: topology } as never);
    const bias = (w: { dataSync(): ArrayLike<number> }) => Array.from(w.dataSync());
    expect(bias(ours.layers[0].getWeights()[2])).toEqual(bias(theirs.layers[0].getWeights()[2]));
    expect(bias(ours.layers[0].getWeights()[2])).toEqual(new Array(8).fill(0));
    expect(ours.layers[0].getConfig().unitForgetBias).toBe(false);
    // Absent, it is Keras's default: on.
    expect(rl.layers.lstm({ units: 2 }).getConfig().unitForgetBias).toBe(true);
  });

  it("refuses a layer name holding '/' when the layer is made, not when its saved model fails to load", () => {
    expect(() => rl.layers.dense({ units: 1, name: 'enc/dense' })).toThrow(`Dense: name must not contain '/', got "enc/dense" (weights are saved as '<layer>/<weight>')`);
    expect(() => rl.layers.dense({ units: 1, name: 'enc_dense' })).not.toThrow();
  });
});
