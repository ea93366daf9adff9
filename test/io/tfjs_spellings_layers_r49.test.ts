/**
 * A layer's and an initializer's own getConfig() speak tfjs's spelling of the option values tfjs spells otherwise
 * (channelsLast, fanAvg, and 'normal' for Keras's truncated_normal, which is what tfjs draws a truncated normal for),
 * as model.getConfig() does and as tfjs-layers' getConfig does, so tfjs's constructors take them and draw the same
 * distribution; files keep Keras's spelling. A registered subclass of a built-in layer is spelled as the built-in for
 * the built-in's options (files get Keras's hard_sigmoid) and keeps its own as written; a custom layer's config is
 * whatever its getConfig returns in memory, and in its file the built-in configs nested in it are in Keras's
 * spelling, as tfjs writes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';
import { removeDir, tempDir } from './helpers.js';

type Cfg = Record<string, unknown>;
type Entry = { className?: string; class_name?: string; config: Cfg };
const layersOf = (c: Cfg) => c.layers as Entry[];

const root = tempDir('rnnlab-tfjs-spellings-r49-');
beforeAll(tfjsReady);
afterAll(() => removeDir(root));

/** Saves m to a file:// folder and gives its model.json's layer configs. */
async function savedLayers(m: rl.Sequential, name: string): Promise<{ dir: string; layers: Cfg[] }> {
  const dir = join(root, name);
  await m.save(`file://${dir}`);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology: { config: Cfg } };
  return { dir, layers: layersOf(json.modelTopology.config).map((l) => l.config) };
}

/** The largest |x| and the kurtosis (uniform 1.8, normal truncated at 2 sigma about 2.36). */
function moments(xs: number[]): { max: number; kurtosis: number } {
  const n = xs.length, mean = xs.reduce((s, x) => s + x, 0) / n;
  const m2 = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n, m4 = xs.reduce((s, x) => s + (x - mean) ** 4, 0) / n;
  return { max: xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0), kurtosis: m4 / (m2 * m2) };
}

const fanAvg = () => rl.initializers.varianceScaling({ mode: 'fan_avg', distribution: 'truncated_normal', seed: 1 });

describe('layer.getConfig() and initializer.getConfig() give tfjs\'s spellings', () => {
  it('the 1D layers write dataFormat channelsLast, which tfjs\'s own constructors take (they refuse channels_last)', () => {
    const make: [string, () => { getConfig(): Cfg }, (c: Cfg) => tf.layers.Layer][] = [
      ['conv1d', () => rl.layers.conv1d({ filters: 2, kernelSize: 2, kernelInitializer: fanAvg() }), (c) => tf.layers.conv1d(c as never)],
      ['maxPooling1d', () => rl.layers.maxPooling1d({ poolSize: 2 }), (c) => tf.layers.maxPooling1d(c as never)],
      ['averagePooling1d', () => rl.layers.averagePooling1d({ poolSize: 2 }), (c) => tf.layers.averagePooling1d(c as never)],
      ['globalMaxPooling1d', () => rl.layers.globalMaxPooling1d({}), (c) => tf.layers.globalMaxPooling1d(c as never)],
      ['globalAveragePooling1d', () => rl.layers.globalAveragePooling1d({}), (c) => tf.layers.globalAveragePooling1d(c as never)],
      ['flatten', () => rl.layers.flatten(), (c) => tf.layers.flatten(c as never)],
    ];
    for (const [name, ours, theirs] of make) {
      const c = ours().getConfig();
      expect([name, c.dataFormat]).toEqual([name, 'channelsLast']);
      expect(() => theirs(structuredClone(c))).not.toThrow();
    }
    expect(() => tf.layers.conv1d({ filters: 2, kernelSize: 2, dataFormat: 'channels_last' as never })).toThrow(/channels_last is not a valid DataFormat/);
    const conv = tf.layers.conv1d(structuredClone(rl.layers.conv1d({ filters: 2, kernelSize: 2, kernelInitializer: fanAvg() }).getConfig()) as never);
    expect((conv.getConfig().kernelInitializer as { config: Cfg }).config).toEqual({ scale: 1, mode: 'fanAvg', distribution: 'normal', seed: 1 });
  });

  it('tfjs builds a layer from rnnlab\'s getConfig with a truncated normal where rnnlab draws one (not the uniform tfjs draws for \'truncatedNormal\')', () => {
    const fanIn = 300, stddev = Math.sqrt(2 / fanIn);
    for (const kernelInitializer of [rl.initializers.heNormal({ seed: 3 }), rl.initializers.varianceScaling({ scale: 2, seed: 3 }), 'leCunNormal' as const]) {
      const config = structuredClone(rl.layers.dense({ units: 300, kernelInitializer }).getConfig());
      const theirs = tf.layers.dense({ ...config, inputShape: [fanIn] } as never);
      theirs.build([null, fanIn]);
      const w = Array.from(theirs.getWeights()[0].dataSync());
      const { max, kurtosis } = moments(w);
      const sd = kernelInitializer === 'leCunNormal' ? stddev / Math.SQRT2 : stddev;
      // tfjs re-draws beyond 2 stddev; a uniform of that variance stops at sqrt(3) stddev and has kurtosis 1.8.
      expect(max).toBeLessThanOrEqual(2 * sd * (1 + 1e-6));
      expect(max).toBeGreaterThan(1.9 * sd);
      expect(kurtosis).toBeGreaterThan(2.2);
    }
  });

  it('an initializer\'s getConfig, alone and in a layer\'s config, is tfjs\'s VarianceScaling config', () => {
    const theirs = tf.initializers.varianceScaling({ mode: 'fanAvg', distribution: 'normal', seed: 1 }).getConfig();
    expect(fanAvg().getConfig()).toEqual(theirs);
    expect(rl.initializers.varianceScaling({ mode: 'fanOut', distribution: 'untruncated_normal' }).getConfig()).toMatchObject({ mode: 'fanOut', distribution: 'untruncatedNormal' });
    const dense = rl.layers.dense({ units: 2, kernelInitializer: fanAvg() }).getConfig();
    expect(dense.kernelInitializer).toEqual({ className: 'VarianceScaling', config: theirs });
    // Keras's LecunNormal is saved as the VarianceScaling it is (tfjs has no LecunNormal class), in tfjs's spelling too.
    const lecun = rl.layers.dense({ units: 2, kernelInitializer: 'lecun_normal' }).getConfig().kernelInitializer as { config: Cfg };
    expect(lecun.config).toEqual({ scale: 1, mode: 'fanIn', distribution: 'normal', seed: null });
    expect(() => tf.layers.dense({ units: 2, kernelInitializer: structuredClone(lecun) as never })).not.toThrow();
  });

  it('layer.getConfig() is what model.getConfig() gives for the layer, and fromConfig takes both spellings', () => {
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [6, 3], kernelInitializer: fanAvg() }),
      rl.layers.maxPooling1d({}), rl.layers.flatten(),
    ] });
    const fromModel = layersOf(m.getConfig()).map((l) => l.config);
    m.layers.forEach((l, i) => expect(l.getConfig()).toEqual(fromModel[i]));
    for (const [format, mode] of [['channels_last', 'fan_avg'], ['channelsLast', 'fanAvg']]) {
      const config = { ...m.layers[0].getConfig(), dataFormat: format, kernelInitializer: { className: 'VarianceScaling', config: { scale: 1, mode, distribution: 'uniform', seed: 2 } } };
      const back = rl.layerClasses.Conv1D.fromConfig(config).getConfig();
      expect([back.dataFormat, (back.kernelInitializer as { config: Cfg }).config.mode]).toEqual(['channelsLast', 'fanAvg']);
    }
  });

  it('files keep Keras\'s spellings and load back', async () => {
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [6, 3], kernelInitializer: fanAvg() }), rl.layers.globalMaxPooling1d({}),
    ] });
    const { dir, layers } = await savedLayers(m, 'builtins');
    expect([layers[0].data_format, layers[1].data_format]).toEqual(['channels_last', 'channels_last']);
    expect((layers[0].kernel_initializer as { config: Cfg }).config).toEqual({ scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: 1 });
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(back.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
  });
});

/** A subclass of a built-in layer registered under its own name: its config is Dense's. */
class HardDenseR49 extends rl.layerClasses.Dense {
  static override className = 'HardDenseR49';
}
rl.serialization.registerClass(HardDenseR49);

/** A user's layer holding a built-in initializer's config, as its getConfig returns it. */
class HoldsInitR49 extends rl.layers.Layer {
  static override className = 'HoldsInitR49';
  readonly init: unknown;
  constructor({ init, ...rest }: Cfg = {}) { super(rest); this.init = init; }
  override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor | rl.Tensor[] { return x; }
  override getConfig(): Cfg { return { ...super.getConfig(), init: this.init }; }
}
rl.serialization.registerClass(HoldsInitR49);

describe('users\' classes', () => {
  it('a registered subclass of a built-in layer writes Keras\'s hard_sigmoid and fan_avg into the file, and reads back tfjs\'s', async () => {
    const layer = new HardDenseR49({ units: 2, inputShape: [3], activation: 'hardSigmoid', kernelInitializer: fanAvg() });
    expect(layer.getConfig().activation).toBe('hardSigmoid');
    const m = rl.sequential({ layers: [layer] });
    const { dir, layers } = await savedLayers(m, 'subclass');
    expect(layers[0].activation).toBe('hard_sigmoid');
    expect((layers[0].kernel_initializer as { config: Cfg }).config).toMatchObject({ mode: 'fan_avg', distribution: 'truncated_normal' });
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(back.layers[0]).toBeInstanceOf(HardDenseR49);
    expect(layersOf(back.getConfig())[0].config).toEqual(back.layers[0].getConfig());
    expect(back.layers[0].getConfig().activation).toBe('hardSigmoid');
  });

  it('a custom layer\'s config is what its getConfig returns in memory; its file holds a nested built-in config in Keras\'s spelling', async () => {
    const keras = { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: null };
    for (const init of [
      { className: 'VarianceScaling', config: keras },
      { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'normal', seed: null } },
    ]) {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), new HoldsInitR49({ init })] });
      const own = layersOf(m.getConfig())[1].config;
      expect(own).toEqual(m.layers[1].getConfig());
      expect(own.init).toEqual(init);
      expect((rl.Sequential.fromConfig(rl.Sequential, m.getConfig()).layers[1] as HoldsInitR49).init).toEqual(init);
      const { dir, layers } = await savedLayers(m, `custom-${init.config.mode}`);
      expect((layers[1].init as { config: Cfg }).config).toEqual(keras);
      // A file's configs reach the class as the file writes them (either spelling loads into rnnlab's initializers).
      expect((((await rl.loadLayersModel(`file://${dir}`)).layers[1]) as HoldsInitR49).init).toEqual({ className: 'VarianceScaling', config: keras });
    }
  });

  it('artifacts a save handler was given load the same as an equal copy of them (nothing remembered outside getConfig/fromConfig)', async () => {
    const init = { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'normal', seed: null } };
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), new HoldsInitR49({ init })] });
    let saved: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: 0 } }; }));
    const a = saved as rl.io.ModelArtifacts;
    const fromSame = ((await rl.loadLayersModel(rl.io.fromMemory(a))).layers[1] as HoldsInitR49).init;
    const fromCopy = ((await rl.loadLayersModel(rl.io.fromMemory(structuredClone(a)))).layers[1] as HoldsInitR49).init;
    expect(fromSame).toEqual(fromCopy);
    expect(fromSame).toEqual({ className: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: null } });
  });

  it('a custom layer\'s file holds the built-in configs nested in it as tfjs writes them; its own values stay as written', async () => {
    class OursR49 extends rl.layers.Layer {
      static override className = 'NestsBuiltInsR49';
      override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor | rl.Tensor[] { return x; }
      override getConfig(): Cfg {
        return { ...super.getConfig(), myMode: 'fanAvg', init: { className: 'VarianceScaling', config: fanAvg().getConfig() },
          inner: { className: 'Conv1D', config: rl.layers.conv1d({ filters: 1, kernelSize: 1, activation: 'hardSigmoid', name: 'inner' }).getConfig() } };
      }
    }
    class TheirsR49 extends tf.layers.Layer {
      static className = 'NestsBuiltInsR49';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] { return x; }
      override getConfig(): tf.serialization.ConfigDict {
        return { ...super.getConfig(), init: { className: 'VarianceScaling', config: tf.initializers.varianceScaling({ mode: 'fanAvg', distribution: 'normal', seed: 1 }).getConfig() },
          inner: { className: 'Conv1D', config: tf.layers.conv1d({ filters: 1, kernelSize: 1, activation: 'hardSigmoid' }).getConfig() } } as tf.serialization.ConfigDict;
      }
    }
    rl.serialization.registerClass(OursR49);
    const ours = rl.sequential({ layers: [new OursR49({ inputShape: [3, 2] })] });
    const theirs = tf.sequential({ layers: [new TheirsR49({ inputShape: [3, 2] })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await theirs.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const tfjsFile = ((saved!.modelTopology as { config: Cfg }).config.layers as Entry[])[0].config;
    const { layers } = await savedLayers(ours, 'nests-built-ins');
    type Nested = { config: Cfg };
    // tfjs writes Keras's spellings; its 'normal' is Keras's truncated_normal.
    expect((tfjsFile.init as Nested).config).toEqual({ scale: 1, mode: 'fan_avg', distribution: 'normal', seed: 1 });
    expect((layers[0].init as Nested).config).toEqual({ scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: 1 });
    expect([(layers[0].inner as Nested).config.activation, (layers[0].inner as Nested).config.data_format]).toEqual(['hard_sigmoid', 'channels_last']);
    expect((tfjsFile.inner as Nested).config.activation).toBe('hard_sigmoid');
    expect(layers[0].my_mode).toBe('fanAvg');
    expect(layersOf(ours.getConfig())[0].config).toEqual(ours.layers[0].getConfig());
  });

  it('a registered subclass\'s own option keeps its value as written in model.getConfig() and its file; the built-in\'s options are respelled', async () => {
    class ModeDenseR49 extends rl.layerClasses.Dense {
      static override className = 'ModeDenseR49';
      readonly mode: string;
      constructor({ mode = 'fan_in', ...args }: Cfg & { units: number }) { super(args); this.mode = mode as string; }
      override getConfig(): Cfg { return { ...super.getConfig(), mode: this.mode }; }
    }
    rl.serialization.registerClass(ModeDenseR49);
    for (const mode of ['fan_out', 'fanOut']) {
      const m = rl.sequential({ layers: [new ModeDenseR49({ units: 2, inputShape: [3], mode, activation: 'hard_sigmoid' })] });
      const fromModel = layersOf(m.getConfig())[0].config;
      expect(fromModel).toEqual(m.layers[0].getConfig());
      expect([fromModel.mode, fromModel.activation]).toEqual([mode, 'hardSigmoid']);
      expect((rl.Sequential.fromConfig(rl.Sequential, m.getConfig()).layers[0] as ModeDenseR49).mode).toBe(mode);
      const { dir, layers } = await savedLayers(m, `mode-dense-${mode}`);
      expect([layers[0].mode, layers[0].activation]).toEqual([mode, 'hard_sigmoid']);
      expect(((await rl.loadLayersModel(`file://${dir}`)).layers[0] as ModeDenseR49).mode).toBe(mode);
    }
  });
});
