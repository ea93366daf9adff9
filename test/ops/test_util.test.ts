/** rl.test_util: tfjs's test assertions, with tfjs's tolerance (1e-3) and messages; tensors compare by value. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const tu = rl.test_util;

describe('rl.test_util', () => {
  it('expectArraysClose passes within 1e-3 (or the epsilon given) and names the first differing index', () => {
    expect(tu.testEpsilon()).toBe(1e-3);
    expect(tu.TEST_EPSILON_FLOAT16).toBe(0.1);
    expect(() => tu.expectArraysClose([1, 2, 3], [1, 2.0009, 3])).not.toThrow();
    expect(() => tu.expectArraysClose([1, 2, 3], [1, 2.002, 3])).toThrow(/^Arrays differ: actual\[1\] = 2, expected\[1\] = 2\.002\./);
    expect(() => tu.expectArraysClose([1, 2, 3], [1, 2.002, 3], 0.01)).not.toThrow();
    expect(() => tu.expectArraysClose(new Float32Array([1, Infinity]), [1, -Infinity])).not.toThrow();
    expect(() => tu.expectArraysClose([NaN], [1])).toThrow(/Arrays differ: actual\[0\] = NaN/);
    expect(() => tu.expectArraysClose(5, 5.0001)).not.toThrow();
  });

  it('expectArraysClose checks kinds, shapes and lengths as tfjs does', () => {
    expect(() => tu.expectArraysClose([[1, 2]], [1, 2])).toThrow('Arrays have different shapes. Actual: [1,2]. Expected: [2]');
    expect(() => tu.expectArraysClose(new Float32Array([1]), new Int32Array([1]))).toThrow('Arrays are of different type. Actual: Float32Array. Expected: Int32Array');
    expect(() => tu.expectArraysClose(new Float32Array([1, 2]), [[1, 2]])).not.toThrow();
    expect(() => tu.expectArraysClose(new Float32Array([1, 2]), [1])).toThrow(/^Arrays have different lengths actual: 2 vs expected: 1\./);
  });

  it('tensors compare by their values and shapes (tfjs 4 passes any two tensors)', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    const x = rl.ones([3, 3]);
    expect(() => tu.expectArraysClose(m.predict(x) as rl.Tensor, m.predict(x, { batchSize: 1 }) as rl.Tensor)).not.toThrow();
    expect(() => tu.expectArraysClose(rl.tensor([1, 2]), rl.tensor([1, 2.01]))).toThrow(/Arrays differ: actual\[1\] = 2/);
    expect(() => tu.expectArraysClose(rl.tensor([[1, 2]]), rl.tensor([1, 2]))).toThrow(/different shapes/);
    expect(() => tu.expectArraysClose(rl.tensor([1, 2]), new Float32Array([1, 2]))).not.toThrow();
  });

  it('expectArraysEqual needs exact values; strings compare loosely', () => {
    expect(() => tu.expectArraysEqual([1, 2], [1, 2])).not.toThrow();
    expect(() => tu.expectArraysEqual([1, 2], [1, 2.0000001])).toThrow(/Arrays differ: actual\[1\]/);
    expect(() => tu.expectArraysEqual(['a', '1'], ['a', 1] as unknown[])).not.toThrow();
    expect(() => tu.expectArraysEqual(['a'], 'b')).toThrow(/Arrays differ: actual\[0\] = a, expected\[0\] = b/);
  });

  it('expectNumbersClose, expectValuesInRange, expectArrayBuffersEqual, expectPromiseToFail', async () => {
    expect(() => tu.expectNumbersClose(1, 1.0005)).not.toThrow();
    expect(() => tu.expectNumbersClose(1, 1.1)).toThrow('Numbers differ: actual === 1, expected === 1.1');
    expect(() => tu.expectValuesInRange([0, 0.5, 1], 0, 1)).not.toThrow();
    expect(() => tu.expectValuesInRange([0, 1.5], 0, 1)).toThrow('Value out of range:1.5 low: 0, high: 1');
    expect(() => tu.expectArrayBuffersEqual(new Float32Array([1, NaN]).buffer, new Float32Array([1, NaN]).buffer)).not.toThrow();
    expect(() => tu.expectArrayBuffersEqual(new Float32Array([1, 2]).buffer, new Float32Array([1, 3]).buffer)).toThrow(/at float32 index 1, 2 vs 3/);
    const outcome = (fn: () => Promise<unknown>) => new Promise<string>((resolve) => {
      const done = Object.assign(() => resolve('done'), { fail: () => resolve('fail') });
      tu.expectPromiseToFail(fn, done);
    });
    expect(await outcome(() => Promise.reject(new Error('x')))).toBe('done');
    expect(await outcome(() => Promise.resolve(1))).toBe('fail');
  });

  it('the browser and string helpers are refused by name', () => {
    expect(() => tu.encodeStrings(['a'])).toThrow(/^test_util\.encodeStrings: not supported by rnnlab: /);
    expect(() => tu.createVideoElement()).toThrow(/^test_util\.createVideoElement: not supported by rnnlab: /);
    expect(() => tu.play()).toThrow(/^test_util\.play: not supported by rnnlab: /);
  });
});
