// %% [markdown]
// ### MODEL 1B : FEED-FORWARD NETWORKS WITH EMBEDDINGS
// An embedding gives every word its own dense vector, learned so that similar words end up close:
// a linear map from one-hot words (R^vocabulary) to R^100.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { embedding_dim, max_review_length, vocabulary_size, X_test, X_train, y_test, y_train } from './02_load_imdb.js';

// embedding_dim = 100 is set with the other sizes in section 2, since every later model uses it.
// %%
rl.setSeed(SEED);
const model = rl.sequential();
// inputs go from batch_size * sentence_length to batch_size * sentence_length * embedding_dim
model.add(rl.layers.embedding({ inputDim: vocabulary_size, outputDim: embedding_dim, inputLength: max_review_length }));
model.add(rl.layers.flatten());
model.add(rl.layers.dense({ units: 250, activation: 'relu' }));
model.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
// %%
// fit the model
await model.fit(X_train, y_train, { validationData: [X_test, y_test], epochs: epochs(2), batchSize: 128, verbose: 2 });
// evaluate the model on the test set
const scores = model.evaluate(X_test, y_test, { verbose: 0 }) as rl.Scalar[];
console.log(`Accuracy: ${percent(scores[1].dataSync()[0])}`);
