// %% [markdown]
// ### MODEL 2 : CONVOLUTIONAL NEURAL NETWORKS (CNN)
// Text is a 1-D sequence, so a 1-D convolution slides over the word embeddings: 200 filters of width 3
// pick up local patterns (short phrases), max pooling halves the length, then a 250-unit layer decides.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { embedding_dim, max_review_length, vocabulary_size, X_test, X_train, y_test, y_train } from './02_load_imdb.js';

rl.setSeed(SEED);
// create the CNN
const model = rl.sequential();
model.add(rl.layers.embedding({ inputDim: vocabulary_size, outputDim: embedding_dim, inputLength: max_review_length }));
model.add(rl.layers.conv1d({ filters: 200, kernelSize: 3, padding: 'same', activation: 'relu' }));
model.add(rl.layers.maxPooling1d({ poolSize: 2 }));
model.add(rl.layers.flatten());
model.add(rl.layers.dense({ units: 250, activation: 'relu' }));
model.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
// train the CNN
await model.fit(X_train, y_train, { epochs: epochs(2), batchSize: 128 });
// evaluate the CNN
const scores = model.evaluate(X_test, y_test, { verbose: 0 }) as rl.Scalar[];
console.log(`Accuracy: ${percent(scores[1].dataSync()[0])}`);
