/**
 * tf.MomentumOptimizer's static className is tfjs 4.22's 'Momentum'; the optimizer it builds is still rnnlab's SGD with
 * momentum, so files and checkpoints name it as before and keep loading both ways.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-momentum-name-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${n++}`);
const X = rl.tensor([[1, 2, 3], [0, -1, 2], [2, 0, 1], [1, 1, -1]]);
const Y = rl.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]);
const state = { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 4, batchSize: 4 };

function model(opt: rl.Optimizer): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  return m;
}

describe('MomentumOptimizer.className', () => {
  it('is what tfjs 4.22 says, for the class and getClassName()', () => {
    expect(rl.MomentumOptimizer.className).toBe(tfjs.MomentumOptimizer.className);
    expect(rl.MomentumOptimizer.className).toBe('Momentum');
    expect(new rl.MomentumOptimizer(0.1, 0.9).getClassName()).toBe(tfjs.train.momentum(0.1, 0.9).getClassName());
    // The other tfjs classes keep their names.
    expect(rl.SGDOptimizer.className).toBe(tfjs.SGDOptimizer.className);
    expect(rl.SGD.className).toBe('SGD');
  });

  it('saves as SGD (Keras config) and as Momentum with includeOptimizer, loading back to the same optimizer', async () => {
    const a = model(new rl.MomentumOptimizer(0.05, 0.9, true));
    a.trainOnBatch(X, Y);
    const plain = fresh(), withState = fresh();
    await a.save(`file://${plain}`);
    await a.save(`file://${withState}`, { includeOptimizer: true } as never);
    const cfg = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig.optimizer_config;
    expect(cfg(plain).class_name).toBe('SGD');
    expect(cfg(withState).class_name).toBe('Momentum');
    for (const dir of [plain, withState]) {
      const b = await rl.loadLayersModel(`file://${dir}`);
      expect(b.optimizer).toBeInstanceOf(rl.SGD);
      expect(b.optimizer!.getConfig()).toEqual({ learningRate: 0.05, momentum: 0.9, nesterov: true });
    }
  });

  it('checkpoints restore between MomentumOptimizer and tf.train.momentum (both an SGD), and continue alike', () => {
    const a = model(new rl.MomentumOptimizer(0.05, 0.9));
    for (let s = 0; s < 2; s++) a.trainOnBatch(X, Y);
    const ck = fresh();
    rl.writeCheckpoint(ck, a, state);
    const b = model(rl.train.momentum(0.05, 0.9));
    rl.restoreCheckpoint(ck, b);
    const c = model(new rl.MomentumOptimizer(0.05, 0.9));
    rl.restoreCheckpoint(ck, c);
    expect(b.optimizer!.iterations).toBe(2);
    for (let s = 0; s < 2; s++) { a.trainOnBatch(X, Y); b.trainOnBatch(X, Y); c.trainOnBatch(X, Y); }
    const w = (m: rl.Sequential) => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(w(b)).toEqual(w(a));
    expect(w(c)).toEqual(w(a));
    // Still refused into another optimizer, named as the SGD it is.
    expect(() => rl.restoreCheckpoint(ck, model(rl.train.adam(0.01)))).toThrow(/holds SGD state, but the model is compiled with Adam/);
  });
});
