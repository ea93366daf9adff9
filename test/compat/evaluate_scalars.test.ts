// evaluate returns Scalars as tfjs does: one Scalar for the loss alone, a list [loss, ...metrics] otherwise,
// synchronously (so `model.evaluate(x, y)[0].dataSync()` and `(await model.evaluate(x, y))[0]` both work).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const W = [[[0.5], [-1.25], [2]], [[0.1]]];
const X = [[1, 2, 3], [0, -1, 0.5], [2, 2, -1], [-0.5, 0, 1]];
const Y = [[1], [0], [1], [0]];

/** The same tfjs program for both libraries: only the namespace differs. */
function program(lib: typeof rl | typeof tf, metrics: string[]) {
  const model = (lib.sequential as (a: unknown) => rl.Sequential)({ layers: [lib.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
  model.setWeights([lib.tensor2d(W[0]), lib.tensor1d(W[1][0])] as never);
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics });
  return { model, x: lib.tensor2d(X) as never, y: lib.tensor2d(Y) as never };
}

describe('evaluate returns Scalars', () => {
  it('the loss alone is one Scalar; with metrics a list; the numbers equal tfjs\'s', () => {
    const ours = program(rl, []), theirs = program(tf, []);
    const l = ours.model.evaluate(ours.x, ours.y) as rl.Scalar;
    const t = theirs.model.evaluate(theirs.x, theirs.y) as unknown as tf.Scalar;
    expect(l).toBeInstanceOf(rl.Tensor);
    expect(l.shape).toEqual([]);
    expect(l.rank).toBe(t.rank);
    expect(l.dataSync()[0]).toBeCloseTo(t.dataSync()[0], 6);

    const oursM = program(rl, ['accuracy']), theirsM = program(tf, ['accuracy']);
    const r = oursM.model.evaluate(oursM.x, oursM.y) as rl.Scalar[];
    const tr = theirsM.model.evaluate(theirsM.x, theirsM.y) as unknown as tf.Scalar[];
    expect(r).toHaveLength(tr.length);
    r.forEach((s, i) => expect(s.dataSync()[0]).toBeCloseTo(tr[i].dataSync()[0], 6));
    // By hand: sigmoid(x . w + b) thresholded at 0.5 against Y.
    const hits = X.filter((row, i) => (row.reduce((a, v, j) => a + v * W[0][j][0], W[1][0][0]) > 0 ? 1 : 0) === Y[i][0]).length;
    expect(r[1].dataSync()[0]).toBeCloseTo(hits / X.length, 6);
  });

  it('tfjs idioms run: await, arraySync, print, dispose', async () => {
    const { model, x, y } = program(rl, ['accuracy']);
    const awaited = (await model.evaluate(x, y)) as rl.Scalar[];
    expect(awaited[0].arraySync()).toBeCloseTo((model.evaluate(x, y) as rl.Scalar[])[0].dataSync()[0], 7);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => { lines.push(s); };
    try { awaited[1].print(); } finally { console.log = log; }
    expect(lines.join('\n')).toMatch(/^Tensor\n\s+0\.\d+|^Tensor\n\s+1$/);
    rl.dispose(awaited);
    expect(() => awaited[0].dataSync()).toThrow(/Tensor is disposed/);
  });

  it('errors are thrown at the call, not through a promise', () => {
    const { model, x } = program(rl, []);
    expect(() => model.evaluate(x, [[1], [0]])).toThrow(/evaluate: x has 4 samples but y has 2/);
  });

  it('Functional models and evaluateDataset give Scalars too', async () => {
    const inp = rl.input({ shape: [3] });
    const out = rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    m.setWeights(W.map((w) => w.flat()));
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const seq = program(rl, ['accuracy']);
    const a = m.evaluate(rl.tensor2d(X), rl.tensor2d(Y)) as rl.Scalar[];
    const b = seq.model.evaluate(seq.x, seq.y) as rl.Scalar[];
    expect(a.map((s) => s.dataSync()[0])).toEqual(b.map((s) => s.dataSync()[0]));
    const ds = rl.data.array(X.map((xs, i) => ({ xs, ys: Y[i] }))).batch(2);
    const c = (await seq.model.evaluateDataset(ds)) as rl.Scalar[];
    c.forEach((s, i) => expect(s.dataSync()[0]).toBeCloseTo(b[i].dataSync()[0], 6));
  });
});
