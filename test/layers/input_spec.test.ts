/**
 * tfjs's inputSpec on a custom layer: apply checks each input against it (rank, dtype, sizes) on symbolic and real
 * tensors, as tfjs-layers 4.22's assertInputCompatibility does; what is not a spec is refused naming inputSpec.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

type Lib = typeof tf | typeof rl;
type Spec = Record<string, unknown> | null;

/** A custom layer doubling its input, with inputSpec set in the constructor as tfjs code sets it. */
function specLayer(lib: Lib, spec: unknown): { apply(x: unknown): unknown } {
  const Base = lib.layers.Layer as unknown as new (a: object) => { inputSpec: unknown; apply(x: unknown): unknown };
  class Doubling extends Base {
    static className = 'Doubling';
    constructor() { super({}); this.inputSpec = spec; }
    computeOutputShape(s: unknown): unknown { return s; }
    call(x: unknown): unknown { const t = (Array.isArray(x) ? x[0] : x) as tf.Tensor; return t.mul(2); }
  }
  return new Doubling();
}

/** 'ok', or the error's message from the part tfjs and rnnlab word alike (after the layer's name). */
function outcome(lib: Lib, spec: unknown, shape: (number | null)[], symbolic: boolean, dtype: 'float32' | 'int32' = 'float32'): string {
  const x = symbolic
    ? lib.input({ batchShape: shape, dtype } as never)
    : (lib as typeof tf).zeros(shape as number[], dtype);
  try {
    specLayer(lib, spec).apply(x);
    return 'ok';
  } catch (e) {
    const m = (e as Error).message;
    const at = m.indexOf(': ');
    return m.startsWith('Input ') ? `${m.slice(0, m.indexOf(' is incompatible'))}${m.slice(at).replace(/[[\].]/g, '').replace(/,\s*/g, ',').replace(/null/g, '')}` : m;
  }
}

const plain = (s: Spec) => [s];
const made = (lib: Lib, s: Spec) => [new (lib as typeof tf).InputSpec(s as never)];

const cases: [string, (lib: Lib) => unknown, (number | null)[], ('float32' | 'int32')?][] = [
  ['ndim 2 on rank 3', () => plain({ ndim: 2 }), [2, 3, 4]],
  ['ndim 2 on rank 2', (lib) => made(lib, { ndim: 2 }), [2, 3]],
  ['minNDim 3 on rank 2', (lib) => made(lib, { minNDim: 3 }), [2, 3]],
  ['maxNDim 2 on rank 3', () => plain({ maxNDim: 2 }), [2, 3, 4]],
  ['axes -1: 4 on [2, 3]', (lib) => made(lib, { axes: { [-1]: 4 } }), [2, 3]],
  ['axes -1: 4 on [2, 4]', () => plain({ axes: { [-1]: 4 } }), [2, 4]],
  ['axes 1: null', () => plain({ axes: { 1: null } }), [2, 7]],
  ['axes 5 past the rank', () => plain({ axes: { 5: 2 } }), [2, 3]],
  ['InputSpec shape [null, 3] on rank 3', (lib) => made(lib, { shape: [null, 3] }), [2, 3, 4]],
  ['plain shape [null, 3] on rank 3 (no ndim)', () => plain({ shape: [null, 3] }), [2, 3, 4]],
  ['shape [null, 3] on [2, 5]', () => plain({ shape: [null, 3] }), [2, 5]],
  ['dtype int32 on float32', (lib) => made(lib, { dtype: 'int32' }), [2, 3]],
  ['dtype int32 on int32', () => plain({ dtype: 'int32' }), [2, 3], 'int32'],
  ['a null entry checks nothing', () => [null], [2, 3, 4]],
  ['two specs, one input', () => [{ ndim: 2 }, { ndim: 2 }], [2, 3]],
];

describe('inputSpec is checked as tfjs 4.22 checks it', () => {
  for (const symbolic of [true, false]) {
    for (const [what, spec, shape, dtype] of cases) {
      it(`${symbolic ? 'symbolic' : 'real'}: ${what}`, () => {
        const want = outcome(tf, spec(tf), shape, symbolic, dtype);
        const got = outcome(rl, spec(rl), shape, symbolic, dtype);
        if (want === 'ok') expect(got).toBe('ok');
        else if (want.startsWith('Input ')) expect(got).toBe(want);
        else expect(got).toMatch(/expects 2 input\(s\).*received 1 input tensor/);
      });
    }
  }

  it('words the error as tfjs, naming the layer and the input', () => {
    const layer = specLayer(rl, [new rl.InputSpec({ ndim: 2 })]) as unknown as Layer;
    expect(() => layer.apply(rl.input({ shape: [3, 4] }))).toThrow(`Input 0 is incompatible with layer ${layer.name} (Doubling): expected ndim=2, found ndim=3`);
  });

  it('a free size of a symbolic input matches any required size, as in tfjs', () => {
    for (const lib of [tf, rl] as Lib[]) {
      expect(outcome(lib, [{ axes: { [-1]: 4 }, shape: [null, 4] }], [null, null], true)).toBe('ok');
    }
  });

  it('one spec (Keras\'s `input_spec = InputSpec(...)`) applies to the one input, and reads back as a list', () => {
    const layer = specLayer(rl, new rl.InputSpec({ minNDim: 3 })) as unknown as Layer;
    expect(layer.inputSpec).toHaveLength(1);
    expect(() => layer.apply(rl.zeros([2, 3]))).toThrow(/expected min_ndim=3, found ndim=2/);
  });

  it('runs inside models: predict on a Sequential model, and a functional graph as it is connected', () => {
    const layer = () => specLayer(rl, [{ axes: { [-1]: 3 } }]) as unknown as Layer;
    expect(() => rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [2] }), layer()] }).predict(rl.zeros([1, 2])))
      .toThrow(/Input 0 is incompatible with layer .*expected axis -1 of input shape to have value 3 but got shape \[1, 4\]/);
    expect(() => layer().apply(rl.layers.dense({ units: 4 }).apply(rl.input({ shape: [2] }))))
      .toThrow(/Input 0 is incompatible with layer .*expected axis -1 of input shape to have value 3 but got shape \[null, 4\]/);
  });

  it('a spec defined as an own property (a JavaScript class field replaces the accessor) is still checked', () => {
    class Fielded extends rl.layers.Layer {
      static override readonly className: string = 'Fielded';
      constructor() {
        super();
        Object.defineProperty(this, 'inputSpec', { value: [{ ndim: 2 }], writable: true, enumerable: true, configurable: true });
      }
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    expect(() => new Fielded().apply(rl.zeros([1, 2, 3]))).toThrow(/expected ndim=2, found ndim=3/);
  });

  it('rnnlab\'s own layers leave inputSpec null (their own checks run)', () => {
    expect(rl.layers.dense({ units: 2 }).inputSpec).toBeNull();
    expect(rl.layers.lstm({ units: 2 }).inputSpec).toBeNull();
  });
});

describe('what is not an input spec is refused by name', () => {
  const layer = () => specLayer(rl, null) as unknown as { inputSpec: unknown };

  it('inputSpec that is not a spec or a list of them', () => {
    expect(() => { layer().inputSpec = 5; }).toThrow(/inputSpec\[0\] must be an rl.InputSpec or an object such as \{ndim: 2\}, got the number 5|inputSpec\[0\] must be an rl.InputSpec/);
    expect(() => { layer().inputSpec = ['ndim']; }).toThrow(/inputSpec\[0\] must be an rl.InputSpec/);
    expect(() => { layer().inputSpec = [{ ndims: 2 }]; }).toThrow(/inputSpec\[0\].*'ndims'/);
    expect(() => { layer().inputSpec = [{ ndim: 1.5 }]; }).toThrow(/inputSpec\[0\]: ndim must be a non-negative integer/);
    expect(() => { layer().inputSpec = [{ axes: { last: 3 } }]; }).toThrow(/inputSpec\[0\]: axes keys must be integer axes, got "last"/);
    expect(() => { layer().inputSpec = [{ dtype: 'float16' }]; }).toThrow(/inputSpec\[0\]: dtype must be one of/);
  });

  it('InputSpec arguments: unknown ones, bad values, and an ndim the shape contradicts', () => {
    expect(() => new rl.InputSpec({ ndims: 2 } as never)).toThrow(/rl.InputSpec.*'ndims'/);
    expect(() => new rl.InputSpec({ allowLastAxisSqueeze: true } as never)).toThrow(/rl.InputSpec.*'allowLastAxisSqueeze'/);
    expect(() => new rl.InputSpec({ shape: [null, 'x'] } as never)).toThrow(/rl.InputSpec: shape must be a list of sizes/);
    expect(() => new rl.InputSpec({ ndim: 3, shape: [null, 4] })).toThrow(/rl.InputSpec: ndim 3 disagrees with shape \[null, 4\]/);
  });

  it('InputSpec fields as tfjs sets them (shape fixes ndim, axes default {})', () => {
    for (const lib of [tf, rl] as Lib[]) {
      const s = new (lib as typeof tf).InputSpec({ shape: [null, 4], maxNDim: 5 });
      expect({ ndim: s.ndim, shape: s.shape, maxNDim: s.maxNDim, axes: s.axes, dtype: s.dtype }).toEqual({ ndim: 2, shape: [null, 4], maxNDim: 5, axes: {}, dtype: undefined });
    }
  });
});
