/**
 * A disposed tensor given to a model is refused naming the argument it was given as (tfjs says only "Tensor is
 * disposed", which leaves a user with several inputs guessing which one).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function compiled(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

const data = () => ({
  x: rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [4, 3]),
  y: rl.tensor(Float32Array.of(0, 1, 1, 0), [4, 1]),
});

function disposed(t: rl.Tensor): rl.Tensor {
  t.dispose();
  return t;
}

describe('a disposed tensor given to a model', () => {
  it('is refused by predict, predictOnBatch, evaluate, trainOnBatch and testOnBatch naming x or y', async () => {
    const m = compiled();
    const { x, y } = data();
    const gone = disposed(data().x);
    expect(() => m.predict(gone)).toThrow(/predict.*: x is disposed/);
    expect(() => m.predictOnBatch(gone)).toThrow(/x is disposed/);
    expect(() => m.evaluate(gone, y)).toThrow(/x is disposed/);
    expect(() => m.evaluate(x, disposed(data().y))).toThrow(/y is disposed/);
    await expect(async () => m.trainOnBatch(x, disposed(data().y))).rejects.toThrow(/y is disposed/);
    expect(() => m.testOnBatch(gone, y)).toThrow(/x is disposed/);
  });

  it('is refused by fit naming x, y, validationData or sampleWeight, before any epoch runs', async () => {
    const m = compiled();
    const { x, y } = data();
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(m.fit(disposed(data().x), y, { epochs: 1, verbose: 0 })).rejects.toThrow(/x is disposed/);
    await expect(m.fit(x, disposed(data().y), { epochs: 1, verbose: 0 })).rejects.toThrow(/y is disposed/);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, validationData: [disposed(data().x), y] })).rejects.toThrow(/validationData.*is disposed/);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, sampleWeight: disposed(rl.ones([4])) })).rejects.toThrow(/sampleWeight.*is disposed/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('is refused by setWeights naming its position and the weight, leaving the weights as they were', () => {
    const m = compiled();
    const ws = m.getWeights();
    const before = ws.map((w) => Array.from(w.dataSync()));
    expect(() => m.setWeights([disposed(ws[0].clone()), ...ws.slice(1)])).toThrow(/setWeights\[0\] \('.*kernel.*'\) is disposed/);
    expect(() => m.layers[0].setWeights([ws[0], disposed(ws[1].clone())])).toThrow(/setWeights\[1\] \('.*bias.*'\) is disposed/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });
});
