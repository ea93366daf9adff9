/**
 * A wrapper's trainable flag passes down to the layer(s) it wraps, as tfjs's Wrapper and Bidirectional setters and
 * Keras 3's Layer setter pass it: the saved config says what rnnlab trains, so tfjs 4.22 (which trains by the wrapped
 * layer's own flag) trains the same weights, and an includeOptimizer file's state pairs with them.
 */
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, removeDir, tempDir } from '../compat/functional_helpers.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-frozen-wrapper-');
afterAll(() => removeDir(root));

type Kind = 'td' | 'bi';
const make = (kind: Kind): rl.Sequential => kind === 'bi'
  ? rl.sequential({ layers: [rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }), inputShape: [3, 2] }), rl.layers.dense({ units: 1 })] })
  : rl.sequential({ layers: [rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }), inputShape: [3, 2] }), rl.layers.flatten(), rl.layers.dense({ units: 1 })] });
const wrapped = (w: rl.layerClasses.Layer): rl.layerClasses.Layer[] => {
  const any = w as unknown as { layer?: rl.layerClasses.Layer; forwardLayer?: rl.layerClasses.Layer; backwardLayer?: rl.layerClasses.Layer };
  return any.layer ? [any.layer] : [any.forwardLayer!, any.backwardLayer!];
};
/** The wrapper's weights: TimeDistributed's kernel and bias, or both directions' three LSTM weights. */
const wrapperWeights: Record<Kind, number> = { td: 2, bi: 6 };

const x = rl.tensor(Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.sin(i * 0.7)), [4, 3, 2]);
const y = rl.tensor(Float32Array.from({ length: 4 }, (_, i) => Math.cos(i)), [4, 1]);
const values = (ws: { dataSync(): ArrayLike<number> }[]) => ws.map((w) => Array.from(w.dataSync()));

for (const kind of ['td', 'bi'] as Kind[]) {
  describe(`${kind === 'td' ? 'TimeDistributed' : 'Bidirectional'}: trainable passes down`, () => {
    it('freezing the wrapper freezes the wrapped layer(s), and unfreezing unfreezes them; the getter is the wrapper\'s own flag', () => {
      const m = make(kind);
      const w = m.layers[0];
      w.trainable = false;
      expect(w.trainable).toBe(false);
      expect(wrapped(w).map((l) => l.trainable)).toEqual(wrapped(w).map(() => false));
      expect(wrapped(w).flatMap((l) => l.trainableWeights)).toHaveLength(0);
      expect(m.trainableWeights).toHaveLength(2);
      expect(m.nonTrainableWeights).toHaveLength(wrapperWeights[kind]);
      w.trainable = true;
      expect(w.trainable).toBe(true);
      expect(wrapped(w).map((l) => l.trainable)).toEqual(wrapped(w).map(() => true));
      expect(m.trainableWeights).toHaveLength(wrapperWeights[kind] + 2);
      expect(m.nonTrainableWeights).toHaveLength(0);
    });

    it('model.trainable = false passes down through the wrapper; the saved config writes the inner flag false', async () => {
      const m = make(kind);
      m.trainable = false;
      expect(wrapped(m.layers[0]).map((l) => l.trainable)).toEqual(wrapped(m.layers[0]).map(() => false));
      m.trainable = true;
      m.layers[0].trainable = false;
      const dir = join(root, `cfg_${kind}`);
      await m.save(`file://${dir}`);
      const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
      expect(cfg.trainable).toBe(false);
      expect(cfg.layer.config.trainable).toBe(false);
    });

    it('tfjs 4.22 loads the frozen wrapper with the weights rnnlab trains, and its fit leaves them unchanged', async () => {
      const m = make(kind);
      m.layers[0].trainable = false;
      const dir = join(root, `tfjs_${kind}`);
      await m.save(`file://${dir}`);
      const t = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
      expect([t.trainableWeights.length, t.nonTrainableWeights.length]).toEqual([m.trainableWeights.length, m.nonTrainableWeights.length]);
      const before = values(t.layers[0].getWeights());
      t.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
      await t.fit(tf.tensor(Array.from(x.dataSync()), x.shape), tf.tensor(Array.from(y.dataSync()), y.shape), { epochs: 1, verbose: 0 });
      expect(values(t.layers[0].getWeights())).toEqual(before);
    });

    it('includeOptimizer after Adam steps with the wrapper frozen: rnnlab and tfjs load it and keep training', async () => {
      rl.setSeed(5);
      const m = make(kind);
      m.layers[0].trainable = false;
      m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 2, verbose: 0, shuffle: false });
      const dir = join(root, `opt_${kind}`);
      await m.save(`file://${dir}`, { includeOptimizer: true });

      const back = await rl.loadLayersModel(`file://${dir}/model.json`) as rl.Sequential;
      expect(back.layers[0].trainable).toBe(false);
      expect(back.trainableWeights).toHaveLength(2);
      const frozen = values(back.layers[0].getWeights());
      await back.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
      await m.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
      expect(values(back.layers[0].getWeights())).toEqual(frozen);
      expect(values(back.getWeights())).toEqual(values(m.getWeights()));

      // tfjs pairs the file's optimizer state with its trainable weights by position: they are the same two.
      const t = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
      expect(t.trainableWeights).toHaveLength(2);
      const h = await t.fit(tf.tensor(Array.from(x.dataSync()), x.shape), tf.tensor(Array.from(y.dataSync()), y.shape), { epochs: 1, verbose: 0 });
      expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
      expect(values(t.layers[0].getWeights())).toEqual(frozen);
    });

    it('a file whose wrapper says false and inner layer true (rnnlab wrote these before) loads frozen through and through', async () => {
      const m = make(kind);
      const dir = join(root, `old_${kind}`);
      await m.save(`file://${dir}`);
      const path = join(dir, 'model.json');
      const json = JSON.parse(readFileSync(path, 'utf8'));
      const cfg = json.modelTopology.config.layers[0].config;
      cfg.trainable = false;
      expect(cfg.layer.config.trainable).toBe(true);
      writeFileSync(path, JSON.stringify(json));
      const back = await rl.loadLayersModel(`file://${path}`) as rl.Sequential;
      expect(back.layers[0].trainable).toBe(false);
      expect(wrapped(back.layers[0]).map((l) => l.trainable)).toEqual(wrapped(back.layers[0]).map(() => false));
      expect([back.trainableWeights.length, back.nonTrainableWeights.length]).toEqual([2, wrapperWeights[kind]]);
    });
  });
}

describe('wrapping a frozen layer', () => {
  it("tfjs 4.22's own file of a frozen Bidirectional (wrapper false, inner layer true) loads frozen through and through", async () => {
    const tm = tf.sequential({ layers: [tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.RNN, inputShape: [3, 2] }), tf.layers.dense({ units: 1 })] });
    tm.layers[0].trainable = false;
    let artifacts: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const cfg = (artifacts!.modelTopology as { config: { layers: { config: { trainable: boolean; layer: { config: { trainable: boolean } } } }[] } }).config.layers[0].config;
    expect([cfg.trainable, cfg.layer.config.trainable]).toEqual([false, true]);
    const m = await rl.loadLayersModel(rl.io.fromMemory(artifacts as never)) as rl.Sequential;
    const bi = m.layers[0] as unknown as { trainable: boolean; forwardLayer: rl.layerClasses.Layer; backwardLayer: rl.layerClasses.Layer };
    expect([bi.trainable, bi.forwardLayer.trainable, bi.backwardLayer.trainable]).toEqual([false, false, false]);
    expect([m.trainableWeights.length, m.nonTrainableWeights.length]).toEqual([2, 6]);
  });

  it('a wrapper made with trainable: false freezes what it wraps; one made trainable leaves a frozen layer frozen', () => {
    const td = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }), trainable: false });
    expect(td.layer.trainable).toBe(false);
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }), trainable: false });
    expect([bi.forwardLayer.trainable, bi.backwardLayer.trainable]).toEqual([false, false]);
    // Keras 3 trains none of a frozen wrapped layer, and tfjs reads its flag: the wrapper's default true is not passed down.
    const dense = rl.layers.dense({ units: 2, trainable: false });
    const td2 = rl.layers.timeDistributed({ layer: dense, trainable: true });
    td2.build([null, 3, 2]);
    expect([td2.trainable, dense.trainable, td2.trainableWeights.length]).toEqual([true, false, 0]);
    const bi2 = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, trainable: false }), trainable: true });
    bi2.build([null, 3, 2]);
    expect([bi2.trainable, bi2.forwardLayer.trainable, bi2.backwardLayer.trainable, bi2.trainableWeights.length]).toEqual([true, false, false, 0]);
  });

  it('a frozen wrapper whose layer is set back to true trains nothing of it, and its file says the layer is frozen', async () => {
    for (const kind of ['td', 'bi'] as Kind[]) {
      const m = make(kind);
      m.layers[0].trainable = false;
      for (const l of wrapped(m.layers[0]).slice(0, 1)) l.trainable = true;
      expect(m.trainableWeights).toHaveLength(2);
      const dir = join(root, `reset_${kind}`);
      await m.save(`file://${dir}`);
      const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
      expect(cfg.layer.config.trainable).toBe(false);
    }
  });
});
