// Every path from x to y carries its gradient or fails naming the op that has none (tfjs's rule); ops with tfjs's
// zero gradient give zeros; meshgrid and as5D differentiate; float64 precision survives rl.grad and variableGrads.
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff } from '../io/helpers.js';

const X = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]];
const x0 = (): rl.Tensor => rl.tensor2d(X);
const flat = (t: rl.Tensor): number[] => Array.from(t.dataSync());

/** Ops without a gradient in tfjs, each as a term of f(x) = sum(x) + sum(op(x)), with tfjs's kernel name and rnnlab's. */
const cut: [string, string, (x: rl.Tensor) => rl.Tensor][] = [
  ['TopK', 'topk', (x) => rl.topk(x, 2).values],
  ['TopK', 'topk', (x) => x.topk(2).values],
  ['TopK', 'topk', (x) => x.topk(2).indices.toFloat()],
  ['Einsum', 'einsum', (x) => rl.einsum('ij,kj->ik', x, x)],
  ['Diag', 'diag', (x) => rl.diag(rl.reshape(x, [6]))],
  ['ScatterNd', 'scatterND', (x) => rl.scatterND(rl.tensor2d([[0], [1]], null, 'int32'), x, [3, 3])],
  ['TensorScatterUpdate', 'tensorScatterUpdate', (x) => rl.tensorScatterUpdate(x, rl.tensor2d([[0]], null, 'int32'), rl.tensor2d([[9, 9, 9]]))],
  ['SparseToDense', 'sparseToDense', (x) => rl.sparseToDense(rl.tensor1d([0, 2], 'int32'), rl.slice(rl.reshape(x, [6]), 0, 2), [4])],
  ['SparseSegmentSum', 'sparse.sparseSegmentSum', (x) => rl.sparse.sparseSegmentSum(x, rl.tensor1d([0, 1], 'int32'), rl.tensor1d([0, 0], 'int32'))],
  ['Bincount', 'bincount', (x) => rl.bincount(rl.tensor1d([0, 1, 1], 'int32'), rl.slice(rl.reshape(x, [6]), 0, 3), 3)],
  ['MaxPoolWithArgmax', 'maxPoolWithArgmax', (x) => rl.maxPoolWithArgmax(rl.reshape(x, [1, 2, 3, 1]), 2, 1, 'valid').result],
  ['Unique', 'unique', (x) => rl.unique(rl.reshape(x, [6])).values],
  ['Unique', 'unique', (x) => rl.reshape(x, [6]).unique().values],
  ['Greater', 'greater', (x) => x.greater(0).toFloat()],
  ['Less', 'less', (x) => rl.less(x, 0).toFloat()],
  ['Equal', 'equal', (x) => rl.equal(x, 0.5).toFloat()],
  ['LogicalNot', 'logicalNot', (x) => x.toBool().logicalNot().toFloat()],
  ['All', 'all', (x) => x.toBool().all().toFloat()],
];

describe('a gradient path through an op without a gradient', () => {
  it.each(cut.map(([kernel, name, op], i) => [i, kernel, name, op] as const))('case %i: %s throws naming it, even when another path reaches x', (_i, kernel, name, op) => {
    const message = `Cannot compute gradient: gradient function not found for ${kernel} (rl.${name})`;
    const both = (x: rl.Tensor): rl.Tensor => rl.add(rl.sum(x), rl.sum(op(x)));
    expect(() => rl.grad(both)(x0())).toThrow(message);
    expect(() => rl.grad((x) => rl.sum(op(x)))(x0())).toThrow(message);
    expect(() => rl.valueAndGrads((a, b) => rl.mul(both(a), rl.sum(b)))([x0(), rl.tensor1d([1, 2])])).toThrow(message);
  });

  it('an output that does not reach y changes nothing: the gradient is the other terms\', exactly', () => {
    for (const [, , op] of cut) {
      const g = rl.grad((x) => { op(x); return rl.sum(rl.square(x)); })(x0());
      expect(flat(g)).toEqual(X.flat().map((v) => Math.fround(2 * Math.fround(v))));
    }
  });

  it('where\'s condition and gather\'s indices take no gradient, so a mask or indices made from x differentiate (tfjs throws)', () => {
    const x = rl.tensor1d([3, -1, 2]);
    expect(flat(rl.grad((v) => rl.sum(rl.where(rl.greater(v, 0), rl.square(v), rl.zerosLike(v))))(x))).toEqual([6, 0, 4]);
    expect(flat(rl.grad((v) => rl.sum(rl.gather(v, rl.topk(v, 2).indices)))(x))).toEqual([1, 0, 1]);
  });

  it('outside a tape, or on one where no input needs a gradient, the ops leave their outputs unrecorded', () => {
    const plain = rl.topk(rl.tensor1d([1, 3, 2]), 2);
    expect(plain.values.requiresGrad).toBe(false);
    const { value } = rl.withTape(() => rl.einsum('i,i->', rl.tensor1d([1, 2]), rl.tensor1d([3, 4])));
    expect(value.requiresGrad).toBe(false);
    expect(flat(value)).toEqual([11]);
  });
});

describe('variables behind an op without a gradient', () => {
  it('variableGrads and minimize throw naming it, even with the variable listed, and leave no partial gradient', () => {
    const v = rl.variable(rl.tensor2d([[1, 2], [3, 4]]));
    const w = rl.variable(rl.tensor2d([[0.5, -1], [2, 1]]));
    const x = rl.tensor2d([[1, 0], [2, 1]]);
    const loss = (): rl.Tensor => rl.sum(rl.mul(rl.einsum('ij,jk->ik', x, v), w));
    expect(() => rl.variableGrads(loss, [v, w])).toThrow('gradient function not found for Einsum (rl.einsum)');
    expect(() => rl.variableGrads(loss)).toThrow('gradient function not found for Einsum');
    expect(v.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(() => rl.train.sgd(0.1).minimize(loss, false, [v, w])).toThrow('gradient function not found for Einsum');
    expect(flat(v)).toEqual([1, 2, 3, 4]);
    expect(flat(w)).toEqual([0.5, -1, 2, 1]);
    // Without the einsum the same variables differentiate: d sum((x v) * w) / dw = x v.
    const { grads } = rl.variableGrads(() => rl.sum(rl.mul(rl.matMul(x, v), w)), [v, w]);
    expect(flat(grads[w.name])).toEqual([1, 2, 5, 8]);
    // d/dv = xᵀ w.
    expect(flat(grads[v.name])).toEqual([1 * 0.5 + 2 * 2, 1 * -1 + 2 * 1, 2, 1]);
    rl.dispose([v, w]);
  });
});

describe('ops with tfjs\'s zero gradient', () => {
  const zeroOps: [string, (x: rl.Tensor) => rl.Tensor][] = [
    ['argMax', (x) => rl.argMax(x, 1).toFloat()],
    ['argMin method', (x) => x.argMin().toFloat()],
    ['greaterEqual', (x) => rl.greaterEqual(x, 0).toFloat()],
    ['greaterEqual method', (x) => x.greaterEqual(rl.tensor1d([0, 0, 1])).toFloat()],
    ['isNaN', (x) => rl.isNaN(x).toFloat()],
    ['isFinite method', (x) => x.isFinite().toFloat()],
    ['isInf', (x) => rl.isInf(x).toFloat()],
    ['oneHot', (x) => rl.oneHot(x.toInt().reshape([6]), 3).toFloat()],
    ['confusionMatrix', (x) => rl.math.confusionMatrix(rl.abs(x).reshape([6]), rl.tensor1d([0, 1, 2, 0, 1, 2]), 3).toFloat()],
  ];
  it.each(zeroOps)('%s: zeros alone, and the other terms\' gradient beside them', (_name, op) => {
    // + 0: abs's gradient -1 times a zero is -0 (confusionMatrix's labels).
    expect(flat(rl.grad((x) => rl.sum(op(x)))(x0())).map((v) => v + 0)).toEqual([0, 0, 0, 0, 0, 0]);
    const g = rl.grad((x) => rl.add(rl.sum(rl.mul(x, 3)), rl.sum(op(x))))(x0());
    expect(flat(g)).toEqual([3, 3, 3, 3, 3, 3]);
  });
});

describe('meshgrid differentiates', () => {
  afterEach(() => rl.setPrecision(32));
  /** f's gradient by float64 central differences. */
  function numeric(f: (a: rl.Tensor, b: rl.Tensor) => rl.Tensor, a: number[], b: number[]): number[][] {
    const h = 1e-6, at = (u: number[], v: number[]): number => f(rl.tensor1d(u), rl.tensor1d(v)).dataSync()[0];
    const d = (which: 0 | 1) => (which === 0 ? a : b).map((_, i) => {
      const shift = (s: number): number => { const u = [...a], v = [...b]; (which === 0 ? u : v)[i] += s; return at(u, v); };
      return (shift(h) - shift(-h)) / (2 * h);
    });
    return [d(0), d(1)];
  }
  it.each(['xy', 'ij'])('indexing %s: each grid\'s gradient sums back into the entry it repeats', (indexing) => {
    rl.setPrecision(64);
    const w0 = rl.tensor(indexing === 'xy' ? [[1, 2, 3], [4, 5, 6]] : [[1, 2], [3, 4], [5, 6]]);
    const w1 = rl.tensor(indexing === 'xy' ? [[-1, 0.5, 2], [3, 1, -2]] : [[-1, 0.5], [2, 3], [1, -2]]);
    const f = (a: rl.Tensor, b: rl.Tensor): rl.Tensor => {
      const [g0, g1] = rl.meshgrid(a, b, { indexing });
      return rl.add(rl.sum(rl.mul(rl.square(g0), w0)), rl.sum(rl.mul(g1, w1)));
    };
    const a = [0.5, -1.5, 2], b = [3, -0.25];
    const got = rl.grads(f)([rl.tensor1d(a), rl.tensor1d(b)]).map(flat);
    const want = numeric(f, a, b);
    expect(maxAbsDiff(got[0], want[0])).toBeLessThan(1e-8);
    expect(maxAbsDiff(got[1], want[1])).toBeLessThan(1e-8);
    // By hand for 'xy' (grids [b.size, a.size]): d/da_j = sum_i 2 a_j w0[i][j], d/db_i = sum_j w1[i][j].
    if (indexing === 'xy') expect(got).toEqual([[5 * 2 * 0.5, 7 * 2 * -1.5, 9 * 2 * 2], [1.5, 2]]);
  });
  it('recorded, its values are the plain op\'s; its arguments\' errors are the plain op\'s', () => {
    const a = rl.tensor1d([1, 2]), b = rl.tensor1d([3, 4, 5]);
    const { value, grads } = rl.valueAndGrads((u, v) => rl.mul(...(rl.meshgrid(u, v, { indexing: 'ij' }) as [rl.Tensor, rl.Tensor])))([a, b]);
    const [p, q] = rl.meshgrid(a, b, { indexing: 'ij' });
    expect(p.arraySync()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(q.arraySync()).toEqual([[3, 4, 5], [3, 4, 5]]);
    expect(value.arraySync()).toEqual([[3, 4, 5], [6, 8, 10]]);
    // d sum(a_i b_j) / d a_i = sum(b), / d b_j = sum(a).
    expect(grads.map(flat)).toEqual([[12, 12], [3, 3, 3]]);
    expect(() => rl.grad((a) => rl.meshgrid(a, a, { indexing: 'yx' })[0])(rl.tensor1d([1]))).toThrow("meshgrid: indexing must be 'xy' or 'ij', got \"yx\"");
  });
});

describe('gradients under rl.setPrecision(64)', () => {
  afterEach(() => rl.setPrecision(32));
  it('grad, valueAndGrad and variableGrads keep float64: the gradient of sum(sin(x)) is cos(x) to 1e-15', () => {
    rl.setPrecision(64);
    const xs = [1, 2, -0.3];
    const g = rl.grad((x) => rl.sum(rl.sin(x)))(rl.tensor1d(xs));
    expect(g.dataSync()).toBeInstanceOf(Float64Array);
    expect(maxAbsDiff(g.dataSync(), xs.map(Math.cos))).toBeLessThan(1e-15);
    const { value } = rl.valueAndGrad((x) => rl.sum(rl.sin(x)))(rl.tensor1d(xs));
    expect(value.dataSync()[0]).toBe(rl.sum(rl.sin(rl.tensor1d(xs))).dataSync()[0]);
    const v = rl.variable(rl.tensor1d(xs));
    const r = rl.variableGrads(() => rl.sum(rl.sin(v)), [v]);
    expect(r.value.dataSync()).toBeInstanceOf(Float64Array);
    expect(Math.abs(r.value.dataSync()[0] - xs.reduce((s, u) => s + Math.sin(u), 0))).toBeLessThan(1e-15);
    expect(maxAbsDiff(r.grads[v.name].dataSync(), xs.map(Math.cos))).toBeLessThan(1e-15);
    v.dispose();
  });
  it('under float32 the results stay Float32Array', () => {
    expect(rl.grad((x) => rl.sum(rl.sin(x)))(rl.tensor1d([1])).dataSync()).toBeInstanceOf(Float32Array);
  });
});

describe('x.as5D records', () => {
  it('differentiates as a reshape, alone and beside another path; a size mismatch is an error', () => {
    const x = rl.tensor2d([[1, 2], [3, 4]]);
    expect(rl.grad((a) => rl.sum(rl.mul(a.as5D(1, 1, 1, 2, 2), 3)))(x).arraySync()).toEqual([[3, 3], [3, 3]]);
    expect(rl.grad((a) => rl.add(rl.sum(a), rl.sum(rl.mul(a.as5D(1, 1, 1, 2, 2), 3))))(x).arraySync()).toEqual([[4, 4], [4, 4]]);
    expect(() => rl.grad((a) => rl.sum(a.as5D(1, 1, 1, 2, 3)))(x)).toThrow('as5D: cannot view a tensor of 4 values as [1, 1, 1, 2, 3]');
  });
});

describe('fit whose backward reaches an op without a gradient', () => {
  it('throws naming the op and leaves no partial gradient on any weight: the next step equals a fresh model\'s', async () => {
    let hard = true;
    // A custom layer whose mask is made with rl.greater: the gradient reaches Greater through the cast (tfjs throws too).
    class HardMask extends rl.layers.Layer {
      static className = 'GradientPathsHardMask';
      call(x: rl.Tensor | rl.Tensor[]): rl.Tensor {
        const t = Array.isArray(x) ? x[0] : x;
        return hard ? rl.mul(t, rl.cast(rl.greater(t, 0), 'float32')) : rl.relu(t);
      }
    }
    const c = (value: number) => rl.initializers.constant({ value });
    const make = () => {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: c(0.5), biasInitializer: c(0.1) }), new HardMask({}),
        rl.layers.dense({ units: 1, kernelInitializer: c(0.3), biasInitializer: c(0.2) })] });
      m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
      return m;
    };
    const x = rl.tensor2d([[1, 2], [3, -4]]), y = rl.tensor2d([[1], [0]]);
    const m = make();
    await expect(m.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 })).rejects.toThrow('Cannot compute gradient: gradient function not found for Greater (rl.greater)');
    expect(m.trainableWeights.filter((w) => (w as unknown as { grad: unknown }).grad)).toEqual([]);
    hard = false;
    await m.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const fresh = make();
    await fresh.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(flat(m.layers[2].getWeights()[1])).toEqual(flat(fresh.layers[2].getWeights()[1]));
  });
});
