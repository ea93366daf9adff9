/** Shared by the layer tests: a float64 gradient check of one layer, and a model moved through files to rnnlab and tfjs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply, type Layer } from '../../src/layers/layer.js';
import { folderArtifacts, folderSaveHandler, gradCheck, maxDiff, randomTensor } from '../compat/functional_helpers.js';

export { maxDiff, randomTensor };

/**
 * d loss / d (input, weights) of layer against central differences, in float64 (call under rl.setPrecision(64)).
 * training: the noise layers' training output, the same draw each time (rl.setSeed(seed) before every call).
 */
export function checkLayerGradients(layer: Layer, shape: number[], opts: { training?: boolean; seed?: number; mask?: Uint8Array } = {}): number {
  const x = randomTensor(shape, 5);
  layer.ensureBuilt([null, ...shape.slice(1)]);
  return gradCheck(([v]) => {
    if (opts.seed !== undefined) rl.setSeed(opts.seed);
    return engineApply(layer, v, { training: opts.training ?? false, mask: opts.mask ?? null });
  }, [x], layer.weights);
}

/** A float32 tensor of values uniform in [-1, 1). */
export function inputs(shape: number[], seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-1, 1)), shape);
}

/**
 * Saves m under root/name, loads it back in rnnlab and in tfjs, and checks both predict what m predicts on x.
 * Returns the saved layer configs (snake_case, as the file has them).
 */
export async function roundTrip(m: rl.Sequential, x: rl.Tensor, root: string, name: string, tfjsLoads = true): Promise<Record<string, unknown>[]> {
  const dir = join(root, name);
  await m.save(`file://${dir}`);
  const want = m.predict(x) as rl.Tensor;
  const back = await rl.loadModel(dir);
  expect(Array.from((back.predict(x) as rl.Tensor).values)).toEqual(Array.from(want.values));
  if (tfjsLoads) {
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    const theirs = tm.predict(tf.tensor(Array.from(x.values), x.shape)) as tf.Tensor;
    expect(theirs.shape).toEqual(want.shape);
    expect(maxDiff(theirs.dataSync(), want.values)).toBeLessThan(1e-5);
  }
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers;
}

/** A tfjs model saved to root/name and loaded in rnnlab: both predict the same on x (the same weights, tfjs's forward). */
export async function fromTfjs(tm: tf.LayersModel, x: rl.Tensor, root: string, name: string): Promise<rl.Sequential> {
  const dir = join(root, name);
  await tm.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler);
  const m = await rl.loadModel(dir) as rl.Sequential;
  const theirs = tm.predict(tf.tensor(Array.from(x.values), x.shape)) as tf.Tensor;
  const ours = m.predict(x) as rl.Tensor;
  expect(ours.shape).toEqual(theirs.shape);
  expect(maxDiff(ours.values, theirs.dataSync())).toBeLessThan(1e-5);
  return m;
}
