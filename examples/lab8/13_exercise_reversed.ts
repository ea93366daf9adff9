// %% [markdown]
// #### EXERCISE: reversed inputs
// "Try reversing the data" can be read two ways. Swapping the operands (b+a for a+b) tests commutativity: section 14.
// Reversing the characters, as here, reads the question backwards ('231+432' becomes '234+132'): the encoder then
// reads the first number's leading digits last, right before the decoder writes the sum's leading digits, a shorter
// distance between related input and output (Sutskever et al.'s reason for reversing inputs). Keras's own addition
// example does this. Worked solution: train the same model on reversed questions and compare.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { x_train, x_val, y_train, y_val } from './09_addition_data.js';
import { build_seq2seq, exact_match } from './seq2seq_tools.js';

for (const reversed of [false, true]) {
  rl.setSeed(SEED);
  const m = build_seq2seq(rl.layers.lstm, 128, 1);
  // numpy's x[:, ::-1]: the time steps (axis 1) of every example in reverse order
  const xt = reversed ? rl.reverse(x_train, 1) : x_train, xv = reversed ? rl.reverse(x_val, 1) : x_val;
  await m.fit(xt, y_train, { batchSize: 128, epochs: epochs(20), verbose: 0 });
  const per_char = (m.evaluate(xv, y_val, { verbose: 0 }) as rl.Scalar[])[1].dataSync()[0];
  console.log(`${reversed ? 'reversed' : 'plain   '} questions: per character ${percent(per_char)}, whole answers ${percent(exact_match(m, xv, y_val))}`);
}
