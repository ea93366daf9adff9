// A variable's bytes(): tfjs's bytes of its values, copied once (the values straight into the byte array, not first
// through dataSync(), which for a variable is itself a copy), and still a copy that a later assign leaves be.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

describe('variable.bytes()', () => {
  it('gives tfjs 4.22\'s bytes, as do float32, int32 and bool tensors', async () => {
    const values = [1.5, -2, 3e-8, 65536.25];
    const v = rl.variable(rl.tensor(values)), tv = tf.variable(tf.tensor(values));
    expect(Array.from(await v.bytes())).toEqual(Array.from(await tv.bytes() as Uint8Array));
    v.dispose(); tv.dispose();
    const cases: Array<[number[], 'float32' | 'int32' | 'bool']> = [[values, 'float32'], [[7, -1, 65536, 0], 'int32'], [[1, 0, 1, 1], 'bool']];
    for (const [xs, dtype] of cases) {
      expect(Array.from(await rl.tensor(xs, [4], dtype).bytes())).toEqual(Array.from(await tf.tensor(xs, [4], dtype).bytes() as Uint8Array));
    }
  });

  it('copies the values once: it does not take dataSync()\'s copy first', async () => {
    const v = rl.variable(rl.tensor([1, 2, 3, 4]));
    const dataSync = vi.spyOn(v, 'dataSync');
    const viewValues = vi.spyOn(v, 'viewValues');
    const p = v.bytes();
    v.assign(rl.tensor([9, 9, 9, 9]));
    expect(Array.from(new Float32Array((await p).slice().buffer))).toEqual([1, 2, 3, 4]);
    expect(dataSync).not.toHaveBeenCalled();
    expect(viewValues).not.toHaveBeenCalled();
    v.dispose();
    await expect(v.bytes()).rejects.toThrow('Tensor is disposed.');
  });
});
