// A public gradient computation stands alone, as tfjs's: rl.grad & co. through a model, and variableGrads / minimize
// with a varList that leaves weights out, leave no .grad on any weight, so the next fit / trainOnBatch step moves the
// weights exactly as it would have without the call (bit-equal), also when the call throws.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2], [-0.5, 1.5]];
const Y = [[0.3], [-1]];

type Dense = ReturnType<typeof rl.layers.dense>;

/** dense(2) -> dense(1) with fixed, asymmetric weights, compiled with SGD 0.1. */
function model(): { m: rl.Sequential; l1: Dense; l2: Dense } {
  const l1 = rl.layers.dense({ units: 2, inputShape: [2], name: 'iso_l1' });
  const l2 = rl.layers.dense({ units: 1, name: 'iso_l2' });
  const m = rl.sequential({ layers: [l1, l2] });
  m.setWeights([rl.tensor2d([[0.5, -0.3], [0.2, 0.8]]), rl.tensor1d([0.1, -0.2]), rl.tensor2d([[0.7], [-0.4]]), rl.tensor1d([0.05])]);
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
  return { m, l1, l2 };
}

type Built = ReturnType<typeof model>;

const weightsOf = (m: rl.Sequential): number[][] => m.getWeights().map((w) => Array.from(w.dataSync()));

/** The weights after one fit step (or trainOnBatch) on a fresh model, after `before` ran on it. */
async function stepAfter(before: (b: Built, x: rl.Tensor) => void, how: 'fit' | 'trainOnBatch' = 'fit'): Promise<number[][]> {
  const b = model();
  const x = rl.tensor2d(X), y = rl.tensor2d(Y);
  before(b, x);
  expect(b.m.trainableWeights.filter((w) => w.grad !== null).map((w) => w.name)).toEqual([]);
  if (how === 'fit') await b.m.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, shuffle: false });
  else await b.m.trainOnBatch(x, y);
  return weightsOf(b.m);
}

const predictSum = (m: rl.Sequential) => (t: rl.Tensor): rl.Tensor => rl.sum(m.predict(t) as rl.Tensor);

describe('gradient functions through a model leave the next training step unchanged', () => {
  const calls: [string, (b: Built, x: rl.Tensor) => void][] = [
    ['grad', ({ m }, x) => { rl.grad(predictSum(m))(x); }],
    ['grads', ({ m }, x) => { rl.grads((a, c) => rl.add(predictSum(m)(a), rl.sum(c)))([x, rl.scalar(2)]); }],
    ['valueAndGrad', ({ m }, x) => { rl.valueAndGrad(predictSum(m))(x); }],
    ['valueAndGrads', ({ m }, x) => { rl.valueAndGrads((a) => predictSum(m)(a))([x]); }],
    ['grad three times', ({ m }, x) => { for (let i = 0; i < 3; i++) rl.grad(predictSum(m))(x); }],
    ['grad through a custom loss', ({ m }, x) => {
      rl.grad((t) => rl.losses.meanSquaredError(rl.tensor2d(Y), m.predict(t) as rl.Tensor))(x);
    }],
  ];

  it.each(calls)('fit after %s equals fit without it', async (_name, call) => {
    const clean = await stepAfter(() => {});
    expect(await stepAfter(call)).toEqual(clean);
  });

  it.each(calls)('trainOnBatch after %s equals trainOnBatch without it', async (_name, call) => {
    const clean = await stepAfter(() => {}, 'trainOnBatch');
    expect(await stepAfter(call, 'trainOnBatch')).toEqual(clean);
  });

  it('a grad that throws because y does not depend on x leaves nothing behind', async () => {
    const clean = await stepAfter(() => {});
    const after = await stepAfter(({ m }, x) => {
      expect(() => rl.grad(() => rl.sum(m.predict(x) as rl.Tensor))(rl.scalar(1))).toThrow(/does not depend on it/);
    });
    expect(after).toEqual(clean);
  });

  it('a grad whose backward throws (an op without a gradient) leaves nothing behind', async () => {
    const clean = await stepAfter(() => {});
    const after = await stepAfter(({ m }, x) => {
      const f = (t: rl.Tensor): rl.Tensor => rl.add(predictSum(m)(t), rl.sum(rl.topk(t, 1).values));
      expect(() => rl.grad(f)(x)).toThrow(/TopK \(rl.topk\)/);
    });
    expect(after).toEqual(clean);
  });

  it('the gradient is the same with or without a stale one on the weights', () => {
    const { m } = model();
    const x = rl.tensor2d(X);
    const first = Array.from(rl.grad(predictSum(m))(x).dataSync());
    const weightGrads = () => Object.values(rl.variableGrads(() => rl.sum(m.predict(x) as rl.Tensor) as rl.Scalar, m.trainableWeights.map((w: rl.Variable) => w.val)).grads)
      .map((g) => Array.from(g.dataSync()));
    const cleanWeightGrads = weightGrads();
    for (const w of m.trainableWeights) w.grad = new Float32Array(w.size).fill(7);
    expect(Array.from(rl.grad(predictSum(m))(x).dataSync())).toEqual(first);
    // The dense kernel's gradient GEMM decides to add into a gradient the weight holds: it must add into zeros here.
    expect(weightGrads()).toEqual(cleanWeightGrads);
    // A gradient the weights held before the call is theirs: it is put back, not summed into or dropped.
    expect(m.trainableWeights.map((w) => Array.from(w.grad!))).toEqual(m.trainableWeights.map((w) => new Array(w.size).fill(7)));
    for (const w of m.trainableWeights) w.grad = null;
  });
});

describe('variableGrads and minimize with a varList leave the other weights without gradients', () => {
  const loss = ({ m }: Built, x: rl.Tensor) => (): rl.Scalar => rl.losses.meanSquaredError(rl.tensor2d(Y), m.predict(x) as rl.Tensor) as rl.Scalar;
  const l2Vars = ({ l2 }: Built): rl.Variable[] => l2.trainableWeights.map((w: rl.Variable) => w.val);

  it('fit after minimize(f, false, l2 weights) at learning rate 0 equals fit without it', async () => {
    const clean = await stepAfter(() => {});
    expect(await stepAfter((b, x) => { rl.train.sgd(0).minimize(loss(b, x), false, l2Vars(b)); })).toEqual(clean);
  });

  it('fit after variableGrads(f, l2 weights) equals fit without it, and only l2 has gradients', async () => {
    const clean = await stepAfter(() => {});
    let keys: string[] = [];
    expect(await stepAfter((b, x) => { keys = Object.keys(rl.variableGrads(loss(b, x), l2Vars(b)).grads); })).toEqual(clean);
    expect(keys).toEqual(['iso_l2/kernel', 'iso_l2/bias']);
  });

  it('a minimize whose step is refused leaves no gradient for the next fit', async () => {
    class NaNRate extends rl.optimizers.schedules.LearningRateSchedule {
      rateAt(): number { return NaN; }
      getConfig(): Record<string, unknown> { return {}; }
    }
    const clean = await stepAfter(() => {});
    const after = await stepAfter((b, x) => {
      expect(() => rl.train.sgd(new NaNRate() as never).minimize(loss(b, x), false, l2Vars(b))).toThrow(/schedule gave NaN/);
    });
    expect(after).toEqual(clean);
  });

  it.each(['map', 'list'] as const)('an applyGradients(%s of named gradients) whose step is refused leaves them on no weight', async (form) => {
    class NaNRate extends rl.optimizers.schedules.LearningRateSchedule {
      rateAt(): number { return NaN; }
      getConfig(): Record<string, unknown> { return {}; }
    }
    const clean = await stepAfter(() => {}, 'trainOnBatch');
    const after = await stepAfter((b, x) => {
      // variableGrads' gradients know their variables, whatever other live models share the names.
      const { grads } = rl.variableGrads(loss(b, x), l2Vars(b));
      const given = form === 'map' ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
      expect(() => rl.train.sgd(new NaNRate() as never).applyGradients(given)).toThrow(/schedule gave NaN/);
    }, 'trainOnBatch');
    expect(after).toEqual(clean);
  });
});
