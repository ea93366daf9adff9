/**
 * How rl.data's iterators end when the generator returns nothing (`return;` or falling off its end), side by side
 * with tfjs-data 4.22: take short of its count, skip, filter and prefetch pass the generator's undefined on; the ops
 * that end on their own (map, mapAsync, batch, shuffle, concatenate, repeat, take at its count, array, zip) send
 * {value: null, done: true}.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

/** The results of a fresh iterator up to and including its first done. */
async function untilDone(d: any): Promise<IteratorResult<unknown>[]> {
  const it = await d.iterator();
  const out = [];
  for (let i = 0; i < 10; i++) {
    const r = await it.next();
    out.push(r);
    if (r.done) break;
  }
  return out;
}

/** yields 1 and 2, then returns nothing. */
const gen = (l: Lib) => l.data.generator(function* () { yield 1; yield 2; });

async function same(make: (l: Lib) => any): Promise<IteratorResult<unknown>> {
  const ours = await untilDone(make(rl));
  expect(ours).toStrictEqual(await untilDone(make(tf)));
  return ours[ours.length - 1];
}

describe('a generator that returns nothing, through the ops, as tfjs-data', () => {
  const passing: Record<string, (l: Lib) => any> = {
    'the generator itself': (l) => gen(l),
    'take past the end': (l) => gen(l).take(5),
    'skip(1)': (l) => gen(l).skip(1),
    'skip past the end': (l) => gen(l).skip(5),
    'filter': (l) => gen(l).filter((x: number) => x > 1),
    'prefetch': (l) => gen(l).prefetch(2),
    'prefetch then filter': (l) => gen(l).prefetch(1).filter(() => true),
  };
  for (const [name, make] of Object.entries(passing)) {
    it(`${name} ends with {value: undefined, done: true}`, async () => {
      const end = await same(make);
      expect(end).toStrictEqual({ value: undefined, done: true });
    });
  }

  const own: Record<string, (l: Lib) => any> = {
    'take at its count': (l) => gen(l).take(1),
    'map': (l) => gen(l).map((x: number) => x * 10),
    'mapAsync': (l) => gen(l).mapAsync(async (x: number) => x * 10),
    'batch': (l) => gen(l).batch(2).map((b: any) => b.arraySync()),
    'concatenate': (l) => gen(l).concatenate(gen(l)),
    'repeat(2)': (l) => gen(l).repeat(2),
    'map then filter': (l) => gen(l).map((x: number) => x).filter(() => true),
    'array then skip': (l) => l.data.array([1, 2]).skip(1),
  };
  for (const [name, make] of Object.entries(own)) {
    it(`${name} ends with {value: null, done: true}`, async () => {
      const end = await same(make);
      expect(end).toStrictEqual({ value: null, done: true });
    });
  }

  it('shuffle ends with {value: null, done: true} (its order is its own, so only the end is compared)', async () => {
    const end = async (l: Lib) => (await untilDone(gen(l).shuffle(5, 1))).slice(2);
    expect(await end(rl)).toStrictEqual(await end(tf));
    expect(await end(rl)).toStrictEqual([{ value: null, done: true }]);
  });

  it('an own end reads null again on later reads; for-await over the dataset gets the elements only', async () => {
    const it = await rl.data.array([1]).map((x: number) => x + 1).iterator();
    expect(await it.next()).toStrictEqual({ value: 2, done: false });
    expect(await it.next()).toStrictEqual({ value: null, done: true });
    expect(await it.next()).toStrictEqual({ value: null, done: true });
    const seen: unknown[] = [];
    for await (const x of rl.data.array([1, 2]).take(1)) seen.push(x);
    expect(seen).toEqual([1]);
  });
});
