// %% [markdown]
// ### MODEL ARCHITECTURE
// An LSTM returns only its last hidden state unless `returnSequences: true`. The encoder does exactly that
// (one vector per question); RepeatVector hands that vector to each of the decoder's MAXOUTPUTLEN steps; the
// decoder returns a state per step, and TimeDistributed(Dense(softmax)) turns each into a character.
// %%
import * as rl from 'rnnlab';
import { epochs, quick, SEED } from './lab.js';
import { chars, ctable, MAXLEN, MAXOUTPUTLEN, x_train, x_val, y_train, y_val } from './09_addition_data.js';

// Hyperparams
const RNN = rl.layers.lstm;
const HIDDEN_SIZE = 128;
const BATCH_SIZE = 128;
const LAYERS = 1;

rl.setSeed(SEED);
console.log('Build model...');
export const model = rl.sequential();
// ENCODING
model.add(RNN({ units: HIDDEN_SIZE, inputShape: [MAXLEN, chars.length] }));
model.add(rl.layers.repeatVector({ n: MAXOUTPUTLEN }));
// DECODING
for (let i = 0; i < LAYERS; i++) {
  // return the hidden state at each time step
  model.add(RNN({ units: HIDDEN_SIZE, returnSequences: true }));
}
model.add(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: chars.length, activation: 'softmax' }) }));
model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
// %% [markdown]
// Let's check how well our model trained.
// %%
const random = new rl.Random(SEED);
for (let iteration = 1; iteration < 2; iteration++) {
  console.log();
  await model.fit(x_train, y_train, { batchSize: BATCH_SIZE, epochs: epochs(20), validationData: [x_val, y_val], verbose: quick ? 2 : 1 });
  // Pick 20 validation questions at random to see the errors.
  console.log('Finished iteration ', iteration);
  let numcorrect = 0;
  const numtotal = 20;
  for (let i = 0; i < numtotal; i++) {
    const ind = random.int(x_val.shape[0]);
    const rowx = x_val.slice([ind], [1]), rowy = y_val.slice([ind], [1]);
    const preds = model.predictClasses(rowx);
    const q = ctable.decode(rowx.values);
    const correct = ctable.decode(rowy.values);
    const guess = ctable.decode(preds.values, { argmax: false });
    const verdict = guess === correct ? 'Good job' : 'Fail';
    if (guess === correct) numcorrect += 1;
    console.log('Question', q, 'True', correct, 'Guess', guess, verdict);
  }
  // Python 3 prints the float (90.0); written as `rnnlab addition` writes it.
  console.log(`The model scored ${((numcorrect * 100) / numtotal).toFixed(1)} % in its test.`);
}
// %% [markdown]
// The question from the lab's title: '231+432' in, one character per output step out. The lab's code pads
// answers with spaces on the right ('663 ', where its text writes ' 663'), so the quotes show the padding.
// %%
const question = '231+432'.padEnd(MAXLEN, ' ');
const encoded = ctable.encodeBatch([question], MAXLEN);
const answer = ctable.decode(model.predictClasses(rl.tensor(encoded.data, encoded.shape)).values, { argmax: false });
console.log(`'${question}' -> '${answer}'  (true: '${String(231 + 432).padEnd(MAXOUTPUTLEN, ' ')}')`);
