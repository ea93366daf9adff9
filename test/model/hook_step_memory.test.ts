// The models that swap fit's loss (seq2seq's target mask, the text classifier's class weights) run their loss
// inside fit's per-batch scope too: rl.memory().numTensors stays flat across their batches, as tfjs's.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { makeOptimizer } from '../../src/experiments/imdb_task.js';
import { buildSeq2Seq, idsTensor } from '../../src/seq2seq/model.js';
import { withClassWeights } from '../../src/tasks/text_class_weight.js';

/** numTensors after each of `batches` fit batches (batch size 1) of fit(x, y). */
async function countsPerBatch(fit: (onBatchEnd: () => Promise<void>) => Promise<unknown>): Promise<number[]> {
  const counts: number[] = [];
  await fit(async () => { counts.push(rl.memory().numTensors); });
  return counts;
}

describe('numTensors stays flat per batch in the loss-swapping models', () => {
  it('seq2seq (masked target loss), fit and evaluate', async () => {
    rl.setSeed(3);
    const net = buildSeq2Seq({ rnn: 'gru', bidirectionalEncoder: false, layers: 1, units: 6, embeddingDim: 4, sourceVocabSize: 9, targetVocabSize: 7, attention: 'luong' });
    net.model.compile({ optimizer: makeOptimizer('adam'), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const xs = [idsTensor([[4, 5, 6], [7, 8], [4, 4, 5]]), idsTensor([[1, 5, 4], [1, 6, 5], [1, 3]], 4)];
    const y = idsTensor([[5, 4, 2], [6, 5, 2], [3, 2]], 4);
    const counts = await countsPerBatch((onBatchEnd) => net.model.fit(xs, y, { epochs: 8, batchSize: 1, verbose: 0, callbacks: { onBatchEnd } }));
    expect(counts).toHaveLength(24);
    expect(counts[23]).toBe(counts[2]);
    const before = rl.memory().numTensors;
    for (let i = 0; i < 5; i++) rl.dispose(net.model.evaluate(xs, y, { batchSize: 1 }) as rl.Scalar[]);
    expect(rl.memory().numTensors).toBe(before);
  });

  it('text classifier with class weights', async () => {
    rl.setSeed(4);
    const m = rl.sequential();
    m.add(rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 4 }));
    m.add(rl.layers.lstm({ units: 4 }));
    m.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = rl.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8], [2, 2, 9, 1], [3, 1, 4, 1]], undefined, 'int32');
    const y = rl.tensor2d([[1], [0], [1], [0]]);
    const counts = await countsPerBatch((onBatchEnd) => withClassWeights(m, Float64Array.of(2, 0.5), () =>
      m.fit(x, y, { epochs: 6, batchSize: 1, verbose: 0, validationData: [x, y], callbacks: { onBatchEnd } })));
    expect(counts).toHaveLength(24);
    expect(counts[23]).toBe(counts[3]);
  });
});
