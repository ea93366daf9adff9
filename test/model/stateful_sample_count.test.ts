/**
 * A stateful model given a sample count its batch size does not divide (or batches of another size) is refused by
 * fit and evaluate before any batch runs, so no weight and no carried state moves (tfjs 4.22 checks this up front).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const B = 2, T = 3, F = 2;

function data(n: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
  rl.setSeed(seed);
  return { x: rl.randomNormal([n, T, F]), y: rl.randomNormal([n, 1]) };
}

function statefulModel(layer: InstanceType<typeof rl.layers.Layer>): rl.Sequential {
  rl.setSeed(7);
  const m = rl.sequential({ layers: [layer, rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
  // Non-zero carried states, so that a refused call that moved them would show.
  m.predict(data(B, 1).x, { batchSize: B });
  return m;
}

const gru = () => statefulModel(rl.layers.gru({ units: 3, stateful: true, batchInputShape: [B, T, F], name: 'gru' }));

function snapshot(m: rl.Sequential): number[] {
  const states = (m.layers[0] as unknown as { getStates(): rl.Tensor[] }).getStates();
  return [...m.getWeights(), ...states].flatMap((t) => Array.from(t.dataSync()));
}

describe('stateful sample counts', () => {
  it('fit refuses 3 samples in batches of 2 before training, leaving weights and states as they were', async () => {
    const m = gru();
    const before = snapshot(m);
    const { x, y } = data(3, 2);
    await expect(m.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 }))
      .rejects.toThrow(/^fit: gru \(GRU\): stateful layer was built for batches of 2, but 3 samples in batches of 2 give it a batch of 1; pass batchSize: 2 and a number of samples divisible by 2 \(nothing was run\)$/);
    expect(snapshot(m)).toEqual(before);
  });

  it('fit refuses a batchSize other than the layer\'s, and validation data its batch size does not divide', async () => {
    const m = gru();
    const before = snapshot(m);
    const { x, y } = data(4, 2);
    await expect(m.fit(x, y, { batchSize: 4, verbose: 0 })).rejects.toThrow(/fit: gru \(GRU\): stateful layer was built for batches of 2, but 4 samples in batches of 4 give it a batch of 4/);
    const v = data(3, 3);
    await expect(m.fit(x, y, { batchSize: B, shuffle: false, verbose: 0, validationData: [v.x, v.y] }))
      .rejects.toThrow(/fit: validationData: gru \(GRU\): stateful layer was built for batches of 2, but 3 samples/);
    // 7 samples: 4 to train on, the last 3 to validate on.
    const seven = data(7, 4);
    await expect(m.fit(seven.x, seven.y, { batchSize: B, shuffle: false, verbose: 0, validationSplit: 0.4 }))
      .rejects.toThrow(/fit: validationSplit 0.4: gru \(GRU\): .* but 3 samples in batches of 2 give it a batch of 1/);
    expect(snapshot(m)).toEqual(before);
  });

  it('evaluate refuses before any batch moves the states', () => {
    const m = gru();
    const before = snapshot(m);
    const { x, y } = data(5, 2);
    expect(() => m.evaluate(x, y, { batchSize: B })).toThrow(/^evaluate: gru \(GRU\): stateful layer was built for batches of 2, but 5 samples in batches of 2 give it a batch of 1/);
    expect(snapshot(m)).toEqual(before);
  });

  it('checks an rnn over a cell the same way, and still runs counts that divide', async () => {
    const m = statefulModel(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 3 }), stateful: true, batchInputShape: [B, T, F], name: 'cells' }));
    const before = snapshot(m);
    const { x, y } = data(3, 2);
    await expect(m.fit(x, y, { batchSize: B, verbose: 0 })).rejects.toThrow(/fit: cells \(RNN\): stateful layer was built for batches of 2, but 3 samples/);
    expect(snapshot(m)).toEqual(before);
    const ok = data(4, 2);
    const h = await m.fit(ok.x, ok.y, { batchSize: B, shuffle: false, verbose: 0 });
    expect(h.history.loss).toHaveLength(1);
    expect(snapshot(m)).not.toEqual(before);
  });
});
