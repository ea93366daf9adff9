/** Forward semantics and API surface of the tensor ops, probed against tfjs 4.22. */
import { describe, expect, it } from 'vitest';
import { bothThrow, rl, sameAsTfjs, tf } from './tensor_helpers.js';

const int = (L: any, v: unknown, shape?: number[]) => L.tensor(v, shape, 'int32');

describe('elementwise dtype and value rules', () => {
  it('maximum/minimum treat -0 as below 0 and let NaN win, as Math.max/min and tfjs', () => {
    sameAsTfjs((L) => L.minimum(L.tensor([-0, 0, NaN, 1]), L.tensor([0, -0, 1, NaN])));
    sameAsTfjs((L) => L.maximum(L.tensor([-0, 0, NaN, 1]), L.tensor([0, -0, 1, NaN])));
    expect(Object.is(rl.minimum(rl.tensor([-0]), rl.tensor([0])).dataSync()[0], -0)).toBe(true);
    expect(Object.is(rl.maximum(rl.tensor([0]), rl.tensor([-0])).dataSync()[0], 0)).toBe(true);
  });

  it('div without a float operand keeps the integer dtype and floors (int32 / bool), x / 0 stores 0', () => {
    sameAsTfjs((L) => L.div(int(L, [7, -7, 3]), L.tensor([true, true, false])));
    sameAsTfjs((L) => L.div(L.tensor([true, true]), int(L, [-3, 7])));
    sameAsTfjs((L) => L.divNoNan(int(L, [7, -7]), L.tensor([true, false])));
    expect(rl.div(int(rl, [7]), rl.tensor([true])).dtype).toBe('int32');
  });

  it('bool results of arithmetic truncate first, as tfjs stores them (NaN, Infinity, 0.69 are false)', () => {
    const b = (L: any) => L.tensor([true, false, true, false]);
    sameAsTfjs((L) => L.mod(b(L), b(L)));
    sameAsTfjs((L) => L.reciprocal(b(L)));
    sameAsTfjs((L) => L.log1p(b(L)));
    sameAsTfjs((L) => L.softplus(b(L)));
    sameAsTfjs((L) => L.div(b(L), L.tensor([true, true, false, false])));
  });

  it('squaredDifference and relu of bools stay bool, as tfjs', () => {
    sameAsTfjs((L) => L.squaredDifference(L.tensor([true, false]), L.tensor([false, false])));
    sameAsTfjs((L) => L.relu(L.tensor([true, false])));
  });

  it('a broadcast error names the op and both shapes', () => {
    expect(() => rl.sub(rl.ones([2, 3]), rl.ones([4]))).toThrow('sub: Operands could not be broadcast together with shapes 2,3 and 4.');
    expect(() => rl.where(rl.tensor([true, false, true]), rl.ones([2, 2]), 0)).toThrow(/^where: Operands could not be broadcast/);
    expect(() => rl.matMul(rl.ones([2, 2, 3]), rl.ones([3, 3, 2]))).toThrow(/^matMul \(batch dimensions\): Operands could not be broadcast together with shapes 2 and 3/);
  });
});

describe('reductions, creation and indexing', () => {
  it('logSoftmax takes int32 logits and gives float32, as tfjs', () => {
    sameAsTfjs((L) => L.logSoftmax(int(L, [[1, 5, 5], [-2, 0, 7]])));
  });

  it('topk puts NaN first (as max lets NaN win) and keeps ties in index order, so the order is total', () => {
    const { values, indices } = rl.topk(rl.tensor([1, NaN, 3, -Infinity, Infinity, 3]), 4);
    expect(Array.from(indices.dataSync())).toEqual([1, 4, 2, 5]);
    expect(Array.from(values.dataSync())).toEqual([NaN, Infinity, 3, 3]);
  });

  it('range with dtype int32 accumulates in int32, as tfjs and numpy', () => {
    sameAsTfjs((L) => L.range(0, 5, 1.5, 'int32'));
    expect(Array.from(rl.range(0, 5, 1.5, 'int32').dataSync())).toEqual([0, 1, 2, 3]);
    sameAsTfjs((L) => L.range(5, 0, -1.5, 'int32'));
  });

  it('gather counts a negative batchDims from the rank of indices, as tfjs', () => {
    const x = (L: any) => L.reshape(L.range(0, 24), [2, 3, 4]);
    sameAsTfjs((L) => L.gather(x(L), int(L, [[0, 2], [1, 1]]), 2, -1));
  });

  it('tensor(nested, shape) refuses a shape the nested values do not have, as tfjs', () => {
    bothThrow((L) => L.tensor([[1, 2], [3, 4]], [4]), /Inferred shape \(2,2\) does not match the provided shape \(4\)/);
    sameAsTfjs((L) => L.tensor([1, 2, 3, 4], [2, 2]));
    // The innermost level may fill the remaining dimensions, as in tfjs.
    sameAsTfjs((L) => [L.tensor([[1, 2, 3, 4]], [1, 2, 2]), L.tensor([[1, 2], [3, 4]], [2, 1, 2])]);
    bothThrow((L) => L.tensor([[1, 2], [3, 4]], [1, 4]), /Inferred shape \(2,2\) does not match the provided shape \(1,4\)/);
  });

  it('reverse refuses a repeated axis, naming it (tfjs silently reverses it twice)', () => {
    expect(() => rl.reverse(rl.ones([2, 3]), [1, -1])).toThrow('reverse: axis 1 is repeated in [1, -1]');
  });

  it('norm with ord ±Infinity of a bool tensor stays bool, as tfjs', () => {
    sameAsTfjs((L) => L.norm(L.tensor([[true, false], [false, false]]), Infinity, 1));
  });
});

describe('tensors and variables', () => {
  it('tensors have increasing ids and keep size and shape once disposed', () => {
    const a = rl.ones([2, 3]), b = rl.ones([1]);
    expect(typeof a.id).toBe('number');
    expect(b.id).toBeGreaterThan(a.id);
    a.dispose();
    expect([a.size, a.shape]).toEqual([6, [2, 3]]);
    expect(() => a.throwIfDisposed()).toThrow('Tensor is disposed.');
    expect(() => b.throwIfDisposed()).not.toThrow();
  });

  it('assign refuses another dtype, as tfjs', () => {
    const v = rl.variable(rl.tensor([1, 2]));
    expect(() => v.assign(rl.tensor([1, 2], undefined, 'int32'))).toThrow(/assign expected dtype float32, got int32/);
    expect(() => v.assign(rl.tensor([1, 2, 3]))).toThrow(/assign expected shape \[2\], got \[3\]/);
    expect(() => tf.variable(tf.tensor([1, 2])).assign(tf.tensor([1, 2], undefined, 'int32'))).toThrow(/dtype/);
    expect(Array.from(v.dataSync())).toEqual([1, 2]);
  });

  it("views and dataSync of a variable keep the value they were made from when the variable is updated, as tfjs's", () => {
    for (const lib of [rl, tf] as any[]) {
      const v = lib.variable(lib.tensor([1, 2]));
      const views = [v.reshape([2, 1]), v.expandDims(0), lib.squeeze(v.expandDims(1)), v.flatten(), lib.reshape(v, [1, 2])];
      const read = v.dataSync();
      lib.train.sgd(0.1).minimize(() => v.square().sum(), false, [v]);
      expect(Array.from(v.dataSync())).toEqual([Math.fround(0.8), Math.fround(1.6)]);
      for (const t of views) expect(Array.from(t.dataSync())).toEqual([1, 2]);
      expect(Array.from(read)).toEqual([1, 2]);
      v.assign(lib.tensor([5, 6]));
      expect(Array.from(views[0].dataSync())).toEqual([1, 2]);
      expect(Array.from(v.dataSync())).toEqual([5, 6]);
    }
  });

  it('a variable name is unique while the variable lives, and free again once it is disposed', () => {
    const v = rl.variable(rl.zeros([1]), true, 'unique_name');
    expect(() => rl.variable(rl.zeros([1]), true, 'unique_name')).toThrow('Variable with name unique_name was already registered');
    v.dispose();
    expect(rl.variable(rl.zeros([1]), true, 'unique_name').name).toBe('unique_name');
  });

  it('memory counts a variable as tfjs does, and tidy does not dispose one', () => {
    const initial = rl.zeros([3]);
    const m0 = rl.memory().numTensors;
    const v = rl.tidy(() => { rl.variable(initial, false); return rl.variable(initial); });
    expect(rl.memory().numTensors - m0).toBe(2);
    expect(v.isDisposed).toBe(false);
    const t0 = tf.memory().numTensors;
    tf.tidy(() => { tf.variable(tf.zeros([3]), false); });
    expect(tf.memory().numTensors - t0).toBe(1); // tfjs: the variable survives the tidy, its initial value does not
  });
});

describe('ops added to match tfjs', () => {
  const f = (L: any) => L.tensor([[0.5, -0.5, 0.9], [-0.99, 0, 0.25]]);
  const big = (L: any) => L.tensor([[1.5, 2, 3], [-4, 10, 1]]);
  const ints = (L: any) => int(L, [[1, -2, 0], [3, 0, -1]]);

  it('the trigonometric family and erf: values and dtypes (functions and methods)', () => {
    for (const op of ['tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'erf']) {
      for (const x of [f, big]) { sameAsTfjs((L) => L[op](x(L))); sameAsTfjs((L) => x(L)[op]()); }
      if (op === 'tan' || op === 'cosh') bothThrow((L) => L[op](ints(L)), /must be float32/);
      else sameAsTfjs((L) => L[op](ints(L)));
    }
    sameAsTfjs((L) => L.erf(L.linspace(-4, 4, 33)), 2e-7);
  });

  it('atan2, cumprod, euclideanNorm, as5D and upcastType', () => {
    sameAsTfjs((L) => L.atan2(f(L), big(L)));
    sameAsTfjs((L) => L.atan2(ints(L), int(L, [2, -1, 0])));
    sameAsTfjs((L) => f(L).atan2(1));
    for (const [axis, exclusive, reverse] of [[0, false, false], [1, true, false], [1, false, true], [-1, true, true]] as const) {
      if (axis >= 0) sameAsTfjs((L) => L.cumprod(big(L), axis, exclusive, reverse)); // tfjs 4.22 garbles a negative axis
      expect(rl.cumprod(big(rl), axis, exclusive, reverse).shape).toEqual([2, 3]);
    }
    expect(Array.from(rl.cumprod(big(rl), -1, true, true).dataSync())).toEqual([6, 3, 1, 10, 1, 1]);
    sameAsTfjs((L) => L.cumprod(ints(L), 1));
    sameAsTfjs((L) => big(L).cumprod(0, true));
    sameAsTfjs((L) => L.euclideanNorm(big(L), 1, true));
    sameAsTfjs((L) => big(L).euclideanNorm());
    sameAsTfjs((L) => L.range(0, 8).as5D(1, 2, 2, 2, 1));
    expect([rl.upcastType('int32', 'float32'), rl.upcastType('bool', 'int32'), rl.upcastType('bool', 'bool')]).toEqual(['float32', 'int32', 'bool']);
    expect(() => rl.upcastType('string' as any, 'int32')).toThrow(/unsupported dtype 'string'/);
  });

  it('stridedSlice: strides, negative indices and the five masks, as tfjs', () => {
    const x = (L: any) => L.reshape(L.range(0, 60), [3, 4, 5]);
    const specs: unknown[][] = [
      [[0], [2]], [[1, 1], [3, 4]], [[0, 0, 0], [3, 4, 5], [1, 2, 2]], [[-1], [-3], [-1]], [[2, 3, 4], [0, 0, 0], [-1, -1, -2]],
      [[0, 1], [0, 3], [1, 1], 1], [[0, 1], [2, 3], [1, 1], 0, 2], [[1], [2], [1], 0, 0, 0, 0, 1], [[1, 2], [2, 3], [1, 1], 0, 0, 0, 0, 3],
      [[0, 0], [1, 1], [1, 1], 0, 0, 0, 1], [[0, 1], [0, 2], [1, 1], 0, 0, 1], [[0, 2], [0, 3], [1, 1], 0, 0, 1, 0, 2],
      [[1, 0], [2, 0], [1, 1], 0, 0, 2, 0, 1], [[-10], [10]], [[0, 0, 0], [10, 10, 10], [2, 3, 4]], [[1, -1], [-1, 0], [1, -1], 0, 2],
      [[1, 0, 2], [2, 0, 3], [1, 1, 1], 0, 0, 2, 0, 5],
    ];
    for (const spec of specs) sameAsTfjs((L) => L.stridedSlice(x(L), ...spec));
    sameAsTfjs((L) => x(L).stridedSlice([0, 1], [3, 4], [2, 2]));
    sameAsTfjs((L) => L.stridedSlice(int(L, [1, 2, 3, 4]), [3], [0], [-1]));
    // An empty range is empty (tfjs 4.22 throws on it; TensorFlow gives the empty slice).
    expect(rl.stridedSlice(x(rl), [3], [1]).shape).toEqual([0, 4, 5]);
    expect(() => rl.stridedSlice(x(rl), [0], [2], [0])).toThrow('stridedSlice: strides[0] must be non-zero');
    expect(() => rl.stridedSlice(x(rl), [4], [5], [1], 0, 0, 0, 0, 1)).toThrow(/index 4 of axis 0 \(shrinkAxisMask\) is out of range for size 3/);
  });

  it('the new ops carry gradients: tfjs\'s where it has them, finite differences for cumprod', () => {
    const g = (op: string) => (L: any) => L.grad((x: any) => L.sum(L.mul(L[op](x), L.tensor([1, 2, 3]))))(L.tensor([[0.5, -0.5, 0.9], [-0.7, 0.1, 0.25]]));
    for (const op of ['tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'atanh', 'erf']) sameAsTfjs(g(op), 1e-4);
    sameAsTfjs((L) => L.grad((x: any) => L.sum(L.acosh(x)))(L.tensor([1.5, 2, 3])), 1e-4);
    sameAsTfjs((L) => L.grads((a: any, b: any) => L.sum(L.atan2(a, b)))([f(L), L.tensor([2, 1, -1])]), 1e-4);
    const sliced = rl.grad((x) => rl.sum(rl.mul(rl.stridedSlice(x, [0, 2], [2, 0], [1, -1]), rl.tensor([[1, 2], [3, 4]]))))(big(rl));
    expect(Array.from(sliced.dataSync())).toEqual([0, 2, 1, 0, 4, 3]);
    const x0 = [1.5, 0, 3, -2, 0.5, 2, 0, 1];
    const w = rl.tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]]) {
      rl.setPrecision(64);
      try {
        const F = (x: rl.Tensor) => rl.sum(rl.mul(rl.cumprod(x, 1, exclusive, reverse), w));
        const grad = rl.grad(F)(rl.tensor(x0, [2, 4])).dataSync();
        x0.forEach((_, k) => {
          const h = 1e-5, up = [...x0], down = [...x0];
          up[k] += h; down[k] -= h;
          const numeric = (F(rl.tensor(up, [2, 4])).dataSync()[0] - F(rl.tensor(down, [2, 4])).dataSync()[0]) / (2 * h);
          expect(grad[k]).toBeCloseTo(numeric, 5);
        });
      } finally { rl.setPrecision(32); }
    }
  });
});

describe('random ops, customGrad and disposeVariables', () => {
  it('randomUniform int32 draws integers in [minval, maxval) (it used to round, reaching maxval)', () => {
    const ints = Array.from(rl.randomUniform([4000], 0, 10, 'int32', 5).dataSync());
    expect(new Set(ints).size).toBe(10);
    expect([Math.min(...ints), Math.max(...ints)]).toEqual([0, 9]);
    const theirs = Array.from(tf.randomUniform([4000], 0, 10, 'int32', 5).dataSync() as Int32Array);
    expect([Math.min(...theirs), Math.max(...theirs)]).toEqual([0, 9]);
    const negative = Array.from(rl.randomUniform([4000], -3, 3, 'int32', 5).dataSync());
    expect([...new Set(negative)].sort()).toEqual([-1, -2, -3, 0, 1, 2]);
  });

  it('randomUniformInt and randomStandardNormal: shapes, dtypes, seeds', () => {
    sameAsTfjs((L) => [L.zerosLike(L.randomUniformInt([2, 3], 0, 5, 1)), L.zerosLike(L.randomStandardNormal([4]))]);
    const a = Array.from(rl.randomUniformInt([500], -2, 3, 9).dataSync());
    expect([...new Set(a)].sort()).toEqual([-1, -2, 0, 1, 2]);
    expect(Array.from(rl.randomUniformInt([5], 0, 100, 3).dataSync())).toEqual(Array.from(rl.randomUniformInt([5], 0, 100, 3).dataSync()));
    expect(() => rl.randomUniformInt([2], 0, 2.5)).toThrow(/randomUniformInt: minval and maxval must be integers with minval < maxval/);
  });

  it('multinomial results are counted by memory() and disposed by tidy, as tfjs', () => {
    const logits = rl.tensor([1, 2]);
    const m0 = rl.memory().numTensors;
    let inside: rl.Tensor | undefined;
    rl.tidy(() => { inside = rl.multinomial(logits, 2, 1); });
    expect(inside!.isDisposed).toBe(true);
    rl.multinomial(logits, 2, 1);
    expect(rl.memory().numTensors - m0).toBe(1);
  });

  it('customGrad: the value from f, the gradient from gradFunc (tfjs\'s example)', () => {
    const run = (L: any) => {
      const op = L.customGrad((x: any, save: any) => { save([x]); return { value: x.square(), gradFunc: (dy: any, saved: any) => [dy.mul(saved[0].abs())] }; });
      const two = L.customGrad((a: any, b: any) => ({ value: L.add(a, b), gradFunc: (dy: any) => [dy.mul(2), dy.mul(3)] }));
      const x = L.tensor1d([-1, -2, 3]);
      return [op(x), L.grad((v: any) => op(v))(x), ...L.grads((a: any, b: any) => L.sum(two(a, b).mul(L.tensor([1, 2]))))([L.tensor([1, 1]), L.tensor([5, 5])])];
    };
    sameAsTfjs(run);
    const wrongCount = rl.customGrad((x: rl.Tensor) => ({ value: x.square(), gradFunc: (dy: rl.Tensor) => [dy, dy] }));
    expect(() => rl.grad((x) => wrongCount(x))(rl.tensor([1]))).toThrow('customGrad: gradFunc must return one gradient per input (1), got 2');
    expect(() => rl.customGrad((x: rl.Tensor) => ({ value: x, gradFunc: 3 } as never))(rl.tensor([1]))).toThrow(/obj.gradFunc` is a function/);
  });

  it('disposeVariables disposes the live rl.variables and frees their names', () => {
    const v = rl.variable(rl.tensor([1]), true, 'dispose_all');
    const m0 = rl.memory().numTensors;
    rl.disposeVariables();
    expect(v.isDisposed).toBe(true);
    expect(m0 - rl.memory().numTensors).toBeGreaterThanOrEqual(1);
    expect(rl.variable(rl.tensor([2]), true, 'dispose_all').name).toBe('dispose_all');
  });
});

describe('rank-named forms (slice1d.., concat1d.., reverse1d.., pad1d..)', () => {
  it('compute as tfjs and check the rank', () => {
    sameAsTfjs((L) => L.slice1d(L.tensor([1, 2, 3]), 1, 2));
    sameAsTfjs((L) => L.slice2d(L.tensor([[1, 2, 3]]), [0, 1], [1, -1]));
    sameAsTfjs((L) => L.concat1d([L.tensor([1]), L.tensor([2, 3])]));
    sameAsTfjs((L) => L.concat2d([L.tensor([[1]]), L.tensor([[2]])], 1));
    sameAsTfjs((L) => L.reverse2d(L.tensor([[1, 2], [3, 4]]), 1));
    sameAsTfjs((L) => L.reverse4d(L.reshape(L.range(0, 8), [1, 2, 2, 2])));
    sameAsTfjs((L) => L.pad1d(L.tensor([1, 2]), [1, 2], 9));
    sameAsTfjs((L) => L.pad2d(L.tensor([[1, 2]]), [[1, 0], [0, 1]]));
    bothThrow((L) => L.slice1d(L.tensor([[1, 2, 3]]), 1, 2), /slice1d expects a rank-1 tensor, but got a rank-2 tensor/);
    bothThrow((L) => L.reverse2d(L.tensor([1, 2])), /Error in reverse2D: x must be rank 2 but got rank 1\./);
    expect(() => rl.pad2d(rl.tensor([1, 2]), [[1, 0], [0, 1]])).toThrow('pad2d: x must be rank 2 but got rank 1');
    expect(() => rl.concat2d([rl.tensor([1])], 0)).toThrow('concat2d: tensors[0] must be rank 2 but got rank 1');
  });

  it('differentiate as their general forms', () => {
    const g = rl.grad((x) => rl.sum(rl.mul(rl.pad1d(rl.slice1d(x, 1, 2), [1, 0], 5), rl.tensor([7, 1, 2]))))(rl.tensor([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([0, 1, 2]);
  });
});

describe('shape errors name the op and the shapes', () => {
  it('reshape, split, squeeze, expandDims, addN and reductions', () => {
    expect(() => rl.reshape(rl.ones([2, 3]), [4])).toThrow('reshape: Size(6) must match the product of shape 4 (input shape [2,3])');
    expect(() => rl.split(rl.ones([5]), 2)).toThrow('split: Number of splits must evenly divide the axis. (2 splits of axis 0, size 5, of shape [5])');
    expect(() => rl.split(rl.ones([2, 5]), [2, 2], 1)).toThrow('split: The sum of sizes must match the size of the axis dimension. (sizes [2,2], axis 1 of shape [2,5])');
    expect(() => rl.squeeze(rl.ones([2, 1]), [0])).toThrow("squeeze: Can't squeeze axis 0 since its dim '2' is not 1 (shape [2,1])");
    expect(() => rl.expandDims(rl.ones([2]), 3)).toThrow('expandDims: Axis must be <= rank of the tensor (axis 3, rank 1)');
    expect(() => rl.addN([rl.ones([2]), rl.ones([3])])).toThrow('All tensors passed to tf.addN() must have the same shape (got [2] and [3])');
    expect(() => rl.sum(rl.ones([2]), 3)).toThrow('sum: All values in axis param must be in range [-1, 1) but got axis 3');
    expect(() => rl.norm(rl.ones([2]), 2, 1)).toThrow(/^norm: All values in axis param/);
  });
});

describe('a tfjs tensor passed to rnnlab', () => {
  it('is refused with a message that says how to convert it', () => {
    expect(() => rl.add(tf.tensor([1]) as never, 1)).toThrow("Argument 'a' passed to 'add' is a Tensor of another library (tfjs?); convert it with rl.tensor(t.dataSync(), t.shape, t.dtype)");
    expect(() => rl.variable(tf.tensor([1]) as never)).toThrow('variable: initialValue: a Tensor of another library (tfjs?); convert it with rl.tensor(t.dataSync(), t.shape, t.dtype)');
  });
});
