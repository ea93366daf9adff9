/** tfjs's optimizer getWeights/setWeights (names, order, iterations, values) against tfjs 4.22 live, and state passed between the two. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const A0 = [[0.4, -0.6], [0.3, 0.8]];
const B0 = [0.1, -0.2];
const X = [[0.5, -1.2], [2.0, 0.3], [-0.7, 0.9]];
const Y = [[0.3, -1], [1.2, 0.4], [-0.5, 0.8]];

type Case = [string, (p: string) => rl.Optimizer, () => tf.Optimizer];
// Adadelta is left out of the value checks: its update deliberately differs from tfjs's (docs/API.md).
const CASES: Case[] = [
  ['adam', () => rl.train.adam(0.05, 0.8, 0.9), () => tf.train.adam(0.05, 0.8, 0.9)],
  ['adagrad', () => rl.train.adagrad(0.1, 0.3), () => tf.train.adagrad(0.1, 0.3)],
  ['momentum', () => rl.train.momentum(0.05, 0.9), () => tf.train.momentum(0.05, 0.9)],
  ['momentum nesterov', () => rl.train.momentum(0.05, 0.9, true), () => tf.train.momentum(0.05, 0.9, true)],
  ['rmsprop momentum', () => rl.train.rmsprop(0.05, 0.8, 0.7, 0.1), () => tf.train.rmsprop(0.05, 0.8, 0.7, 0.1)],
  ['rmsprop centered', () => rl.train.rmsprop(0.05, 0.8, 0.5, 0, true), () => tf.train.rmsprop(0.05, 0.8, 0.5, 0, true)],
  ['sgd', () => rl.train.sgd(0.1), () => tf.train.sgd(0.1)],
];

let serial = 0;
/** Two named variables and a least-squares cost, in either library. */
// Both libraries' ops under one set of names; the tensors are either library's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
function problem(lib: typeof rl | typeof tf, prefix: string): { a: Loose; b: Loose; cost: () => Loose; values: () => number[] } {
  const l = lib as Loose;
  const a = l.variable(l.tensor(A0), true, `${prefix}a`);
  const b = l.variable(l.tensor(B0), true, `${prefix}b`);
  const cost = () => l.mean(l.square(l.sub(l.add(l.matMul(l.tensor(X), a), b), l.tensor(Y))));
  const values = (): number[] => [...a.dataSync(), ...b.dataSync()];
  return { a, b, cost, values };
}

const plain = async (ws: { name: string; tensor: { shape: number[]; dataSync(): ArrayLike<number> } }[]) =>
  ws.map((w) => ({ name: w.name, shape: w.tensor.shape, values: Array.from(w.tensor.dataSync()) }));

describe('getWeights and setWeights as tfjs', () => {
  for (const [name, mine, theirs] of CASES) {
    it(`${name}: the same names, order, step count and values after 3 steps`, async () => {
      const p = `opt${serial++}_`;
      const ro = mine(p), to = theirs();
      const r = problem(rl, p), t = problem(tf, p);
      for (let s = 0; s < 3; s++) { ro.minimize(r.cost as never); to.minimize(t.cost); }
      r.values().forEach((v, i) => expect(v).toBeCloseTo(t.values()[i], 5));
      const got = await plain(await ro.getWeights()), want = await plain(await to.getWeights());
      expect(got.map((w) => [w.name, w.shape])).toEqual(want.map((w) => [w.name, w.shape]));
      got.forEach((w, i) => w.values.forEach((v, j) => expect(v).toBeCloseTo(want[i].values[j], 4)));
      expect(got[0]).toEqual({ name: 'iter', shape: [], values: [3] });
    });

    it(`${name}: tfjs's state set into rnnlab continues as tfjs does, and back`, async () => {
      const p = `opt${serial++}_`;
      const to = theirs(), t = problem(tf, p);
      for (let s = 0; s < 2; s++) to.minimize(t.cost);
      const state = await to.getWeights();
      const ro = mine(p), r = problem(rl, p);
      r.a.assign(rl.tensor(Array.from(t.a.dataSync()), [2, 2]));
      r.b.assign(rl.tensor(Array.from(t.b.dataSync())));
      await ro.setWeights(state.map((w) => ({ name: w.name, tensor: rl.tensor(Array.from(w.tensor.dataSync()), w.tensor.shape) })));
      expect(ro.iterations).toBe(2);
      ro.minimize(r.cost as never); to.minimize(t.cost);
      r.values().forEach((v, i) => expect(v).toBeCloseTo(t.values()[i], 5));
      // rnnlab's state into a fresh tfjs optimizer: one more step each still agrees.
      const back = await ro.getWeights();
      const to2 = theirs();
      await to2.setWeights(back.map((w) => ({ name: w.name, tensor: tf.tensor(Array.from(w.tensor.dataSync()), w.tensor.shape) })));
      ro.minimize(r.cost as never); to2.minimize(t.cost);
      r.values().forEach((v, i) => expect(v).toBeCloseTo(t.values()[i], 5));
    });
  }

  it('adadelta, adamax and nadam name their slots (tfjs 4.22 has no weights for adamax, no nadam)', async () => {
    const names = async (o: rl.Optimizer, p: string) => {
      const r = problem(rl, p);
      o.minimize(r.cost as never);
      return (await o.getWeights()).map((w) => w.name);
    };
    const p = `opt${serial++}_`;
    expect(await names(rl.train.adadelta(0.1), p)).toEqual(['iter', `${p}a/accum_grad`, `${p}b/accum_grad`, `${p}a/accum_var`, `${p}b/accum_var`]);
    const p2 = `opt${serial++}_`;
    expect(await names(rl.train.adamax(0.1), p2)).toEqual(['iter', `${p2}a/m`, `${p2}b/m`, `${p2}a/u`, `${p2}b/u`]);
    const p3 = `opt${serial++}_`;
    expect(await names(rl.optimizers.nadam(), p3)).toEqual(['iter', `${p3}a/m`, `${p3}b/m`, `${p3}a/v`, `${p3}b/v`]);
  });

  it('a model\'s optimizer state set into a fresh optimizer gives identical next steps', async () => {
    const make = () => {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], name: `optdense${serial++}` })] });
      m.setWeights([rl.tensor(A0), B0]);
      return m;
    };
    for (const opt of [() => rl.optimizers.adam({ learningRate: 0.05 }), () => rl.optimizers.rmsprop({ learningRate: 0.05, momentum: 0.5, centered: true }), () => rl.optimizers.nadam({ learningRate: 0.05 })]) {
      const a = make();
      a.compile({ optimizer: opt(), loss: 'meanSquaredError' });
      a.trainOnBatch(X, Y); a.trainOnBatch(X, Y);
      const state = await a.optimizer!.getWeights();
      const b = make();
      // The layer names differ between the two models: rename the slots to b's variables.
      const rename = new Map(a.trainableWeights.map((w, i) => [w.name, b.trainableWeights[i].name]));
      b.setWeights(a.getWeights());
      b.compile({ optimizer: opt(), loss: 'meanSquaredError' });
      await b.optimizer!.setWeights(state.map((w) => ({ name: w.name === 'iter' ? 'iter' : w.name.replace(/^(.*)\/([^/]+)$/, (_, v: string, s: string) => `${rename.get(v)}/${s}`), tensor: w.tensor })));
      a.trainOnBatch(X, Y); b.trainOnBatch(X, Y);
      expect(b.getWeights().flatMap((w) => Array.from(w.dataSync()))).toEqual(a.getWeights().flatMap((w) => Array.from(w.dataSync())));
    }
  });

  it('bad state is an error naming what is wrong, and leaves the variables unmoved', async () => {
    const p = `opt${serial++}_`;
    const o = rl.train.adam(0.1), r = problem(rl, p);
    const w = (name: string, v: rl.Tensor) => ({ name, tensor: v });
    await expect(o.setWeights([w(`${p}a/m`, rl.zeros([2, 2]))])).rejects.toThrow(/first entry must be 'iter'/);
    await expect(o.setWeights([w('iter', rl.scalar(1.5))])).rejects.toThrow(/first entry must be 'iter'/);
    await expect(o.setWeights([w('iter', rl.scalar(1)), w(`${p}a/mm`, rl.zeros([2, 2]))])).rejects.toThrow(new RegExp(`'${p}a/mm' is not a weight of this optimizer: its weights are '<variable>/m', '<variable>/v'`));
    await expect(o.setWeights([w('iter', rl.scalar(1)), w(`${p}a/m`, rl.zeros([2, 2]))])).rejects.toThrow(new RegExp(`'${p}a' lacks '${p}a/v'`));
    await expect(rl.train.sgd(0.1).setWeights([w('iter', rl.scalar(1)), w(`${p}a/momentum`, rl.zeros([2, 2]))])).rejects.toThrow(/its weights are none \(only iter\)/);
    // A shape that does not fit the variable is found at its first step, before anything moves.
    await o.setWeights([w('iter', rl.scalar(1)), w(`${p}a/m`, rl.zeros([4])), w(`${p}a/v`, rl.zeros([4]))]);
    const before = r.values();
    expect(() => o.minimize(r.cost as never)).toThrow(new RegExp(`weights set for '${p}a' have shape \\[4\\], the variable \\[2, 2\\]`));
    expect(r.values()).toEqual(before);
  });

  it('SGD momentum under a schedule converts with the rate of the step the state goes with', async () => {
    const p = `opt${serial++}_`;
    const sgd = () => rl.optimizers.sgd({ learningRate: new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }), momentum: 0.9 });
    const r = problem(rl, p), a = sgd();
    for (let s = 0; s < 3; s++) a.minimize(r.cost as never);
    const state = await a.getWeights(), at3 = r.values();
    a.minimize(r.cost as never);
    const want = r.values();
    // A fresh optimizer (its own count at 0) given the state after 3 steps takes the same 4th step.
    r.a.assign(rl.tensor(at3.slice(0, 4), [2, 2])); r.b.assign(rl.tensor(at3.slice(4)));
    const b = sgd();
    await b.setWeights(state);
    expect(await plain(await b.getWeights())).toEqual(await plain(state));
    b.minimize(r.cost as never);
    r.values().forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('SGD momentum at a learning rate of 0 refuses to convert, naming the step and the schedule', async () => {
    const p = `opt${serial++}_`;
    const sgd = () => rl.optimizers.sgd({ learningRate: new rl.optimizers.schedules.PiecewiseConstantDecay({ boundaries: [1], values: [0.1, 0] }), momentum: 0.9 });
    const r = problem(rl, p), a = sgd();
    a.minimize(r.cost as never);
    const state = await a.getWeights();
    a.minimize(r.cost as never);
    const why = /learning rate at step 2 is 0 \(from the PiecewiseConstantDecay schedule\); it must be a finite number > 0/;
    await expect(a.getWeights()).rejects.toThrow(new RegExp(`^SGD.getWeights: .*${why.source}`));
    const atStep2 = [{ name: 'iter', tensor: rl.scalar(2) }, ...state.slice(1)];
    await expect(sgd().setWeights(atStep2)).rejects.toThrow(new RegExp(`^SGD.setWeights: .*${why.source}`));
  });

  it('getClassName, computeGradients and dispose as tfjs', async () => {
    expect([rl.train.adam().getClassName(), rl.train.rmsprop(0.1).getClassName(), rl.train.sgd(0.1).getClassName()]).toEqual(['Adam', 'RMSProp', 'SGD']);
    const p = `opt${serial++}_`;
    const o = rl.train.adam(0.1), r = problem(rl, p);
    const before = r.values();
    const { value, grads } = o.computeGradients(r.cost as never);
    const t = problem(tf, `${p}t`);
    const want = tf.variableGrads(t.cost);
    expect(value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 6);
    Array.from(grads[`${p}a`].dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want.grads[`${p}ta`].dataSync()[i], 6));
    expect(r.values()).toEqual(before);
    o.minimize(r.cost as never);
    o.dispose();
    expect(o.iterations).toBe(0);
    expect((await o.getWeights()).map((w) => w.name)).toEqual(['iter']);
  });

  it('a checkpoint written right after setWeights (before any step) keeps that state; SGD with Nesterov resumes exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-optw-'));
    try {
      const make = (opt: rl.Optimizer) => {
        const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], name: 'optckpt' })] });
        m.setWeights([rl.tensor(A0), B0]);
        m.compile({ optimizer: opt, loss: 'meanSquaredError' });
        return m;
      };
      const info = { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 3, batchSize: 3 };
      const a = make(rl.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }));
      a.trainOnBatch(X, Y); a.trainOnBatch(X, Y);
      const state = await a.optimizer!.getWeights();
      const b = make(rl.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }));
      b.setWeights(a.getWeights());
      await b.optimizer!.setWeights(state);
      rl.writeCheckpoint(dir, b, info as never);
      const c = make(rl.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }));
      rl.restoreCheckpoint(dir, c);
      expect(c.optimizer!.iterations).toBe(2);
      a.trainOnBatch(X, Y); c.trainOnBatch(X, Y);
      expect(c.getWeights().flatMap((w) => Array.from(w.dataSync()))).toEqual(a.getWeights().flatMap((w) => Array.from(w.dataSync())));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
