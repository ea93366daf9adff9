/**
 * Review findings on the optimizers' tfjs surface: setMomentum through momentum 0 (Keras 3's rule), getClassName 'Momentum', tfjs constructors
 * given an options object and positional arguments, and configs spelling nesterov two ways.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const C = [1, 2, 3];
const stepR = (o: rl.Optimizer, v: rl.Variable) => o.minimize(() => rl.sum(rl.mul(rl.square(v), rl.tensor(C))));

/** Keras 3's SGD by hand: at momentum 0 the velocity is neither used nor updated. */
function kerasSgd(rates: number[], momenta: number[]): number[] {
  const p = [1, -2, 3], v = [0, 0, 0];
  momenta.forEach((m, s) => {
    for (let i = 0; i < 3; i++) {
      const g = 2 * C[i] * p[i];
      if (m === 0) { p[i] -= rates[s] * g; continue; }
      v[i] = m * v[i] - rates[s] * g;
      p[i] += v[i];
    }
  });
  return p;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
}

describe('setMomentum through momentum 0', () => {
  it('0.9 -> 0 -> 0.5 continues from the velocity of the last momentum step, as Keras 3', () => {
    const v = rl.variable(rl.tensor([1, -2, 3])), o = rl.train.momentum(0.1, 0.9);
    stepR(o, v); stepR(o, v);
    o.setMomentum(0); stepR(o, v); stepR(o, v);
    o.setMomentum(0.5); stepR(o, v);
    const want = kerasSgd([0.1, 0.1, 0.1, 0.1, 0.1], [0.9, 0.9, 0, 0, 0.5]);
    close(v.dataSync(), want);
    // The rule that tracks the velocity through the momentum-0 steps gives other numbers: the test can tell them apart.
    expect(Math.abs(want[0] - 0.1987)).toBeGreaterThan(0.05);
  });

  it('an SGD made at momentum 0 starts its first momentum step from zero velocity', () => {
    const v = rl.variable(rl.tensor([1, -2, 3])), o = rl.train.sgd(0.1);
    stepR(o, v); stepR(o, v);
    o.setMomentum(0.9); stepR(o, v); stepR(o, v);
    close(v.dataSync(), kerasSgd([0.1, 0.1, 0.1, 0.1], [0, 0, 0.9, 0.9]));
  });
});

describe('getClassName', () => {
  it('is tfjs\'s Momentum for MomentumOptimizer and for an SGD with momentum, SGD without', () => {
    expect(new rl.MomentumOptimizer(0.1, 0.9).getClassName()).toBe(tf.train.momentum(0.1, 0.9).getClassName());
    expect(new rl.MomentumOptimizer(0.1, 0).getClassName()).toBe(tf.train.momentum(0.1, 0).getClassName());
    expect(rl.train.momentum(0.1, 0.9).getClassName()).toBe('Momentum');
    expect(new rl.SGDOptimizer(0.1).getClassName()).toBe(tf.train.sgd(0.1).getClassName());
  });
});

describe('tfjs constructors given an options object', () => {
  it('refuse positional arguments after it, naming the class; the object alone still works (fromConfig)', () => {
    expect(() => new rl.MomentumOptimizer({ learningRate: 0.1 } as never, 0.9)).toThrow(/MomentumOptimizer: give tfjs's positional arguments or one options object, not both \(an options object was followed by momentum\)/);
    expect(() => new rl.AdamOptimizer({ learningRate: 0.1 } as never, 0.8)).toThrow(/AdamOptimizer: .*followed by beta1/);
    expect(() => new rl.RMSPropOptimizer({ learningRate: 0.1 } as never, undefined, 0.5)).toThrow(/RMSPropOptimizer: .*followed by momentum/);
    expect(() => new rl.MomentumOptimizer({ learningRate: 0.1 } as never, undefined as never, true)).toThrow(/followed by nesterov/);
    expect(new rl.MomentumOptimizer({ learningRate: 0.1, momentum: 0.9 } as never, undefined as never).getConfig()).toEqual({ learningRate: 0.1, momentum: 0.9, nesterov: false });
    const cls = rl.MomentumOptimizer as unknown as { fromConfig(c: unknown, cfg: unknown): rl.Optimizer };
    const back = cls.fromConfig(rl.MomentumOptimizer, new rl.MomentumOptimizer(0.1, 0.9, true).getConfig());
    expect(back.getConfig()).toEqual({ learningRate: 0.1, momentum: 0.9, nesterov: true });
  });
});

describe('a config spelling nesterov two ways', () => {
  it('is refused when they disagree, naming both keys, and read when they agree', () => {
    expect(() => rl.SGD.fromConfig({ learningRate: 0.1, nesterov: false, useNesterov: true })).toThrow(/'nesterov' \(false\) and 'useNesterov' \(true\) are two spellings of one option and disagree/);
    expect(rl.SGD.fromConfig({ learningRate: 0.1, momentum: 0.9, nesterov: true, useNesterov: true }).getConfig().nesterov).toBe(true);
  });
});
