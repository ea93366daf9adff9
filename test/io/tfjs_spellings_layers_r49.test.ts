/**
 * A layer's and an initializer's own getConfig() speak tfjs's spelling of the option values tfjs camel-cases
 * (channelsLast, fanAvg, truncatedNormal), as model.getConfig() does and as tfjs-layers' getConfig does, so tfjs's
 * constructors take them; files keep Keras's spelling. A registered subclass of a built-in layer is spelled as the
 * built-in (files get Keras's hard_sigmoid), and a custom layer's config, built-in configs nested in it included, is
 * whatever its getConfig returns, as in tfjs.
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
    // tfjs builds the conv from rnnlab's config with rnnlab's initializer: its getConfig gives the same values back.
    const conv = tf.layers.conv1d(structuredClone(rl.layers.conv1d({ filters: 2, kernelSize: 2, kernelInitializer: fanAvg() }).getConfig()) as never);
    expect((conv.getConfig().kernelInitializer as { config: Cfg }).config).toEqual({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal', seed: 1 });
  });

  it('an initializer\'s getConfig, alone and in a layer\'s config, is tfjs\'s VarianceScaling config', () => {
    const theirs = tf.initializers.varianceScaling({ mode: 'fanAvg', distribution: 'truncatedNormal', seed: 1 }).getConfig();
    expect(fanAvg().getConfig()).toEqual(theirs);
    expect(rl.initializers.varianceScaling({ mode: 'fanOut', distribution: 'untruncated_normal' }).getConfig()).toMatchObject({ mode: 'fanOut', distribution: 'untruncatedNormal' });
    const dense = rl.layers.dense({ units: 2, kernelInitializer: fanAvg() }).getConfig();
    expect(dense.kernelInitializer).toEqual({ className: 'VarianceScaling', config: theirs });
    // Keras's LecunNormal is saved as the VarianceScaling it is (tfjs has no LecunNormal class), in tfjs's spelling too.
    const lecun = rl.layers.dense({ units: 2, kernelInitializer: 'lecun_normal' }).getConfig().kernelInitializer as { config: Cfg };
    expect(lecun.config).toEqual({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal', seed: null });
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

  it('a custom layer\'s config, a built-in initializer\'s config in it included, is what its getConfig returns', async () => {
    for (const init of [
      { className: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: null } },
      { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal', seed: null } },
    ]) {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), new HoldsInitR49({ init })] });
      const own = layersOf(m.getConfig())[1].config;
      expect(own).toEqual(m.layers[1].getConfig());
      expect(own.init).toEqual(init);
      expect((rl.Sequential.fromConfig(rl.Sequential, m.getConfig()).layers[1] as HoldsInitR49).init).toEqual(init);
      const { dir, layers } = await savedLayers(m, `custom-${init.config.mode}`);
      expect((layers[1].init as { config: Cfg }).config).toEqual(init.config);
      expect((((await rl.loadLayersModel(`file://${dir}`)).layers[1]) as HoldsInitR49).init).toEqual(init);
    }
  });
});
