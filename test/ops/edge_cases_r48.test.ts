// Six op edge cases where rnnlab differed from tfjs 4.22's CPU backend; the expected numbers and messages are tfjs's.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** Values with -0 and NaN told apart (toEqual on arrays would not). */
const vals = (t: rl.Tensor): string[] => Array.from(t.dataSync() as Float32Array, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('prelu at x = 0', () => {
  it('keeps ±0 whatever alpha is (tfjs: x < 0 ? alpha * x : x)', () => {
    expect(vals(rl.prelu(rl.tensor([0, -0, 1]), rl.scalar(NaN)))).toEqual(['0', '-0', '1']);
    expect(vals(rl.prelu(rl.tensor([0, -0, 1]), rl.scalar(Infinity)))).toEqual(['0', '-0', '1']);
    expect(vals(rl.prelu(rl.tensor([0, -0, -2]), rl.scalar(-0.5)))).toEqual(['0', '-0', '1']);
  });

  it('the PReLU layer follows the same rule', () => {
    const layer = rl.layers.prelu();
    layer.apply(rl.zeros([1, 3]));
    layer.setWeights([rl.tensor([NaN, -0.5, Infinity])]);
    expect(vals(layer.apply(rl.tensor([[0, -0, -2]])) as rl.Tensor)).toEqual(['0', '-0', '-Infinity']);
  });

  it('has tfjs\'s gradients: mask x > 0, and alpha\'s is 0 where x > 0 even for an infinite dy', () => {
    const f = (x: rl.Tensor, a: rl.Tensor) => rl.mul(rl.prelu(x, a), rl.scalar(Infinity));
    const [dx, da] = rl.grads(f)([rl.tensor([0, -0, 1, -2]), rl.tensor([NaN, 0.5, 2, 3])]);
    expect(vals(dx)).toEqual(['NaN', 'Infinity', 'Infinity', 'Infinity']);
    expect(vals(da)).toEqual(['NaN', 'NaN', '0', '-Infinity']);
    const [gx, ga] = rl.grads((x: rl.Tensor, a: rl.Tensor) => rl.prelu(x, a))([rl.tensor([0, -0, 1, -2]), rl.tensor([NaN, 0.5, 2, 3])]);
    expect(vals(gx)).toEqual(['NaN', '0.5', '1', '3']);
    expect(vals(ga)).toEqual(['0', '-0', '0', '-2']);
  });
});

describe('norm of a scalar', () => {
  it('is its absolute value whatever the axis or ord, as tfjs', () => {
    expect(vals(rl.norm(rl.scalar(-2), 'euclidean', 0))).toEqual(['2']);
    expect(vals(rl.euclideanNorm(rl.scalar(-2), -1))).toEqual(['2']);
    expect(vals(rl.norm(rl.scalar(-2), 'euclidean', [0, 1]))).toEqual(['2']);
    expect(vals(rl.norm(rl.scalar(-2), 3 as never, 5))).toEqual(['2']);
    const i = rl.norm(rl.scalar(-2, 'int32'), 'euclidean', 0);
    expect([i.dtype, i.shape, vals(i)]).toEqual(['int32', [], ['2']]);
  });

  it('still refuses an axis with keepDims, as tfjs', () => {
    expect(() => rl.norm(rl.scalar(-2), 'euclidean', 0, true)).toThrow('All values in axis param must be in range [-0, 0) but got axis 0');
    expect(vals(rl.norm(rl.scalar(-2), 'euclidean', null, true))).toEqual(['2']);
  });
});

describe('gather of an empty x', () => {
  it('checks every index, not only the ones it copies', () => {
    expect(() => rl.gather(rl.zeros([2, 0, 3]), rl.tensor([3, -1], [2], 'int32'), 2)).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    expect(() => rl.gather(rl.zeros([2, 0, 3]), rl.tensor([-1], [1], 'int32'), 2)).toThrow('GatherV2: the index value -1 is not in [0, 2]');
    expect(() => rl.gather(rl.zeros([2, 0, 3]), rl.tensor([[3], [0]], [2, 1], 'int32'), 2, 1)).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    expect(rl.gather(rl.zeros([2, 0, 3]), rl.tensor([2, 0], [2], 'int32'), 2).shape).toEqual([2, 0, 2]);
  });
});

describe('erf', () => {
  it('refuses bool, as tfjs, and takes int32 and float32', () => {
    expect(() => rl.erf(rl.tensor([true, false]))).toThrow('Input dtype must be `int32` or `float32`');
    expect(() => rl.erf(rl.tensor([1, 0], [2], 'bool'))).toThrow('erf: ');
    const r = rl.erf(rl.tensor([1, 0], [2], 'int32'));
    expect(r.dtype).toBe('float32');
    expect(r.dataSync()[0]).toBeCloseTo(0.8427007, 6);
  });
});

describe('pad of a scalar', () => {
  it('is refused, as tfjs', () => {
    expect(() => rl.pad(rl.scalar(3), [])).toThrow('pad(scalar) is not defined. Pass non-scalar to pad');
    expect(() => rl.pad(rl.scalar(3), [[1, 1]])).toThrow('pad(scalar) is not defined. Pass non-scalar to pad');
    expect(() => rl.mirrorPad(rl.scalar(3), [], 'reflect')).toThrow('mirrorPad(scalar) is not defined');
  });
});

describe('relu6 gradient', () => {
  it('is (x <= 6) * step(x): NaN at NaN, as tfjs', () => {
    const g = rl.grad((x: rl.Tensor) => rl.relu6(x))(rl.tensor([NaN, -1, 0, 3, 6, 7, Infinity, -Infinity]));
    expect(vals(g)).toEqual(['NaN', '0', '0', '1', '1', '0', '0', '0']);
  });
  it("the layers' 'relu6' activation has the op's gradient", () => {
    const layer = rl.layers.activation({ activation: 'relu6' });
    const g = rl.grad((x: rl.Tensor) => layer.apply(x) as rl.Tensor)(rl.tensor([NaN, -1, 0, 3, 6, 7]));
    expect(vals(g)).toEqual(['NaN', '0', '0', '1', '1', '0']);
  });
});
