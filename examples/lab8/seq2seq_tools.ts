// %% [markdown]
// Two helpers the exercises share: the lab's encoder–decoder for any RNN layer and depth, and the share of
// questions whose whole answer is right (Keras's accuracy counts characters).
// %%
import * as rl from 'rnnlab';
import { chars, ctable, MAXLEN, MAXOUTPUTLEN } from './09_addition_data.js';

export type RnnLayer = typeof rl.layers.lstm | typeof rl.layers.gru | typeof rl.layers.simpleRNN;

export function build_seq2seq(RNN: RnnLayer, HIDDEN_SIZE: number, LAYERS: number): rl.Sequential {
  const m = rl.sequential();
  m.add(RNN({ units: HIDDEN_SIZE, inputShape: [MAXLEN, chars.length] }));
  m.add(rl.layers.repeatVector({ n: MAXOUTPUTLEN }));
  for (let i = 0; i < LAYERS; i++) m.add(RNN({ units: HIDDEN_SIZE, returnSequences: true }));
  m.add(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: chars.length, activation: 'softmax' }) }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}

// the fraction of questions whose whole answer is right
export function exact_match(m: rl.Sequential, x: rl.Tensor, y: rl.Tensor): number {
  const preds = m.predictClasses(x, { batchSize: 256 });
  let right = 0;
  for (let i = 0; i < x.shape[0]; i++) {
    const guess = ctable.decode(preds.values.subarray(i * MAXOUTPUTLEN, (i + 1) * MAXOUTPUTLEN), { argmax: false });
    const truth = ctable.decode(y.values.subarray(i * MAXOUTPUTLEN * chars.length, (i + 1) * MAXOUTPUTLEN * chars.length));
    if (guess === truth) right++;
  }
  return right / x.shape[0];
}
