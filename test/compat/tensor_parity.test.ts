// Second pass of tensor-op parity with tfjs 4.22: ops tfjs exports that rnnlab lacked (gatherND, scatterND, ...),
// value differences found by fuzzing (logSumExp of int32 / of nothing, norm of a scalar) and gradients that
// differed from tfjs's registry (abs at 0, relu6 at 6) or were missing (prod, mod, floorDiv, norm).
import { describe, expect, it } from 'vitest';
import { rl, sameAsTfjs, tf } from './tensor_helpers.js';

const X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
const I = (t: any, v: unknown, s?: number[]) => t.tensor(v, s, 'int32');

describe('ops tfjs exports that rnnlab lacked', () => {
  it.each([
    ['gatherND of elements, rows and a batch of index rows', (t: any) => [t.gatherND(t.tensor(X), I(t, [[0, 1], [2, 2]])),
      t.gatherND(t.tensor(X), I(t, [[2], [0]])), t.gatherND(t.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), I(t, [[[0, 1]], [[1, 0]]])),
      t.gatherND(I(t, [1, 2, 3, 4]), I(t, [[3], [0]]))]],
    ['scatterND adds repeated rows; tensorScatterUpdate replaces', (t: any) => [t.scatterND(I(t, [[1], [3], [1]]), t.tensor([9, 10, 11]), [5]),
      t.scatterND(I(t, [[0], [2]]), t.tensor([[1, 2], [3, 4]]), [3, 2]), t.scatterND(I(t, [[0, 1]]), I(t, [7]), [2, 2]),
      t.tensorScatterUpdate(t.tensor(X), I(t, [[0, 0], [2, 1]]), t.tensor([-1, -2]))]],
    ['unsortedSegmentSum (float32 result, ids out of range dropped)', (t: any) => [
      t.unsortedSegmentSum(t.tensor([[1, 2], [3, 4], [5, 6]]), I(t, [1, 0, 1]), 3),
      t.unsortedSegmentSum(I(t, [1, 2, 3, 4]), I(t, [0, 0, 2, 1]), 3), t.unsortedSegmentSum(t.tensor([1, 2, 3]), I(t, [0, 5, 1]), 2)]],
    ['mirrorPad reflect and symmetric', (t: any) => [t.mirrorPad(t.tensor(X), [[1, 2], [2, 1]], 'reflect'),
      t.mirrorPad(t.tensor(X), [[3, 0], [1, 3]], 'symmetric'), t.mirrorPad(t.tensor([1, 2, 3, 4]), [[3, 3]], 'reflect'),
      t.mirrorPad(I(t, [[1, 2], [3, 4]]), [[1, 1], [0, 1]], 'symmetric')]],
    ['diag and meshgrid', (t: any) => [t.diag(t.tensor([1, 2, 3])), t.diag(t.tensor([[1, 2], [3, 4]])), t.diag(I(t, [4, 5])),
      ...t.meshgrid(t.tensor([1, 2, 3]), t.tensor([4, 5])), ...t.meshgrid(t.tensor([1, 2, 3]), t.tensor([4, 5]), { indexing: 'ij' }),
      ...t.meshgrid(t.tensor([1, 2]))]],
    ['unique along an axis, in first-seen order', (t: any) => [t.unique(t.tensor([1, 1, 2, 4, 4, 4, 7, 8, 8])), t.unique(I(t, [3, 1, 3, 2])),
      t.unique(t.tensor([[1, 0, 1], [1, 0, 1], [2, 0, 2]]), 1), t.unique(t.tensor([[1, 0, 1], [1, 0, 1]]), -1)]],
    ['searchSorted, lowerBound, upperBound (tfjs gives a 1-D search as one row)', (t: any) => [
      t.searchSorted(t.tensor([0, 3, 9, 10, 10]), t.tensor([0, 4, 10])), t.searchSorted(t.tensor([0, 3, 9, 10, 10]), t.tensor([0, 4, 10]), 'right'),
      t.searchSorted(t.tensor([[0, 3, 9], [1, 2, 3]]), t.tensor([[4, 10], [2, 0]])),
      t.lowerBound(t.tensor([1, 2, 2, 3]), t.tensor([2, 5, 0])), t.upperBound(t.tensor([1, 2, 2, 3]), t.tensor([2, 5, 0]))]],
    ['bincount and denseBincount (counts, weights, binaryOutput)', (t: any) => [t.bincount(I(t, [1, 1, 2, 5]), t.tensor([]), 4),
      t.bincount(I(t, [1, 1, 2, 3]), t.tensor([0.5, 1, 2, 3]), 5), t.bincount(I(t, [1, 1, 2, 3]), I(t, [2, 1, 2, 3]), 5),
      t.denseBincount(I(t, [[1, 1, 2], [0, 3, 3]]), t.tensor([]), 4, true),
      t.denseBincount(I(t, [[1, 1, 2], [0, 3, 3]]), t.tensor([[1, 2, 3], [4, 5, 6]]), 3)]],
    ['prelu (alpha broadcast), ensureShape, broadcastArgs', (t: any) => [t.prelu(t.tensor([[-2, 0, 3], [-1, 4, -0.5]]), t.tensor([0.1, 0.2, 0.3])),
      t.prelu(I(t, [-2, 0, 3]), t.scalar(0.25)), t.ensureShape(t.zeros([2, 3]), [2, null]), t.broadcastArgs(I(t, [2, 1, 3]), I(t, [4, 1]))]],
    ['the chained forms tfjs has: prelu, euclideanNorm, unique, mirrorPad, unsortedSegmentSum', (t: any) => [t.tensor([-2, 0, 3]).prelu(t.scalar(0.5)),
      t.tensor([[3, 4], [6, 8]]).euclideanNorm(1), t.tensor([1, 2, 1]).unique(), t.tensor([1, 2, 3]).mirrorPad([[1, 2]], 'symmetric'),
      t.tensor([1, 2, 3]).unsortedSegmentSum(I(t, [0, 1, 0]), 2)]],
    ['batchNorm with and without offset/scale, scalar statistics, batchNorm4d', (t: any) => {
      const x = t.tensor([[1, 2], [3, 4]]), m = t.tensor([1, 2]), v = t.tensor([0.5, 2]);
      return [t.batchNorm(x, m, v, t.tensor([0.1, 0.2]), t.tensor([2, 3])), t.batchNorm(x, t.scalar(1), t.scalar(4)),
        t.batchNorm(x, m, v, undefined, undefined, 0.1), t.batchNorm4d(t.ones([1, 1, 2, 2]), m, v), t.batchNorm2d(x, m, v, t.tensor([0.5, -0.5]))];
    }],
    ['einsum: matMul, batched, dot, outer, transpose, total, row-wise, int32', (t: any) => {
      const A = t.tensor([[1, 2], [3, 4]]), B = t.tensor([[5, 6], [7, 8]]);
      return [t.einsum('ij,jk->ik', A, B), t.einsum('ij,jk->ki', A, B), t.einsum('ij,ij->i', A, B), t.einsum('i,i->', t.tensor([1, 2, 3]), t.tensor([4, 5, 6])),
        t.einsum('i,j->ij', t.tensor([1, 2]), t.tensor([3, 4, 5])), t.einsum('ij->ji', t.tensor([[1, 2, 3], [4, 5, 6]])), t.einsum('ij->', A),
        t.einsum('bij,bjk->bik', t.tensor([[[1, 2]], [[3, 4]]]), t.tensor([[[1], [2]], [[3], [4]]])), t.einsum('i->', t.zeros([0])),
        t.einsum('ij,jk->ik', I(t, [[1, 2], [3, 4]]), I(t, [[5, 6], [7, 8]]))];
    }],
  ])('%s', (_name, ops) => sameAsTfjs(ops as never));

  it('the async ones (whereAsync, booleanMaskAsync, setdiff1dAsync) resolve to tfjs\'s tensors', async () => {
    const run = async (t: any) => [await t.whereAsync(t.tensor([[true, false], [false, true]])), await t.whereAsync(t.scalar(true)),
      await t.whereAsync(t.tensor([false, false])), await t.booleanMaskAsync(t.tensor(X), t.tensor([true, false, true])),
      await t.booleanMaskAsync(t.tensor(X), t.tensor([true, false, true]), 1),
      await t.booleanMaskAsync(t.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), t.tensor([[true, false], [true, true]])),
      ...(await t.setdiff1dAsync(t.tensor([1, 2, 3, 4, 5, 6]), t.tensor([1, 3, 5]))), ...(await t.setdiff1dAsync(I(t, [4, 1, 4, 7]), I(t, [1]))),
      ...await Promise.all([1, 2, 3].map((k) => t.inTopKAsync(t.tensor([[1, 5, 5, 2], [4, 3, 2, 1]]), I(t, [2, 1]), k))),
      // A target outside [0, width) is false, never the entry it would reach in the next row.
      await t.inTopKAsync(t.tensor([[0.1, 0.9, 0], [0.8, 0.1, 0.5]]), I(t, [3, -1]), 2),
      await t.inTopKAsync(t.tensor([[0.1, 0.9, 0], [0.8, 0.1, 0.5]]), I(t, [-3, 5]), 3)];
    const ours = await run(rl), theirs = await run(tf);
    sameAsTfjs((lib: any) => (lib === rl ? ours : theirs) as never);
  });

  it('bad arguments are errors naming the op and the problem', async () => {
    expect(() => rl.gatherND(rl.tensor(X), I(rl, [[3, 0]]))).toThrow(/^gatherND: index \[3, 0\] is out of bounds for shape \[3, 3\]/);
    expect(() => rl.gatherND(rl.tensor([1, 2]), I(rl, [[0, 0]]))).toThrow(/^gatherND: index depth 2/);
    expect(() => rl.scatterND(I(rl, [[0], [2]]), rl.tensor([[1, 2]]), [3, 2])).toThrow(/^scatterND: updates have shape \[1, 2\] but .* need \[2, 2\]/);
    expect(() => rl.mirrorPad(rl.tensor([1, 2, 3]), [[3, 0]], 'reflect')).toThrow(/^mirrorPad: padding \[3, 0\] of axis 0 .* \[0, 2\]/);
    expect(() => rl.mirrorPad(rl.tensor([1, 2, 3]), [[1, 0]], 'wrap' as never)).toThrow(/^mirrorPad: mode must be/);
    expect(() => rl.unsortedSegmentSum(rl.tensor([1, 2]), I(rl, [0]), 2)).toThrow(/^unsortedSegmentSum: segmentIds must be 1-D/);
    expect(() => rl.searchSorted(rl.tensor([1, 2]), rl.tensor([1]), 'middle' as never)).toThrow(/^searchSorted: side must be/);
    expect(() => rl.bincount(I(rl, [1, -1]), rl.tensor([]), 3)).toThrow(/^bincount: input values must be non-negative, got -1/);
    expect(() => rl.unique(rl.scalar(1))).toThrow(/^unique: x must be at least rank 1/);
    expect(() => rl.meshgrid(rl.tensor([1]), rl.tensor([2]), { indexing: 'yx' })).toThrow(/^meshgrid: indexing must be/);
    await expect(rl.booleanMaskAsync(rl.tensor(X), rl.tensor([true, false]))).rejects.toThrow(/^booleanMaskAsync: mask's shape \[2\] must match/);
    await expect(rl.booleanMaskAsync(rl.tensor(X), rl.scalar(true))).rejects.toThrow(/mask cannot be scalar/);
    await expect(rl.setdiff1dAsync(rl.tensor([1]), I(rl, [1]))).rejects.toThrow(/^setdiff1dAsync: x and y should have the same dtype/);
    await expect(rl.inTopKAsync(rl.tensor([[1, 5]]), I(rl, [0, 1]))).rejects.toThrow(/^inTopKAsync: targets \[2\] must have the leading dimensions/);
    expect(() => rl.ensureShape(rl.zeros([2, 3]), [3, null])).toThrow(/^ensureShape: the shape of the tensor \[2, 3\] does not match the expected shape \[3, null\]/);
    expect(() => rl.ensureShape(rl.zeros([2, 3]), [2])).toThrow(/^ensureShape: /);
    expect(() => rl.einsum('ij,jk', rl.ones([2, 2]), rl.ones([2, 2]))).toThrow(/^einsum: equation 'ij,jk' needs an explicit output/);
    expect(() => rl.einsum('ii->i', rl.ones([2, 2]))).toThrow(/^einsum: a repeated index within one term \('ii'\)/);
    expect(() => rl.einsum('ij,jk->ik', rl.ones([2, 2]), rl.ones([1, 3]))).toThrow(/^einsum: index 'j' has size 2 and 1/);
    expect(() => rl.einsum('ij,jk->ik', rl.ones([2, 2]))).toThrow(/^einsum: equation 'ij,jk->ik' has 2 input term\(s\) but 1 tensor/);
    expect(() => rl.einsum('...i->i', rl.ones([2, 2]))).toThrow(/^einsum: ellipses/);
    expect(() => rl.einsum('ij->j->i', rl.ones([2, 2]))).toThrow(/^einsum: equation 'ij->j->i' must have exactly one '->', got 2/);
    expect(() => rl.einsum('ij->j1', rl.ones([2, 2]))).toThrow(/^einsum: output term 'j1' of equation 'ij->j1' must be letters only/);
    expect(() => rl.batchNorm(rl.ones([2, 2]), rl.ones([3]), rl.ones([3]))).toThrow(/^batchNorm: Operands could not be broadcast/);
    expect(() => rl.batchNorm(rl.ones([2, 2]), rl.ones([2]), rl.scalar(1))).toThrow(/mean and variance to have equal ranks/);
    expect(() => rl.batchNorm2d(rl.ones([2]), rl.ones([2]), rl.ones([2]))).toThrow(/^batchNorm2d: x must be rank 2, got rank 1/);
    expect(() => rl.broadcastArgs(I(rl, [2, 3]), I(rl, [4]))).toThrow(/^broadcastArgs: Operands could not be broadcast/);
  });
});

describe('values that differed from tfjs', () => {
  it('logSumExp takes int32 (float32 result), as tfjs', () => {
    sameAsTfjs((t: any) => [t.logSumExp(I(t, [1, 2])), t.logSumExp(I(t, [[1, 2], [3, 4]]), 1, true), t.logSumExp(t.zeros([2, 0]), 1)]);
    expect(rl.logSumExp(I(rl, [0, 0])).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
  });

  it('the norm of a scalar is its absolute value for every ord, dtype kept', () => {
    sameAsTfjs((t: any) => [t.norm(t.scalar(-3), 'fro'), t.norm(t.scalar(-3), 3), t.norm(t.scalar(-3)), t.norm(I(t, -4, []), 2)]);
  });
});

describe('dropout (rnnlab\'s random stream, tfjs\'s rules)', () => {
  it('keeps entries scaled by 1 / (1 - rate) or zeroes them; a seed repeats; noiseShape shares a draw; the gradient uses the same mask', () => {
    const x = rl.fill([40, 50], 3);
    const before = rl.memory().numTensors;
    const y = rl.dropout(x, 0.25, undefined, 7);
    expect(rl.memory().numTensors).toBe(before + 1); // the mask is no counted tensor
    const v = Array.from(y.dataSync());
    expect(new Set(v)).toEqual(new Set([0, 4]));
    expect(v.filter((a) => a === 0).length / v.length).toBeGreaterThan(0.2);
    expect(v.filter((a) => a === 0).length / v.length).toBeLessThan(0.3);
    expect(Array.from(rl.dropout(x, 0.25, undefined, 7).dataSync())).toEqual(v);
    const rows = rl.dropout(x, 0.5, [null, 1], 3).arraySync() as number[][];
    rows.forEach((r) => expect(new Set(r).size).toBe(1));
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([0, 6]));
    const g = rl.grad((t: rl.Tensor) => rl.dropout(t, 0.25, undefined, 7))(x);
    expect(Array.from(g.dataSync())).toEqual(v.map((a) => (a === 0 ? 0 : Math.fround(1 / 0.75))));
    expect(Array.from(rl.dropout(rl.tensor([1, 2]), 0).dataSync())).toEqual([1, 2]);
  });

  it('refuses what tfjs refuses, naming dropout', () => {
    expect(() => rl.dropout(rl.ones([2]), 1)).toThrow(/^dropout: rate must be a float in the range \[0, 1\), but got 1/);
    expect(() => rl.dropout(rl.ones([2], 'int32'), 0.5)).toThrow(/^dropout: x has to be a floating point tensor/);
    expect(() => rl.dropout(rl.ones([2, 4]), 0.5, [3, 1])).toThrow(/^dropout: noiseShape \[3,1\] must be 1 or x's size/);
    expect(() => rl.dropout(rl.ones([2, 4]), 0.5, [1])).toThrow(/^dropout: noiseShape \[1\] must have one entry per axis/);
  });
});

describe('deliberate differences (docs/API.md)', () => {
  it('einsum of float32 and int32 upcasts (tfjs truncates to int32); clipByValue(x, v, v) keeps NaN (tfjs gives v)', () => {
    const e = rl.einsum('i,i->i', rl.tensor([1.5, 2]), I(rl, [2, 2]));
    expect([e.dtype, Array.from(e.dataSync())]).toEqual(['float32', [3, 4]]);
    expect(tf.einsum('i,i->i', tf.tensor([1.5, 2]), tf.tensor([2, 2], undefined, 'int32')).dtype).toBe('int32');
    const c = rl.clipByValue(rl.tensor([NaN, 3]), 1, 1).dataSync();
    expect(c[0]).toBeNaN();
    expect(c[1]).toBe(1);
  });
});

describe('errors name the op called, not one it uses inside', () => {
  it('divNoNan broadcast errors and moments axis errors (also while recording)', () => {
    expect(() => rl.divNoNan(rl.tensor([1, 2, 3]), rl.tensor([1, 2]))).toThrow(/^divNoNan: Operands could not be broadcast/);
    expect(() => rl.moments(rl.tensor([1, 2]), 1)).toThrow(/^moments: All values in axis param must be in range \[-1, 1\) but got axis 1/);
    expect(() => rl.grad((x: rl.Tensor) => rl.moments(x, 2).variance)(rl.tensor([1, 2]))).toThrow(/^moments: All values in axis param/);
  });
});

describe('gradients against tf.grad', () => {
  const gradsBoth = (f: (t: any) => (...xs: any[]) => any, inputs: number[][][] | number[][]) => {
    const ours = rl.grads(f(rl))(inputs.map((v) => rl.tensor(v as never)));
    const theirs = tf.grads(f(tf))(inputs.map((v) => tf.tensor(v as never)));
    sameAsTfjs((lib: any) => (lib === rl ? ours : theirs) as never, 1e-5);
  };

  it('abs at 0 is -1 (tfjs\'s step(x, -1)) and relu6 passes at 6, stops at 0', () => {
    gradsBoth((t) => (x) => t.sum(t.mul(t.abs(x), t.tensor([1, 2, 3, 4]))), [[0, -1, 2, -0.5]]);
    gradsBoth((t) => (x) => t.sum(t.mul(t.relu6(x), t.tensor([1, 2, 3, 4]))), [[0, 6, 3, 7]]);
    expect(Array.from(rl.grad((x: rl.Tensor) => x.abs().sum())(rl.tensor([0, 1])).dataSync())).toEqual([-1, 1]);
  });

  const P = [[[1, -2, 0], [3, 0.5, -1]], [[2, 2, -3], [0, 1, 4]]];
  it.each([null, 0, 1, 2, [0, 2], [1, 2], [0, 1, 2]])('prod over %j: the product of the others, exact at zeros', (axis) => {
    for (const keep of [false, true]) gradsBoth((t) => (a) => t.sum(t.mul(t.prod(a, axis, keep), 1.5)), [P] as never);
  });

  it('prod over a negative axis differentiates as over the same axis counted from the front (tfjs 4.22 fails on it)', () => {
    const g = (axis: number) => Array.from(rl.grad((a: rl.Tensor) => rl.sum(rl.prod(a, axis)))(rl.tensor(P)).dataSync(), (v) => v + 0);
    expect(g(-1)).toEqual(g(2));
    expect(g(-1)).toEqual([0, 0, -2, -0.5, -3, 1.5, -6, -6, 4, 4, 0, 0]);
  });

  it('mod and floorDiv take tfjs\'s gradients, summed over broadcast axes', () => {
    gradsBoth((t) => (a, b) => t.mod(a, b), [[[5, -5, 3], [1, 2, 7]], [[3, -2, 4]]] as never);
    gradsBoth((t) => (a, b) => t.floorDiv(a, b), [[[5, -5, 3], [1, 2, 7]], [[3, -2, 4]]] as never);
  });

  it.each([['euclidean', null], [1, 0], [Infinity, -1], [-Infinity, 1], [2, 1], ['fro', [0, 1]], [1, [0, 1]], [Infinity, [0, 1]]])(
    'norm(ord %s, axis %j) differentiates as tfjs', (ord, axis) => {
      gradsBoth((t) => (a) => t.sum(t.mul(t.norm(a, ord, axis, true), 2)), [[[1, -2, 3], [3, 0.5, -1]]] as never);
    });

  it('maximum and minimum with a broadcast input: the gradient summed back, as tfjs gives it for an explicit broadcastTo', () => {
    const A = [[6, 1.49], [-1.15, 6]], B = [-0.66, 6];
    for (const op of ['maximum', 'minimum'] as const) {
      const ours = rl.grads((a: rl.Tensor, b: rl.Tensor) => rl[op](a, b))([rl.tensor(A), rl.tensor(B)]);
      const theirs = tf.grads((a: any, b: any) => tf[op](a, tf.broadcastTo(b, [2, 2])))([tf.tensor(A), tf.tensor(B)]);
      sameAsTfjs((lib: any) => (lib === rl ? ours : theirs) as never);
    }
  });

  it('batchNorm differentiates in x, mean, variance, offset and scale, as tfjs', () => {
    gradsBoth((t) => (x, m, v, o, sc) => t.mul(t.batchNorm(x, m, v, o, sc), t.tensor([[1, 2], [3, 4]])),
      [[[1, 2], [3, 4]], [1, 2], [0.5, 2], [0.1, 0.2], [2, 3]] as never);
  });

  it('prelu differentiates in x and alpha (alpha summed over its broadcast), as tfjs', () => {
    gradsBoth((t) => (x, a) => t.mul(t.prelu(x, a), t.tensor([[1, 2, 3], [4, 5, 6]])), [[[-2, 0, 3], [-1, 4, -0.5]], [[0.1, 0.2, 0.3]]] as never);
  });

  it('unsortedSegmentSum differentiates as tfjs; ids outside [0, numSegments) get 0 (tfjs 4.22 fails on them)', () => {
    gradsBoth((t) => (x) => t.mul(t.unsortedSegmentSum(x, I(t, [1, 0, 1]), 2), t.tensor([[1, 2], [3, 4]])), [[[1, 2], [3, 4], [5, 6]]]);
    const g = rl.grad((x: rl.Tensor) => rl.mul(x.unsortedSegmentSum(I(rl, [1, 5]), 2), rl.tensor([[1, 2], [3, 4]])))(rl.tensor([[1, 2], [3, 4]]));
    expect(Array.from(g.dataSync())).toEqual([3, 4, 0, 0]);
  });

  it('gatherND sends each picked slice its gradient, repeats adding up (tfjs 4.22 has no GatherNd gradient)', () => {
    const g = rl.grad((x: rl.Tensor) => rl.mul(rl.gatherND(x, I(rl, [[0, 1], [0, 1], [1, 0]])), rl.tensor([1, 2, 3])))(rl.tensor([[1, 2], [3, 4]]));
    expect(Array.from(g.dataSync())).toEqual([0, 3, 3, 0]);
    const rows = rl.grad((x: rl.Tensor) => rl.gatherND(x, I(rl, [[1], [1]])))(rl.tensor([[1, 2], [3, 4]]));
    expect(Array.from(rows.dataSync())).toEqual([0, 0, 2, 2]);
  });

  it('the chained forms record too: x.prod(), x.norm(), x.euclideanNorm(), x.mod(), x.floorDiv()', () => {
    gradsBoth((t) => (x) => x.prod().add(x.norm()).add(x.euclideanNorm()).add(x.mod(2).sum()).add(x.floorDiv(3).sum()), [[1, 2, 3]]);
  });
});
