// rl.layers factories and `new rl.layerClasses.X` build the layer once and check its option keys once
// (checkThenConstruct): the options are read by one copy and one key check, and the automatic name comes last.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** Options whose `units` counts its reads: each construction copies it once and each key check reads it once. */
function countedOptions(extra: Record<string, unknown> = {}): { options: Record<string, unknown>; reads: () => number } {
  let n = 0;
  const options = { ...extra };
  Object.defineProperty(options, 'units', { enumerable: true, get: () => { n += 1; return 2; } });
  return { options, reads: () => n };
}

describe('one construction, one check', () => {
  it('rl.layers.dense reads its options once to build and once to check', () => {
    const { options, reads } = countedOptions();
    const d = rl.layers.dense(options as never);
    expect(d.units).toBe(2);
    expect(reads()).toBe(2);
  });

  it('new rl.layerClasses.Dense likewise', () => {
    const { options, reads } = countedOptions({ name: 'counted_dense' });
    const d = new rl.layerClasses.Dense(options as never);
    expect(d.name).toBe('counted_dense');
    expect(reads()).toBe(2);
  });

  it('a subclass of a public class is built as its author wrote it: no key check, its own name', () => {
    class Wide extends rl.layerClasses.Dense {
      constructor() { super({ units: 4 }); }
    }
    const w = new Wide();
    expect(w.units).toBe(4);
    expect(w.name).toMatch(/^dense(_\d+)?$/);
  });

  it('the automatic name is taken after the check: dense, then dense_<n+1>, with a refusal between', () => {
    const first = rl.layers.dense({ units: 1 }).name;
    const n = first === 'dense' ? 0 : Number(first.split('_').pop());
    expect(() => rl.layers.dense({ units: 1, useBais: false } as never)).toThrow(/^rl\.layers\.dense: unknown option 'useBais' \(did you mean 'useBias'\?\)/);
    expect(() => rl.layers.dense({ units: -1 })).toThrow(/rl\.layers\.dense/);
    expect(new rl.layerClasses.Dense({ units: 1 }).name).toBe(`dense_${n + 1}`);
    expect(rl.layers.dense({ units: 1 }).name).toBe(`dense_${n + 2}`);
  });

  it('options that are not an object, where the constructor takes them, are refused by the check naming the call', () => {
    expect(() => new rl.layerClasses.Flatten([] as never)).toThrow(/rl\.layerClasses\.Flatten: the options argument must be an object, got a list/);
  });

  it('a wrapper built through the checked path renames the wrapped layer once (forward_<name>)', () => {
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, name: 'once' }) });
    expect(bi.forwardLayer.name).toBe('forward_once');
    expect(bi.backwardLayer.name).toBe('backward_once');
  });

  it('rl.layers.rnn adopts its cells exactly once', () => {
    const cell = rl.layers.lstmCell({ units: 2 });
    const rnn = rl.layers.rnn({ cell, name: 'owner_once' });
    expect(rnn.name).toBe('owner_once');
    expect(() => rl.layers.rnn({ cell })).toThrow(/already belongs to rnn layer 'owner_once'/);
  });
});
