/**
 * model.dispose() and layer.dispose() dispose the weights (tfjs's reference counting), so their memory is freed at
 * once: every Variable is registered through a WeakRef, which V8 keeps alive until the running job ends, so a loop of
 * awaits that builds and drops models would otherwise hold every model's weights until it returns to the event loop.
 * numDisposedVariables is checked against tfjs 4.22 running the same models.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

const MiB = 2 ** 20;

function dense(units = 3): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.dense({ units, inputShape: [2] })] });
}

/** numDisposedVariables of a one-dense-layer model compiled with `optimizer`, trained an epoch if `train`. */
async function rlDisposeCount(optimizer: string | rl.Optimizer, train: boolean): Promise<number> {
  const m = dense();
  m.compile({ optimizer, loss: 'meanSquaredError' });
  if (train) await m.fit(rl.ones([4, 2]), rl.ones([4, 3]), { epochs: 1, verbose: 0 });
  return m.dispose().numDisposedVariables;
}

async function tfDisposeCount(optimizer: string | tf.Optimizer, train: boolean): Promise<number> {
  await tfjsReady();
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  if (train) await m.fit(tf.ones([4, 2]), tf.ones([4, 3]), { epochs: 1, verbose: 0 });
  return m.dispose().numDisposedVariables;
}

describe('dispose frees the weights', () => {
  it("model.dispose() disposes every weight (tfjs: isDisposed true) and memory() is unchanged (weights are not counted)", () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3] }), rl.layers.dense({ units: 1 })] });
    const weights = m.weights;
    const before = rl.memory();
    expect(weights.map((w) => w.isDisposed)).toEqual([false, false, false, false]);
    expect(m.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    expect(weights.map((w) => w.isDisposed)).toEqual([true, true, true, true]);
    expect(() => weights[0].dataSync()).toThrow('Tensor is disposed.');
    expect(rl.memory().numTensors).toBe(before.numTensors);
    expect(rl.memory().numBytes).toBe(before.numBytes);
    // The model's and its layers' own errors still come first.
    expect(() => m.predict(rl.ones([1, 3]))).toThrow(/model 'sequential\w*' has been disposed/);
    expect(() => m.layers[0].apply(rl.ones([1, 3]))).toThrow(/the layer has been disposed/);
  });

  it('layer.dispose() on a layer used on its own disposes its weights', () => {
    const d = rl.layers.dense({ units: 2 });
    d.apply(rl.ones([1, 3]));
    expect(d.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(d.weights.every((w) => w.isDisposed)).toBe(true);
    expect(() => d.dispose()).toThrow(/has been disposed/);
  });

  it("a layer two models hold survives the first model's dispose, weights intact, and the second disposes it (tfjs)", () => {
    const shared = rl.layers.dense({ units: 2 });
    const i1 = rl.input({ shape: [3] });
    const a = rl.model({ inputs: i1, outputs: shared.apply(i1) as rl.SymbolicTensor });
    const i2 = rl.input({ shape: [3] });
    const b = rl.model({ inputs: i2, outputs: rl.layers.dense({ units: 1 }).apply(shared.apply(i2) as rl.SymbolicTensor) as rl.SymbolicTensor });
    expect(a.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 0 });
    expect(shared.weights.some((w) => w.isDisposed)).toBe(false);
    expect((b.predict(rl.ones([2, 3])) as rl.Tensor).shape).toEqual([2, 1]);
    expect(b.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    expect(shared.weights.every((w) => w.isDisposed)).toBe(true);
  });

  it('layer.dispose() on a layer two models hold lets go once: refCountAfterDispose 1, nothing disposed', () => {
    const shared = rl.layers.dense({ units: 2, inputShape: [3] });
    const a = rl.sequential({ layers: [shared] });
    rl.sequential({ layers: [shared] });
    expect(shared.dispose()).toEqual({ refCountAfterDispose: 1, numDisposedVariables: 0 });
    expect((a.predict(rl.ones([1, 3])) as rl.Tensor).shape).toEqual([1, 2]);
    expect(shared.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(() => a.predict(rl.ones([1, 3]))).toThrow(/the layer has been disposed/);
  });

  it('a disposed weight leaves the registry: variableGrads without a varList and applyGradients by name skip it', () => {
    const m = dense(1);
    const name = m.weights[0].name;
    m.dispose();
    const v = rl.variable(rl.ones([1]), true, 'dispose_frees_weights_v');
    const { grads } = rl.variableGrads(() => rl.sum(rl.mul(v, 2)) as rl.Scalar);
    expect(Object.keys(grads)).toEqual(['dispose_frees_weights_v']);
    expect(() => rl.train.sgd(0.1).applyGradients({ [name]: rl.ones([2, 1]) })).toThrow(`No live variable is named '${name}'`);
    v.dispose();
  });
});

describe('numDisposedVariables counts an optimizer the model owns, as tfjs 4.22 does', () => {
  for (const name of ['sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax']) {
    for (const train of [false, true]) {
      it(`'${name}'${train ? ' after one epoch' : ' before fit'}`, async () => {
        expect(await rlDisposeCount(name, train)).toBe(await tfDisposeCount(name, train));
      });
    }
  }

  it('an optimizer instance passed to compile is not the model\'s: not counted, and its state survives', async () => {
    const opt = rl.train.adam();
    expect(await rlDisposeCount(opt, true)).toBe(await tfDisposeCount(tf.train.adam(), true));
    expect(opt.iterations).toBe(1);
  });

  it("'adam' is disposed with the model: its state is dropped", async () => {
    const m = dense();
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await m.fit(rl.ones([4, 2]), rl.ones([4, 3]), { epochs: 1, verbose: 0 });
    const opt = m.optimizer!;
    expect(opt.iterations).toBe(1);
    m.dispose();
    expect(opt.iterations).toBe(0);
    expect(opt.slotVariables()).toEqual([]);
  });

  it("an optimizer assigned to model.optimizer after compile('adam') is the caller's: not disposed", async () => {
    const m = dense();
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const mine = rl.train.sgd(0.1);
    m.optimizer = mine;
    await m.fit(rl.ones([4, 2]), rl.ones([4, 3]), { epochs: 1, verbose: 0 });
    expect(m.dispose().numDisposedVariables).toBe(2);
    expect(mine.iterations).toBe(1);
  });
});

describe('a loop of build + fit + dispose stays flat', () => {
  it('20 iterations: memory() unchanged, and arrayBuffers grow by far less than the 20 MB of weights made', async () => {
    // The collector, on demand (what --expose-gc gives): called inside this job, so without dispose the WeakRefs of
    // every model's weights would still hold them.
    setFlagsFromString('--expose-gc');
    const gcOnce = runInNewContext('gc') as () => void;
    // Twice: V8 sweeps array buffers concurrently, so the first collection's frees may not be counted yet.
    const gc = () => { gcOnce(); gcOnce(); };
    const x = rl.zeros([4, 512]);
    const y = rl.zeros([4, 512]);
    gc();
    const before = { memory: rl.memory(), arrayBuffers: process.memoryUsage().arrayBuffers };
    for (let i = 0; i < 20; i++) {
      // 512 x 512 float32 kernel: 1 MiB of weights per model.
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 512, inputShape: [512] })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 1, verbose: 0 });
      m.dispose();
    }
    gc();
    expect(rl.memory().numTensors).toBe(before.memory.numTensors);
    expect(rl.memory().numBytes).toBe(before.memory.numBytes);
    expect((process.memoryUsage().arrayBuffers - before.arrayBuffers) / MiB).toBeLessThan(5);
  });
});
