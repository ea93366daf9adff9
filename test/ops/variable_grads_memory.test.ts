/**
 * variableGrads counts memory as tfjs 4.22's: the same program in both, memory().numTensors moves by the same amount
 * (the value and one gradient per variable stay; what f made is disposed unless kept), and the numbers agree.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;
let nextName = 0;

/** Each step's numTensors delta, the tensors' values, and whether the tensors made in f are disposed afterwards. */
function program(lib: Lib): { deltas: number[]; value: number; grads: number[][]; gradNames: number; insideGone: boolean; keptValues: number[] } {
  const tag = `my_vg_${nextName++}`;
  const a = lib.variable(lib.tensor1d([1, 2, 3]), true, `${tag}_a`);
  const b = lib.variable(lib.scalar(0.5), true, `${tag}_b`);
  const x = lib.tensor1d([0.1, -1, 2]);
  const deltas: number[] = [];
  const step = (fn: () => void) => { const n0 = lib.memory().numTensors; fn(); deltas.push(lib.memory().numTensors - n0); };

  let inside: Lib, kept: Lib, r: Lib;
  step(() => { r = lib.variableGrads(() => { inside = lib.mul(a, x); return lib.sum(lib.square(lib.add(inside, b))); }, [a, b]); });
  const insideGone = inside.isDisposed;
  const value = r.value.dataSync()[0];
  const grads = [r.grads[a.name], r.grads[b.name]].map((g: Lib) => Array.from(g.dataSync()) as number[]);
  step(() => lib.variableGrads(() => lib.sum(lib.square(lib.mul(a, x))), [a]));
  step(() => { lib.variableGrads(() => { kept = lib.keep(lib.mul(a, x)); return lib.sum(kept); }, [a]); });
  const keptValues = Array.from(kept.dataSync()) as number[];
  step(() => lib.tidy(() => { lib.variableGrads(() => lib.sum(lib.mul(a, x)), [a]); }));
  step(() => lib.dispose([r.value, r.grads, kept]));
  lib.dispose([a, b, x]);
  return { deltas, value, grads, gradNames: Object.keys(r.grads).length, insideGone, keptValues };
}

describe("variableGrads's memory accounting", () => {
  it("moves numTensors as tfjs's: value and gradients counted, f's tensors disposed unless kept, nothing left inside tidy", () => {
    const theirs = program(tf);
    const ours = program(rl);
    expect(theirs.deltas).toEqual([3, 2, 3, 0, -4]);
    expect(ours.deltas).toEqual(theirs.deltas);
    expect(ours.insideGone).toBe(true);
    expect(ours.value).toBeCloseTo(theirs.value, 4);
    ours.grads.flat().forEach((g, i) => expect(g).toBeCloseTo(theirs.grads.flat()[i], 4));
    expect(ours.keptValues.map((v) => +v.toFixed(5))).toEqual(theirs.keptValues.map((v) => +v.toFixed(5)));
  });

  it('a predict inside f: its outputs are disposed afterwards unless kept, as tfjs', () => {
    const run = (lib: Lib, keepOut: boolean) => {
      const m = lib.sequential({ layers: [lib.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', activation: 'tanh' })] });
      const x = lib.tensor2d([[1, 2, 3], [0.1, -1, 0.5], [2, 0, -1]]);
      m.predict(x); // builds the weights outside the count
      const n0 = lib.memory().numTensors;
      let out: Lib;
      const r = lib.variableGrads(() => { out = m.predict(x, { batchSize: 2 }); if (keepOut) lib.keep(out); return lib.sum(lib.square(out)); });
      const delta = lib.memory().numTensors - n0;
      return { delta, gone: out.isDisposed, out: keepOut ? Array.from(out.dataSync()) : null, value: r.value.dataSync()[0] };
    };
    for (const keepOut of [false, true]) {
      const theirs = run(tf, keepOut), ours = run(rl, keepOut);
      expect(ours.delta).toBe(theirs.delta);
      expect(ours.gone).toBe(!keepOut);
      expect(ours.value).toBeCloseTo(theirs.value, 4);
      if (keepOut) (ours.out as number[]).forEach((v, i) => expect(v).toBeCloseTo((theirs.out as number[])[i], 5));
    }
  });

  for (const returnCost of [false, true]) {
    it(`optimizer.minimize (same gradient path, returnCost ${returnCost}) counts only the cost it returns, as tfjs`, () => {
      const run = (lib: Lib) => {
        const a = lib.variable(lib.tensor1d([1, 2, 3]), true, `my_vg_min_${nextName++}`);
        const x = lib.tensor1d([0.1, -1, 2]);
        const opt = lib.train.sgd(0.1);
        const n0 = lib.memory().numTensors;
        const cost = opt.minimize(() => lib.sum(lib.square(lib.mul(a, x))), returnCost, [a]);
        const delta = lib.memory().numTensors - n0;
        const value = cost === null ? null : cost.dataSync()[0];
        cost?.dispose();
        return { delta, afterDispose: lib.memory().numTensors - n0, value, a: Array.from(a.dataSync()) as number[] };
      };
      const theirs = run(tf), ours = run(rl);
      expect(theirs.delta).toBe(returnCost ? 1 : 0);
      expect(ours.delta).toBe(theirs.delta);
      expect(ours.afterDispose).toBe(0);
      expect(theirs.afterDispose).toBe(0);
      if (returnCost) expect(ours.value).toBeCloseTo(theirs.value as number, 5);
      else expect(ours.value).toBeNull();
      ours.a.forEach((v, i) => expect(v).toBeCloseTo(theirs.a[i], 5));
    });
  }

  it('an error inside f leaves nothing counted and no gradient on the variables', () => {
    const a = rl.variable(rl.tensor1d([1, 2]), true, `my_vg_err_${nextName++}`);
    const n0 = rl.memory().numTensors;
    expect(() => rl.variableGrads(() => { rl.mul(a, a); throw new Error('boom'); }, [a])).toThrow('boom');
    expect(() => rl.variableGrads(() => rl.sum(rl.tensor1d([1, 2])), [a])).toThrow(/does not depend on any trainable variable/);
    expect(rl.memory().numTensors - n0).toBe(0);
    expect(a.grad).toBeNull();
    rl.dispose(a);
  });
});
