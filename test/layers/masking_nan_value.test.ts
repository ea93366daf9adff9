// Masking refuses maskValue NaN and says why: a step is masked when its features equal maskValue, and NaN equals
// nothing (NaN !== NaN), so the layer would mask nothing while looking as if it masked NaN padding.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { deserializeLayer } from '../../src/layers/registry.js';

const why = /\(Masking\): maskValue must be a number other than NaN: NaN never equals itself \(NaN !== NaN\), so no step would ever be masked/;

describe('masking maskValue NaN', () => {
  it('is refused from the factory, the class and a config, saying why', () => {
    expect(() => rl.layers.masking({ maskValue: NaN })).toThrow(why);
    expect(() => new rl.layerClasses.Masking({ maskValue: Number.NaN })).toThrow(why);
    expect(() => deserializeLayer({ className: 'Masking', config: { name: 'm', maskValue: NaN } })).toThrow(why);
  });

  it('other numbers still work: Infinity masks the steps that equal it', () => {
    const x = rl.tensor(Float32Array.from([Infinity, Infinity, 1, 2]), [1, 2, 2]);
    const mask = rl.layers.masking({ maskValue: Infinity }).computeMask(x);
    expect(Array.from(mask.dataSync())).toEqual([0, 1]);
  });
});
