/**
 * Initializers as files hold them and as their factories check them: LeCun initializers save in the form tfjs 4.22
 * and Keras both load (VarianceScaling, as tfjs saves them), rnnlab still reads tfjs's and Keras's spellings,
 * Zeros and Ones refuse options, and errors show NaN and Infinity as such.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from './helpers.js';
import { tfjsReady, toTf } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Init = { className: string; config: Record<string, unknown> };

function denseModel(kernelInitializer: unknown): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [4], kernelInitializer: kernelInitializer as never })] });
}

async function artifactsOf(m: rl.Sequential): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler(async (a) => { saved = a as unknown as tf.io.ModelArtifacts; return {}; }));
  return saved!;
}

function savedKernelInitializer(a: tf.io.ModelArtifacts): { class_name: string; config: Record<string, unknown> } {
  const layers = (a.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
  return layers.at(-1)!.config.kernel_initializer as { class_name: string; config: Record<string, unknown> };
}

describe('LeCun initializers save as a VarianceScaling that tfjs 4.22 and Keras load', () => {
  const cases: [string, unknown, string][] = [
    ['rl.initializers.leCunNormal()', () => rl.initializers.leCunNormal(), 'truncated_normal'],
    ['rl.initializers.leCunUniform({seed: 4})', () => rl.initializers.leCunUniform({ seed: 4 }), 'uniform'],
    ["'leCunNormal'", () => 'leCunNormal', 'truncated_normal'],
    ["tfjs's class name 'LeCunUniform'", () => 'LeCunUniform', 'uniform'],
    ["Keras's 'lecun_normal'", () => 'lecun_normal', 'truncated_normal'],
  ];
  it.each(cases)('%s', async (_label, make, distribution) => {
    const m = denseModel((make as () => unknown)());
    const a = await artifactsOf(m);
    const seed = _label.includes('seed') ? 4 : null;
    expect(savedKernelInitializer(a)).toEqual({ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution, seed } });
    const tm = await tf.loadLayersModel(tf.io.fromMemory(a));
    const x = rl.tensor(Float32Array.from({ length: 8 }, (_, i) => (i - 4) / 3), [2, 4]);
    expect(maxDiff((m.predict(x) as rl.Tensor).dataSync(), (tm.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
    // The layer's getConfig() is that form too, as tfjs's own layer.getConfig() gives for its leCunNormal.
    expect((m.layers[0].getConfig().kernelInitializer as Init).className).toBe('VarianceScaling');
  });

  it("tfjs's own layer config for leCunNormal is the same VarianceScaling (its spelling)", () => {
    const cfg = tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: 'leCunNormal' }).getConfig().kernelInitializer as unknown as Init;
    expect(cfg).toEqual({ className: 'VarianceScaling', config: { scale: 1, mode: 'fanIn', distribution: 'normal', seed: null } });
  });

  it('the saved form draws what the LeCun initializer drew (seeded: the same values)', () => {
    for (const make of [() => rl.initializers.leCunNormal({ seed: 9 }), () => rl.initializers.leCunUniform({ seed: 9 })]) {
      const d = rl.layers.dense({ units: 30, inputShape: [20], kernelInitializer: make() });
      rl.sequential({ layers: [d] });
      const again = rl.layerClasses.Dense.fromConfig(d.getConfig()) as rl.layerClasses.Dense;
      rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [20] }), again] });
      expect(Array.from(again.getWeights()[0].dataSync())).toEqual(Array.from(d.getWeights()[0].dataSync()));
      expect(Array.from(again.getWeights()[0].dataSync())).toEqual(Array.from(make().apply([20, 30]).dataSync()));
    }
  });

  it("rnnlab still reads Keras's LecunNormal/LecunUniform and tfjs's LeCunNormal class configs and files", async () => {
    for (const className of ['LecunNormal', 'LecunUniform', 'LeCunNormal', 'LeCunUniform']) {
      const d = rl.layers.dense({ units: 2, kernelInitializer: { className, config: { seed: 2 } } as never });
      const uniform = className.endsWith('Uniform');
      expect(d.getConfig().kernelInitializer).toEqual({ className: 'VarianceScaling', config: { scale: 1, mode: 'fanIn', distribution: uniform ? 'uniform' : 'normal', seed: 2 } });
    }
    // A model tfjs saved with its leCunNormal (VarianceScaling, 'normal') loads and predicts as in tfjs.
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: tf.initializers.leCunNormal({ seed: 1 }) })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (a) => { saved = a; return {} as tf.io.SaveResult; }));
    const m = await rl.loadLayersModel(rl.io.fromMemory(saved as never));
    const x = tf.tensor2d([[1, -2, 0.5, 3]]);
    expect(maxDiff((m.predict(rl.tensor(Float32Array.from(x.dataSync()), [1, 4])) as rl.Tensor).dataSync(), (tm.predict(x) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
    expect((m.layers[0].getConfig().kernelInitializer as Init).config).toMatchObject({ scale: 1, mode: 'fanIn', distribution: 'normal' });
  });

  // docs/PERSISTENCE.md lists this as a tfjs limitation: tfjs 4.22 has no untruncated normal distribution.
  it("varianceScaling with distribution 'untruncated_normal' saves as Keras's config, which tfjs 4.22 refuses", async () => {
    const a = await artifactsOf(denseModel(rl.initializers.varianceScaling({ distribution: 'untruncatedNormal' })));
    expect(savedKernelInitializer(a).config.distribution).toBe('untruncated_normal');
    await expect(tf.loadLayersModel(tf.io.fromMemory(a))).rejects.toThrow(/untruncatedNormal is not a valid Distribution/);
  });
});

describe('Zeros and Ones take no options, as tfjs\'s zeros() and ones()', () => {
  it.each([
    ['ones({value: 2})', () => rl.initializers.ones({ value: 2 } as never), /^Ones: unknown option 'value'; Ones takes no options \(rl\.initializers\.constant\(\{value\}\) fills/],
    ['zeros({seed: 3})', () => rl.initializers.zeros({ seed: 3 } as never), /^Zeros: unknown option 'seed'/],
    ['zeros({foo: 1})', () => rl.initializers.zeros({ foo: 1 } as never), /^Zeros: unknown option 'foo'/],
    ["zeros('x')", () => rl.initializers.zeros('x' as never), /^Zeros: unknown argument "x"/],
    ['ones(null)', () => rl.initializers.ones(null as never), /^Ones: unknown argument null/],
    ["{className: 'Ones', config: {value: 2}}", () => rl.layers.dense({ units: 2, biasInitializer: { className: 'Ones', config: { value: 2 } } as never }), /biasInitializer: Ones: unknown option 'value'/],
  ])('%s is refused by name', (_label, call, message) => {
    expect(call).toThrow(message);
  });

  it('no options (or an empty object, or a file\'s null seed) fill zeros and ones', () => {
    expect(Array.from(rl.initializers.zeros().apply([2, 2]).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(rl.initializers.ones({}).apply([3]).dataSync())).toEqual([1, 1, 1]);
    const d = rl.layers.dense({ units: 2, inputShape: [1], biasInitializer: { className: 'Ones', config: { seed: null } } as never });
    rl.sequential({ layers: [d] });
    expect(Array.from(d.getWeights()[1].dataSync())).toEqual([1, 1]);
  });
});

describe('initializer errors show NaN and Infinity', () => {
  it.each([
    ['constant({value: NaN})', () => rl.initializers.constant({ value: NaN }), /Constant: value must be a finite number, got NaN$/],
    ['constant({value: Infinity})', () => rl.initializers.constant({ value: Infinity }), /Constant: value must be a finite number, got Infinity$/],
    ['randomNormal({stddev: Infinity})', () => rl.initializers.randomNormal({ stddev: Infinity }), /RandomNormal: stddev must be a positive number, got Infinity$/],
    ['varianceScaling({scale: -Infinity})', () => rl.initializers.varianceScaling({ scale: -Infinity }), /VarianceScaling: scale must be a positive number, got -Infinity$/],
    ['heNormal({seed: NaN})', () => rl.initializers.heNormal({ seed: NaN }), /HeNormal: seed must be an integer, got NaN$/],
    ["randomUniform({minval: '1'})", () => rl.initializers.randomUniform({ minval: '1' as never }), /RandomUniform: minval must be a finite number, got "1"$/],
  ])('%s', (_label, call, message) => {
    expect(call).toThrow(message);
  });
});
