/**
 * dispose() of a Functional model nested in another, as tfjs 4.22's reference counting does it (results from tfjs
 * runs of the same models): disposing the outer model disposes the inner one it alone holds, counting its variables
 * once; disposing the inner one while an outer model holds it disposes nothing and leaves both usable.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function pair(): { inner: rl.Functional; outer: rl.Functional } {
  const i = rl.input({ shape: [3] });
  const inner = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 2 }).apply(i) as rl.SymbolicTensor });
  const j = rl.input({ shape: [3] });
  const outer = rl.model({ inputs: j, outputs: rl.layers.dense({ units: 1 }).apply(inner.apply(j) as rl.SymbolicTensor) as rl.SymbolicTensor });
  return { inner, outer };
}

const X = rl.ones([1, 3]);

describe('disposing nested models (tfjs reference counting)', () => {
  it("the outer model's dispose disposes the inner model it alone holds: 4 variables, counted once (tfjs: {0, 4})", () => {
    const { inner, outer } = pair();
    expect(outer.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    expect(() => inner.predict(X)).toThrow(/has been disposed/);
    expect(() => inner.dispose()).toThrow(/has been disposed/);
  });

  it('the inner model disposed first disposes nothing while the outer holds it (tfjs: {1, 0}); the outer then disposes both', () => {
    const { inner, outer } = pair();
    expect(inner.dispose()).toEqual({ refCountAfterDispose: 1, numDisposedVariables: 0 });
    expect((outer.predict(X) as rl.Tensor).shape).toEqual([1, 1]);
    expect((inner.predict(X) as rl.Tensor).shape).toEqual([1, 2]);
    // tfjs 4.22 throws here ("Container 'inner' is already disposed", it decrements twice); rnnlab disposes both.
    expect(outer.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    expect(() => inner.predict(X)).toThrow(/has been disposed/);
  });

  it('an inner model two outer models hold survives the first one\'s dispose (tfjs: {0, 2}) and goes with the second', () => {
    const { inner, outer } = pair();
    const k = rl.input({ shape: [3] });
    const other = rl.model({ inputs: k, outputs: inner.apply(k) as rl.SymbolicTensor });
    expect(outer.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect((inner.predict(X) as rl.Tensor).shape).toEqual([1, 2]);
    expect((other.predict(X) as rl.Tensor).shape).toEqual([1, 2]);
    expect(other.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(() => inner.predict(X)).toThrow(/has been disposed/);
  });
});
