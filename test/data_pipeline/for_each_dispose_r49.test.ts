/**
 * forEachAsync consumes its elements as tfjs's does (tfjs: map(f) drained): after f, each element's tensors that f's
 * result does not hold are disposed, so passes leave memory().numTensors flat. Expected values checked against
 * @tensorflow/tfjs-data 4.22.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const nt = () => rl.memory().numTensors;

describe('forEachAsync disposes each element after f', () => {
  it('data.array of tensors: three passes leave numTensors flat and the items usable', async () => {
    const items = [rl.tensor([1]), rl.tensor([2])];
    const ds = rl.data.array(items);
    const n0 = nt();
    const seen: number[] = [];
    for (let pass = 0; pass < 3; pass++) await ds.forEachAsync((t) => { seen.push(t.dataSync()[0]); });
    expect(nt() - n0).toBe(0);
    expect(seen).toEqual([1, 2, 1, 2, 1, 2]);
    expect(items.map((t) => t.isDisposed)).toEqual([false, false]);
    expect(Array.from(items[1].dataSync())).toEqual([2]);
    rl.dispose(items);
  });

  it("a generator's batches are disposed, and so are tensors f stores or rl.keep's (tfjs disposes them too)", async () => {
    const n0 = nt();
    await rl.data.generator(function* () { yield rl.tensor([1]); yield rl.tensor([2]); }).batch(2).forEachAsync(() => {});
    expect(nt() - n0).toBe(0);
    const stored: rl.Tensor[] = [];
    await rl.data.array([1, 2]).map((x) => rl.tensor([x])).forEachAsync((t) => { stored.push(rl.keep(t)); });
    expect(stored.map((t) => t.isDisposed)).toEqual([true, true]);
    expect(nt() - n0).toBe(0);
  });

  it("the iterator's forEachAsync disposes the elements it visits; nested {xs, ys} elements too", async () => {
    const n0 = nt();
    const it0 = await rl.data.zip({ xs: rl.data.array([1, 2, 3]).map((x) => rl.tensor([x])), ys: rl.data.array([4, 5, 6]).map((x) => rl.tensor([x])) }).iterator();
    const first = await it0.next();
    const sums: number[] = [];
    await it0.forEachAsync((e) => { const { xs, ys } = e as { xs: rl.Tensor; ys: rl.Tensor }; sums.push(xs.dataSync()[0] + ys.dataSync()[0]); });
    expect(sums).toEqual([7, 9]);
    // The element read with next() is the reader's, as in tfjs.
    expect(nt() - n0).toBe(2);
    rl.dispose(first.value as rl.TensorContainer);
    expect(nt() - n0).toBe(0);
  });

  it("an async f reads its element until its promise settles; a tensor f's result holds is not disposed", async () => {
    const seen: number[] = [];
    const n0 = nt();
    await rl.data.array([1, 2]).map((x) => rl.tensor([x])).forEachAsync(async (t) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(t.dataSync()[0]);
    });
    expect(seen).toEqual([1, 2]);
    expect(nt() - n0).toBe(0);
    const returned: rl.Tensor[] = [];
    await rl.data.array([1, 2]).map((x) => rl.tensor([x])).forEachAsync(((t: rl.Tensor) => { returned.push(t); return t; }) as never);
    expect(returned.map((t) => t.isDisposed)).toEqual([false, false]);
    expect(nt() - n0).toBe(2);
    rl.dispose(returned);
  });

  it('f failing disposes that element and ends the pass with its error', async () => {
    const n0 = nt();
    let got: rl.Tensor | undefined;
    await expect(rl.data.array([1, 2, 3]).map((x) => rl.tensor([x])).forEachAsync((t) => { got = t; throw new Error('boom'); })).rejects.toThrow('boom');
    expect(got!.isDisposed).toBe(true);
    expect(nt() - n0).toBe(0);
  });

  it('a generator yielding a tensor it already gave is an error naming forEachAsync and the element', async () => {
    const same = rl.tensor([1]);
    const ds = rl.data.generator(function* () { yield same; yield same; });
    await expect(ds.forEachAsync(() => {})).rejects.toThrow(/dataset\.forEachAsync: element 1 holds a disposed tensor/);
  });
});
