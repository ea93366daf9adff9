/**
 * tfjs 4.22 logs compile's 'accuracy' as 'acc' and 'crossentropy' as 'ce' ('mse', 'mae' and the rest as given).
 * The same program runs in tfjs and rnnlab: every key tfjs's history, batch logs and epoch logs have reads the same
 * number from rnnlab's, while rnnlab's listed keys stay the names compiled, and a metric that merely ends in
 * 'crossentropy' ('binary_crossentropy') gets no 'ce' alias.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;
type Logs = Record<string, number>;
const X = [[1, 2], [3, -4], [0, 1], [1, 0], [-2, 0.5], [0.3, 0.7]];
const Y = [[1], [0], [1], [0], [0], [1]];

/** One dense (sigmoid, weights fixed) or two named heads, fit one epoch in batches of 4 with validation. */
async function run(lib: Lib, metrics: unknown, heads: string[] | null): Promise<{ history: Record<string, number[]>; batch: Logs; epoch: Logs }> {
  const dense = (name?: string) => lib.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'ones', biasInitializer: 'zeros', name });
  let m: Lib;
  if (heads) {
    const inp = lib.input({ shape: [2] });
    m = lib.model({ inputs: inp, outputs: heads.map((h) => dense(h).apply(inp)) });
  } else {
    m = lib.sequential({ layers: [lib.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid', kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  }
  m.compile({ optimizer: lib.train.sgd(0.1), loss: 'binaryCrossentropy', metrics });
  const x = lib.tensor2d(X), y = lib.tensor2d(Y);
  const ys = heads ? heads.map(() => y) : y;
  let batch: Logs = {}, epoch: Logs = {};
  const h = await m.fit(x, ys, {
    epochs: 1, batchSize: 4, shuffle: false, verbose: 0, validationData: [x, ys],
    callbacks: { onBatchEnd: (_b: number, l: Logs) => { if (!Object.keys(batch).length) batch = l; }, onEpochEnd: (_e: number, l: Logs) => { epoch = l; } },
  });
  return { history: h.history as Record<string, number[]>, batch, epoch };
}

/**
 * Every key tfjs logged reads tfjs's number from rnnlab's object (an alias or the key itself). With several outputs
 * tfjs 4.22 files its validation values one name off (test/compat/functional_tfjs.test.ts): those keys need only exist.
 */
function expectTfjsKeysRead(ours: Record<string, unknown>, theirs: Record<string, unknown>, what: string, valShifted: boolean): void {
  for (const k of Object.keys(theirs)) {
    if (k === 'batch' || k === 'size') continue;
    const t = theirs[k], o = ours[k];
    expect(o, `${what}: rnnlab has no '${k}'`).toBeDefined();
    if (valShifted && k.startsWith('val_')) continue;
    const tv = Array.isArray(t) ? t[0] : t, ov = Array.isArray(o) ? o[0] : o;
    expect(ov as number, `${what}: ${k}`).toBeCloseTo(tv as number, 4);
  }
}

async function compare(metrics: unknown, heads: string[] | null): Promise<{ ours: Awaited<ReturnType<typeof run>>; theirs: Awaited<ReturnType<typeof run>> }> {
  const theirs = await run(tf, metrics, heads);
  const ours = await run(rl, metrics, heads);
  const shifted = heads !== null;
  expectTfjsKeysRead(ours.history, theirs.history, 'history', shifted);
  expectTfjsKeysRead(ours.batch, theirs.batch, 'onBatchEnd', shifted);
  expectTfjsKeysRead(ours.epoch, theirs.epoch, 'onEpochEnd', shifted);
  return { ours, theirs };
}

describe("tfjs's log names for compile's metrics", () => {
  it("'crossentropy' reads as 'ce' / 'val_ce' (tfjs's keys), listed as 'crossentropy'", async () => {
    const { ours, theirs } = await compare(['crossentropy'], null);
    expect(Object.keys(theirs.history).sort()).toEqual(['ce', 'loss', 'val_ce', 'val_loss']);
    expect(Object.keys(ours.history).sort()).toEqual(['crossentropy', 'loss', 'val_crossentropy', 'val_loss']);
    expect(Object.keys(ours.epoch).sort()).toEqual(['crossentropy', 'loss', 'val_crossentropy', 'val_loss']);
    expect(ours.epoch.val_ce).toBe(ours.epoch.val_crossentropy);
    expect(JSON.parse(JSON.stringify(ours.epoch)).ce).toBeUndefined();
  });

  it("'ce', 'acc' and 'accuracy' together, and 'mse' / 'mae' kept as given (as tfjs)", async () => {
    const { ours } = await compare(['accuracy', 'ce'], null);
    expect(Object.keys(ours.epoch).sort()).toEqual(['accuracy', 'ce', 'loss', 'val_accuracy', 'val_ce', 'val_loss']);
    expect(ours.epoch.val_acc).toBe(ours.epoch.val_accuracy);
    await compare(['acc', 'crossentropy'], null);
    const plain = await compare(['mse', 'mae'], null);
    expect(Object.keys(plain.theirs.history).sort()).toEqual(['loss', 'mae', 'mse', 'val_loss', 'val_mae', 'val_mse']);
  });

  it("several outputs: '<output>_acc' and '<output>_ce', even for an output named 'binary'", async () => {
    const { theirs } = await compare(['accuracy', 'crossentropy'], ['a', 'binary']);
    expect(Object.keys(theirs.history)).toContain('val_binary_ce');
    await compare({ a: ['acc'], b: ['crossentropy'] }, ['a', 'b']);
  });

  it("'binary_crossentropy' and a user metric 'my_accuracy' get no tfjs alias (they are not tfjs's 'crossentropy' / 'accuracy')", async () => {
    function my_accuracy(yTrue: rl.Tensor, yPred: rl.Tensor): rl.Tensor { return rl.abs(rl.sub(yTrue, yPred)); }
    const ours = await run(rl, ['binary_crossentropy', my_accuracy], null);
    for (const logs of [ours.epoch, ours.batch, ours.history as Record<string, unknown>]) {
      for (const k of ['ce', 'val_ce', 'binary_ce', 'val_binary_ce', 'acc', 'my_acc', 'val_my_acc']) expect(k in logs, k).toBe(false);
    }
    expect(Object.keys(ours.epoch).sort()).toEqual(['binary_crossentropy', 'loss', 'my_accuracy', 'val_binary_crossentropy', 'val_loss', 'val_my_accuracy']);
  });
});
