/**
 * Whether a layer hands a user's call arguments on (TimeDistributed over a user's layer does) is engine machinery
 * under a symbol the package does not export: no public method of that name, and a user's subclass defining a method
 * called handsOnCallKwargs (its own helper) does not make a built-in layer take call arguments it would ignore.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** A user's Dense with a helper that, under the old public name, told the engine it hands call arguments on. */
class HelperDense extends rl.layerClasses.Dense {
  static override readonly className: string = 'HelperDenseR51';
  handsOnCallKwargs(): boolean { return true; }
}

/** A user's layer whose call reads a call argument, for TimeDistributed to hand on. */
class Scaled extends rl.layers.Layer {
  static override className = 'ScaledR51';
  override call(x: rl.Tensor | rl.Tensor[], kw: rl.Kwargs) {
    return rl.mul(Array.isArray(x) ? x[0] : x, (kw.scale as number | undefined) ?? 1);
  }
}

describe('handing call arguments on is not a public method', () => {
  it('layers have no handsOnCallKwargs', () => {
    expect('handsOnCallKwargs' in rl.layers.dense({ units: 1 })).toBe(false);
    expect('handsOnCallKwargs' in rl.layers.timeDistributed({ layer: new Scaled({}) })).toBe(false);
  });

  it('a subclass\'s own handsOnCallKwargs() does not make Dense take a call argument', () => {
    const d = new HelperDense({ units: 2, kernelInitializer: 'ones' });
    const x = rl.tensor([[1, 2, 3]]);
    expect(() => d.apply(x, { scale: 3 } as never)).toThrow(/apply does not take 'scale'/);
    expect(() => d.call(x, { scale: 3 } as never)).toThrow(/call does not take 'scale' in kwargs/);
    expect(Array.from((d.apply(x) as rl.Tensor).dataSync())).toEqual([6, 6]);
  });

  it('TimeDistributed still hands them to a user\'s layer, and refuses them for a built-in one', () => {
    const x = rl.tensor([[[1, 2], [3, 4]]]);
    const td = rl.layers.timeDistributed({ layer: new Scaled({}) });
    expect(Array.from((td.apply(x, { scale: 3 } as never) as rl.Tensor).dataSync())).toEqual([3, 6, 9, 12]);
    expect(Array.from((td.call(x, { scale: 2 } as never) as rl.Tensor).dataSync())).toEqual([2, 4, 6, 8]);
    const builtIn = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 1 }) });
    expect(() => builtIn.apply(x, { scale: 3 } as never)).toThrow(/apply does not take 'scale'/);
  });
});
