/**
 * getConfig() speaks tfjs's spelling of the option values tfjs spells in camelCase (hardSigmoid, logSoftmax,
 * channelsLast, fanAvg, truncatedNormal), so tfjs's fromConfig takes rnnlab's configs; files keep Keras's snake_case
 * spelling, as tfjs writes them; and both spellings still load. Only rnnlab's own classes' configs are respelled: a
 * user's layer gets its option values back as it wrote them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

type Cfg = Record<string, unknown>;
const layersOf = (c: Cfg) => c.layers as { className?: string; class_name?: string; config: Cfg }[];

async function artifactsOf(m: rl.Sequential): Promise<rl.io.ModelArtifacts> {
  let a: rl.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler(async (x) => { a = x; return {}; }));
  return a!;
}

function model(): rl.Sequential {
  rl.setSeed(3);
  return rl.sequential({ layers: [
    rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 3], activation: 'hardSigmoid',
      kernelInitializer: rl.initializers.varianceScaling({ mode: 'fanAvg', distribution: 'truncatedNormal' }) }),
    rl.layers.lstm({ units: 3, recurrentActivation: 'hardSigmoid', activation: 'hard_sigmoid' }),
    rl.layers.dense({ units: 2, activation: 'log_softmax' }),
    rl.layers.activation({ activation: 'logSoftmax' }),
  ] });
}

describe('tfjs spellings in getConfig, Keras spellings in files', () => {
  beforeAll(tfjsReady);

  it('layer.getConfig() gives tfjs\'s activation names, as tfjs-layers\' getConfig does', () => {
    for (const act of ['hardSigmoid', 'hard_sigmoid'] as const) {
      expect(rl.layers.dense({ units: 2, activation: act }).getConfig().activation).toBe(tf.layers.dense({ units: 2, activation: 'hardSigmoid' }).getConfig().activation);
    }
    expect(rl.layers.dense({ units: 2, activation: 'log_softmax' }).getConfig().activation).toBe('logSoftmax');
    expect(rl.layers.activation({ activation: 'log_softmax' }).getConfig().activation).toBe('logSoftmax');
    const lstm = rl.layers.lstm({ units: 2, activation: 'hard_sigmoid', recurrentActivation: 'hard_sigmoid' }).getConfig();
    expect([lstm.activation, lstm.recurrentActivation]).toEqual(['hardSigmoid', 'hardSigmoid']);
    // Names tfjs spells as Keras does stay so (tfjs's class name for gelu_new is 'gelu_new').
    expect(rl.layers.dense({ units: 2, activation: 'geluNew' }).getConfig().activation).toBe('gelu_new');
    expect(rl.layers.dense({ units: 2, activation: 'relu' }).getConfig().activation).toBe('relu');
  });

  it('model.getConfig() gives tfjs\'s spellings and tfjs\'s Sequential.fromConfig builds it with the same numbers', () => {
    const m = model();
    const c = m.getConfig();
    const [conv, lstm, dense, act] = layersOf(c).map((l) => l.config);
    expect([conv.activation, conv.dataFormat]).toEqual(['hardSigmoid', 'channelsLast']);
    expect((conv.kernelInitializer as { config: Cfg }).config).toMatchObject({ mode: 'fanAvg', distribution: 'normal' });
    expect([lstm.activation, lstm.recurrentActivation, dense.activation, act.activation]).toEqual(['hardSigmoid', 'hardSigmoid', 'logSoftmax', 'logSoftmax']);
    // tfjs's fromConfig takes the layers out of the config it is given.
    const t = tf.Sequential.fromConfig(tf.Sequential, structuredClone(c) as tf.serialization.ConfigDict) as tf.Sequential;
    t.setWeights(m.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    const x = Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i) * 2);
    const want = (t.predict(tf.tensor(x, [2, 5, 3])) as tf.Tensor).dataSync();
    const got = (m.predict(rl.tensor(x, [2, 5, 3])) as rl.Tensor).dataSync();
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
    // And back: rnnlab builds tfjs's config and its own.
    for (const cfg of [t.getConfig(), c]) {
      const back = rl.Sequential.fromConfig(rl.Sequential, cfg as Cfg);
      expect(layersOf(back.getConfig()).map((l) => l.config.activation)).toEqual(['hardSigmoid', 'hardSigmoid', 'logSoftmax', 'logSoftmax']);
    }
  });

  it('a saved topology keeps Keras\'s snake_case values, as tfjs writes them, and loads in rnnlab and tfjs', async () => {
    const m = model();
    const a = await artifactsOf(m);
    const file = layersOf((a.modelTopology as Cfg).config as Cfg).map((l) => l.config);
    expect([file[0].activation, file[0].data_format, file[1].activation, file[1].recurrent_activation, file[2].activation, file[3].activation])
      .toEqual(['hard_sigmoid', 'channels_last', 'hard_sigmoid', 'hard_sigmoid', 'log_softmax', 'log_softmax']);
    expect((file[0].kernel_initializer as { config: Cfg }).config).toMatchObject({ mode: 'fan_avg', distribution: 'truncated_normal' });
    // What tfjs writes for the same layers.
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'hardSigmoid',
      kernelInitializer: tf.initializers.varianceScaling({ mode: 'fanAvg', distribution: 'truncatedNormal' }) })] });
    const tfile = (tm.toJSON(null, false) as Cfg).config as Cfg;
    expect(layersOf(tfile)[0].config.activation).toBe('hard_sigmoid');
    expect((layersOf(tfile)[0].config.kernel_initializer as { config: Cfg }).config).toMatchObject({ mode: 'fan_avg', distribution: 'truncated_normal' });
    const back = await rl.loadLayersModel(rl.io.fromMemory(a));
    expect(layersOf(back.getConfig()).map((l) => l.config.activation)).toEqual(['hardSigmoid', 'hardSigmoid', 'logSoftmax', 'logSoftmax']);
    const t = await tf.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    expect(t.layers.map((l) => l.getConfig().activation)).toEqual(['hardSigmoid', 'hardSigmoid', 'logSoftmax', 'logSoftmax']);
  });

  it('a custom layer\'s own values come back as written through model.getConfig() -> fromConfig and save -> load; built-ins beside it are respelled', async () => {
    const written = { mode: 'fan_in', dataFormat: 'channels_first', activation: 'hard_sigmoid', distribution: 'truncated_normal', recurrentActivation: 'hardSigmoid' };
    // A built-in class's config inside the user's is part of the user's config: as written, as tfjs's model.getConfig() holds it.
    const init = { className: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: null } };
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 3] }),
      new SpelledOptions({ ...written, init }),
    ] });
    const [conv, own] = layersOf(m.getConfig()).map((l) => l.config);
    expect(conv.dataFormat).toBe('channelsLast');
    expect(own).toMatchObject(written);
    expect(own.init).toEqual(init);
    const viaConfig = rl.Sequential.fromConfig(rl.Sequential, m.getConfig()).layers[1] as SpelledOptions;
    expect(viaConfig.opts).toMatchObject(written);

    const a = await artifactsOf(m);
    const [fileConv, fileOwn] = layersOf((a.modelTopology as Cfg).config as Cfg).map((l) => l.config);
    expect(fileConv.data_format).toBe('channels_last');
    expect(fileOwn).toMatchObject({ mode: 'fan_in', data_format: 'channels_first', activation: 'hard_sigmoid', distribution: 'truncated_normal', recurrent_activation: 'hardSigmoid' });
    expect((fileOwn.init as { config: Cfg }).config).toMatchObject({ mode: 'fan_avg', distribution: 'truncated_normal' });
    const loaded = (await rl.loadLayersModel(rl.io.fromMemory(a))).layers[1] as SpelledOptions;
    expect(loaded.opts).toMatchObject(written);
  });

  it('loading a file hands a custom layer its values as the file spells them, and reads a built-in\'s in either spelling', async () => {
    const a = await artifactsOf(rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 3] }),
      new SpelledOptions({ mode: 'fan_in', activation: 'hard_sigmoid' }),
    ] }));
    for (const [format, mode, activation] of [['channels_last', 'fan_out', 'log_softmax'], ['channelsLast', 'fanOut', 'logSoftmax']]) {
      const topology = structuredClone(a.modelTopology) as Cfg;
      const [conv, own] = layersOf(topology.config as Cfg).map((l) => l.config);
      conv.data_format = format;
      Object.assign(own, { mode, activation });
      const m = await rl.loadLayersModel(rl.io.fromMemory({ ...a, modelTopology: topology }));
      expect(layersOf(m.getConfig())[0].config.dataFormat).toBe('channelsLast');
      expect((m.layers[1] as SpelledOptions).opts).toMatchObject({ mode, activation });
    }
  });
});

/** A user's layer whose options share the names (not the meaning) of the options rnnlab respells for its own classes. */
class SpelledOptions extends rl.layers.Layer {
  static override className = 'SpelledOptionsR48';
  readonly opts: Cfg;
  constructor({ mode, dataFormat, activation, distribution, recurrentActivation, init, ...rest }: Cfg = {}) {
    super(rest);
    this.opts = Object.fromEntries(Object.entries({ mode, dataFormat, activation, distribution, recurrentActivation, init }).filter(([, v]) => v !== undefined));
  }
  override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor | rl.Tensor[] { return x; }
  override getConfig(): Cfg { return { ...super.getConfig(), ...this.opts }; }
}
rl.serialization.registerClass(SpelledOptions);
