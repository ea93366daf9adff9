// optimizer.getWeights()'s 'iter' is an int32 scalar, as tfjs 4.22's and as saved files hold it; setWeights takes it
// as int32 or float32 (older rnnlab code and hand-made lists), and the state passes from one optimizer to another.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

let tag = 0;
const flat = (t: rl.Tensor | tf.Tensor): number[] => Array.from(t.dataSync());

describe("getWeights' iter", () => {
  it('is an int32 scalar holding the step count, as tfjs gives it', async () => {
    const v = rl.variable(rl.tensor1d([1, 2]), true, `itd_${tag++}`);
    const opt = rl.train.adam(0.1);
    opt.minimize(() => v.sum());
    opt.minimize(() => v.sum());
    const [iter] = await opt.getWeights();
    expect([iter.name, iter.tensor.dtype, iter.tensor.shape, flat(iter.tensor)]).toEqual(['iter', 'int32', [], [2]]);
    const tv = tf.variable(tf.tensor1d([1, 2]));
    const theirs = tf.train.adam(0.1);
    theirs.minimize(() => tv.sum());
    expect((await theirs.getWeights())[0].tensor.dtype).toBe('int32');
    rl.dispose(v);
  });

  for (const dtype of ['int32', 'float32'] as const) {
    it(`setWeights takes a ${dtype} iter; the next step continues as if never stopped`, async () => {
      // Adam (epsilon 0) with g = 1 each step keeps m / (1 - 0.9^t) = s / (1 - 0.999^t) = 1: every step moves by lr = 0.1.
      const v = rl.variable(rl.tensor1d([1, 2]), true, `itd_${tag++}`);
      const first = rl.train.adam(0.1, 0.9, 0.999, 0);
      first.minimize(() => v.sum());
      first.minimize(() => v.sum());
      const state = await first.getWeights();
      const second = rl.train.adam(0.1, 0.9, 0.999, 0);
      await second.setWeights([{ name: 'iter', tensor: rl.scalar(2, dtype) }, ...state.slice(1)]);
      expect(second.iterations).toBe(2);
      second.minimize(() => v.sum());
      flat(v).forEach((got, i) => expect(got).toBeCloseTo([0.7, 1.7][i], 5));
      expect(flat((await second.getWeights())[0].tensor)).toEqual([3]);
      rl.dispose(v);
    });
  }

  it('holds step counts above 2^24 exactly (float32 would round them), and refuses counts over int32', async () => {
    const big = 2 ** 24 + 1;
    const o = rl.train.sgd(0.1);
    await o.setWeights([{ name: 'iter', tensor: rl.scalar(big, 'int32') }]);
    const [iter] = await o.getWeights();
    expect([iter.tensor.dtype, flat(iter.tensor)]).toEqual(['int32', [big]]);
    // A float32 'iter' can hold whole numbers int32 cannot: refused, naming the limit.
    await expect(rl.train.sgd(0.1).setWeights([{ name: 'iter', tensor: rl.scalar(2 ** 31, 'float32') }]))
      .rejects.toThrow("SGD.setWeights: 'iter' is 2147483648, over 2147483647, the most tfjs's int32 step count holds");
  });

  const big = 2 ** 24 + 3;

  /** Saves with includeOptimizer; returns the artifacts and the int32 'iter' their bytes hold. */
  async function saveWithIter(m: rl.LayersModel | rl.Sequential): Promise<{ saved: rl.io.ModelArtifacts; iter: number }> {
    let saved: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((a) => { saved = a; return {}; }), { includeOptimizer: true });
    const specs = saved!.weightSpecs as { name: string; shape: number[]; dtype: string }[];
    const at = specs.findIndex((s) => s.name === 'iter');
    expect(specs[at]).toMatchObject({ dtype: 'int32', shape: [] });
    const offset = specs.slice(0, at).reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    return { saved: saved!, iter: new DataView(saved!.weightData as ArrayBuffer).getInt32(offset, true) };
  }

  it('model.save with includeOptimizer writes a step count above 2^24 exactly', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.train.adam(0.01), loss: 'meanSquaredError' });
    await m.optimizer!.setWeights([{ name: 'iter', tensor: rl.scalar(big, 'int32') }]);
    expect((await saveWithIter(m)).iter).toBe(big);
  });

  it('loading such a file gives the step count back exactly, and the next save writes it unchanged', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.train.adam(0.01), loss: 'meanSquaredError' });
    // A real step first, so the file also holds Adam's float32 slots beside the int32 'iter'.
    await m.fit(rl.ones([2, 2]), rl.ones([2, 1]), { epochs: 1, verbose: 0 });
    const [, ...slots] = await m.optimizer!.getWeights();
    await m.optimizer!.setWeights([{ name: 'iter', tensor: rl.scalar(big, 'int32') }, ...slots]);
    const { saved } = await saveWithIter(m);
    const loaded = await rl.loadLayersModel(rl.io.fromMemory(saved));
    // float32 would read 2^24 + 3 as 2^24 + 4.
    expect(loaded.optimizer!.iterations).toBe(big);
    const [iter, ...loadedSlots] = await loaded.optimizer!.getWeights();
    expect([iter.tensor.dtype, flat(iter.tensor)]).toEqual(['int32', [big]]);
    expect(loadedSlots.map((w) => [w.name, flat(w.tensor)])).toEqual(slots.map((w) => [w.name, flat(w.tensor)]));
    expect((await saveWithIter(loaded)).iter).toBe(big);
  });
});
