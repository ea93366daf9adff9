// %% [markdown]
// #### EXERCISE: other RNNs, more layers, more epochs
// A worked solution: the same encoder–decoder with a GRU, with two decoder layers, and with more epochs,
// each scored per character (Keras's accuracy) and on whole answers (what a person would count).
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { x_train, x_val, y_train, y_val } from './09_addition_data.js';
import { build_seq2seq, exact_match, type RnnLayer } from './seq2seq_tools.js';

const variants: { name: string; RNN: RnnLayer; LAYERS: number; epochs: number }[] = [
  { name: 'GRU, 1 decoder layer', RNN: rl.layers.gru, LAYERS: 1, epochs: epochs(20) },
  { name: 'LSTM, 2 decoder layers', RNN: rl.layers.lstm, LAYERS: 2, epochs: epochs(20) },
  { name: 'LSTM, 1 decoder layer', RNN: rl.layers.lstm, LAYERS: 1, epochs: epochs(30) },
];
for (const v of variants) {
  rl.setSeed(SEED);
  const m = build_seq2seq(v.RNN, 128, v.LAYERS);
  await m.fit(x_train, y_train, { batchSize: 128, epochs: v.epochs, verbose: 0 });
  const per_char = (m.evaluate(x_val, y_val, { verbose: 0 }) as rl.Scalar[])[1].dataSync()[0];
  console.log(`${v.name}, ${v.epochs} epoch${v.epochs === 1 ? '' : 's'}: ${m.countParams()} params, per character ${percent(per_char)}, whole answers ${percent(exact_match(m, x_val, y_val))}`);
}
