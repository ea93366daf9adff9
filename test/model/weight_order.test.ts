/**
 * getWeights / setWeights list the weights in tfjs 4.22's order: every layer's trainable weights, then every
 * layer's non-trainable ones (BatchNormalization's moving statistics, a frozen layer's weights), so value lists
 * pass between rnnlab and tfjs models of the same architecture by position.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-weight-order-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type AnyModel = { layers: { name: string; getWeights(): { dataSync(): ArrayLike<number> }[]; trainable: boolean }[]; getWeights(): { shape: number[] }[];
  setWeights(w: never[]): void };

/** Each layer's weights' first values after setWeights gave weight i the value i. */
function positions(m: AnyModel, fill: (shape: number[], v: number) => unknown): string[] {
  m.setWeights(m.getWeights().map((w, i) => fill(w.shape, i)) as never[]);
  return m.layers.map((l) => `${l.name}:${l.getWeights().map((w) => w.dataSync()[0]).join(',')}`);
}

function both(): { ours: rl.Sequential; theirs: tf.Sequential } {
  const ours = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'd1' }), rl.layers.batchNormalization({ name: 'bn' }), rl.layers.dense({ units: 1, name: 'd2' })] });
  const theirs = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'd1' }), tf.layers.batchNormalization({ name: 'bn' }), tf.layers.dense({ units: 1, name: 'd2' })] });
  return { ours, theirs };
}

const rlFill = (shape: number[], v: number) => rl.fill(shape, v);
const tfFill = (shape: number[], v: number) => tf.fill(shape, v);

describe('getWeights / setWeights order (tfjs)', () => {
  it('moving statistics come after every trainable weight', () => {
    const { ours, theirs } = both();
    expect(positions(ours as unknown as AnyModel, rlFill)).toEqual(positions(theirs as unknown as AnyModel, tfFill));
    expect(positions(ours as unknown as AnyModel, rlFill)).toEqual(['d1:0,1', 'bn:2,3,6,7', 'd2:4,5']);
  });

  it('a frozen layer\'s weights move behind the trainable ones; freezing the whole model gives layer order', () => {
    const { ours, theirs } = both();
    ours.layers[0].trainable = false;
    theirs.layers[0].trainable = false;
    expect(positions(ours as unknown as AnyModel, rlFill)).toEqual(positions(theirs as unknown as AnyModel, tfFill));
    expect(positions(ours as unknown as AnyModel, rlFill)).toEqual(['d1:4,5', 'bn:0,1,6,7', 'd2:2,3']);
    ours.trainable = false;
    theirs.trainable = false;
    expect(positions(ours as unknown as AnyModel, rlFill)).toEqual(positions(theirs as unknown as AnyModel, tfFill));
  });

  it('values pass from a tfjs model to an rnnlab one by position, giving the same predictions', () => {
    const { ours, theirs } = both();
    theirs.layers[0].trainable = false;
    ours.layers[0].trainable = false;
    // Moving statistics away from 0 and 1, so a mix-up would show.
    theirs.setWeights(theirs.getWeights().map((w, i) => tf.add(tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1), 0)));
    ours.setWeights(theirs.getWeights().map((w) => rl.tensor(Array.from(w.dataSync()), w.shape)));
    const x = [[1, -2, 0.5], [0.3, 0.7, -1]];
    const want = (theirs.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
    const got = ours.predict(rl.tensor2d(x)).dataSync();
    Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(ours.getWeights().map((w) => w.shape)).toEqual(theirs.getWeights().map((w) => w.shape));
  });
});

/** A tfjs model saved as tfjs-node's file:// handler lays it out (tfjs writes its weights in getWeights order). */
async function tfSave(model: tf.LayersModel, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  let names: string[] = [];
  await model.save(tf.io.withSaveHandler(async (a) => {
    names = (a.weightSpecs ?? []).map((w) => w.name);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return names;
}

function tfLoad(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bytes = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }));
}

describe('files with a frozen layer and moving statistics, both ways', () => {
  const x = [[1, -2, 0.5], [0.3, 0.7, -1]];
  const near = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));

  it('a tfjs file (weights written trainable first) loads by name: same predictions, same getWeights', async () => {
    const { theirs } = both();
    theirs.layers[0].trainable = false;
    theirs.setWeights(theirs.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1)));
    const dir = join(root, 'from-tfjs');
    expect(await tfSave(theirs, dir)).toEqual(['bn/gamma', 'bn/beta', 'd2/kernel', 'd2/bias', 'd1/kernel', 'd1/bias', 'bn/moving_mean', 'bn/moving_variance']);
    const ours = await rl.loadLayersModel(`file://${dir}`) as rl.Sequential;
    near(ours.predict(rl.tensor2d(x)).dataSync(), (theirs.predict(tf.tensor2d(x)) as tf.Tensor).dataSync());
    theirs.getWeights().forEach((w, i) => near(ours.getWeights()[i].dataSync(), w.dataSync()));
  });

  it('an rnnlab file loads in tfjs: same predictions', async () => {
    const { ours } = both();
    ours.layers[0].trainable = false;
    ours.setWeights(ours.getWeights().map((w, i) => rl.add(rl.fill(w.shape, 0.25 * (i + 1)), rl.randomUniform(w.shape, 0, 0.5))));
    const dir = join(root, 'from-rnnlab');
    await ours.save(`file://${dir}`);
    const theirs = await tfLoad(dir);
    near((theirs.predict(tf.tensor2d(x)) as tf.Tensor).dataSync(), ours.predict(rl.tensor2d(x)).dataSync());
  });
});
