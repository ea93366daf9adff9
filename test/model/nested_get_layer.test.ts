/**
 * getLayer on a Functional model holding another (inner.apply(x)) returns the inner model itself, as tfjs-layers 4.22
 * does (`m.getLayer('inner') === inner`): with its layers, getLayer, predict and summary, built in-process or read
 * back from a file. Freezing a layer reached through it (transfer learning's
 * `model.getLayer('base').layers.forEach((l) => l.trainable = false)`) keeps that weight out of the outer model's fit.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any;
type Layer = InstanceType<typeof rl.layers.Layer>;

/** The brief's model: inner (one Dense, 'ngl_idn') applied to a Dense's output in an outer model. */
function build(lib: Lib, p = ''): { inner: any; m: any } {
  const ii = lib.input({ shape: [3], name: `${p}ngl_ii` });
  const inner = lib.model({ inputs: ii, outputs: lib.layers.dense({ units: 2, name: `${p}ngl_idn` }).apply(ii), name: `${p}ngl_inner` });
  const a = lib.input({ shape: [4], name: `${p}ngl_a` });
  const m = lib.model({ inputs: a, outputs: inner.apply(lib.layers.dense({ units: 3, name: `${p}ngl_pre` }).apply(a)), name: `${p}ngl_outer` });
  return { inner, m };
}

/** The inner model's surface that a user of getLayer's result reaches for. */
function expectModelLike(g: any, innerLayer: string): void {
  expect(Array.isArray(g.layers)).toBe(true);
  expect(g.layers.map((l: Layer) => l.name)).toContain(innerLayer);
  expect(typeof g.getLayer).toBe('function');
  expect(g.getLayer(innerLayer).name).toBe(innerLayer);
  expect(typeof g.predict).toBe('function');
  expect(typeof g.summary).toBe('function');
  expect(g.inputs.length).toBe(1);
  expect(g.outputs.length).toBe(1);
}

async function roundTrip(m: rl.Functional): Promise<rl.Functional> {
  let artifacts: rl.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler((z) => { artifacts = z; return {}; }));
  return await rl.loadLayersModel(rl.io.fromMemory(artifacts!)) as rl.Functional;
}

describe('getLayer on a nested model returns the model', () => {
  it('is the inner model itself, as in tfjs', () => {
    const { inner, m } = build(rl) as { inner: rl.Functional; m: rl.Functional };
    const g = m.getLayer('ngl_inner') as unknown as rl.Functional;
    expect(g).toBe(inner);
    expectModelLike(g, 'ngl_idn');
    // By index too: the entry for the nested model in model.layers.
    const at = m.layers.findIndex((l) => l.name === 'ngl_inner');
    expect(m.getLayer(undefined, at)).toBe(inner);
    expect(m.getLayer(null, at)).toBe(inner);
    expect(m.getLayer(at)).toBe(inner);
    const lines: string[] = [];
    g.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines.some((l) => l.includes('ngl_idn'))).toBe(true);
    // The outer model's own listing still works.
    const outerLines: string[] = [];
    m.summary(undefined, undefined, (l) => outerLines.push(l));
    expect(outerLines.some((l) => l.includes('ngl_inner'))).toBe(true);

    const t = build(tf, 'tf_');
    expect(t.m.getLayer('tf_ngl_inner')).toBe(t.inner);
  });

  it('after a save and load, and from modelFromJSON, is a model that predicts as the original', async () => {
    rl.setSeed(21);
    const { inner, m } = build(rl, 'io_') as { inner: rl.Functional; m: rl.Functional };
    const x = randomF32([5, 4], 7);
    const want = Array.from((m.predict(x) as rl.Tensor).dataSync());
    const loaded = await roundTrip(m);
    expect(maxDiff((loaded.predict(x) as rl.Tensor).dataSync(), want)).toBeLessThan(1e-6);
    const g = loaded.getLayer('io_ngl_inner') as unknown as rl.Functional;
    expect(g).not.toBe(inner);
    expectModelLike(g, 'io_ngl_idn');
    const h = randomF32([5, 3], 8);
    const innerWant = Array.from((inner.predict(h) as rl.Tensor).dataSync());
    expect(maxDiff((g.predict(h) as rl.Tensor).dataSync(), innerWant)).toBeLessThan(1e-6);
    expect(g.getLayer('io_ngl_idn').getWeights().length).toBe(2);

    const fromJson = await rl.models.modelFromJSON({ modelTopology: JSON.parse(m.toJSON(null, true) as string) }) as rl.Functional;
    expectModelLike(fromJson.getLayer('io_ngl_inner'), 'io_ngl_idn');
  });

  it('freezing an inner layer through it keeps that weight unchanged over a fit step while the others change', async () => {
    rl.setSeed(5);
    const { m } = build(rl, 'fz_') as { m: rl.Functional };
    const g = m.getLayer('fz_ngl_inner') as unknown as rl.Functional;
    g.layers.forEach((l) => { l.trainable = false; });
    m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
    const frozen = m.layers.find((l) => l.name === 'fz_ngl_inner')!;
    expect(frozen.trainableWeights).toEqual([]);
    const pre = m.getLayer('fz_ngl_pre');
    const before = (l: Layer) => l.getWeights().map((w) => Array.from(w.dataSync()));
    const innerBefore = before(g.getLayer('fz_ngl_idn')), preBefore = before(pre);
    await m.fit(randomF32([6, 4], 1), randomF32([6, 2], 2), { epochs: 1, batchSize: 6, verbose: 0 });
    expect(before(g.getLayer('fz_ngl_idn'))).toEqual(innerBefore);
    expect(maxDiff(Float32Array.from(before(pre).flat()), preBefore.flat())).toBeGreaterThan(1e-6);
  });

  it('a Sequential still refuses it, naming the nesting', () => {
    const { m } = build(rl, 'sq_') as { m: rl.Functional };
    expect(() => rl.sequential({ layers: [m.getLayer('sq_ngl_inner')] })).toThrow(/is a model, not a layer \(a nested model is not supported in a Sequential model\)/);
  });
});
