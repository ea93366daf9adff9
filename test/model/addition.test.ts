// The lab's encoder–decoder learns addition on the lab's generated data (2 digits here, to keep CI quick).
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { additionModel } from '../../src/experiments/lab_models.js';
import { addition } from '../../src/data/addition.js';

describe('addition seq2seq', () => {
  it('LSTM(64) -> RepeatVector -> LSTM(64, seq) -> TimeDistributed(Dense softmax) learns reversed 2-digit sums', async () => {
    const data = addition({ trainingSize: 4000, digits: 2, reverse: true, seed: 7 });
    expect(data.train.x.shape).toEqual([3600, 5, 12]);
    expect(data.train.y.shape).toEqual([3600, 3, 12]);
    // A threshold on a chaotic trajectory holds for a given seed: over seeds 1-6 the final per-character accuracy
    // spreads from about 0.85 to 0.99 (a change of kernel rounding moves which seed is the low one).
    rl.setSeed(4);
    const m = additionModel({ digits: 2, hidden: 64 });
    m.compile({ optimizer: rl.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = rl.tensor(data.train.x.data, data.train.x.shape), y = rl.tensor(data.train.y.data, data.train.y.shape);
    const xv = rl.tensor(data.val.x.data, data.val.x.shape), yv = rl.tensor(data.val.y.data, data.val.y.shape);
    const h = await m.fit(x, y, { epochs: 25, batchSize: 64, verbose: 0, validationData: [xv, yv] });
    const perChar = h.history.val_accuracy[h.history.val_accuracy.length - 1];
    // Exact match: every character of the answer right.
    const guess = m.predictClasses(xv);
    let exact = 0;
    for (let i = 0; i < data.val.answers.length; i++) {
      const s = Array.from(guess.values.subarray(i * 3, i * 3 + 3), (c) => data.table.chars[c]).join('');
      if (s === data.val.answers[i]) exact++;
    }
    expect(perChar).toBeGreaterThan(0.95);
    expect(exact / data.val.answers.length).toBeGreaterThan(0.85);
  });
});
