// applyGradients's named forms, as tfjs 4.22 reads them: the name decides which variable moves, even for a gradient
// variableGrads computed for another variable; an unknown name is an error naming it; a name listed twice in
// [{name, tensor}] moves its variable once per entry. Expected numbers are worked out by hand in each test.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;
let tag = 0;
const flat = (t: Lib): number[] => Array.from(t.dataSync());

/** Dense(1) on 2 inputs, kernel ones, bias zero: for x = [[1, 2]], sum(x·k + b) has gradients [[1], [2]] and [1]. */
function dense(lib: Lib, name?: string): Lib {
  return lib.sequential({ layers: [lib.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros', ...(name ? { name } : {}) })] });
}

describe('applyGradients({name: gradient})', () => {
  it("updates the variable named, not the one variableGrads computed the gradient for (tfjs's twin-network pattern)", () => {
    for (const lib of [rl, tf] as Lib[]) {
      const a = dense(lib), b = dense(lib);
      const x = lib.tensor2d([[1, 2]]);
      const { grads } = lib.variableGrads(() => a.apply(x).sum(), a.trainableWeights.map((w: Lib) => w.val));
      const underB: Record<string, Lib> = {};
      a.trainableWeights.forEach((w: Lib, i: number) => { underB[b.trainableWeights[i].name] = grads[w.name]; });
      lib.train.sgd(1).applyGradients(underB);
      // b: kernel [1, 1] - [1, 2], bias 0 - 1; a as it was.
      expect(b.getWeights().map(flat)).toEqual([[0, -1], [-1]]);
      expect(a.getWeights().map(flat)).toEqual([[1, 1], [0]]);
    }
  });

  it('a name no live variable has is an error naming it, and nothing moves', () => {
    const v = rl.variable(rl.tensor1d([1, 2]), true, `agn_${tag++}`);
    const { grads } = rl.variableGrads(() => v.sum());
    expect(() => rl.train.sgd(1).applyGradients({ nosuchname: grads[v.name] })).toThrow("SGD.applyGradients: No live variable is named 'nosuchname'");
    expect(() => rl.train.sgd(1).applyGradients([{ name: v.name, tensor: grads[v.name] }, { name: 'nosuchname', tensor: grads[v.name] }]))
      .toThrow("No live variable is named 'nosuchname'");
    expect(flat(v)).toEqual([1, 2]);
    rl.dispose(v);
  });

  it("where two live variables share the name, a gradient from variableGrads goes to its own one; any other tensor is refused", () => {
    const name = `agn_tie_${tag++}`;
    const a = dense(rl, name), b = dense(rl, name);
    const x = rl.tensor2d([[1, 2]]);
    const { grads } = rl.variableGrads(() => (a.apply(x) as rl.Tensor).sum(), a.trainableWeights.map((w: Lib) => w.val));
    rl.train.sgd(1).applyGradients(grads);
    expect(a.getWeights().map(flat)).toEqual([[0, -1], [-1]]);
    expect(b.getWeights().map(flat)).toEqual([[1, 1], [0]]);
    expect(() => rl.train.sgd(1).applyGradients({ [`${name}/bias`]: rl.tensor1d([1]) })).toThrow(`2 live variables are named '${name}/bias'`);
    expect(b.getWeights().map(flat)).toEqual([[1, 1], [0]]);
  });
});

describe('[{name, tensor}] with one name twice: one update per entry, in order, one step', () => {
  it('SGD(1) on [1, 2] with [1, 1] then [10, 10] gives [-10, -9], as tfjs', () => {
    for (const lib of [rl, tf] as Lib[]) {
      const v = lib.variable(lib.tensor1d([1, 2]), true, `agn_dup_${tag++}`);
      const opt = lib.train.sgd(1);
      opt.applyGradients([{ name: v.name, tensor: lib.tensor1d([1, 1]) }, { name: v.name, tensor: lib.tensor1d([10, 10]) }]);
      expect(flat(v)).toEqual([-10, -9]);
      expect(opt.iterations).toBe(1);
      v.dispose();
    }
  });

  it("Adam (epsilon 0): both entries at step 1, sharing the variable's moments (Keras's rule)", async () => {
    const v = rl.variable(rl.tensor1d([1, 2]), true, `agn_dup_${tag++}`);
    const opt = rl.train.adam(0.1, 0.9, 0.999, 0);
    opt.applyGradients([{ name: v.name, tensor: rl.tensor1d([1, 1]) }, { name: v.name, tensor: rl.tensor1d([10, 10]) }]);
    // Step 1 bias corrections: m / (1 - 0.9), s / (1 - 0.999).
    // Entry 1, g = 1: m = 0.1, s = 0.001, so the step is 0.1 * 1 / sqrt(1) = 0.1.
    // Entry 2, g = 10: m = 0.9 * 0.1 + 0.1 * 10 = 1.09, s = 0.999 * 0.001 + 0.001 * 100 = 0.100999,
    // so the step is 0.1 * 10.9 / sqrt(100.999) = 0.1084598...
    const second = (0.1 * 10.9) / Math.sqrt(100.999);
    flat(v).forEach((got, i) => expect(got).toBeCloseTo([1, 2][i] - 0.1 - second, 5));
    expect(opt.iterations).toBe(1);
    rl.dispose(v);
    // tfjs 4.22 differs (docs/API.md): each entry gets moments of its own, starting from zero, so both steps are
    // lr = 0.1 at bias-corrected m / sqrt(s) = 1, and its getWeights lists the variable's moments once per entry.
    const tv = tf.variable(tf.tensor1d([1, 2]), true, `agn_dup_${tag++}`);
    const theirs = tf.train.adam(0.1, 0.9, 0.999, 0);
    theirs.applyGradients([{ name: tv.name, tensor: tf.tensor1d([1, 1]) }, { name: tv.name, tensor: tf.tensor1d([10, 10]) }]);
    flat(tv).forEach((got, i) => expect(got).toBeCloseTo([0.8, 1.8][i], 5));
    const names = (await theirs.getWeights()).map((x) => x.name);
    expect(names.filter((n) => n === `${tv.name}/m`)).toHaveLength(2);
    tv.dispose();
  });

  it('a variable listed twice in the variables form carries one gradient and moves once', () => {
    const v = rl.variable(rl.tensor1d([1, 2]), true, `agn_dup_${tag++}`);
    v.grad = Float32Array.of(1, 1);
    rl.train.sgd(1).applyGradients([v, v]);
    expect(flat(v)).toEqual([0, 1]);
    expect(v.grad).toBeNull();
    rl.dispose(v);
  });
});
