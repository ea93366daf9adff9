/** Gradient clipping (Keras's clipnorm and clipvalue) on every optimizer. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Make = (clip: { clipnorm?: number; clipvalue?: number }) => rl.Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ['SGD', (c) => rl.optimizers.sgd({ learningRate: 0.1, ...c })],
  ['SGD+momentum', (c) => rl.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true, ...c })],
  ['Adam', (c) => rl.optimizers.adam({ learningRate: 0.01, ...c })],
  ['RMSprop', (c) => rl.optimizers.rmsprop({ learningRate: 0.01, ...c })],
];

function variable(values: number[]): rl.Variable {
  const v = new rl.Variable('w', [values.length]);
  v.assign(values);
  return v;
}

/** Applies `steps` updates with gradients g (copied each time) and returns the final values. */
function run(opt: rl.Optimizer, init: number[], grads: number[][]): number[] {
  const v = variable(init);
  for (const g of grads) {
    v.grad = Float32Array.from(g);
    opt.applyGradients([v]);
  }
  return Array.from(v.values);
}

const init = [0.5, -0.25, 1, 0];
const grads = [[30, -0.05, 4, -12], [0.2, 0.3, -50, 8], [-7, 7, 0.01, 0.5]];

function clipValue(g: number[], c: number): number[] { return g.map((x) => Math.min(c, Math.max(-c, x))); }
function clipNorm(g: number[], c: number): number[] {
  const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
  return norm > c ? g.map((x) => (x * c) / norm) : g;
}

describe('gradient clipping', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: clipvalue and clipnorm equal the unclipped optimizer fed clipped gradients`, () => {
      const byValue = run(make({ clipvalue: 1 }), init, grads);
      const manualValue = run(make({}), init, grads.map((g) => clipValue(g, 1)));
      byValue.forEach((v, i) => expect(v).toBeCloseTo(manualValue[i], 6));
      const byNorm = run(make({ clipnorm: 2 }), init, grads);
      const manualNorm = run(make({}), init, grads.map((g) => clipNorm(g, 2)));
      byNorm.forEach((v, i) => expect(v).toBeCloseTo(manualNorm[i], 6));
      // Clipping really changed something.
      const plain = run(make({}), init, grads);
      expect(plain.some((v, i) => Math.abs(v - byNorm[i]) > 1e-4)).toBe(true);
    });
  }

  it('plain SGD moves each weight by at most lr * clipvalue, and the step norm is at most lr * clipnorm', () => {
    const a = run(rl.optimizers.sgd({ learningRate: 1, clipvalue: 0.1 }), init, [grads[0]]);
    a.forEach((v, i) => expect(Math.abs(v - init[i])).toBeLessThanOrEqual(0.1 + 1e-7));
    const b = run(rl.optimizers.sgd({ learningRate: 1, clipnorm: 0.5 }), init, [grads[0]]);
    const step = Math.sqrt(b.reduce((s, v, i) => s + (v - init[i]) ** 2, 0));
    expect(step).toBeCloseTo(0.5, 5);
  });

  it('keeps a model trainable where the raw gradients explode, and survives save/load with the clip settings', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 8, inputDim: 3, activation: 'relu' }), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.05, clipnorm: 1 }), loss: 'mse' });
    const r = new rl.Random(1);
    const x = rl.tensor(Float32Array.from({ length: 300 }, () => r.uniform(-100, 100)), [100, 3]);
    const y = rl.tensor(Float32Array.from({ length: 100 }, (_, i) => x.values[i * 3] * 50), [100, 1]);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0 });
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect(() => rl.optimizers.adam({ clipnorm: 0 })).toThrow(/clipnorm must be a finite number > 0/);
    expect(() => rl.optimizers.sgd({ clipvalue: -1 })).toThrow(/clipvalue/);
  });
});
