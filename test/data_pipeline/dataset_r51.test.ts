/**
 * Three rl.data readings checked against tfjs-data 4.22: unseeded shuffles made together each get their own order
 * (and after setSeed the same orders again), batch stacks typed-array rows with rl.tensor's dtype, and -Infinity is a
 * negative count for take, skip and repeat.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const range = Array.from({ length: 20 }, (_, i) => i);

async function ordersOfFiveShuffles(): Promise<number[][]> {
  // Built in a tight loop, so all in one millisecond: a millisecond clock seed would give one order.
  const sets = Array.from({ length: 5 }, () => rl.data.array(range).shuffle(20));
  const out: number[][] = [];
  for (const d of sets) out.push(await d.toArray());
  return out;
}

// Unseeded first: setSeed below cannot be undone within this file.
describe('shuffle seeds', () => {
  it('without setSeed, unseeded shuffles made together give distinct orders (as tfjs)', async () => {
    const orders = await ordersOfFiveShuffles();
    for (const o of orders) expect([...o].sort((a, b) => a - b)).toEqual(range);
    // Two equal orders of 20 elements by chance: about 10/20!, nil.
    expect(new Set(orders.map((o) => JSON.stringify(o))).size).toBe(5);
  });

  it('after setSeed, the same unseeded shuffles give the same orders again', async () => {
    rl.setSeed(1234);
    const first = await ordersOfFiveShuffles();
    rl.setSeed(1234);
    const again = await ordersOfFiveShuffles();
    expect(again).toEqual(first);
    expect(new Set(first.map((o) => JSON.stringify(o))).size).toBe(5);
  });
});

describe('batch of typed-array rows takes rl.tensor\'s dtype', () => {
  const cases: [string, (v: number[]) => ArrayLike<number>, string][] = [
    ['Uint8Array', (v) => Uint8Array.from(v), 'int32'],
    ['Uint8ClampedArray', (v) => Uint8ClampedArray.from(v), 'int32'],
    ['Int32Array', (v) => Int32Array.from(v), 'int32'],
    ['Float32Array', (v) => Float32Array.from(v), 'float32'],
    ['Float64Array', (v) => Float64Array.from(v), 'float32'],
    ['Int16Array', (v) => Int16Array.from(v), 'float32'],
    ['number[]', (v) => [...v], 'float32'],
  ];
  for (const [name, make, dtype] of cases) {
    it(`${name} rows stack as ${dtype}`, async () => {
      const rows = [make([1, 2]), make([3, 0])];
      const [b] = await rl.data.array(rows as never[]).batch(2).toArray() as rl.Tensor[];
      expect(b.dtype).toBe(dtype);
      expect(rl.tensor(rows as never).dtype).toBe(dtype);
      expect(b.shape).toEqual([2, 2]);
      expect(b.arraySync()).toEqual([[1, 2], [3, 0]]);
      b.dispose();
    });
  }

  it('Uint8Array rows nested in lists stack as int32, and oneHot takes the batch', async () => {
    const [b] = await rl.data.array([[Uint8Array.of(1, 2)], [Uint8Array.of(3, 0)]]).batch(2).toArray() as rl.Tensor[];
    expect(b.dtype).toBe('int32');
    expect(b.shape).toEqual([2, 1, 2]);
    const h = rl.oneHot(b.reshape([4]), 4);
    expect(h.arraySync()).toEqual([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]);
    rl.dispose([b, h]);
  });

  it('lists and typed arrays mixing int32 and float32 rows batch as float32, fractions kept, whichever comes first', async () => {
    for (const rows of [[Float32Array.of(1.5, 2), Uint8Array.of(3, 0)], [Uint8Array.of(3, 0), [1.5, 2]], [[1, 2], Uint8Array.of(3, 4)]]) {
      const [b] = await rl.data.array(rows as never[]).batch(2).toArray() as rl.Tensor[];
      expect(b.dtype).toBe('float32');
      expect(Array.from(b.dataSync())).toEqual((rows as ArrayLike<number>[]).flatMap((r) => Array.from(r)));
    }
  });

  it('tensor rows of two dtypes are an error naming them, as tfjs stacks tensors', async () => {
    await expect(rl.data.array([rl.tensor([1.5, 2]), rl.tensor([3, 0], [2], 'int32')] as never[]).batch(2).toArray())
      .rejects.toThrow('element 1 of the batch has dtype int32 but element 0 has float32');
  });
});

describe('-Infinity is a negative count', () => {
  it('take(-Infinity) takes all', async () => {
    const d = rl.data.array([1, 2, 3]).take(-Infinity);
    expect(d.size).toBe(3);
    expect(await d.toArray()).toEqual([1, 2, 3]);
  });

  it('skip(-Infinity) skips all, as skip(-1)', async () => {
    const d = rl.data.array([1, 2, 3]).skip(-Infinity);
    expect(d.size).toBe(0);
    expect(await d.toArray()).toEqual(await rl.data.array([1, 2, 3]).skip(-1).toArray());
  });

  it('repeat(-Infinity) repeats forever', async () => {
    const d = rl.data.array([1, 2]).repeat(-Infinity);
    expect(d.size).toBe(Infinity);
    expect(await d.take(5).toArray()).toEqual([1, 2, 1, 2, 1]);
  });

  it('NaN is still refused', () => {
    expect(() => rl.data.array([1]).take(NaN)).toThrow('dataset.take: count must be an integer');
  });
});
