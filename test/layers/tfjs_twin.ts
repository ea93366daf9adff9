/**
 * Shared by the layer tests here: an rnnlab model saved in the Layers format and loaded by @tensorflow/tfjs (cpu) is
 * its twin with the same weights, so forward passes and one training step can be compared name by name.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, maxDiff } from '../compat/functional_helpers.js';

let ready: Promise<void> | null = null;
export function tfjsReady(): Promise<void> {
  ready ??= tf.setBackend('cpu').then(() => tf.ready());
  return ready;
}

/** Saves m under root/name and loads it into tfjs. */
export async function tfjsTwin(m: rl.Sequential, root: string, name: string): Promise<tf.LayersModel> {
  await tfjsReady();
  const dir = join(root, name);
  await m.save(`file://${dir}`);
  return tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
}

export function toTf(t: rl.Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.dataSync()), t.shape);
}

/** Every weight of both models by its saved name ('layer/leaf'), trainable and not: the largest difference. */
export function weightDiff(m: rl.Sequential, tm: tf.LayersModel): number {
  const ours = new Map(m.layers.flatMap((l) => l.weights.map((w) => [w.name, w.values] as const)));
  const theirs = tm.weights.map((w) => [w.originalName, w.read().dataSync()] as const);
  expect(theirs.map(([n]) => n).sort()).toEqual([...ours.keys()].sort());
  return Math.max(...theirs.map(([n, v]) => maxDiff(ours.get(n)!, v)));
}

/** Compiles both with plain SGD and MSE, runs one trainOnBatch on each, and returns the two losses. */
export async function oneStep(m: rl.Sequential, tm: tf.LayersModel, x: rl.Tensor, y: rl.Tensor, lr = 0.1): Promise<[number, number]> {
  m.compile({ optimizer: rl.train.sgd(lr), loss: 'meanSquaredError' });
  tm.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError' });
  const ours = m.trainOnBatch(x, y);
  const theirs = await tm.trainOnBatch(toTf(x), toTf(y));
  return [Array.isArray(ours) ? ours[0] : ours, Array.isArray(theirs) ? theirs[0] : theirs];
}

/** A float32 tensor of values uniform in [-scale, scale), seeded. */
export function randomF32(shape: number[], seed: number, scale = 1): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-scale, scale)), shape);
}
