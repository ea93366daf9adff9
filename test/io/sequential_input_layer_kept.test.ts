/**
 * A Sequential built with an explicit InputLayer keeps it in model.layers through a save and load, as tfjs 4.22 does
 * with its own files and rnnlab's; a Keras file's InputLayer, which Keras writes in every Sequential config and hides
 * from model.layers, is still read for its shape only.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const x = [[0.5, -1, 2, 0.25]];

async function artifactsOf(m: { save(h: unknown): Promise<unknown> }): Promise<rl.io.ModelArtifacts> {
  let saved: rl.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler(async (a) => { saved = a; return {}; }));
  return saved!;
}

describe('a leading InputLayer', () => {
  it('stays in model.layers through rnnlab\'s save and load, and in the file a re-save writes', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [4], name: 'entry' }), rl.layers.dense({ units: 2 })] });
    const back = await rl.loadLayersModel(rl.io.fromMemory(await artifactsOf(m)));
    expect(back.layers.map((l) => l.name)).toEqual(['entry', m.layers[1].name]);
    expect(back.getLayer(undefined, 0).getClassName()).toBe('InputLayer');
    expect(Array.from((back.predict(rl.tensor2d(x)) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(rl.tensor2d(x)) as rl.Tensor).dataSync()));
    const again = await artifactsOf(back);
    expect((again.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Dense']);
  });

  it('stays in model.layers when tfjs wrote the file, as tfjs loads it', async () => {
    const t = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [4], name: 'entry' }), tf.layers.dense({ units: 2, name: 'out' })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await t.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const back = await rl.loadLayersModel(rl.io.fromMemory(saved as unknown as rl.io.ModelArtifacts));
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(back.layers.map((l) => l.name)).toEqual(theirs.layers.map((l) => l.name));
    const ours = (back.predict(rl.tensor2d(x)) as rl.Tensor).dataSync();
    const want = (theirs.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
    ours.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('is read for its shape only in a Keras file, as Keras hides it from model.layers', async () => {
    const m = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [4] }), rl.layers.dense({ units: 2, name: 'out' })] });
    const a = await artifactsOf(m);
    const topology = { ...(a.modelTopology as Record<string, unknown>), keras_version: '2.13.1' };
    const back = await rl.loadLayersModel(rl.io.fromMemory({ ...a, modelTopology: topology }));
    expect(back.layers.map((l) => l.name)).toEqual(['out']);
  });
});
