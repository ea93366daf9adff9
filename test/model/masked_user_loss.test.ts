// A user loss function on an output that carries a padding mask: per-step losses are averaged over the real steps
// (Keras's apply_mask); one scalar cannot be weighed by the mask (Keras multiplies it by mask weights that average
// out, so the padding counts) and is refused, naming the function, before any weight moves.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const IDS = [[1, 2, 0, 0], [0, 3, 4, 1]];
const Y = [[[1], [0], [1], [1]], [[1], [1], [0], [1]]];

function masked(): rl.Sequential {
  rl.setSeed(5);
  return rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true, inputLength: 4 }),
    rl.layers.simpleRNN({ units: 2, returnSequences: true }),
    rl.layers.dense({ units: 1 }),
  ] });
}

const ids = () => rl.tensor2d(IDS, [2, 4], 'int32');

describe('a user loss under a padding mask', () => {
  it('per-step losses are masked: the same number as the built-in masked mse', () => {
    const m = masked();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const builtIn = (m.evaluate(ids(), rl.tensor3d(Y)) as rl.Scalar).dataSync()[0];
    // By hand: the mean of the squared errors over the real (non-zero id) steps only.
    const p = (m.predict(ids()) as rl.Tensor).dataSync();
    const real = IDS.flat().map((v) => v !== 0);
    const byHand = Y.flat(2).reduce((s, y, i) => s + (real[i] ? (p[i] - y) ** 2 : 0), 0) / real.filter(Boolean).length;
    expect(builtIn).toBeCloseTo(byHand, 5);
    m.compile({ optimizer: 'sgd', loss: function stepMse(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.square(rl.sub(yp, yt)), -1); } });
    expect((m.evaluate(ids(), rl.tensor3d(Y)) as rl.Scalar).dataSync()[0]).toBeCloseTo(byHand, 5);
  });

  it('a scalar is refused by evaluate, fit and trainOnBatch, naming the function; fit moves no weight', async () => {
    const m = masked();
    m.compile({ optimizer: 'sgd', loss: function meanMse(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.square(rl.sub(yp, yt))); } });
    const why = /loss function 'meanMse': the output \[2, 4, 1\] carries a padding mask, which weighs each sample and step, but the function returned one scalar, which the mask cannot weigh.*return one loss per sample and step \(\[2, 4, \.\.\.\]/;
    expect(() => m.evaluate(ids(), rl.tensor3d(Y))).toThrow(why);
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(m.fit(ids(), rl.tensor3d(Y), { epochs: 1, verbose: 0 })).rejects.toThrow(why);
    expect(() => m.trainOnBatch(ids(), rl.tensor3d(Y))).toThrow(why);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('rl.losses functions return the batch mean, so they are refused too; by name the loss is masked', () => {
    const m = masked();
    m.compile({ optimizer: 'sgd', loss: rl.losses.meanSquaredError as never });
    expect(() => m.evaluate(ids(), rl.tensor3d(Y))).toThrow(/returned one scalar/);
  });

  it('without a mask a scalar is the loss as returned (Keras, tfjs)', () => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: function meanMse(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.square(rl.sub(yp, yt))); } });
    const x = rl.tensor2d([[1, 2], [3, -1]]), y = rl.tensor2d([[1], [0]]);
    const p = (m.predict(x) as rl.Tensor).dataSync();
    expect((m.evaluate(x, y) as rl.Scalar).dataSync()[0]).toBeCloseTo(((p[0] - 1) ** 2 + p[1] ** 2) / 2, 5);
  });
});
