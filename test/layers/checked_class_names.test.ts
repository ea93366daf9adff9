// rl.layerClasses refuses unknown options before taking an automatic name; "did you mean" picks the closest name.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { nearName } from '../../src/near_name.js';

describe('rl.layerClasses option check', () => {
  it('a refused construction does not shift the next automatic names', () => {
    const before = new rl.layerClasses.Dense({ units: 2 }).name;
    const n = before === 'dense' ? 0 : Number(before.split('_').pop());
    expect(() => new rl.layerClasses.Dense({} as never)).toThrow(/rl.layerClasses.Dense \(Dense\): missing required field 'units'/);
    expect(() => new rl.layerClasses.Dense({ unit: 3 } as never)).toThrow(/rl.layerClasses.Dense: unknown option 'unit' \(did you mean 'units'\?\)/);
    expect(() => new rl.layerClasses.Dense({ units: 3, activaton: 'relu' } as never)).toThrow(/unknown option 'activaton' \(did you mean 'activation'\?\)/);
    expect(new rl.layerClasses.Dense({ units: 2 }).name).toBe(`dense_${n + 1}`);
  });

  it('a wrapper keeps the wrapped layer as the real construction leaves it', () => {
    const lstm = new rl.layerClasses.LSTM({ units: 2, name: 'enc' });
    const bi = new rl.layerClasses.Bidirectional({ layer: lstm });
    expect(bi.forwardLayer.name).toBe('forward_enc');
    const gru = new rl.layerClasses.GRU({ units: 2, name: 'g' });
    expect(() => new rl.layerClasses.Bidirectional({ layer: gru, merge_mode: 'sum' } as never)).toThrow(/unknown option 'merge_mode'/);
    expect(gru.name).toBe('g');
  });
});

describe('nearName', () => {
  it('returns the closest candidate, not the first within two edits', () => {
    expect(nearName('units', ['unit_x', 'units'])).toBe('units');
    expect(nearName('monitr', ['mode', 'monitor'])).toBe('monitor');
  });
  it('ties go to the first; nothing within two edits gives undefined', () => {
    expect(nearName('ab', ['abc', 'abd'])).toBe('abc');
    expect(nearName('zzzzzz', ['units'])).toBeUndefined();
  });
});
