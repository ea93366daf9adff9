// %% [markdown]
// ### MODEL 1A : FEED-FORWARD NETWORKS WITHOUT EMBEDDINGS
// One hidden layer of 250 units reads the 500 word ids of a review as 500 plain numbers.
// Parameters: 500*250 + 250 = 125,250 for the hidden layer and 250 + 1 = 251 for the output.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { max_review_length, X_test, X_train, y_test, y_train } from './02_load_imdb.js';

rl.setSeed(SEED);
const model = rl.sequential();
model.add(rl.layers.dense({ units: 250, activation: 'relu', inputDim: max_review_length }));
model.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
await model.fit(X_train, y_train, { validationData: [X_test, y_test], epochs: epochs(10), batchSize: 128, verbose: 2 });
// Final evaluation of the model
const scores = model.evaluate(X_test, y_test, { verbose: 0 }) as rl.Scalar[];
console.log(`Accuracy: ${percent(scores[1].dataSync()[0])}`);
// %% [markdown]
// **Discussion:** why is this bad? A word id is a rank, not a quantity: word 500 is not "more" than word 5,
// yet a Dense layer treats it so, and the same word at another position meets other weights.
