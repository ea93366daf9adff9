/**
 * The ops added to mirror tfjs's top level where tfjs itself cannot be the reference: gradients tfjs fails to take
 * (bandPart, qr: "gradient function not found for Greater") checked against central differences in float64;
 * shapes tfjs gets wrong (batched non-square qr, an empty bandPart); the refused ops; randomGamma's distribution.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';

afterEach(() => rl.setPrecision(32));

/** max |analytic - central difference| of d f / d x, in float64. */
function gradError(f: (x: Tensor) => Tensor, x0: number[][]): number {
  rl.setPrecision(64);
  const x = rl.tensor2d(x0);
  const g = rl.grad(f)(x).dataSync();
  const flat = x0.flat(), eps = 1e-6;
  let worst = 0;
  flat.forEach((_, i) => {
    const at = (d: number) => {
      const v = flat.slice(); v[i] += d;
      return f(rl.tensor2d(v, [x0.length, x0[0].length])).dataSync()[0];
    };
    worst = Math.max(worst, Math.abs(g[i] - (at(eps) - at(-eps)) / (2 * eps)));
  });
  return worst;
}

/** The same for an input of any shape (values sin(0.7 i)) and a loss sum(f(x) * probe) with probe cos(1.3 i). */
function gradErrorNd(f: (x: Tensor) => Tensor, shape: number[]): number {
  rl.setPrecision(64);
  const n = shape.reduce((a, b) => a * b, 1);
  const x0 = Array.from({ length: n }, (_, i) => Math.sin(0.7 * i));
  const loss = (x: Tensor) => { const y = f(x); return rl.sum(rl.mul(y, rl.cos(rl.range(0, y.size).mul(1.3)).reshape(y.shape))); };
  const g = rl.grad(loss)(rl.tensor(x0, shape)).dataSync();
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const at = (d: number) => { const v = x0.slice(); v[i] += d; return loss(rl.tensor(v, shape)).dataSync()[0]; };
    worst = Math.max(worst, Math.abs(g[i] - (at(1e-6) - at(-1e-6)) / 2e-6));
  }
  return worst;
}

const A = [[2, -1, 0.5], [1, 3, 2], [-0.5, 1, 4]];
const TALL = [[1, 2], [3, 4], [5, 7], [-1, 0.5]];

describe('tf.linalg', () => {
  it('bandPart and qr differentiate (tfjs 4.22 throws); the gradients match central differences', () => {
    const w = (s: number[]) => rl.linspace(-1, 2, s[0] * s[1]).reshape(s);
    expect(gradError((x) => rl.linalg.bandPart(x, 1, 0).mul(x).sum(), A)).toBeLessThan(1e-6);
    expect(gradError((x) => rl.linalg.qr(x)[1].mul(w([3, 3])).sum(), A)).toBeLessThan(1e-6);
    expect(gradError((x) => rl.linalg.qr(x)[0].mul(w([4, 2])).sum(), TALL)).toBeLessThan(1e-6);
    expect(gradError((x) => (rl.linalg.gramSchmidt(x) as Tensor).mul(w([2, 3])).sum(), [[1, 1, 0.5], [1, -0.5, 1]])).toBeLessThan(1e-6);
  });

  it('qr of batched non-square matrices gives [..., m, k] and [..., k, n] that multiply back (tfjs fails to reshape)', () => {
    const x = rl.tensor3d([TALL, TALL.map((r) => r.map((v) => -2 * v))]);
    for (const full of [false, true]) {
      const [q, r] = rl.linalg.qr(x, full);
      const k = full ? 4 : 2;
      expect(q.shape).toEqual([2, 4, k]);
      expect(r.shape).toEqual([2, k, 2]);
      const back = rl.matMul(q, r).dataSync(), want = x.dataSync();
      want.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 4));
      const qtq = rl.matMul(q, q, true, false).dataSync(), eye = rl.eye(k, k, [2]).dataSync();
      eye.forEach((v, i) => expect(qtq[i]).toBeCloseTo(v, 5));
    }
    const wide = rl.linalg.qr(rl.ones([3, 2, 5]));
    expect([wide[0].shape, wide[1].shape]).toEqual([[3, 2, 2], [3, 2, 5]]);
    const none = rl.linalg.qr(rl.zeros([0, 3, 2]));
    expect([none[0].shape, none[1].shape]).toEqual([[0, 3, 2], [0, 2, 2]]);
  });

  it('qr and gramSchmidt take int32 input as float32 (tfjs refuses it inside sqrt)', () => {
    const [q, r] = rl.linalg.qr(rl.tensor2d([[3, 0], [4, 5]], [2, 2], 'int32'));
    expect([q.dtype, r.dtype]).toEqual(['float32', 'float32']);
    expect(Array.from(r.dataSync()).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-5, -4, 0, -3]);
    expect((rl.linalg.gramSchmidt(rl.tensor2d([[0, 2]], [1, 2], 'int32')) as Tensor).arraySync()).toEqual([[0, 1]]);
  });

  it('bandPart of an empty matrix keeps its shape (tfjs cannot infer -1 from 0 elements); bad limits are errors', () => {
    expect(rl.linalg.bandPart(rl.zeros([0, 3]), 0, 0).shape).toEqual([0, 3]);
    expect(() => rl.linalg.bandPart(rl.ones([2, 2]), 0.5, 0)).toThrow(/numLower must be an integer/);
    expect(() => rl.linalg.bandPart(rl.ones([2, 2]), rl.scalar(1), 0)).toThrow(/numLower must be a number or an int32 scalar/);
  });
});

describe('tf.signal', () => {
  it('a window of length 1 is [1] (TensorFlow; tfjs divides 0 by 0)', () => {
    expect(Array.from(rl.signal.hannWindow(1).dataSync())).toEqual([1]);
    expect(Array.from(rl.signal.hammingWindow(1).dataSync())).toEqual([1]);
  });

  it('refuses what tfjs loops forever on or answers with 0/NaN', () => {
    expect(() => rl.signal.frame(rl.range(0, 4), 2, 0)).toThrow(/frameStep must be a positive integer/);
    expect(() => rl.signal.frame(rl.range(0, 4), 0, 1)).toThrow(/frameLength must be a positive integer/);
    expect(() => rl.signal.hannWindow(-1)).toThrow(/windowLength/);
    expect(() => rl.enclosingPowerOfTwo(0)).toThrow(/positive/);
  });

  it('frame differentiates: each sample collects the gradient of every frame that copied it', () => {
    expect(gradError((x) => rl.signal.frame(x.reshape([5]), 3, 2, true).mul(rl.range(1, 10).reshape([3, 3])).sum(), [[1, 2, 3, 4, 5]])).toBeLessThan(1e-6);
  });

  it('stft is refused, naming the complex dtype', () => {
    expect(() => rl.signal.stft()).toThrow(/signal\.stft: not supported by rnnlab: .*complex64/);
  });
});

describe('convolution gradients tfjs cannot take or gets wrong', () => {
  const filt = (shape: number[]) => rl.cos(rl.range(0, shape.reduce((a, b) => a * b, 1)).mul(1.3)).reshape(shape);
  it('dilated conv2d and depthwiseConv2d (tfjs: "dilation rates greater than 1 are not yet supported in gradients")', () => {
    expect(gradErrorNd((x) => rl.conv2d(x, filt([2, 2, 1, 2]), 1, 'valid', 'NHWC', 2), [1, 6, 6, 1])).toBeLessThan(1e-6);
    expect(gradErrorNd((f) => rl.conv2d(filt([1, 6, 6, 1]), f, 1, 'same', 'NHWC', [2, 1]), [2, 2, 1, 2])).toBeLessThan(1e-6);
    expect(gradErrorNd((x) => rl.depthwiseConv2d(x, filt([2, 2, 2, 1]), 1, 'valid', 'NHWC', 2), [1, 6, 6, 2])).toBeLessThan(1e-6);
  });

  it('avgPool over padding: the exact gradient of the average over the in-bounds entries (tfjs divides by the whole window)', () => {
    expect(gradErrorNd((x) => rl.avgPool(x, [2, 3], 2, 'same'), [1, 5, 5, 2])).toBeLessThan(1e-6);
    expect(gradErrorNd((x) => rl.avgPool3d(x, 2, 1, 'same'), [1, 3, 3, 3, 1])).toBeLessThan(1e-6);
    expect(gradErrorNd((x) => rl.pool(x, 3, 'avg', 'same', 2), [1, 5, 5, 1])).toBeLessThan(1e-6);
  });

  it('windows running past an explicit pad (dimRoundingMode ceil) differentiate exactly (tfjs 4.22\'s conv2d gradient differs on the first)', () => {
    expect(gradErrorNd((x) => rl.conv2d(x, filt([3, 3, 3, 2]), 3, [[0, 0], [2, 2], [2, 0], [0, 0]], 'NHWC', 1, 'ceil'), [1, 7, 6, 3])).toBeLessThan(1e-6);
    expect(gradErrorNd((x) => rl.maxPool(x, 3, 2, [[0, 0], [1, 1], [0, 1], [0, 0]], 'ceil'), [2, 6, 4, 2])).toBeLessThan(1e-6);
  });

  it('a dilated pool takes only a same or valid pad (tfjs ignores any other); a window larger than a valid input is an error', () => {
    expect(() => rl.pool(rl.ones([1, 5, 5, 1]), 2, 'max', 1, 2)).toThrow(/with dilations the pad must be 'same' or 'valid', got 1/);
    expect(rl.pool(rl.ones([1, 5, 5, 1]), 2, 'max', 0, 2).shape).toEqual([1, 3, 3, 1]);
    expect(() => rl.maxPool(rl.ones([1, 3, 1, 1]), 3, 1, 'valid')).toThrow(/does not fit the input/);
  });

  it('depthToSpace, maxPool, dilation2d and conv2dTranspose differentiate exactly', () => {
    expect(gradErrorNd((x) => rl.depthToSpace(x, 2), [1, 2, 1, 8])).toBeLessThan(1e-6);
    expect(gradErrorNd((x) => rl.maxPool(x, 2, 1, 'same'), [1, 4, 5, 2])).toBeLessThan(1e-6);
    expect(gradErrorNd((f) => rl.dilation2d(filt([1, 5, 5, 1]), f, 1, 'same'), [2, 2, 1])).toBeLessThan(1e-6);
    expect(gradErrorNd((f) => rl.conv2dTranspose(filt([1, 3, 3, 2]), f, [1, 5, 5, 1], 2, 'same'), [3, 3, 1, 2])).toBeLessThan(1e-6);
  });

  it('channels-first formats are refused by name', () => {
    expect(() => rl.conv2d(rl.ones([1, 1, 3, 3]), rl.ones([2, 2, 1, 1]), 1, 'same', 'NCHW' as never)).toThrow(/dataFormat 'NCHW' is not supported by rnnlab/);
    expect(() => rl.maxPool3d(rl.ones([1, 1, 2, 2, 2]), 2, 1, 'same', undefined, 'NCDHW' as never)).toThrow(/dataFormat 'NCDHW'/);
    expect(() => rl.conv2d(rl.ones([1, 3, 3, 1]), rl.ones([2, 2, 1, 1]), 1, 'valid', 'NHWC', 1, 'ceil')).toThrow(/dimRoundingMode is only used with a numeric or explicit pad/);
  });
});

describe('refused tfjs ops', () => {
  const refused = ['complex', 'real', 'imag', 'fft', 'ifft', 'rfft', 'irfft', 'raggedGather', 'raggedTensorToTensor'];
  it.each(refused)('rl.%s throws saying it is not supported and why', (name) => {
    const fn = (rl as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    expect(() => fn(rl.ones([1, 4, 4, 1]), rl.ones([2, 2, 1, 1]), 1, 'same')).toThrow(new RegExp(`^${name}: not supported by rnnlab: `));
  });

  it('the matching Tensor methods and namespaces throw the same way', () => {
    const x = rl.ones([1, 4, 4, 1]) as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ['fft', 'rfft', 'resizeBilinear', 'resizeNearestNeighbor', 'dataToGPU']) expect(() => x[m](2)).toThrow(new RegExp(`^${m}: not supported by rnnlab`));
    expect(() => rl.spectral.rfft(rl.ones([4]))).toThrow(/spectral\.rfft: not supported by rnnlab: .*complex64/);
    expect(() => rl.image.resizeBilinear(rl.ones([1, 2, 2, 1]), [4, 4])).toThrow(/image\.resizeBilinear: not supported by rnnlab/);
    expect(() => rl.string.stringSplit(['a b'], ' ')).toThrow(/string\.stringSplit: not supported by rnnlab: .*string dtype/);
  });
});

describe('fused.matMul options', () => {
  it('an unknown key or an option its activation does not use is an error naming it', () => {
    const a = rl.ones([2, 2]);
    expect(() => rl.fused.matMul({ a, b: a, activaton: 'relu' } as never)).toThrow(/unknown option 'activaton'/);
    expect(() => rl.fused.matMul({ a, b: a, leakyreluAlpha: 0.3 })).toThrow(/leakyreluAlpha is only used with activation 'leakyrelu'/);
    expect(() => rl.fused.matMul({ a, b: a, activation: 'prelu' })).toThrow(/needs preluActivationWeights/);
  });
});

describe('random and raw helpers', () => {
  it('randomGamma: seeded draws repeat; the mean is alpha * beta, as tfjs 4.22 computes it; int32 rounds', () => {
    const a = rl.randomGamma([4], 2, 3, 'float32', 7).dataSync(), b = rl.randomGamma([4], 2, 3, 'float32', 7).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const [alpha, beta] of [[2, 4], [0.5, 1], [5, 0.5]]) {
      const g = rl.randomGamma([20000], alpha, beta, 'float32', 3);
      expect(rl.mean(g).dataSync()[0]).toBeCloseTo(alpha * beta, 0);
      expect(rl.moments(g).variance.dataSync()[0] / (alpha * beta * beta)).toBeGreaterThan(0.9);
      expect(rl.moments(g).variance.dataSync()[0] / (alpha * beta * beta)).toBeLessThan(1.1);
      expect(rl.min(g).dataSync()[0]).toBeGreaterThan(0);
    }
    const i = rl.randomGamma([50], 3, 1, 'int32', 1);
    expect(i.dtype).toBe('int32');
    expect(() => rl.randomGamma([2], 0)).toThrow(/alpha must be a positive number/);
    expect(() => rl.randomGamma([2], 1, -1)).toThrow(/beta must be a positive number/);
  });

  it('rand stores bools as 0/1 and refuses an unknown dtype', () => {
    expect(Array.from(rl.rand([3], () => 2, 'bool').dataSync())).toEqual([1, 1, 1]);
    expect(() => rl.rand([1], () => 1, 'complex64' as never)).toThrow(/Unknown data type complex64/);
  });

  it('bytes() gives the storage as tfjs lays it out', async () => {
    const f = new Uint8Array(new Float32Array([1.5, -2]).buffer), i = new Uint8Array(new Int32Array([7, -1]).buffer);
    expect(Array.from(await rl.tensor1d([1.5, -2]).bytes())).toEqual(Array.from(f));
    expect(Array.from(await rl.tensor1d([7, -1], 'int32').bytes())).toEqual(Array.from(i));
    expect(Array.from(await rl.tensor1d([true, false], 'bool').bytes())).toEqual([1, 0]);
  });

  it('movingAverage returns the new average and leaves v as it was', () => {
    const v = rl.tensor1d([1, 2]);
    rl.movingAverage(v, rl.tensor1d([3, 5]), 0.5, undefined, false);
    expect(Array.from(v.dataSync())).toEqual([1, 2]);
  });
});

describe('range under rl.setPrecision(64)', () => {
  it('is float64 storage, as every op at that precision, accumulating the step in float64', () => {
    rl.setPrecision(64);
    const r = rl.range(0, 1, 0.1).dataSync();
    expect(r).toBeInstanceOf(Float64Array);
    let v = 0;
    for (let i = 0; i < 10; i++) { expect(r[i]).toBe(v); v += 0.1; }
  });
});
