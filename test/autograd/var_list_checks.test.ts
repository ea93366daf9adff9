// varList as tfjs 4.22 reads it (null: no list; not an array: an error naming it), null gradients (variableGrads maps a
// listed variable that does not train to null; applyGradients skips a null), and rl.variable's automatic names never
// repeating a live variable's. tfjs runs the same programs where it has them.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;
let tag = 0;

/** a (trainable, [1, 2]) and b (not trainable, 3), and the cost sum(a^2) + b. */
function setup(lib: Lib): { a: Lib; b: Lib; f: () => Lib } {
  const t = `vlc_${tag++}`;
  const a = lib.variable(lib.tensor1d([1, 2]), true, `${t}_a`);
  const b = lib.variable(lib.scalar(3), false, `${t}_b`);
  return { a, b, f: () => lib.add(lib.sum(lib.square(a)), b) };
}

const flat = (t: Lib): number[] => Array.from(t.dataSync());

describe('varList', () => {
  it('null means no list, as tfjs: variableGrads, minimize and computeGradients', () => {
    const { a, f } = setup(rl);
    const { grads } = rl.variableGrads(f, null);
    expect(flat(grads[a.name])).toEqual([2, 4]);
    expect(Object.keys(grads)).toEqual(Object.keys(rl.variableGrads(f).grads));
    expect(Object.keys(rl.train.sgd(0.1).computeGradients(f, null).grads)).toContain(a.name);
    const cost = rl.train.sgd(0.5).minimize(f, true, null);
    expect(flat(cost!)).toEqual([8]);
    expect(flat(a)).toEqual([0, 0]);
  });

  it('anything but an array is an error naming varList and the function', () => {
    const { a, f } = setup(rl);
    expect(() => rl.variableGrads(f, a as never)).toThrow(/^variableGrads: varList must be an array of variables .*got a single Variable/);
    expect(() => rl.train.sgd(0.1).minimize(f, false, a as never)).toThrow(/^SGD\.minimize: varList must be an array of variables/);
    expect(() => rl.train.adam(0.1).minimize(f, false, { a } as never)).toThrow(/^Adam\.minimize: varList must be an array of variables .*got an object/);
    // tfjs's message names variableGrads here; this one names the method called.
    expect(() => rl.train.sgd(0.1).computeGradients(f, 'a' as never)).toThrow(/^SGD\.computeGradients: varList must be an array of variables/);
    expect(flat(a)).toEqual([1, 2]);
    const t = setup(tf);
    expect(() => tf.variableGrads(t.f, t.a)).toThrow(/must be an array of variables/);
  });
});

describe('null gradients, as tfjs', () => {
  it('variableGrads maps a listed variable that does not train to null', () => {
    const r = setup(rl), t = setup(tf);
    const mine = rl.variableGrads(r.f, [r.a, r.b]).grads, theirs = tf.variableGrads(t.f, [t.a, t.b]).grads;
    expect(Object.entries(mine).map(([k, g]) => [k.slice(k.lastIndexOf('_')), g && flat(g)]))
      .toEqual(Object.entries(theirs).map(([k, g]) => [k.slice(k.lastIndexOf('_')), g && flat(g)]));
    expect(mine[r.b.name]).toBeNull();
  });

  it('applyGradients skips a null gradient, in the map and the [{name, tensor}] forms', () => {
    for (const lib of [rl, tf] as Lib[]) {
      const { a, b } = setup(lib);
      const opt = lib.train.sgd(1);
      opt.applyGradients({ [a.name]: lib.tensor1d([1, 1]), [b.name]: null });
      opt.applyGradients([{ name: a.name, tensor: null }, { name: b.name, tensor: null }]);
      expect(flat(a)).toEqual([0, 1]);
      expect(flat(b)).toEqual([3]);
    }
  });

  it('minimize with a varList holding a variable that does not train leaves it alone', () => {
    const { a, b, f } = setup(rl);
    rl.train.sgd(0.5).minimize(f, false, [a, b]);
    expect([flat(a), flat(b)]).toEqual([[0, 0], [3]]);
  });

  it('an array element without a tensor key is refused, naming the element', () => {
    const { a } = setup(rl);
    expect(() => rl.train.sgd(1).applyGradients([{ name: a.name, value: rl.tensor1d([1, 1]) }] as never))
      .toThrow(`SGD.applyGradients: element 0 ('${a.name}') has no tensor`);
    expect(flat(a)).toEqual([1, 2]);
  });
});

describe('rl.variable names', () => {
  it('an automatic name skips one given explicitly, so every live name is unique', () => {
    const first = rl.variable(rl.scalar(0));
    const n = Number(first.name);
    expect(Number.isInteger(n)).toBe(true);
    const taken = [rl.variable(rl.scalar(1), true, String(n + 1)), rl.variable(rl.scalar(2), true, String(n + 2))];
    const auto = rl.variable(rl.scalar(3));
    expect(auto.name).toBe(String(n + 3));
    const all = [first, ...taken, auto];
    expect(new Set(all.map((v) => v.name)).size).toBe(4);
    // Unique names keep the name-keyed forms working.
    const { grads } = rl.variableGrads(() => rl.addN(all.map((v) => rl.mul(v, v))) as rl.Scalar, all);
    expect(Object.keys(grads).sort()).toEqual(all.map((v) => v.name).sort());
    rl.train.sgd(1).applyGradients({ [taken[0].name]: rl.scalar(0.5) });
    expect(flat(taken[0])).toEqual([0.5]);
    expect(() => rl.variable(rl.scalar(0), true, auto.name)).toThrow(`Variable with name ${auto.name} was already registered`);
    rl.dispose(all);
  });
});
