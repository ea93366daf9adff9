/**
 * dataset.map given an async function is refused, naming mapAsync: map disposes its input's tensors once the function
 * returns, before a promise would resolve, so results passing an input tensor on would arrive disposed.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const pairs = () => rl.data.array([{ xs: rl.tensor([1, 2]), ys: rl.tensor([1]) }, { xs: rl.tensor([3, 4]), ys: rl.tensor([0]) }]);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('dataset.map refuses a promise result', () => {
  it('names map, the element and mapAsync', async () => {
    await expect(pairs().map(async (e) => e).toArray()).rejects.toThrow('dataset.map: the function returned a promise for element 0; use dataset.mapAsync for an async function');
  });

  it('leaks nothing: the input and what the promise resolves to are disposed once it settles', async () => {
    let inputLive: boolean | undefined;
    const ds = pairs().map(async (e) => { await null; inputLive = !e.xs.isDisposed; return { xs: e.xs.add(1), ys: e.ys }; });
    // After the array's items are made: they are the user's, cloned for each pass.
    const before = rl.memory().numTensors;
    await expect(ds.forEachAsync(() => undefined)).rejects.toThrow(/mapAsync/);
    await settle();
    expect(inputLive).toBe(true);
    expect(rl.memory().numTensors - before).toBe(0);
  });

  it('a rejected promise is not left unhandled', async () => {
    const ds = pairs().map(async () => { throw new Error('inside'); });
    const before = rl.memory().numTensors;
    await expect(ds.toArray()).rejects.toThrow(/dataset\.map: .*mapAsync/);
    await settle();
    expect(rl.memory().numTensors - before).toBe(0);
  });

  it('mapAsync with the same function still works', async () => {
    const out = await pairs().mapAsync(async (e) => e).batch(2).toArray() as { xs: rl.Tensor }[];
    expect(out[0].xs.shape).toEqual([2, 2]);
    rl.dispose(out as never);
  });
});
