/**
 * The tensor ops against tfjs (CPU backend) on the same inputs: dtype rules, broadcasting, axes, and the
 * errors on bad shapes and dtypes.
 */
import { describe, expect, it } from 'vitest';
import { bothThrow, rl, sameAsTfjs } from './tensor_helpers.js';

const X = [[1, 5, 3], [4, 2, 6]];
const I = (lib: any, v: unknown) => lib.tensor(v, undefined, 'int32');

describe('elementwise ops and broadcasting', () => {
  it.each([
    ['add matrix+column', (t: any) => t.add(t.tensor(X), t.tensor([[1], [2]]))],
    ['sub row broadcast', (t: any) => t.sub(t.tensor(X), t.tensor([1, 2, 3]))],
    ['mul 3d x 2d', (t: any) => t.mul(t.ones([2, 1, 3]), t.tensor([[1, 2, 3], [4, 5, 6]]))],
    ['div float', (t: any) => t.div(t.tensor(X), 4)],
    ['div int32 floors', (t: any) => t.div(I(t, [7, -7, 1]), I(t, [2, 2, 0]))],
    ['int32 + number upcasts', (t: any) => t.add(I(t, [1, 2]), 2)],
    ['pow', (t: any) => t.pow(t.tensor([-8, 4, 2]), t.tensor([2, 0.5, -1]))],
    ['pow int32', (t: any) => t.pow(I(t, [2, 3]), I(t, [3, -1]))],
    ['mod signs', (t: any) => t.mod(t.tensor([7, -7, 5.5, -5.5]), t.tensor([3, 3, -2, -2]))],
    ['mod int32', (t: any) => t.mod(I(t, [7, -7]), I(t, [3, 3]))],
    ['maximum/minimum', (t: any) => [t.maximum(t.tensor(X), 3), t.minimum(t.tensor([true]), t.tensor([false]))]],
    ['comparisons', (t: any) => [t.greater(t.tensor(X), 3), t.greaterEqual(t.tensor(X), 3), t.less(t.tensor(X), 3),
      t.lessEqual(t.tensor(X), 3), t.equal(t.tensor(X), t.tensor([1, 2, 3])), t.notEqual(I(t, [1]), t.tensor([1.5]))]],
    ['logical', (t: any) => [t.logicalAnd(t.tensor([true, true, false]), t.tensor([true, false, false])),
      t.logicalOr(t.tensor([[true], [false]]), t.tensor([false, false])), t.logicalNot(t.tensor([true, false]))]],
    ['unary float', (t: any) => [t.neg(t.tensor(X)), t.abs(t.tensor([-2, 3])), t.exp(t.tensor([0, 1, -1])), t.log(t.tensor([1, 2, -1, 0])),
      t.sqrt(t.tensor([4, 2])), t.square(t.tensor([-3])), t.sigmoid(t.tensor([-2, 0, 3])), t.tanh(t.tensor([-0.5, 0.5])), t.relu(t.tensor([-1, 2]))]],
    ['unary int32', (t: any) => [t.neg(I(t, [2])), t.abs(I(t, [-2])), t.square(I(t, [3])), t.relu(I(t, [-2, 3])), t.exp(I(t, [1]))]],
    ['isNaN', (t: any) => t.isNaN(t.tensor([1, NaN, Infinity]))],
    ['clipByValue', (t: any) => [t.clipByValue(t.tensor(X), 2, 4), t.clipByValue(I(t, [1, 9]), 2.5, 4)]],
    ['where with broadcasting', (t: any) => t.where(t.tensor([true, false]), t.tensor([[1, 2], [3, 4]]), t.tensor([[5, 6], [7, 8]]))],
    ['cast', (t: any) => [t.cast(t.tensor([NaN, 1.7, -1.7]), 'int32'), t.cast(t.tensor([NaN, 0, -1.7]), 'bool'), t.cast(t.tensor([true]), 'float32')]],
  ])('%s', (_name, ops) => sameAsTfjs(ops));

  it('float ops use the same values on the native kernels as on tfjs (sigmoid/tanh/relu to 1e-6)', () => {
    const big = Array.from({ length: 1000 }, (_, i) => (i - 500) / 37);
    sameAsTfjs((t: any) => [t.sigmoid(t.tensor(big)), t.tanh(t.tensor(big)), t.relu(t.tensor(big)), t.add(t.tensor(big), t.tensor(big)), t.mul(t.tensor(big), t.tensor(big))]);
  });

  it('rejects what tfjs rejects', () => {
    bothThrow((t: any) => t.add(t.tensor(X), t.tensor([1, 2])), /could not be broadcast together with shapes 2,3 and 2/);
    bothThrow((t: any) => t.sqrt(I(t, [4])), /'x' passed to 'sqrt' must be float32 tensor, but got int32/);
    bothThrow((t: any) => t.logicalAnd(t.tensor([1]), t.tensor([true])), /'a' passed to 'logicalAnd' must be bool tensor/);
    bothThrow((t: any) => t.where(I(t, [1]), t.tensor([1]), t.tensor([2])), /'condition' passed to 'where' must be bool/);
    bothThrow((t: any) => t.clipByValue(t.tensor([1]), 5, 4), /min \(5\) must be less than or equal to max \(4\)/);
    bothThrow((t: any) => t.add({}, t.tensor([1])), /'a' passed to 'add' must be a Tensor or TensorLike, but got 'Object'/);
    bothThrow((t: any) => t.add(t.tensor([1]), 'a'), /must be numeric tensor, but got string/);
    // tfjs 4.22 upcasts a and b to one dtype (older tfjs threw); values as tfjs gives them.
    const picked = rl.where(rl.tensor([true, false]), rl.tensor([1, 2], undefined, 'int32'), rl.tensor([3.5, 4.5]));
    expect([picked.dtype, [...picked.dataSync()]]).toEqual(['float32', [1, 4.5]]);
    const ints = rl.where(rl.tensor([true, false]), rl.tensor([true, true]), rl.tensor([3, 4], undefined, 'int32'));
    expect([ints.dtype, [...ints.dataSync()]]).toEqual(['int32', [1, 4]]);
    expect(() => rl.cast(rl.tensor([1]), 'float64' as never)).toThrow(/unsupported dtype 'float64'/);
  });
});

describe('reductions', () => {
  it.each([
    ['sum all / axes / keepDims', (t: any) => [t.sum(t.tensor(X)), t.sum(t.tensor(X), -1), t.sum(t.tensor(X), [0, 1], true)]],
    ['sum/prod of bool and int32', (t: any) => [t.sum(t.tensor([true, false, true])), t.sum(I(t, [1, 2])), t.prod(t.tensor([true, false]))]],
    ['mean', (t: any) => [t.mean(t.tensor(X), 0), t.mean(I(t, [[1, 2]]), 1)]],
    ['max/min', (t: any) => [t.max(t.tensor(X), 1, true), t.min(t.tensor(X)), t.max(t.tensor([true, false])), t.max(t.tensor([1, NaN, 3]))]],
    ['prod', (t: any) => t.prod(t.tensor(X), 1)],
    ['3d over middle axis', (t: any) => [t.sum(t.range(0, 24).reshape([2, 3, 4]), 1), t.max(t.range(0, 24).reshape([2, 3, 4]), [0, 2], true)]],
    ['argMax/argMin', (t: any) => [t.argMax(t.tensor(X)), t.argMax(t.tensor(X), -1), t.argMin(t.tensor(X), 1), t.argMax(t.tensor([1, 3, 3])), t.argMax(t.tensor([1, NaN, 3]))]],
    ['softmax/logSoftmax', (t: any) => [t.softmax(t.tensor(X)), t.logSoftmax(t.tensor(X)), t.softmax(t.tensor([1000, 0, -1000]))]],
    ['topk', (t: any) => t.topk(t.tensor([[1, 3, 3, 2], [4, 0, 9, 9]]), 3)],
    ['norm', (t: any) => [t.norm(t.tensor(X)), t.norm(t.tensor(X), 1), t.norm(t.tensor(X), Infinity, 1), t.norm(t.tensor(X), -Infinity),
      t.norm(t.tensor(X), 1, [0, 1]), t.norm(t.tensor(X), Infinity, [0, 1]), t.norm(t.tensor(X), 'fro', [0, 1]), t.norm(t.tensor(X), 2, 1, true)]],
    ['empty reductions', (t: any) => t.sum(t.zeros([0, 3]), 0)],
  ])('%s', (_name, ops) => sameAsTfjs(ops, 2e-6));

  it('rejects what tfjs rejects', () => {
    bothThrow((t: any) => t.sum(t.tensor(X), 2), /axis param must be in range \[-2, 2\) but got axis 2/);
    bothThrow((t: any) => t.softmax(t.tensor(X), 0), /non-last dimension.*rank 2 and dim was 0/);
    bothThrow((t: any) => t.softmax(I(t, [1, 2])), /must be float32 tensor/);
    bothThrow((t: any) => t.topk(t.tensor([1, 3]), 3), /must be <= the last dimension \(2\) but got 3/);
    bothThrow((t: any) => t.topk(t.scalar(1)), /rank 1 or higher/);
    bothThrow((t: any) => t.norm(t.tensor(X), 3), /invalid ord value: 3/);
    bothThrow((t: any) => t.norm(t.tensor(X), 2, [0, 1]), /invalid ord value: 2/);
    expect(() => rl.argMax(rl.tensor(X), [0, 1] as never)).toThrow(/single number/);
  });

  it('differs from tfjs where tfjs is inconsistent (documented in docs/API.md)', () => {
    // tfjs reduces everything for a repeated axis (TensorFlow refuses it, as rnnlab does) and gives 0 for the mean of nothing.
    expect(() => rl.sum(rl.tensor(X), [1, 1])).toThrow('sum: axis [1, 1] names axis 1 twice');
    expect(rl.mean(rl.zeros([0])).dataSync()[0]).toBeNaN();
    // tfjs stores 2 in a bool tensor for true + true; here bool tensors hold only 0 and 1.
    expect(rl.add(rl.tensor([true, false]), rl.tensor([true, true])).dataSync()).toEqual(new Int32Array([1, 1]));
  });
});

describe('slicing, joining and shapes', () => {
  it.each([
    ['reshape with -1, flatten, asND', (t: any) => [t.tensor(X).reshape([-1, 2]), t.tensor(X).flatten(), t.tensor(X).as1D(), t.tensor(X).as3D(1, 2, 3), t.tensor(X).as4D(1, 1, 2, 3)]],
    ['squeeze/expandDims', (t: any) => [t.squeeze(t.zeros([1, 2, 1])), t.squeeze(t.zeros([1, 2, 1]), [2]), t.expandDims(t.tensor(X), -1), t.expandDims(t.tensor(X), 1)]],
    ['slice', (t: any) => [t.slice(t.tensor(X), [0, 1], [-1, 2]), t.slice(t.tensor(X), 1), t.slice(t.range(0, 24).reshape([2, 3, 4]), [1, 1, 1], [1, 2, 2])]],
    ['gather', (t: any) => [t.gather(t.tensor(X), [1, 0, 1]), t.gather(t.tensor(X), I(t, [[2, 0]]), 1), t.gather(t.range(0, 24).reshape([2, 3, 4]), I(t, [[0, 2], [1, 1]]), 1, 1)]],
    ['concat', (t: any) => [t.concat([t.tensor(X), t.tensor(X)], 1), t.concat([t.tensor([1]), I(t, [2])]), t.tensor([1, 2]).concat(t.tensor([3]))]],
    ['stack/unstack', (t: any) => [t.stack([t.tensor([1, 2]), t.tensor([3, 4])], 1), ...t.unstack(t.tensor(X), 1), t.tensor([1, 2]).stack(t.tensor([3, 4]))]],
    ['split', (t: any) => [...t.split(t.tensor(X), 3, 1), ...t.split(t.tensor(X), [1, -1], 1)]],
    ['tile/reverse/pad', (t: any) => [t.tile(t.tensor(X), [2, 2]), t.reverse(t.tensor(X)), t.reverse(t.tensor(X), 1), t.reverse(t.range(0, 8).reshape([2, 2, 2]), [0, 2]),
      t.pad(t.tensor(X), [[1, 0], [0, 2]], 9)]],
    ['transpose', (t: any) => [t.transpose(t.tensor(X)), t.transpose(t.range(0, 24).reshape([2, 3, 4]), [2, 0, 1])]],
  ])('%s', (_name, ops) => sameAsTfjs(ops));

  it('rejects what tfjs rejects', () => {
    bothThrow((t: any) => t.tensor(X).reshape([-1, -1]), /only have 1 implicit size/);
    bothThrow((t: any) => t.tensor(X).reshape([4, 2]), /Size\(6\) must match the product of shape 4,2/);
    bothThrow((t: any) => t.tensor(X).reshape([-2, 3]), /can not be < 0. Found -2 at dim 0/);
    bothThrow((t: any) => t.squeeze(t.zeros([1, 2, 1]), [1]), /Can't squeeze axis 1 since its dim '2' is not 1/);
    bothThrow((t: any) => t.expandDims(t.tensor(X), 3), /Axis must be <= rank/);
    bothThrow((t: any) => t.slice(t.tensor(X), [0, 2], [1, 2]), /would overflow input.shape\[1\] \(3\)/);
    bothThrow((t: any) => t.slice(t.tensor(X), [0, 0, 0], [1, 1, 1]), /must match the rank of the array \(2\)/);
    bothThrow((t: any) => t.gather(t.tensor(X), [5]), /index value 5 is not in \[0, 1\]/);
    bothThrow((t: any) => t.gather(t.tensor(X), t.tensor([0])), /'indices' passed to 'gather' must be int32/);
    bothThrow((t: any) => t.concat([t.tensor(X), t.tensor([[1, 2]])], 0), /Shape of tensors\[1\] \(1,2\) does not match/);
    bothThrow((t: any) => t.concat([t.tensor(X), t.tensor([1, 2])], 1), /rank of tensors\[1\] must be the same/);
    bothThrow((t: any) => t.concat([]), /at least one tensor/);
    bothThrow((t: any) => t.stack([t.tensor([1, 2]), t.tensor([3])]), /must have matching shapes/);
    bothThrow((t: any) => t.split(t.tensor(X), 2, 1), /evenly divide/);
    bothThrow((t: any) => t.split(t.tensor(X), [1, 1], 1), /sum of sizes must match/);
    bothThrow((t: any) => t.tile(t.tensor(X), [2]), /rank of input 2 must match length of reps 1/);
    bothThrow((t: any) => t.transpose(t.tensor(X), [0]), /rank of input 2 must match length of perm 1/);
    // tfjs accepts these and returns garbage; rnnlab refuses them.
    expect(() => rl.transpose(rl.tensor(X), [0, 0])).toThrow(/repeats axis 0/);
    expect(() => rl.pad(rl.tensor(X), [[1, 0]] as never)).toThrow(/one \[before, after\] pair per axis \(2\)/);
  });
});

describe('matMul', () => {
  it.each([
    ['2d', (t: any) => t.matMul(t.tensor(X), t.tensor(X), false, true)],
    ['transposeA', (t: any) => t.matMul(t.tensor(X), t.tensor(X), true, false)],
    ['both transposed', (t: any) => t.matMul(t.tensor(X), t.tensor([[1, 2], [3, 4], [5, 6]]), true, true)],
    ['batched', (t: any) => t.matMul(t.range(0, 12).reshape([2, 2, 3]), t.range(0, 12).reshape([2, 3, 2]))],
    ['int32', (t: any) => t.matMul(I(t, [[1, 2]]), I(t, [[1], [2]]))],
    ['mixed upcasts', (t: any) => t.matMul(I(t, [[1, 2]]), t.tensor([[1.5], [2]]))],
    ['larger (the GEMM kernel path)', (t: any) => t.matMul(t.tensor(Array.from({ length: 64 * 48 }, (_, i) => Math.sin(i)), [64, 48]),
      t.tensor(Array.from({ length: 48 * 33 }, (_, i) => Math.cos(i)), [48, 33]))],
  ])('%s', (_name, ops) => sameAsTfjs(ops, 1e-5));

  it('broadcasts batch dimensions (tfjs 4.22 on CPU returns a wrongly sized result here): each block is a 2-D product', () => {
    const a = rl.range(0, 12).reshape([2, 1, 2, 3]), b = rl.range(0, 18).reshape([3, 3, 2]);
    const c = rl.matMul(a, b);
    expect(c.shape).toEqual([2, 3, 2, 2]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
      const block = rl.matMul(rl.slice(a, [i, 0, 0, 0], [1, 1, 2, 3]).reshape([2, 3]), rl.slice(b, [j, 0, 0], [1, 3, 2]).reshape([3, 2]));
      expect(rl.slice(c, [i, j, 0, 0], [1, 1, 2, 2]).reshape([2, 2]).arraySync()).toEqual(block.arraySync());
    }
    expect((c.arraySync() as number[][][][])[0][0]).toEqual([[10, 13], [28, 40]]);
  });

  it('gives the same product when the precision changed after the inputs were made (float64 runs the reference GEMM)', () => {
    const a = rl.tensor([[1.5, 2], [3, 4]]), b = rl.tensor([[1, -1], [0.25, 2]]);
    const at32 = rl.matMul(a, b).arraySync();
    rl.setPrecision(64);
    try {
      const c = rl.matMul(a, b);
      expect(c.dataSync()).toBeInstanceOf(Float64Array);
      expect(c.arraySync()).toEqual(at32);
      expect(rl.softmax(a).sum(1).arraySync()).toEqual([1, 1]);
    } finally {
      rl.setPrecision(32);
    }
  });

  it('rejects what tfjs rejects', () => {
    bothThrow((t: any) => t.matMul(t.tensor(X), t.tensor(X)), /inner shapes \(3\) and \(2\) of Tensors with shapes 2,3 and 2,3/);
    expect(() => rl.matMul(rl.tensor([1, 2]), rl.tensor(X))).toThrow(/rank of at least 2, got ranks 1 and 2/);
    expect(() => rl.matMul(rl.ones([2, 2, 3]), rl.ones([3, 3, 2]))).toThrow(/could not be broadcast together with shapes 2 and 3/);
  });
});
