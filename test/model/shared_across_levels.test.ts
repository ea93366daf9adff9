/**
 * A layer reached twice (inside a nested model and directly), or a nested model reached at two levels, is one set of
 * variables, as Keras 3 deduplicates them by identity: listed once, counted once, regularized once, saved once, and
 * shared again when the file is loaded.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Artifacts = Parameters<typeof rl.io.fromMemory>[0];

/** sh (3x3 kernel of ones, L2 0.5, no bias) inside `inner` and applied directly; `own` (3x3 zeros) only inside. */
function sharedAcrossNested() {
  const sh = rl.layers.dense({ units: 3, name: 'sh', kernelInitializer: 'ones', useBias: false, kernelRegularizer: rl.regularizers.l2({ l2: 0.5 }) });
  const ii = rl.input({ shape: [3], name: 'ii' });
  const inner = rl.model({ inputs: ii, outputs: rl.layers.dense({ units: 3, name: 'own', kernelInitializer: 'zeros', useBias: false }).apply(sh.apply(ii) as rl.SymbolicTensor) as rl.SymbolicTensor, name: 'inner' });
  const a = rl.input({ shape: [3], name: 'a' });
  const m = rl.model({ inputs: a, outputs: rl.layers.add({ name: 'sum' }).apply([inner.apply(a) as rl.SymbolicTensor, sh.apply(a) as rl.SymbolicTensor]) as rl.SymbolicTensor, name: 'outer' });
  return { sh, m };
}

/** enc (dense e, 3x3 ones, L2 0.5) used inside mid and directly in the outer model. */
function nestedAtTwoLevels() {
  const ei = rl.input({ shape: [3], name: 'ei' });
  const enc = rl.model({ inputs: ei, outputs: rl.layers.dense({ units: 3, name: 'e', kernelInitializer: 'ones', kernelRegularizer: rl.regularizers.l2({ l2: 0.5 }) }).apply(ei) as rl.SymbolicTensor, name: 'enc' });
  const mi = rl.input({ shape: [3], name: 'mi' });
  const mid = rl.model({ inputs: mi, outputs: rl.layers.dense({ units: 3, name: 'mdense', useBias: false }).apply(enc.apply(mi) as rl.SymbolicTensor) as rl.SymbolicTensor, name: 'mid' });
  const a = rl.input({ shape: [3], name: 'a2' });
  return rl.model({ inputs: a, outputs: rl.layers.add({ name: 'sum2' }).apply([mid.apply(a) as rl.SymbolicTensor, enc.apply(a) as rl.SymbolicTensor]) as rl.SymbolicTensor, name: 'outer2' });
}

async function roundTrip(m: rl.Functional): Promise<rl.Functional> {
  let art: Artifacts | undefined;
  await m.save(rl.io.withSaveHandler(async (a) => { art = a as Artifacts; return {}; }));
  return await rl.loadLayersModel(rl.io.fromMemory(art!)) as rl.Functional;
}

describe('a layer reached inside a nested model and directly', () => {
  it('lists, counts and regularizes its variables once (loss and SGD step against the hand formula)', () => {
    const { sh, m } = sharedAcrossNested();
    expect(m.weights.map((w) => w.name)).toEqual(['sh/kernel', 'own/kernel']);
    expect(m.trainableWeights.length).toBe(2);
    expect(m.getWeights().length).toBe(2);
    expect(m.countParams()).toBe(18);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines).toContain('Total params: 18');
    expect(lines).toContain('Trainable params: 18');
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse' });
    const x = rl.zeros([2, 3]), y = rl.zeros([2, 3]);
    // The data loss is 0 (zero input, zero target): the loss is the penalty 0.5 * sum(k^2) = 0.5 * 9, once.
    expect((m.evaluate(x, y) as rl.Tensor).dataSync()[0]).toBeCloseTo(4.5, 6);
    m.trainOnBatch(x, y);
    // d(0.5 k^2)/dk = k = 1: k - 0.1 * 1.
    expect(Array.from(sh.getWeights()[0].dataSync())).toEqual(new Array(9).fill(0).map(() => expect.closeTo(0.9, 6)));
  });

  it('saves its weights once and loads back sharing the layer, predicting the same', async () => {
    const { m } = sharedAcrossNested();
    m.setWeights(m.getWeights().map((w, i) => rl.tensor(Array.from({ length: w.size }, (_, k) => Math.sin(k + 3 * i)), w.shape)));
    const back = await roundTrip(m);
    const x = rl.tensor([[0.3, -1, 2], [1, 0.5, -0.2]]);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
    expect(back.weights.map((w) => w.name)).toEqual(['sh/kernel', 'own/kernel']);
    expect(back.countParams()).toBe(18);
    // One object again: the nested model's 'sh' is the outer model's.
    const inner = back.getLayer('inner') as unknown as rl.Functional;
    expect(inner.getLayer('sh')).toBe(back.getLayer('sh'));
    const again = await roundTrip(back);
    expect(Array.from((again.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
  });
});

describe('a nested model reached at two levels', () => {
  it('counts and regularizes its weights once, saves and loads back', async () => {
    const m = nestedAtTwoLevels();
    expect(m.countParams()).toBe(12 + 9);
    expect(m.weights.map((w) => w.name)).toEqual(['e/kernel', 'e/bias', 'mdense/kernel']);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    // mdense's kernel is random, but with zero input and zero bias every output is 0: the loss is the penalty once.
    expect((m.evaluate(rl.zeros([2, 3]), rl.zeros([2, 3])) as rl.Tensor).dataSync()[0]).toBeCloseTo(4.5, 6);
    const back = await roundTrip(m);
    const x = rl.tensor([[0.3, -1, 2], [1, 0.5, -0.2]]);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
    expect(back.countParams()).toBe(21);
    expect(back.weights.map((w) => w.name)).toEqual(['e/kernel', 'e/bias', 'mdense/kernel']);
  });
});
