// addWeight as tfjs code calls it: initializer objects, a regularizer, trainable false and a constraint, checked
// against tfjs-layers running the same custom layer.
import { describe, expect, it } from 'vitest';
import { tf, rl } from './tensor_helpers.js';

/** The same layer for either library: y = x W + b, with b not trainable. */
function scaleLayer(lib: any, regularizer?: unknown, constraint?: unknown) {
  return class Scale extends lib.layers.Layer {
    static className = 'R12Scale';
    w: any; b: any;
    builds: unknown[] = [];
    constructor(args: any) { super(args); }
    build(s: any) {
      this.builds.push(s);
      this.w = this.addWeight('w', [s[s.length - 1], 2], 'float32', lib.initializers.constant({ value: 0.5 }), regularizer, true, constraint);
      this.b = this.addWeight('b', [2], 'float32', lib.initializers.ones(), undefined, false);
    }
    computeOutputShape(s: any) { return [s[0], 2]; }
    call(x: any) {
      const t = Array.isArray(x) ? x[0] : x;
      const read = (v: any) => (v.read ? v.read() : v);
      return lib.add(lib.matMul(t, read(this.w)), read(this.b));
    }
  };
}

function build(lib: any, regularizer?: (lib: any) => unknown, constraint?: (lib: any) => unknown) {
  const Scale = scaleLayer(lib, regularizer?.(lib), constraint?.(lib));
  const layer = new Scale({ inputShape: [3] });
  const model = lib.sequential({ layers: [layer] });
  model.compile({ optimizer: lib.train.sgd(0.1), loss: 'meanSquaredError' });
  return { layer, model };
}

const X = [[1, 2, -1], [0.5, -1, 2]], Y = [[1, 0], [0, 1]];

describe('custom layer addWeight, against tfjs', () => {
  it('takes initializer objects and trainable false; builds once; summary and getWeights agree with tfjs', async () => {
    for (const lib of [tf, rl]) {
      const { layer, model } = build(lib);
      expect(layer.builds).toEqual([[null, 3]]);
      expect(model.getWeights().map((w: any) => [w.shape, Array.from(w.dataSync())])).toEqual([
        [[3, 2], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]], [[2], [1, 1]]]);
      expect([model.trainableWeights.length, model.nonTrainableWeights.length, model.countParams()]).toEqual([1, 1, 8]);
      const lines: string[] = [];
      model.summary(undefined, undefined, (l: string) => lines.push(l));
      expect(lines.filter((l) => /params:/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim()))
        .toEqual(['Total params: 8', 'Trainable params: 6', 'Non-trainable params: 2']);
    }
    const after: number[][][] = [];
    for (const lib of [tf, rl]) {
      const { layer, model } = build(lib);
      await model.fit(lib.tensor(X), lib.tensor(Y), { epochs: 3, batchSize: 2, verbose: 0, shuffle: false });
      expect(layer.builds.length).toBe(1);
      after.push(model.getWeights().map((w: any) => Array.from(w.dataSync() as Float32Array)));
    }
    expect(after[1][1]).toEqual([1, 1]); // not trainable: unchanged
    after[1][0].forEach((v: number, i: number) => expect(v).toBeCloseTo(after[0][0][i], 5));
  });

  it('adds the regularizer to the training loss, as tfjs (trainOnBatch: mse + l2 * sum w^2)', async () => {
    const losses = [];
    for (const lib of [tf, rl]) {
      const { model } = build(lib, (l) => l.regularizers.l2({ l2: 0.1 }));
      losses.push(Number(await model.trainOnBatch(lib.tensor(X), lib.tensor(Y))));
    }
    const mse = [[1 + 0.5 * 2 - 1, 1 + 0.5 * 2], [1 + 0.5 * 1.5, 1 + 0.5 * 1.5 - 1]].flat().reduce((a, v) => a + v * v, 0) / 4;
    expect(losses[1]).toBeCloseTo(mse + 0.1 * 6 * 0.25, 5);
    expect(losses[1]).toBeCloseTo(losses[0], 5);
  });

  it('applies a constraint after each step (nonNeg keeps the kernel >= 0)', async () => {
    const { model } = build(rl, undefined, (l) => l.constraints.nonNeg());
    await model.fit(rl.tensor(X), rl.tensor([[-5, -5], [-5, -5]]), { epochs: 5, batchSize: 2, verbose: 0 });
    const w = Array.from(model.getWeights()[0].dataSync() as Float32Array);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
    expect(w.some((v) => v === 0)).toBe(true);
  });

  it('refuses what it cannot use, naming the weight', () => {
    const bad = (init: unknown, reg: unknown, trainable: unknown = true) => {
      class Bad extends rl.layers.Layer {
        static className = 'R12Bad';
        build() { this.addWeight('k', [2], 'float32', init as never, reg, trainable as never); }
        computeOutputShape(s: any) { return s; }
        call(x: any) { return x; }
      }
      return () => new Bad({}).apply(rl.ones([1, 2]));
    };
    expect(bad({ apply: 1 }, undefined)).toThrow(/addWeight 'k': the initializer must be a name .*rl\.initializers object/);
    expect(bad('ones', 'l3')).toThrow(/addWeight 'k': regularizer/);
    expect(bad('ones', undefined, 'no')).toThrow(/addWeight 'k': trainable must be true or false/);
  });
});
