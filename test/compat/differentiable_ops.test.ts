// The ops beyond the original core set carry gradients, as tfjs's do: rl.grads against tf.grads, a custom layer
// built from them trained one step against tfjs-layers, tidy() inside call() and rl.grad, plain-array arguments.
import { describe, expect, it } from 'vitest';
import { tf, rl, sameAsTfjs, bothThrow } from './tensor_helpers.js';

const A = [[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]];
const B = [[0.5, 1.5, -0.2], [1.1, -0.3, 0.8]];
const W = [[1, 2, 3], [4, 5, 6]];

/** f(lib) builds the function; its gradients with respect to xs must match tfjs's to 1e-5. */
function sameGradsAsTfjs(xs: unknown[], f: (t: any) => (...a: any[]) => any): void {
  sameAsTfjs((t: any) => t.grads(f(t))(xs.map((x) => t.tensor(x))), 1e-5);
}

describe('gradients of the ops beyond the core set match tf.grads', () => {
  it.each([
    ['abs, pow, sqrt, rsqrt', [[[0.3, 1.2], [2, 0.5]]], (t: any) => (a: any) => t.add(t.add(t.abs(a), t.pow(a, 3)), t.add(t.sqrt(a), t.rsqrt(a)))],
    ['pow with a tensor exponent', [[[1.5, 2], [0.5, 3]], [[2, 0.5], [1.5, 3]]], (t: any) => (a: any, b: any) => t.pow(a, b)],
    ['maximum, minimum (ties to the first input)', [[1, 2, 3], [1, 3, 2]], (t: any) => (a: any, b: any) => t.add(t.maximum(a, b), t.mul(t.minimum(a, b), 3))],
    // tfjs 4.22 cannot take this gradient when b broadcasts (its shape check fails); rnnlab's sums over the stretched axis.
    ['squaredDifference', [A, B], (t: any) => (a: any, b: any) => t.mul(t.squaredDifference(a, b), W)],
    ['clipByValue (bounds included)', [[-2, -1, 0.5, 1, 3]], (t: any) => (a: any) => t.mul(t.clipByValue(a, -1, 1), [1, 2, 3, 4, 5])],
    ['reciprocal, log1p, expm1, sin, cos', [[1, 4]], (t: any) => (a: any) => t.add(t.add(t.reciprocal(a), t.log1p(a)), t.add(t.expm1(a), t.mul(t.sin(a), t.cos(a))))],
    ['softplus, logSigmoid, elu, selu, relu6, leakyRelu', [[1, -4, 7]], (t: any) => (a: any) =>
      t.add(t.add(t.softplus(a), t.logSigmoid(a)), t.add(t.add(t.elu(a), t.selu(a)), t.add(t.relu6(a), t.leakyRelu(a, 0.1))))],
    ['logSoftmax', [A], (t: any) => (a: any) => t.mul(t.logSoftmax(a), B)],
    ['max and min over an axis (ties share)', [[[1, 3, 3], [2, 2, 0]]], (t: any) => (a: any) => t.add(t.mul(t.max(a, 1, true), [[2], [3]]), t.sum(t.min(a, 0)))],
    ['logSumExp', [A], (t: any) => (a: any) => t.mul(t.logSumExp(a, 1), [2, 3])],
    ['expandDims, squeeze, reshape', [A], (t: any) => (a: any) => t.mul(t.reshape(t.squeeze(t.expandDims(a, 1)), [6]), t.range(0, 6))],
    ['stack and unstack', [A, B], (t: any) => (a: any, b: any) => t.mul(t.unstack(t.stack([a, b], 2), 1)[2], [[1, 2], [3, 4]])],
    ['split with sizes', [A], (t: any) => (a: any) => { const [p, q] = t.split(a, [1, 2], 1); return t.add(t.sum(t.mul(p, 3)), t.sum(t.mul(q, [[1, 2], [3, 4]]))); }],
    ['gather with repeated indices, axis 1', [A], (t: any) => (a: any) => t.mul(t.gather(a, [2, 2, 0], 1), W)],
    ['gather with 2-D indices', [A], (t: any) => (a: any) => t.mul(t.gather(a, t.tensor([[1, 0], [1, 1]], undefined, 'int32')), t.range(0, 12).reshape([2, 2, 3]))],
    ['tile, pad, reverse', [A], (t: any) => (a: any) => t.add(t.sum(t.mul(t.tile(a, [2, 3]), t.range(0, 36).reshape([4, 9]))),
      t.add(t.sum(t.mul(t.pad(a, [[1, 0], [0, 2]]), t.range(0, 15).reshape([3, 5]))), t.sum(t.mul(t.reverse(a, 1), W))))],
    ['cumsum (exclusive, reverse)', [A], (t: any) => (a: any) => t.add(t.mul(t.cumsum(a, 1), W), t.mul(t.cumsum(a, 1, true, true), B))],
    ['where (both branches, broadcast condition)', [A, B], (t: any) => (a: any, b: any) => t.mul(t.where(t.tensor([true, false, true]), a, b), W)],
    ['dot, outerProduct', [A, [1, 2, 3]], (t: any) => (a: any, v: any) => t.add(t.sum(t.dot(a, v)), t.sum(t.mul(t.outerProduct(v, v), W[0])))],
    ['moments', [A], (t: any) => (a: any) => { const m = t.moments(a, 1); return t.add(t.mul(m.mean, 2), t.mul(m.variance, 3)); }],
    ['addN, clone, cast to float32', [[1, 2]], (t: any) => (a: any) => t.mul(t.addN([a, t.clone(a), t.cast(a, 'float32')]), [3, 5])],
    ['broadcastTo', [[1, 2]], (t: any) => (a: any) => t.mul(t.broadcastTo(a, [3, 2]), t.range(0, 6).reshape([3, 2]))],
    ['floor, round, sign: zero gradients', [A], (t: any) => (a: any) => t.add(t.add(t.floor(a), t.round(a)), t.add(t.sign(a), a))],
    ['the same ops as methods', [A, B], (t: any) => (a: any, b: any) =>
      a.abs().pow(2).maximum(b).clipByValue(0, 1.5).logSoftmax().max(1).sum().add(a.stack(b).gather([1]).squeeze().mul(b).sum())],
  ] as const)('%s', (_name, xs, f) => sameGradsAsTfjs(xs as unknown as unknown[], f as never));

  it('a term built from one of them is no longer dropped: sum(x^2) + sum(|x|) has gradient 2x + sign(x)', () => {
    const g = rl.grad((x: rl.Tensor) => rl.add(rl.sum(rl.square(x)), rl.sum(rl.abs(x))))(rl.tensor([-1.5, 2]));
    expect(Array.from(g.dataSync())).toEqual([-4, 5]);
  });

  it('divNoNan: the usual quotient gradients, none where the divisor is 0 (tfjs 4.22 cannot differentiate it)', () => {
    const [ga, gb] = rl.grads((a: rl.Tensor, b: rl.Tensor) => rl.mul(rl.divNoNan(a, b), [1, 2, 3]))([rl.tensor([1, 2, 3]), rl.tensor([2, 0, 4])]);
    expect(Array.from(ga.dataSync())).toEqual([0.5, 0, 0.75]);
    expect(Array.from(gb.dataSync(), (v) => v + 0)).toEqual([-0.25, 0, -0.5625]);
  });

  it('ops that still carry no gradient are an error in rl.grad, not a silent zero', () => {
    expect(() => rl.grad((x: rl.Tensor) => x.greater(0).cast('float32').sum())(rl.tensor([1]))).toThrow(/gradient function not found for Greater/);
  });
});

/** A layer using gather, abs, maximum, stack and logSumExp on its weights, in either library. */
function mixLayer(lib: any): new (args: object) => unknown {
  return class Mix extends lib.layers.Layer {
    static className = 'R12Mix';
    k: any;
    // tfjs's addWeight takes initializer objects only; values are set by setWeights below anyway.
    build(s: any) { this.k = this.addWeight('k', [s[s.length - 1], 3], 'float32', lib === tf ? tf.initializers.zeros() : 'zeros'); }
    computeOutputShape(s: any) { return [s[0], 2]; }
    call(x: any) {
      const t = Array.isArray(x) ? x[0] : x;
      const k = this.k.read ? this.k.read() : this.k;
      const h = lib.matMul(t, lib.abs(k));
      const picked = lib.gather(h, [2, 0], 1);
      return lib.maximum(lib.stack([lib.logSumExp(h, 1), lib.sum(picked, 1)], 1), 0.1);
    }
  };
}

describe('custom layers built from them train like tfjs-layers', () => {
  it('one SGD step moves the weight exactly as tfjs does', async () => {
    const x = [[1, 2], [0.5, -1], [2, 0]], y = [[1, 0], [0, 1], [1, 1]];
    const after: number[][] = [];
    for (const lib of [tf, rl] as any[]) {
      const Mix = mixLayer(lib);
      const model = lib.sequential({ layers: [new Mix({ inputShape: [2] })] });
      model.setWeights([lib.tensor([[0.5, -0.2, 0.8], [-0.7, 0.3, 0.1]])]);
      model.compile({ optimizer: lib.train.sgd(0.5), loss: 'meanSquaredError' });
      await model.trainOnBatch(lib.tensor(x), lib.tensor(y));
      after.push(Array.from(model.getWeights()[0].dataSync() as Float32Array));
    }
    expect(after[1]).not.toEqual([0.5, -0.2, 0.8, -0.7, 0.3, 0.1]);
    after[1].forEach((v, i) => expect(v).toBeCloseTo(after[0][i], 5));
  });

  it('tidy() inside call() trains (the tape keeps what backward reads), and rl.grad through tidy matches tfjs', async () => {
    class Tidy extends rl.layers.Layer {
      static className = 'R12Tidy';
      w!: rl.Variable;
      build(s: (number | null)[]) { this.w = this.addWeight('w', [s[1] as number, 1], 'float32', 'ones'); }
      computeOutputShape(s: (number | null)[]) { return [s[0], 1]; }
      call(x: rl.Tensor) { return rl.tidy(() => rl.mul(rl.matMul(x, this.w), rl.tensor([[2]])).add(rl.scalar(1))); }
    }
    const m = rl.sequential({ layers: [new Tidy({ inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const h = await m.fit(rl.ones([4, 2]), rl.zeros([4, 1]), { epochs: 2, verbose: 0 });
    // prediction 2 * 2 + 1 = 5: loss 25, then w -= 0.01 * 2 * 5 * 2 * 1 each
    expect(h.history.loss[0]).toBeCloseTo(25, 5);
    expect(h.history.loss[1]).toBeLessThan(25);
    sameAsTfjs((t: any) => t.grad((x: any) => t.tidy(() => x.mul(t.tensor([3, 4])).mul(x).sum()))(t.tensor([1, 2])));
  });
});

describe('tensor functions match tfjs on plain arguments and dtypes', () => {
  it('mean, transpose, slice and sum take plain arrays (they threw a TypeError)', () => {
    sameAsTfjs((t: any) => [t.mean([1, 2, 4]), t.mean([[1, 2], [3, 5]], 1), t.transpose([[1, 2]]), t.slice([1, 2, 3], 1), t.sum([[1, 2], [3, 5]], 1, true)]);
  });

  it('floorDiv is int32 whatever the inputs, as tfjs', () => {
    sameAsTfjs((t: any) => [t.floorDiv(t.tensor([-7.5, 7]), t.tensor([2, 2])), t.tensor([7, -3]).floorDiv(2)]);
  });

  it('divNoNan, logSumExp, isFinite, isInf, and the oneHot/zerosLike/onesLike/toFloat/toInt/toBool methods', () => {
    sameAsTfjs((t: any) => [
      t.divNoNan(t.tensor([1, 2, -3]), t.tensor([0, 4, 0])), t.tensor([[1, 2], [3, 1000]]).logSumExp(1), t.logSumExp(t.tensor([[1, 2], [3, 4]]), [0, 1], true),
      t.isFinite(t.tensor([1, Infinity, NaN, -Infinity])), t.tensor([1, Infinity, NaN, -Infinity]).isInf(),
      t.tensor([0, 2], undefined, 'int32').oneHot(3), t.tensor([1.5, 2]).zerosLike(), t.tensor([1, 2], undefined, 'int32').onesLike(),
      t.tensor([1, 2], undefined, 'int32').toFloat(), t.tensor([1.7, -1.7]).toInt(), t.tensor([0, 2]).toBool(),
    ]);
  });

  it('a concat shape mismatch names the axis that differs, as tfjs', () => {
    bothThrow((t: any) => t.concat([t.ones([2, 3]), t.ones([2, 2])], 0), /\(2,2\) does not match the shape of the rest \(2,3\) along the non-concatenated axis 1/);
  });
});
