/**
 * state.extra is the caller's own JSON: a value JSON.stringify would write as something else (NaN and the infinities
 * as null, undefined and functions dropped, a Map as {}) or not at all (a BigInt, a cycle) is refused, naming where it
 * is inside extra, and the checkpoint already in the folder is left as it was.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { replaceCheckpointExtra } from '../../src/io/checkpoint.js';
import { tempDirs } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-ckpt-extra-r55-');
const silent = { write: () => true };

function model(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

const state = (extra: unknown): rl.TrainingState =>
  ({ nextEpoch: 1, progress: null, history: { epoch: [0], history: { loss: [0.5] } }, rng: [1, 2, 3, 4, 5], samples: 8, batchSize: 4, extra } as rl.TrainingState);

/** Every file of dir and its bytes: what a refused write must leave exactly as it was. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));

const cyclic = (): unknown => { const a: Record<string, unknown> = { n: 1 }; a.self = a; return { a }; };

describe('writeCheckpoint refuses a state.extra JSON cannot hold', () => {
  it.each([
    ['Infinity', { best: Infinity }, /^writeCheckpoint: state\.extra\.best is Infinity, which JSON cannot hold; give a finite number, or a string such as 'nan', 'inf' or '-inf'; nothing was written$/],
    ['-Infinity deep in a list', { runs: [{ score: 1 }, { score: -Infinity }] }, /state\.extra\.runs\[1\]\.score is -Infinity, which JSON cannot hold/],
    ['NaN under a key that is not a name', { run: { '--lr': NaN } }, /state\.extra\.run\["--lr"\] is NaN, which JSON cannot hold/],
    ['a BigInt', { steps: 5n }, /state\.extra\.steps is the BigInt 5n, which JSON cannot hold; give a number or a string/],
    ['undefined in a list', { xs: [1, undefined] }, /state\.extra\.xs\[1\] is undefined, which JSON cannot hold; give null, or leave the key out/],
    ['a hole in a list', { xs: [1, , 3] }, /state\.extra\.xs\[1\] is undefined/],
    ['undefined under a key', { note: undefined }, /state\.extra\.note is undefined/],
    ['a function', { f: () => 1 }, /state\.extra\.f is a function, which JSON cannot hold/],
    ['a symbol', { s: Symbol('x') }, /state\.extra\.s is a symbol, which JSON cannot hold/],
    ['a Map', { m: new Map([['a', 1]]) }, /state\.extra\.m is a Map, which JSON cannot hold; give a plain object or a list/],
    ['a Float32Array', { w: new Float32Array(2) }, /state\.extra\.w is a Float32Array/],
    ['a cycle', cyclic(), /state\.extra\.a\.self refers back to state\.extra\.a, a cycle, which JSON cannot hold/],
    ['a list as extra', [1, 2], /writeCheckpoint: state\.extra must be an object, got \[1,2\]/],
  ])('%s: a CheckpointError naming the path, and the checkpoint there is left as it was', (_what, extra, message) => {
    const dir = join(tempDir(), 'ck');
    const m = model();
    rl.writeCheckpoint(dir, m, state({ best: 0.25, tags: ['a', null] }));
    const before = snapshot(dir);
    const err = (() => { try { rl.writeCheckpoint(dir, m, state(extra)); } catch (e) { return e as Error; } return null; })();
    expect(err).toBeInstanceOf(rl.CheckpointError);
    expect(err!.message).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
    expect(rl.io.readCheckpointInfo(dir).state.extra).toEqual({ best: 0.25, tags: ['a', null] });
    // The refusal is of that value only: shared (not cyclic) objects and null-prototype objects are JSON.
    const shared = { v: 1.5 };
    const fine = { a: shared, b: [shared, shared], c: Object.assign(Object.create(null) as object, { k: 'x' }) };
    rl.writeCheckpoint(dir, m, state(fine));
    expect(rl.io.readCheckpointInfo(dir).state.extra).toEqual({ a: { v: 1.5 }, b: [{ v: 1.5 }, { v: 1.5 }], c: { k: 'x' } });
  });
});

describe("backupAndRestore's extraState", () => {
  it('an infinite value stops the fit with the error naming it, and no checkpoint is written holding null for it', async () => {
    const root = tempDir();
    const backup = rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), verbose: 0, deleteCheckpoint: false, out: silent, exit: () => {} });
    backup.extraState = () => ({ bestSoFar: Infinity });
    rl.setSeed(5);
    const X = rl.randomNormal([16, 2]), Y = rl.randomNormal([16, 1]);
    await expect(model().fit(X, Y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [backup] }))
      .rejects.toThrow(/writeCheckpoint: state\.extra\.bestSoFar is Infinity, which JSON cannot hold/);
    expect(existsSync(join(root, 'bk', 'checkpoint.json'))).toBe(false);
  });
});

describe('replaceCheckpointExtra (backupAndRestore recording a best once saved)', () => {
  it('refuses a NaN, leaving checkpoint.json as it was', () => {
    const dir = join(tempDir(), 'ck');
    rl.writeCheckpoint(dir, model(), state({ modelCheckpoints: [{ path: 'best', monitor: 'loss', best: 'inf' }] }));
    const before = snapshot(dir);
    expect(() => replaceCheckpointExtra(dir, { modelCheckpoints: [{ path: 'best', monitor: 'loss', best: NaN }] }))
      .toThrow(/^replaceCheckpointExtra: state\.extra\.modelCheckpoints\[0\]\.best is NaN, which JSON cannot hold/);
    expect(snapshot(dir)).toEqual(before);
  });
});
