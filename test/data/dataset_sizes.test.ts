/**
 * rl.data sizes and orders checked against tfjs 4.22 (tf.data), whose results are written here as literals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { data } from '../../src/data_pipeline/index.js';
import { Tensor } from '../../src/tensor.js';

const plain = (x: unknown): unknown => x instanceof Tensor ? Array.from(x.values) : Array.isArray(x) ? x.map(plain)
  : x !== null && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)])) : x;

describe('rl.data sizes as tfjs computes them', () => {
  it('a filtered infinite dataset stays infinite, so toArray refuses it instead of running forever', async () => {
    const endless = data.array([1, 2, 3]).repeat().filter((x) => x !== 2);
    expect(endless.size).toBe(Infinity);
    await expect(endless.toArray()).rejects.toThrow(/infinite/);
    expect(endless.batch(2).size).toBe(Infinity);
    expect(await endless.take(4).toArray()).toEqual([1, 3, 1, 3]);
    expect(data.array([1, 2, 3]).filter((x) => x !== 2).size).toBeNull();
  });

  it('a dataset concatenated with an infinite one is infinite whatever the other side, so toArray refuses it', async () => {
    const gen = data.generator(function* () { yield 1; });
    expect(gen.concatenate(data.array([2]).repeat()).size).toBe(Infinity);
    expect(data.array([2]).repeat().concatenate(gen).size).toBe(Infinity);
    await expect(gen.concatenate(data.array([2]).repeat()).toArray()).rejects.toThrow(/infinite/);
    expect(await gen.concatenate(data.array([2]).repeat()).take(3).toArray()).toEqual([1, 2, 2]);
    expect(gen.concatenate(data.array([2])).size).toBeNull();
    expect(data.array([1]).concatenate(data.array([2, 3])).size).toBe(3);
  });

  it('take and skip read no count, a negative one or Infinity as tfjs does; toArrayForTest is toArray', async () => {
    const d = data.array([1, 2, 3]);
    for (const c of [undefined, -1, Infinity]) {
      expect(await d.take(c).toArray()).toEqual([1, 2, 3]);
      expect(await d.skip(c).toArray()).toEqual([]);
    }
    expect(d.take(undefined).size).toBe(3);
    expect(d.skip(Infinity).size).toBe(0);
    // tfjs takes 3 elements here but reports size 2.5: an accident, refused rather than copied.
    expect(() => d.take(2.5)).toThrow(/dataset\.take: count must be an integer \(or none, a negative one or Infinity for all\), got 2\.5/);
    expect(() => d.skip(0.5)).toThrow(/dataset\.skip: count must be an integer/);
    expect(() => d.repeat(1.5)).toThrow(/dataset\.repeat: count must be an integer \(or none, a negative one or Infinity for forever\), got 1\.5/);
    expect(await d.take(2).toArrayForTest()).toEqual([1, 2]);
  });

  it('sizes keep infinite apart from unknown through every op (infinite: Infinity; unknown: null)', () => {
    const finite = data.array([1, 2, 3]);
    const unknown = data.generator(function* () { yield 1; yield 2; });
    const infinite = data.array([1, 2]).repeat();
    const sizes = (d: { size: number | null }) => d.size;
    // [op, size for the finite, the unknown and the infinite source]
    const table: [string, (d: typeof finite) => { size: number | null }, number | null, number | null, number | null][] = [
      ['map', (d) => d.map((x) => x * 2), 3, null, Infinity],
      ['mapAsync', (d) => d.mapAsync(async (x) => x), 3, null, Infinity],
      ['filter', (d) => d.filter(() => true), null, null, Infinity],
      ['batch', (d) => d.batch(2), 2, null, Infinity],
      ['batch, no small last', (d) => d.batch(2, false), 1, null, Infinity],
      ['shuffle', (d) => d.shuffle(2, 1), 3, null, Infinity],
      ['prefetch', (d) => d.prefetch(2), 3, null, Infinity],
      ['take(2)', (d) => d.take(2), 2, null, 2],
      ['take()', (d) => d.take(), 3, null, Infinity],
      ['skip(1)', (d) => d.skip(1), 2, null, Infinity],
      ['skip()', (d) => d.skip(), 0, 0, 0],
      ['repeat(2)', (d) => d.repeat(2), 6, null, Infinity],
      ['repeat()', (d) => d.repeat(), Infinity, Infinity, Infinity],
      ['repeat(Infinity)', (d) => d.repeat(Infinity), Infinity, Infinity, Infinity],
      ['repeat(0)', (d) => d.repeat(0), 0, 0, 0],
      ['concatenate(finite)', (d) => d.concatenate(finite), 6, null, Infinity],
      ['concatenate(unknown)', (d) => d.concatenate(unknown), null, null, Infinity],
      ['concatenate(infinite)', (d) => d.concatenate(infinite), Infinity, Infinity, Infinity],
      ['zip with finite', (d) => data.zip([d, finite]), 3, null, 3],
      ['zip with unknown', (d) => data.zip([d, unknown]), null, null, null],
      ['zip with infinite', (d) => data.zip({ a: d, b: infinite }), 3, null, Infinity],
    ];
    for (const [name, op, f, u, i] of table) {
      expect([name, sizes(op(finite)), sizes(op(unknown)), sizes(op(infinite))]).toEqual([name, f, u, i]);
    }
  });

  it('repeat(Infinity) repeats forever as repeat() does; an empty dataset repeated stays empty (size 0, not infinite)', async () => {
    expect(await data.array([1, 2]).repeat(Infinity).take(5).toArray()).toEqual([1, 2, 1, 2, 1]);
    const empty = data.array([] as number[]).repeat();
    expect(empty.size).toBe(0);
    expect(await empty.toArray()).toEqual([]);
  });

  it('filter waits for a predicate that answers with a promise (a pending promise is not a yes)', async () => {
    const kept = await data.array([1, 2, 3, 4]).filter(async (x) => x % 2 === 0).toArray();
    expect(kept).toEqual([2, 4]);
    const failing = data.array([1, 2]).filter(async (x) => { if (x === 2) throw new Error('no 2'); return true; });
    await expect(failing.toArray()).rejects.toThrow('no 2');
  });

  it('data.func refuses a function that returns something other than {value, done}, naming func', async () => {
    let i = 0;
    const bare = data.func((() => i++) as never);
    await expect(bare.take(2).toArray()).rejects.toThrow(/data\.func: the function must return \{value, done\}.*got 0/);
    const ok = data.func(() => (i < 5 ? { value: i++, done: false } : { value: undefined, done: true }));
    i = 3;
    expect(await ok.toArray()).toEqual([3, 4]);
    const later = data.func(async () => ({ other: 1 }) as never);
    await expect(later.take(1).toArray()).rejects.toThrow(/got an object with keys \["other"\]/);
  });

  it('repeat(0) is empty with size 0, whatever the size of the source', async () => {
    expect(data.array([1, 2]).repeat().repeat(0).size).toBe(0);
    expect(await data.array([1, 2]).repeat().repeat(0).toArray()).toEqual([]);
    const gen = data.generator(function* () { yield 1; });
    expect(gen.size).toBeNull();
    expect(gen.repeat(0).size).toBe(0);
    expect(gen.repeat(2).size).toBeNull();
    expect(await gen.repeat(2).toArray()).toEqual([1, 1]);
  });

  it('matches tfjs on chained ops (elements and sizes)', async () => {
    const cases: [() => { size: number | null; toArray(): Promise<unknown[]> }, unknown[], number | null][] = [
      [() => data.array([1, 2, 3, 4, 5]).batch(2, false), [[1, 2], [3, 4]], 2],
      [() => data.array([1, 2, 3]).take(2).repeat(2), [1, 2, 1, 2], 4],
      [() => data.array([1, 2, 3]).repeat(2).skip(4), [2, 3], 2],
      [() => data.array([1, 2, 3, 4, 5, 6]).filter((x) => x > 2).take(2), [3, 4], null],
      [() => data.array([1, 2]).repeat().take(5), [1, 2, 1, 2, 1], 5],
      [() => data.array([1, 2]).concatenate(data.array([3])), [1, 2, 3], 3],
      [() => data.array([]).batch(2), [], 0],
    ];
    for (const [make, elements, size] of cases) {
      const d = make();
      expect(d.size).toBe(size);
      expect(plain(await d.toArray())).toEqual(elements);
    }
  });

  it('csv rows, labels, defaults and renamed columns read as tfjs reads them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-rl-data-'));
    try {
      const file = path.join(dir, 'rows.csv');
      writeFileSync(file, 'x,y,lab\n1,2.5,0\n3,,1\n-4,abc,1\n');
      expect(await data.csv(file, { columnConfigs: { y: { default: 9 } } }).toArray()).toEqual([
        { x: 1, y: 2.5, lab: 0 }, { x: 3, y: 9, lab: 1 }, { x: -4, y: 'abc', lab: 1 }]);
      expect(await data.csv(file, { columnConfigs: { x: {}, lab: { isLabel: true } }, configuredColumnsOnly: true }).toArray()).toEqual([
        { xs: { x: 1 }, ys: { lab: 0 } }, { xs: { x: 3 }, ys: { lab: 1 } }, { xs: { x: -4 }, ys: { lab: 1 } }]);
      const renamed = data.csv(file, { columnNames: ['u', 'v', 'w'] });
      expect(await renamed.columnNames()).toEqual(['u', 'v', 'w']);
      expect((await renamed.toArray())[1]).toEqual({ u: 3, v: undefined, w: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data.array sources as tfjs takes them', () => {
  it('a typed array is a dataset of its numbers, as in tfjs; other non-arrays are named', async () => {
    const d = data.array(new Float32Array([1.5, 2, 3]) as unknown as number[]);
    expect(d.size).toBe(3);
    expect(await d.toArray()).toEqual([1.5, 2, 3]);
    expect(plain((await d.batch(2).toArray())[0])).toEqual([1.5, 2]);
    expect(() => data.array({ length: 2 } as never)).toThrow(/data\.array: expected an array, got an object that is not an array/);
    expect(() => data.array(null as never)).toThrow(/got null/);
  });
});

describe('batch stacks lists of booleans as tfjs does', () => {
  it('a list of booleans is a bool vector (tfjs: bool [n, k]), not a tuple of scalars', async () => {
    const [b] = await data.array([[true, false], [false, true]]).batch(2).toArray() as Tensor[];
    expect(b).toBeInstanceOf(Tensor);
    expect(b.dtype).toBe('bool');
    expect(b.shape).toEqual([2, 2]);
    expect(Array.from(b.values)).toEqual([1, 0, 0, 1]);
    const [o] = await data.array([{ m: [[true], [false]] }, { m: [[false], [false]] }]).batch(2).toArray() as { m: Tensor }[];
    expect([o.m.dtype, o.m.shape]).toEqual(['bool', [2, 2, 1]]);
  });

  it('a list mixing booleans and numbers, or rows of both kinds, is an error rather than a silent cast', async () => {
    await expect(data.array([[true, 1], [false, 0]]).batch(2).toArray()).rejects.toThrow(/element 0 of the batch: a list mixing booleans and other values/);
    await expect(data.array([[true, false], [1, 0]]).batch(2).toArray()).rejects.toThrow(/element 1 of the batch has dtype float32 but element 0 has bool/);
  });
});
