/**
 * predict at batch 1 on the lab's shapes, where the recurrent kernels read R in place a row at a time (several unit
 * blocks per register tile), and its small buffers come from the scratch pool, recycled after every batch:
 * outputs must equal the training forward pass bit for bit on every instruction set, with 1 and 2 threads, and every
 * batch of one predict call must get its own sample's outputs, also when the last layer's output is a pooled buffer.
 */
import { expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { additionModel } from '../../src/experiments/lab_models.js';
import type { Tensor } from '../../src/tensor.js';
import { describeNativeEachIsa } from '../kernels/util.js';

function oneHot(n: number, steps: number, chars: number, seed: number): Tensor {
  const r = new rl.Random(seed);
  const d = new Float32Array(n * steps * chars);
  for (let i = 0; i < n * steps; i++) d[i * chars + r.int(chars)] = 1;
  return rl.tensor(d, [n, steps, chars]);
}

/** Sample i of x as a batch of one. */
function sample(x: Tensor, i: number): Tensor {
  const per = x.size / x.shape[0];
  return rl.tensor((x.values as Float32Array).slice(i * per, (i + 1) * per), [1, ...x.shape.slice(1)]);
}

function expectBits(got: Tensor, want: Tensor, label: string): void {
  expect(got.shape, label).toEqual(want.shape);
  expect(Array.from(got.dataSync()), label).toEqual(Array.from(want.dataSync()));
}

function withThreads(n: number, fn: () => void): void {
  const before = rl.backendInfo().threads;
  rl.setThreads(n);
  try { fn(); } finally { rl.setThreads(before); }
}

describeNativeEachIsa('predict at batch 1 equals the training forward', () => {
  for (const rnn of ['lstm', 'gru'] as const) {
    it(`the adder (3 digits, 128 units, ${rnn}): one sample per call and per batch, 1 and 2 threads`, () => {
      rl.setSeed(7);
      const m = additionModel({ digits: 3, hidden: 128, rnn });
      const x = oneHot(3, 7, 12, 4);
      const want = m.trace(x).output;
      for (const threads of [1, 2]) {
        withThreads(threads, () => {
          for (let i = 0; i < 3; i++) expectBits(m.predict(sample(x, i)), sample(want, i), `${rnn} threads ${threads} sample ${i}`);
          expectBits(m.predict(x, { batchSize: 1 }), want, `${rnn} threads ${threads} batches of 1`);
        });
      }
    });
  }

  it('a model ending in a recurrent layer (its output is a pooled buffer), batches of 1 and 2', () => {
    rl.setSeed(8);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 64, returnSequences: true, inputShape: [3, 5] }), rl.layers.gru({ units: 32, returnSequences: true })] });
    const x = oneHot(5, 3, 5, 9);
    const want = m.trace(x).output;
    for (const batchSize of [1, 2]) expectBits(m.predict(x, { batchSize }), want, `batch ${batchSize}`);
  });
});
