// %% [markdown]
// ### MODEL 3 : Simple RNN
// Like a feed-forward net with one hidden layer, except that the hidden state at time t also depends on
// the hidden state at t-1: h_t = tanh(W x_t + U h_{t-1} + b). Unrolled over 500 words it is a very deep net.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { embedding_dim, max_review_length, vocabulary_size, X_test, X_train, y_test, y_train } from './02_load_imdb.js';

rl.setSeed(SEED);
const model = rl.sequential();
model.add(rl.layers.embedding({ inputDim: vocabulary_size, outputDim: embedding_dim, inputLength: max_review_length }));
model.add(rl.layers.simpleRNN({ units: 100 }));
model.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
await model.fit(X_train, y_train, { epochs: epochs(20), batchSize: 16 });
// Final evaluation of the model
const scores = model.evaluate(X_test, y_test, { verbose: 0 }) as rl.Scalar[];
console.log(`Accuracy: ${percent(scores[1].dataSync()[0])}`);
// %% [markdown]
// #### RNNs and vanishing/exploding gradients
// Backpropagation runs from h_t all the way back to h_1, multiplying one derivative per step; a sigmoid's
// derivative is at most 1/4, so the gradient reaching early words fades and they learn nothing useful.
// #### LSTMs and GRU
// Gates (sigmoids between 0 and 1) decide what to forget, what to write and what to show:
// f, i, o = sigmoid(L([h_{t-1}, x_t])), C_t = f * C_{t-1} + i * tanh(L([h_{t-1}, x_t])), h_t = o * tanh(C_t).
