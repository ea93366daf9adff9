// %% [markdown]
// ### MODEL 3 : Simple RNN
// Like a feed-forward net with one hidden layer, except that the hidden state at time t also depends on
// the hidden state at t-1: h_t = tanh(W x_t + U h_{t-1} + b). Unrolled over 500 words it is a very deep net.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { embedding_dim, max_review_length, vocabulary_size, X_test, X_train, y_test, y_train } from './02_load_imdb.js';
import { print_gradient_norms, state_gradient_norms } from './gradient_tools.js';

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
// (Keras's SimpleRNN uses tanh, whose derivative is at most 1, but the product over hundreds of steps still fades.)
// Measured on the trained model, for the first 32 test reviews: the last step is each review's last word, t = 1 the
// first of max_review_length positions (padding for the shorter reviews, since pad_sequences pads at the front).
// %%
const probe = Math.min(32, X_test.shape[0]);
print_gradient_norms('SimpleRNN', state_gradient_norms(model, X_test.slice([0], [probe]), y_test.slice([0], [probe])));
// %% [markdown]
// #### LSTMs and GRU
// Gates (sigmoids between 0 and 1) decide what to forget, what to write and what to show:
// f, i, o = sigmoid(L([h_{t-1}, x_t])), C_t = f * C_{t-1} + i * tanh(L([h_{t-1}, x_t])), h_t = o * tanh(C_t).
