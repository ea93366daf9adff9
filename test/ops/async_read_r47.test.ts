// The async readers (data, array, buffer, bytes) take the values when called, as tfjs's: a read started before a
// dispose(), an assign() or an optimizer step resolves to the values it was started on; reading a disposed tensor
// rejects instead of throwing. Each case runs in tfjs 4.22 too, as the reference.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// The part of both libraries these cases use, so one body runs on either.
interface T { data(): Promise<ArrayLike<number>>; array(): Promise<unknown>; buffer(): Promise<{ values: ArrayLike<number> }>;
  bytes(): Promise<unknown>; dataSync(): ArrayLike<number>; dispose(): void }
interface V extends T { assign(t: T): void }
interface Lib { tensor1d(v: number[]): T; variable(t: T): V; sum(t: T): T; square(t: T): T; train: { sgd(lr: number): { minimize(f: () => T): unknown } } }
const RL = rl as unknown as Lib, TF = tf as unknown as Lib;
// Each reader, its result brought to a flat list of numbers (bytes as the float32 values they encode).
const READERS: Array<[string, (t: T) => Promise<number[]>]> = [
  ['data', async (t) => Array.from(await t.data())],
  ['array', async (t) => (await t.array()) as number[]],
  ['buffer', async (t) => Array.from((await t.buffer()).values)],
  ['bytes', async (t) => Array.from(new Float32Array(((await t.bytes()) as Uint8Array).slice().buffer))],
];

// The scenarios: make a tensor, start a read, change or drop the tensor, then await the read.
async function readThenDispose(L: Lib, read: (t: T) => Promise<number[]>): Promise<number[]> {
  const t = L.tensor1d([1, 2]);
  const p = read(t);
  t.dispose();
  return p;
}
async function readThenAssign(L: Lib, read: (t: T) => Promise<number[]>): Promise<number[]> {
  const v = L.variable(L.tensor1d([1, 2]));
  const p = read(v);
  v.assign(L.tensor1d([7, 8]));
  const got = await p;
  expect(Array.from(v.dataSync())).toEqual([7, 8]);
  v.dispose();
  return got;
}
async function readThenMinimize(L: Lib, read: (t: T) => Promise<number[]>): Promise<number[]> {
  const w = L.variable(L.tensor1d([1, 2]));
  const p = read(w);
  // One SGD step of sum(w^2) with rate 0.5 takes w to 0.
  L.train.sgd(0.5).minimize(() => L.sum(L.square(w)));
  const got = await p;
  expect(Array.from(w.dataSync())).toEqual([0, 0]);
  w.dispose();
  return got;
}

describe('async readers take the values when called', () => {
  for (const [name, read] of READERS) {
    it(`${name}() then dispose() resolves to the values, as tfjs`, async () => {
      expect(await readThenDispose(RL, read)).toEqual([1, 2]);
      expect(await readThenDispose(TF, read)).toEqual([1, 2]);
    });
    it(`${name}() then assign() resolves to the old values, as tfjs`, async () => {
      expect(await readThenAssign(RL, read)).toEqual([1, 2]);
      expect(await readThenAssign(TF, read)).toEqual([1, 2]);
    });
    it(`${name}() then an optimizer step resolves to the values before it, as tfjs`, async () => {
      expect(await readThenMinimize(RL, read)).toEqual([1, 2]);
      expect(await readThenMinimize(TF, read)).toEqual([1, 2]);
    });
    it(`${name}() of a disposed tensor rejects rather than throws, as tfjs`, async () => {
      for (const L of [RL, TF]) {
        const t = L.tensor1d([1, 2]);
        t.dispose();
        let p: Promise<number[]> | undefined;
        expect(() => { p = read(t); }).not.toThrow();
        await expect(p).rejects.toThrow(/disposed/);
      }
    });
  }

  it('the data-dependent async ops read their inputs when called too', async () => {
    const c = rl.tensor1d([1, 0, 1], 'bool');
    const where = rl.whereAsync(c);
    c.dispose();
    expect(Array.from((await where).dataSync())).toEqual([0, 2]);

    const x = rl.variable(rl.tensor1d([1, 2, 3]));
    const m = rl.tensor1d([true, false, true], 'bool');
    const masked = rl.booleanMaskAsync(x, m);
    x.assign(rl.tensor1d([7, 8, 9]));
    expect(Array.from((await masked).dataSync())).toEqual([1, 3]);

    const a = rl.tensor1d([1, 2, 3]), b = rl.tensor1d([2]);
    const diff = rl.setdiff1dAsync(a, b);
    a.dispose();
    expect(Array.from((await diff)[0].dataSync())).toEqual([1, 3]);

    const pred = rl.variable(rl.tensor2d([[0.1, 0.9]])), target = rl.tensor1d([1], 'int32');
    const inTop = rl.inTopKAsync(pred, target, 1);
    pred.assign(rl.tensor2d([[0.9, 0.1]]));
    expect(Array.from((await inTop).dataSync())).toEqual([1]);
  });
});
