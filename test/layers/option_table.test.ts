/**
 * The layer option table (Layer.options): the base constructor checks and sets each option, getConfig writes it right
 * after the base keys, and a saved config builds the same layer. Dense, RepeatVector, UpSampling1D, Masking and
 * Concatenate declare their options this way; a user layer can too.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { Layer, numberOption, positiveIntOption, type LayerArgs, type SymbolicShape } from '../../src/layers/layer.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';

const L = rl.layers;
const BASE_KEYS = ['name', 'trainable', 'dtype'];

describe('the layer option table', () => {
  it.each([
    ['Dense', () => L.dense({ units: 3, name: 'd' }), 'units', 3],
    ['RepeatVector', () => L.repeatVector({ n: 4, name: 'r' }), 'n', 4],
    ['UpSampling1D (default)', () => L.upSampling1d({ name: 'u' }), 'size', 2],
    ['Masking (default)', () => L.masking({ name: 'm' }), 'maskValue', 0],
    ['Masking (-Infinity)', () => L.masking({ name: 'm', maskValue: -Infinity }), 'maskValue', -Infinity],
    ['Concatenate (default)', () => L.concatenate({ name: 'c' }), 'axis', -1],
    ['Concatenate (null is the default)', () => L.concatenate({ name: 'c', axis: null as never }), 'axis', -1],
  ])('%s: the field, its place in getConfig, and the round trip', (_what, make, option, value) => {
    const layer = make();
    expect((layer as unknown as Record<string, unknown>)[option]).toBe(value);
    const config = layer.getConfig();
    expect(Object.keys(config).slice(0, 4)).toEqual([...BASE_KEYS, option]);
    expect(config[option]).toBe(value);
    const back = deserializeLayer(serializeLayer(layer));
    expect(back.getConfig()).toEqual(config);
  });

  it.each([
    ['Dense without units', () => L.dense({ name: 'd' } as never), /d \(Dense\): missing required field 'units' \(a positive integer\)/],
    ['RepeatVector n 0', () => L.repeatVector({ n: 0 }), /\(RepeatVector\): n must be a positive integer, got 0/],
    ['UpSampling1D size 1.5', () => L.upSampling1d({ size: 1.5 }), /\(UpSampling1D\): size must be a positive integer, got 1.5/],
    ['Masking maskValue NaN', () => L.masking({ maskValue: NaN }), /\(Masking\): maskValue must be a number other than NaN: NaN never equals itself/],
    ['Concatenate axis 0.5', () => L.concatenate({ axis: 0.5 }), /\(Concatenate\): axis must be an integer, got 0.5/],
    ['Concatenate axis a string', () => L.concatenate({ axis: '1' as never }), /\(Concatenate\): axis must be an integer, got the string "1"/],
  ])('%s is an error naming the layer and the option', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  it('a user layer declares its options the same way', () => {
    interface ScaleArgs extends LayerArgs { factor?: number; repeats?: number }
    class Scale extends Layer {
      static override readonly className = 'Scale';
      static override readonly options = { factor: numberOption(2), repeats: positiveIntOption() };
      declare readonly factor: number;
      declare readonly repeats: number;
      constructor(args: ScaleArgs) { super(args); }
      computeOutputShape(s: SymbolicShape): SymbolicShape { return s; }
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    const s = new Scale({ name: 's', repeats: 3 });
    expect([s.factor, s.repeats]).toEqual([2, 3]);
    expect(s.getConfig()).toEqual({ name: 's', trainable: true, dtype: 'float32', factor: 2, repeats: 3 });
    expect(() => new Scale({ name: 's2', factor: 1 })).toThrow(/s2 \(Scale\): missing required field 'repeats'/);
  });
});
