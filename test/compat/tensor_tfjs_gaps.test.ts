/**
 * Gaps a probe found between rnnlab's tensor API and tfjs 4.22: typed-array rows, typed-array dtype inference,
 * the Cast and Relu gradients, erf at 0, grad on int32 inputs and argument checks, numeric strings.
 */
import { describe, expect, it } from 'vitest';
import { bothThrow, rl, sameAsTfjs, tf } from './tensor_helpers.js';

describe('rows given as typed arrays', () => {
  it.each([
    ['tensor2d of Float32Array rows', (t: any) => t.tensor2d([new Float32Array([1, 2]), new Float32Array([3, 4])])],
    ['tensor2d of rows with a shape', (t: any) => t.tensor2d([new Float32Array([1, 2]), new Float32Array([3, 4])], [2, 2])],
    ['tensor of Int32Array rows is int32', (t: any) => t.tensor([new Int32Array([1, 2]), new Int32Array([3, 4])])],
    ['tensor of Uint8Array rows is int32', (t: any) => t.tensor([new Uint8Array([1, 2]), new Uint8Array([3, 255])])],
    ['tensor3d of nested rows', (t: any) => t.tensor3d([[new Float32Array([1, 2])], [new Float32Array([3, 4])]])],
    ['tensor3d of nested rows with a shape', (t: any) => t.tensor3d([[new Float32Array([1, 2])], [new Float32Array([3, 4])]], [2, 1, 2])],
    // tfjs reads the dtype from the first leaf: a plain number first gives float32, an Int32Array row int32.
    ['plain row then typed row', (t: any) => t.tensor([[1.5, 2], new Int32Array([3, 4])])],
    ['typed row then plain row', (t: any) => t.tensor([new Int32Array([3, 4]), [1.5, 2]])],
    ['empty rows', (t: any) => t.tensor([new Float32Array([]), new Float32Array([])])],
    ['rows under an explicit dtype', (t: any) => [t.tensor([new Uint8Array([0, 2])], null, 'bool'), t.tensor([new Float32Array([1.7, -1.7])], null, 'int32')]],
    ['rows as an op argument', (t: any) => t.add([new Float32Array([1, 2])], 1)],
  ])('%s', (_name, ops) => sameAsTfjs(ops));

  it('refuses ragged rows that tfjs would silently misread', () => {
    // tfjs builds a [2, 2] tensor holding only 3 values from these.
    expect(() => rl.tensor([new Float32Array([1, 2]), new Float32Array([3])])).toThrow(/ragged nested array: expected length 2 at depth 1, got 1/);
    expect(() => rl.tensor([new Float32Array([1, 2]), 3])).toThrow(/ragged nested array: expected length 2 at depth 1, got a scalar/);
    expect(() => rl.tensor([[new Float32Array([1, 2])], new Float32Array([3])] as never)).toThrow(/ragged nested array: a typed array at depth 1/);
  });

  it('keeps tfjs rank checks on rows', () => {
    bothThrow((t: any) => t.tensor1d([new Float32Array([1, 2])]), /tensor1d\(\) requires values to be a flat/);
    expect(() => rl.tensor3d([new Float32Array([1, 2])])).toThrow(/requires values to be a rank-3 nested array/);
  });

  it('reads rows of the typed arrays tfjs does not list as a level too', () => {
    // tfjs infers float32 for these but treats such rows as single values (a [2] tensor of 4 values); rnnlab
    // nests them like any other row.
    for (const C of [Int8Array, Int16Array, Uint16Array, Uint32Array, Float64Array]) {
      const t = rl.tensor([new C([1, 2]), new C([3, 4])]);
      expect([t.dtype, t.shape, Array.from(t.dataSync())]).toEqual([tf.tensor([new C([1, 2])]).dtype, [2, 2], [1, 2, 3, 4]]);
    }
  });
});

describe('typed-array dtype inference', () => {
  it.each([
    ['Uint8ClampedArray', (t: any) => t.tensor(new Uint8ClampedArray([1, 255]))],
    ['Uint8Array', (t: any) => t.tensor(new Uint8Array([1, 255]))],
    ['Int32Array', (t: any) => t.tensor(new Int32Array([1, -2]))],
    ['Float32Array', (t: any) => t.tensor(new Float32Array([1.5, -2]))],
    ['Uint8ClampedArray with a shape', (t: any) => t.tensor2d(new Uint8ClampedArray([1, 2, 3, 4]), [2, 2])],
  ])('%s', (_name, ops) => sameAsTfjs(ops));

  it('gives float32 for the other typed arrays, the dtype tfjs infers for them', () => {
    // tfjs's inferDtype says float32 for these, then refuses them as flat values; rnnlab accepts them.
    for (const C of [Int8Array, Int16Array, Uint16Array, Uint32Array, Float64Array]) {
      const t = rl.tensor(new C([1, 2]));
      expect([t.dtype, Array.from(t.dataSync())]).toEqual(['float32', [1, 2]]);
    }
  });
});

describe('gradients', () => {
  it.each([
    // tfjs's Cast gradient passes dy through whatever the dtype (a straight-through estimator).
    ['through an int32 round trip', (t: any) => t.grad((x: any) => x.mul(x.cast('int32').cast('float32')).sum())(t.tensor([1.5, -2.5]))],
    ['of an int32 cast alone', (t: any) => t.grad((x: any) => x.cast('int32').sum())(t.tensor([1.5, 2.7]))],
    ['of a squared int32 cast', (t: any) => t.grad((x: any) => x.cast('int32').square().sum())(t.tensor([1.5, -2.5]))],
    ['through a bool cast', (t: any) => t.grad((x: any) => x.cast('bool').cast('float32').mul(x).sum())(t.tensor([0, 2]))],
    ['through toInt and toBool', (t: any) => [t.grad((x: any) => x.toInt().mul(3).sum())(t.tensor([1.2])), t.grad((x: any) => x.toBool().toFloat().mul(x).sum())(t.tensor([0, 2]))]],
    ['through rl.cast', (t: any) => t.grads((a: any, b: any) => t.cast(a, 'int32').mul(b).sum())([t.tensor([1.5, 2]), t.tensor([3, 4])])],
    // int32 and bool inputs: f computes in their dtype, the gradients are float32.
    ['of an int32 input', (t: any) => t.grad((x: any) => x.square().sum())(t.tensor([1, 2], null, 'int32'))],
    ['of an int32 input through int32 division', (t: any) => t.grad((x: any) => x.div(t.tensor([2, 2], null, 'int32')).sum())(t.tensor([1, 3], null, 'int32'))],
    ['of an int32 input through matMul and relu', (t: any) => t.grad((x: any) => x.matMul(x).relu().sum())(t.tensor([[1, -2], [3, 4]], null, 'int32'))],
    ['of int32 and float32 inputs together', (t: any) => t.grads((a: any, b: any) => a.mul(b).sum())([t.tensor([1, 2], null, 'int32'), t.tensor([3, 4])])],
    ['of a bool input', (t: any) => t.grad((x: any) => x.sum())(t.tensor([true, false]))],
    ['of relu at NaN', (t: any) => t.grad((x: any) => x.relu().sum())(t.tensor([NaN, 1, -1, 0]))],
  ])('%s', (_name, ops) => sameAsTfjs(ops));

  it('keeps the value dtype of f in valueAndGrad', () => {
    sameAsTfjs((t: any) => { const r = t.valueAndGrad((x: any) => x.square().sum())(t.tensor([1, 2], null, 'int32')); return [r.value, r.grad]; });
    sameAsTfjs((t: any) => { const r = t.valueAndGrad((x: any) => x.mul(2.7).toInt().sum())(t.tensor([1.5, 2])); return [r.value, r.grad]; });
  });

  it('checks f and args as tfjs does, with messages naming them', () => {
    bothThrow((t: any) => t.grad(5), /The f passed in grad\(f\) must be a function, got number/);
    bothThrow((t: any) => t.grads('f'), /The f passed in grads\(f\) must be a function, got string/);
    bothThrow((t: any) => t.valueAndGrad(null), /The f passed in valueAndGrad\(f\) must be a function, got null/);
    bothThrow((t: any) => t.valueAndGrads({}), /The f passed in valueAndGrads\(f\) must be a function, got object/);
    bothThrow((t: any) => t.grads((a: any) => a.sum())(t.tensor([1])), /args passed in grads\(f\)\(args\) must be an array .* got a Tensor/);
    bothThrow((t: any) => t.grads((a: any) => a.sum())(3), /args passed in grads\(f\)\(args\) must be an array .* got number/);
    bothThrow((t: any) => t.valueAndGrads((a: any) => a.sum())(t.tensor([1])), /args passed in valueAndGrads\(f\)\(args\) must be an array .* got a Tensor/);
  });
});

describe('erf at zero', () => {
  it('is exactly 0 at 0 and odd elsewhere, as tfjs', () => {
    sameAsTfjs((t: any) => t.erf([0, -0, 1e-10, -1e-10, 0.5, -0.5, 3, -3, NaN]));
    // The sign of zero: 1 / erf(±0) is ±Infinity in tfjs.
    sameAsTfjs((t: any) => t.div(1, t.erf([0, -0])));
    const ours = Array.from(rl.erf([0.3, 1.7, 2e-3]).dataSync()), neg = Array.from(rl.erf([-0.3, -1.7, -2e-3]).dataSync());
    expect(neg).toEqual(ours.map((v) => -v));
  });
});

describe('non-integer arguments', () => {
  it('say the argument must be an integer', () => {
    expect(() => rl.reshape(rl.ones([4]), [2.5, 1.6])).toThrow(/reshape: shape must hold integers \(and at most one -1\), found 2.5 at dim 0/);
    expect(() => rl.oneHot(rl.tensor1d([1], 'int32'), 2.5)).toThrow(/oneHot: depth must be an integer, got 2.5/);
    expect(() => rl.cumsum(rl.tensor([1, 2]), 0.5)).toThrow(/cumsum: axis must be an integer, got 0.5/);
    expect(() => rl.expandDims(rl.tensor([1, 2]), 0.5)).toThrow(/expandDims: axis must be an integer, got 0.5/);
    expect(() => rl.linspace(0, 1, 2.5)).toThrow(/linspace: num must be an integer, got 2.5/);
    expect(() => rl.expandDims(rl.tensor([1, 2]), '1' as never)).toThrow(/expandDims: axis must be an integer, got the string "1"/);
  });

  it('keep the range messages for integers', () => {
    bothThrow((t: any) => t.oneHot(t.tensor1d([0], 'int32'), 1), /depth must be >=2, but it is 1/);
    bothThrow((t: any) => t.linspace(0, 1, 0), /number of values should be positive/);
    bothThrow((t: any) => t.reshape(t.ones([4]), [-2, -2]), /Shapes can not be < 0. Found -2 at dim 0/);
    expect(() => rl.cumsum(rl.tensor([1, 2]), 1)).toThrow(/axis 1 is out of range \[-1, 1\)/);
  });
});

describe('numeric strings', () => {
  it.each([
    ['float32', (t: any) => t.tensor(['1', '2.5', 'abc', ''], null, 'float32')],
    ['int32', (t: any) => t.tensor(['1', '2.5', '-3.7'], null, 'int32')],
    ['bool', (t: any) => t.tensor(['1', '0', 'true'], null, 'bool')],
    ['nested and mixed', (t: any) => [t.tensor([['1', '2.5']], null, 'float32'), t.tensor2d([['1', 2]], null, 'float32'), t.tensor([1, '2.5'], null, 'float32')]],
  ])('are read as numbers under an explicit %s dtype', (_name, ops) => sameAsTfjs(ops));

  it('are refused without a dtype (tfjs would make a string tensor) and as op arguments', () => {
    expect(tf.tensor(['1', '2.5']).dtype).toBe('string');
    expect(() => rl.tensor(['1', '2.5'] as never)).toThrow(/found string '1' \(string tensors are not supported; rl.tensor reads numeric strings when given a dtype\)/);
    bothThrow((t: any) => t.add(['1'], 1), /must be numeric tensor, but got string tensor/);
  });
});
