// %% [markdown]
// ### MODEL 5 : CNN + LSTM
// The convolution finds local features that signal sentiment wherever they occur; the LSTM then reads the
// pooled features as a sequence, and one sigmoid unit classifies.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { embedding_dim, max_review_length, vocabulary_size, X_test, X_train, y_test, y_train } from './02_load_imdb.js';

rl.setSeed(SEED);
const model = rl.sequential();
model.add(rl.layers.embedding({ inputDim: vocabulary_size, outputDim: embedding_dim, inputLength: max_review_length }));
model.add(rl.layers.conv1d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
model.add(rl.layers.maxPooling1d({ poolSize: 2 }));
model.add(rl.layers.lstm({ units: 100 }));
model.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
await model.fit(X_train, y_train, { epochs: epochs(3), batchSize: 64 });
// Final evaluation of the model
const scores = model.evaluate(X_test, y_test, { verbose: 0 }) as rl.Scalar[];
console.log(`Accuracy: ${percent(scores[1].dataSync()[0])}`);
// %% [markdown]
// ### CONCLUSION
// Sequence models classify text well with few parameters (the weights are shared across time) and use the
// order of the words; whether CNNs or RNNs give more for the memory is still debated.
