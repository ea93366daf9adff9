// Claims of docs/API.md and docs/PERSISTENCE.md about files tfjs 4.22 refuses (Subtract, metric names tfjs lacks;
// {includeTrainingConfig: false} writes one it loads) and Adadelta's deliberate difference from tfjs's update.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

async function artifacts(m: rl.Sequential | rl.Functional, opts?: { includeTrainingConfig?: boolean }): Promise<tf.io.ModelArtifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler((a) => { got = a as unknown as tf.io.ModelArtifacts; return {}; }), opts);
  return got!;
}

describe('files tfjs 4.22 cannot load', () => {
  it('a Subtract layer: tfjs refuses the file, rnnlab loads it back', async () => {
    const a = rl.input({ shape: [3] }), b = rl.input({ shape: [3] });
    const m = rl.model({ inputs: [a, b], outputs: rl.layers.subtract().apply([a, b]) as rl.SymbolicTensor });
    const saved = await artifacts(m);
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow(/Unknown layer: Subtract/);
    const back = await rl.loadLayersModel(rl.io.fromMemory(saved as never)) as rl.Functional;
    expect(Array.from((back.predict([rl.tensor([[3, 2, 1]]), rl.tensor([[1, 1, 1]])]) as rl.Tensor).dataSync())).toEqual([2, 1, 0]);
  });

  it("a metric tfjs lacks: tfjs refuses the file; tfjs's spelling or {includeTrainingConfig: false} loads", async () => {
    const model = (metrics: string[]) => {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics });
      return m;
    };
    for (const metric of ['meanSquaredError', 'r2Score', 'recall']) {
      await expect(tf.loadLayersModel(tf.io.fromMemory(await artifacts(model([metric]))))).rejects.toThrow(/Unknown metric/);
      const bare = await tf.loadLayersModel(tf.io.fromMemory(await artifacts(model([metric]), { includeTrainingConfig: false })));
      expect(bare.optimizer ?? null).toBeNull();
    }
    expect((await tf.loadLayersModel(tf.io.fromMemory(await artifacts(model(['mse', 'accuracy']))))).optimizer).not.toBeNull();
  });
});

describe('Adadelta divides by the updated accumulator (Keras), tfjs 4.22 by the previous one', () => {
  it('one step on x^2 from x = 1', () => {
    const lr = 1, rho = 0.9, eps = 1e-6, g = 2;
    const ours = rl.variable(rl.tensor([1]));
    rl.train.adadelta(lr, rho, eps).minimize(() => rl.sum(rl.square(ours)));
    const theirs = tf.variable(tf.tensor1d([1]));
    tf.train.adadelta(lr, rho, eps).minimize(() => tf.sum(tf.square(theirs)));
    const accGrad = (1 - rho) * g * g;
    expect(ours.dataSync()[0]).toBeCloseTo(1 - lr * Math.sqrt(eps / (accGrad + eps)) * g, 6);
    expect(Math.abs(ours.dataSync()[0] - theirs.dataSync()[0])).toBeGreaterThan(0.1);
  });
});
