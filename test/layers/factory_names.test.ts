// rl.layers.<factory>(...) refuses bad options before taking an automatic name, as rl.layerClasses does: a
// refused call leaves the next layers' names (dense_1, add_1, ...) where they would have been.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** The automatic name after `name` (dense -> dense_1, dense_4 -> dense_5). */
function nextName(name: string): string {
  const m = /^(.*)_(\d+)$/.exec(name);
  return m ? `${m[1]}_${Number(m[2]) + 1}` : `${name}_1`;
}

describe('a refused rl.layers factory call takes no automatic name', () => {
  it('dense: an unknown option, and a value the constructor refuses', () => {
    const first = rl.layers.dense({ units: 2 }).name;
    expect(() => rl.layers.dense({ units: 2, activaton: 'relu' } as never)).toThrow(/^rl\.layers\.dense: unknown option 'activaton' \(did you mean 'activation'\?\)/);
    expect(() => rl.layers.dense({ unit: 3 } as never)).toThrow(/^rl\.layers\.dense: unknown option 'unit' \(did you mean 'units'\?\)/);
    expect(() => rl.layers.dense({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(rl.layers.dense({ units: 2 }).name).toBe(nextName(first));
  });

  it('a merge layer (options form and list-of-inputs form)', () => {
    const first = rl.layers.add().name;
    expect(() => rl.layers.add({ axis: 1 } as never)).toThrow(/^rl\.layers\.add: unknown option 'axis'/);
    expect(() => rl.layers.concatenate({ axes: 1 } as never)).toThrow(/^rl\.layers\.concatenate: unknown option 'axes' \(did you mean 'axis'\?\)/);
    const a = rl.input({ shape: [3] }), b = rl.input({ shape: [3] });
    const summed = rl.layers.add([a, b]) as rl.SymbolicTensor;
    expect(summed.sourceLayer.name).toBe(nextName(first));
  });

  it('a wrapper leaves the wrapped layer\'s name as it was, and takes no name', () => {
    const first = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, name: 'enc' }) }).name;
    const gru = rl.layers.gru({ units: 2, name: 'g' });
    expect(() => rl.layers.bidirectional({ layer: gru, merge_mode: 'sum' } as never)).toThrow(/^rl\.layers\.bidirectional: unknown option 'merge_mode'/);
    expect(gru.name).toBe('g');
    expect(rl.layers.bidirectional({ layer: gru }).name).toBe(nextName(first));
  });
});
