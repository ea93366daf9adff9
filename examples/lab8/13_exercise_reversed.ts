// %% [markdown]
// #### EXERCISE: reversed inputs
// Read the question backwards ('231+432' becomes '234+132'): the units digits, which decide the first
// answer digits, are then close to where the answer starts, so the encoder has less to carry. Keras's own
// addition example does this. Worked solution: train the same model on reversed questions and compare.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { x_train, x_val, y_train, y_val } from './09_addition_data.js';
import { build_seq2seq, exact_match } from './seq2seq_tools.js';

// numpy's x[:, ::-1]: the time steps of every example in reverse order
export function reverse_steps(t: rl.Tensor): rl.Tensor {
  const [n, steps, features] = t.shape;
  const out = new Float32Array(t.size);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < steps; s++) {
      const from = (i * steps + s) * features, to = (i * steps + steps - 1 - s) * features;
      out.set(t.values.subarray(from, from + features), to);
    }
  }
  return rl.tensor(out, t.shape);
}
// %%
for (const reversed of [false, true]) {
  rl.setSeed(SEED);
  const m = build_seq2seq(rl.layers.lstm, 128, 1);
  const xt = reversed ? reverse_steps(x_train) : x_train, xv = reversed ? reverse_steps(x_val) : x_val;
  await m.fit(xt, y_train, { batchSize: 128, epochs: epochs(20), verbose: 0 });
  const per_char = (m.evaluate(xv, y_val, { verbose: 0 }) as rl.Scalar[])[1].dataSync()[0];
  console.log(`${reversed ? 'reversed' : 'plain   '} questions: per character ${percent(per_char)}, whole answers ${percent(exact_match(m, xv, y_val))}`);
}
