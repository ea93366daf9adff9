// %% [markdown]
// #### EXERCISE: other RNNs, more layers, more epochs
// A worked solution: the same encoder–decoder with a GRU, with two decoder layers, and with more epochs,
// each scored per character (Keras's accuracy) and on whole answers (what a person would count).
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { chars, ctable, MAXLEN, MAXOUTPUTLEN, x_train, x_val, y_train, y_val } from './09_addition_data.js';

type RnnLayer = typeof rl.layers.lstm | typeof rl.layers.gru | typeof rl.layers.simpleRNN;

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
    const guess = ctable.decode(preds.data.subarray(i * MAXOUTPUTLEN, (i + 1) * MAXOUTPUTLEN), { argmax: false });
    const truth = ctable.decode(y.data.subarray(i * MAXOUTPUTLEN * chars.length, (i + 1) * MAXOUTPUTLEN * chars.length));
    if (guess === truth) right++;
  }
  return right / x.shape[0];
}
// %%
const variants: { name: string; RNN: RnnLayer; LAYERS: number; epochs: number }[] = [
  { name: 'GRU, 1 decoder layer', RNN: rl.layers.gru, LAYERS: 1, epochs: epochs(20) },
  { name: 'LSTM, 2 decoder layers', RNN: rl.layers.lstm, LAYERS: 2, epochs: epochs(20) },
  { name: 'LSTM, 1 decoder layer', RNN: rl.layers.lstm, LAYERS: 1, epochs: epochs(30) },
];
for (const v of variants) {
  rl.setSeed(SEED);
  const m = build_seq2seq(v.RNN, 128, v.LAYERS);
  await m.fit(x_train, y_train, { batchSize: 128, epochs: v.epochs, verbose: 0 });
  const [, per_char] = await m.evaluate(x_val, y_val, { verbose: 0 });
  console.log(`${v.name}, ${v.epochs} epochs: ${m.countParams()} params, per character ${percent(per_char)}, whole answers ${percent(exact_match(m, x_val, y_val))}`);
}
