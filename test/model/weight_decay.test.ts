// Keras 3's decoupled weight decay (every optimizer's weightDecay, excludeFromWeightDecay) and AdamW.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const f = Math.fround;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A Dense(2) on 3 inputs with known weights, compiled with `optimizer` and mean squared error. */
function dense(optimizer: rl.Optimizer): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
  m.setWeights([rl.tensor2d([[0.5, -1], [2, 0.25], [-3, 1.5]]), rl.tensor1d([0.75, -0.5])]);
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

/** One step on a batch whose targets equal the predictions: zero gradients, so only the decay moves the weights. */
async function stepAtZeroGradient(m: rl.Sequential): Promise<Float32Array[]> {
  const x = rl.tensor2d([[1, 2, 3]]);
  await m.trainOnBatch(x, m.predict(x) as rl.Tensor);
  return m.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('weightDecay', () => {
  it('scales each weight by w - w * wd * lr (float32, as Keras) before the update', async () => {
    const [k, b] = await stepAtZeroGradient(dense(rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.3 })));
    const decayed = (w: number) => f(w - f(f(w * f(0.3)) * f(0.1)));
    expect([...k]).toEqual([0.5, -1, 2, 0.25, -3, 1.5].map(decayed));
    expect([...b]).toEqual([0.75, -0.5].map(decayed));
  });

  it('adds to the gradient step: SGD on the decayed weights', async () => {
    const opt = new rl.SGD({ learningRate: 0.5, weight_decay: 0.2 } as never);
    const v = rl.variable(rl.tensor1d([2, -4]), true, 'w');
    opt.applyGradients({ w: rl.tensor1d([1, 0.5]) });
    const decayed = [2, -4].map((w) => f(w - f(f(w * f(0.2)) * f(0.5))));
    expect([...(v.dataSync() as Float32Array)]).toEqual([f(decayed[0] - 0.5 * 1), f(decayed[1] - 0.5 * 0.5)]);
  });

  it('changes nothing at 0 or unset, and is refused below 0 or when not a number, naming the option', async () => {
    const [k] = await stepAtZeroGradient(dense(rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0 })));
    expect([...k]).toEqual([0.5, -1, 2, 0.25, -3, 1.5]);
    expect(rl.optimizers.rmsprop().weightDecay).toBeUndefined();
    expect(() => rl.optimizers.sgd({ weightDecay: -1 })).toThrow(/SGD: weightDecay must be a finite number >= 0, got -1/);
    expect(() => rl.optimizers.adam({ weight_decay: 'big' } as never)).toThrow(/Adam: weight_decay must be a finite number >= 0, got "big"/);
  });

  it('excludeFromWeightDecay: variables by list or by a name pattern, only before the first step', async () => {
    const byName = rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.3 });
    byName.excludeFromWeightDecay({ varNames: ['bias'] });
    const [k, b] = await stepAtZeroGradient(dense(byName));
    expect([...b]).toEqual([0.75, -0.5]);
    expect(k[0]).not.toBe(0.5);
    const byList = rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.3 });
    const m = dense(byList);
    byList.exclude_from_weight_decay([m.trainableWeights[0]]);
    const [k2, b2] = await stepAtZeroGradient(m);
    expect([...k2]).toEqual([0.5, -1, 2, 0.25, -3, 1.5]);
    expect(b2[0]).not.toBe(0.75);
    expect(() => byList.excludeFromWeightDecay({ varNames: ['kernel'] })).toThrow(/SGD\.excludeFromWeightDecay: the optimizer has already taken a step \(1\)/);
    const fresh = rl.optimizers.adamw();
    expect(() => fresh.excludeFromWeightDecay({ varNames: ['('] })).toThrow(/varNames\[0\] '\(' is not a regular expression/);
    expect(() => fresh.excludeFromWeightDecay({ varList: ['d/kernel'] } as never)).toThrow(/varList\[0\] is not a variable/);
    expect(() => fresh.excludeFromWeightDecay({ varName: ['bias'] } as never)).toThrow(/AdamW\.excludeFromWeightDecay: unknown option 'varName'/);
  });

  it('excludeFromWeightDecay on an optimizer without a weightDecay is refused (it would do nothing)', () => {
    expect(() => rl.optimizers.adam().excludeFromWeightDecay({ varNames: ['bias'] }))
      .toThrow(/Adam\.excludeFromWeightDecay: this Adam has no weightDecay, so there is nothing to exclude from/);
    expect(() => rl.optimizers.adamw({ weightDecay: 0 }).excludeFromWeightDecay({ varNames: ['bias'] })).not.toThrow();
  });

  it("matches names as Keras 3's variable.name: the weight's own name, without the layer's", async () => {
    const anchored = rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.3 });
    anchored.excludeFromWeightDecay({ varNames: ['^bias$'] });
    const [k, b] = await stepAtZeroGradient(dense(anchored));
    expect([...b]).toEqual([0.75, -0.5]);
    expect(k[0]).not.toBe(0.5);
    const byLayer = rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.3 });
    byLayer.excludeFromWeightDecay({ varNames: ['^d$'] });
    const [k2] = await stepAtZeroGradient(dense(byLayer));
    expect(k2[0]).not.toBe(0.5);
  });

  it("takes a schedule's rate at the step, as Keras's learning_rate", () => {
    const schedule = new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.5, decaySteps: 1, decayRate: 0.5 });
    const opt = rl.optimizers.sgd({ learningRate: schedule, weightDecay: 0.1 });
    const v = rl.variable(rl.tensor1d([2]), true, 'ws');
    const decayAt = (w: number, lr: number) => f(w - f(f(w * f(0.1)) * f(lr)));
    opt.applyGradients({ ws: rl.tensor1d([0]) });
    const after1 = decayAt(2, 0.5);
    expect(v.dataSync()[0]).toBe(after1);
    opt.applyGradients({ ws: rl.tensor1d([0]) });
    expect(v.dataSync()[0]).toBe(decayAt(after1, 0.25));
  });

  it('a later call replaces the exclusions of an earlier one, as in Keras', async () => {
    const opt = rl.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.3 });
    opt.excludeFromWeightDecay({ varNames: ['bias'] });
    opt.excludeFromWeightDecay({ varNames: ['kernel'] });
    const [k, b] = await stepAtZeroGradient(dense(opt));
    expect([...k]).toEqual([0.5, -1, 2, 0.25, -3, 1.5]);
    expect(b[0]).not.toBe(0.75);
  });
});

describe('AdamW', () => {
  it("is Adam with Keras 3's default weight decay 0.004, by factory, class and name", () => {
    const opt = rl.optimizers.adamw({ learningRate: 0.01 });
    expect(opt).toBeInstanceOf(rl.Adam);
    expect(opt.className).toBe('AdamW');
    expect(opt.name).toBe('adamw');
    expect(opt.weightDecay).toBe(0.004);
    expect(opt.getConfig()).toMatchObject({ learningRate: 0.01, weightDecay: 0.004, beta1: 0.9, beta2: 0.999 });
    expect(new rl.AdamW({ weightDecay: 0.1 }).weightDecay).toBe(0.1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'adamw', loss: 'meanSquaredError' });
    expect(m.optimizer!.className).toBe('AdamW');
  });

  it("one step equals Adam's on the decayed weights", () => {
    const w0 = [0.5, -2, 3], g = [0.1, -0.4, 0.2], lr = 0.01, wd = 0.05;
    const vw = rl.variable(rl.tensor1d(w0), true, 'aw');
    rl.optimizers.adamw({ learningRate: lr, weightDecay: wd }).applyGradients({ aw: rl.tensor1d(g) });
    const va = rl.variable(rl.tensor1d(w0.map((w) => f(w - f(f(w * f(wd)) * f(lr))))), true, 'a');
    rl.optimizers.adam({ learningRate: lr }).applyGradients({ a: rl.tensor1d(g) });
    expect([...(vw.dataSync() as Float32Array)]).toEqual([...(va.dataSync() as Float32Array)]);
  });

  it('saves in the training config and loads back with its weight decay; includeOptimizer writes AdamW (tfjs refuses the file) and refuses Adam with a decay (tfjs would drop it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-adamw-'));
    dirs.push(dir);
    const m = dense(rl.optimizers.adamw({ learningRate: 0.02, weightDecay: 0.07 }));
    await m.save(`file://${dir}`);
    const back = await rl.loadModel(`file://${dir}`);
    expect(back.optimizer!.className).toBe('AdamW');
    expect(back.optimizer!.weightDecay).toBe(0.07);
    expect(back.optimizer!.learningRate).toBeCloseTo(0.02, 7);
    await m.save(`file://${join(dir, 'with-state')}`, { includeOptimizer: true });
    expect((await rl.loadModel(`file://${join(dir, 'with-state')}`)).optimizer!.weightDecay).toBe(0.07);
    await expect(dense(rl.optimizers.adam({ weightDecay: 0.07 })).save(`file://${join(dir, 'adam-state')}`, { includeOptimizer: true }))
      .rejects.toThrow(/includeOptimizer: the Adam optimizer has weightDecay 0\.07, and tfjs 4\.22's optimizers have no weight decay/);
  });
});
