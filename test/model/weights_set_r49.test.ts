/**
 * Setting weights is all or nothing: when a weight's constraint refuses its value part-way (a user's Constraint
 * subclass throwing, or returning the wrong shape), every weight keeps the value it had, those set before it included.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

class RefusesBig extends rl.Constraint {
  static className = 'RefusesBig';
  apply(w: rl.Tensor): rl.Tensor {
    if (Array.from(w.dataSync()).some((v) => v > 100)) throw new Error('RefusesBig: value over 100');
    return w.clone();
  }
}

class WrongShape extends rl.Constraint {
  static className = 'WrongShape';
  apply(): rl.Tensor { return rl.zeros([3]); }
}

function model(constraint: rl.Constraint): rl.Sequential {
  return rl.sequential({ layers: [
    rl.layers.dense({ units: 1, inputShape: [2], name: 'a' }),
    rl.layers.dense({ units: 1, name: 'b', kernelConstraint: constraint }),
  ] });
}

const values = (m: rl.Sequential): number[][] => m.getWeights().map((t) => Array.from(t.dataSync()));

function given(bKernel: number): Record<string, rl.Tensor> {
  // Key order: 'a' comes first, so its weights would be written before b's constraint refuses.
  return { 'a/kernel': rl.tensor2d([[7], [7]]), 'a/bias': rl.tensor1d([7]), 'b/kernel': rl.tensor2d([[bKernel]]), 'b/bias': rl.tensor1d([7]) };
}

describe('loadWeights and setWeights write all or nothing', () => {
  it('loadWeights: a constraint throwing on the third weight leaves all four as they were', () => {
    const m = model(new RefusesBig());
    const before = values(m);
    expect(() => m.loadWeights(given(1000))).toThrow('RefusesBig: value over 100');
    expect(values(m)).toEqual(before);
    m.loadWeights(given(5));
    expect(values(m)).toEqual([[7, 7], [7], [5], [7]]);
  });

  it('loadWeights: a constraint returning the wrong shape leaves every weight as it was', () => {
    const m = model(new WrongShape());
    const before = values(m);
    expect(() => m.loadWeights(given(1))).toThrow(/WrongShape: apply\(w\) must return .* shape \[1, 1\], got float32 shape \[3\]/);
    expect(values(m)).toEqual(before);
  });

  it('model.setWeights: the same refusal leaves every weight as it was', () => {
    const m = model(new RefusesBig());
    const before = values(m);
    const list = Object.values(given(1000));
    expect(() => m.setWeights(list)).toThrow('RefusesBig: value over 100');
    expect(values(m)).toEqual(before);
  });
});
