/**
 * grads(f)([x, x]) with one tensor given twice: tfjs 4.22 returns the one gradient tensor twice (memory() counts it
 * once, and one dispose frees both entries). Counts, identity and values are compared with tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Lib = any;
const both = <T>(run: (L: Lib) => T): [T, T] => [run(rl), run(tf)];

describe('gradients of a tensor given twice', () => {
  it('grads returns the same tensor twice and counts it once, as tfjs', () => {
    const [ours, theirs] = both((L) => {
      const x = L.tensor1d([1, 2]);
      const before = L.memory().numTensors;
      const g = L.grads((a: any, b: any) => a.mul(b).sum())([x, x]);
      const live = L.memory().numTensors - before;
      const values = g.map((t: any) => Array.from(t.dataSync()));
      g[0].dispose();
      return { same: g[0] === g[1], live, values, after: L.memory().numTensors - before };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ same: true, live: 1, values: [[2, 4], [2, 4]], after: 0 });
  });

  it('valueAndGrads: the value and one shared gradient, beside a distinct tensor of equal values', () => {
    const [ours, theirs] = both((L) => {
      const x = L.tensor1d([1, 2]);
      const y = L.tensor1d([1, 2]);
      const before = L.memory().numTensors;
      const { value, grads } = L.valueAndGrads((a: any, b: any, c: any) => a.mul(b).mul(c).sum())([x, y, x]);
      return {
        same: [grads[0] === grads[2], grads[0] === grads[1]],
        live: L.memory().numTensors - before,
        value: value.dataSync()[0],
        grads: grads.map((t: any) => Array.from(t.dataSync())),
      };
    });
    expect(ours).toEqual(theirs);
    // d/dx of sum(x² y) is 2xy; d/dy is x².
    expect(ours).toEqual({ same: [true, false], live: 3, value: 9, grads: [[2, 8], [1, 4], [2, 8]] });
  });
});
