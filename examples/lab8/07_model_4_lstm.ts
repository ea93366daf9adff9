// %% [markdown]
// ### MODEL 4 : LSTM
// The same architecture as the SimpleRNN (100 units) with an LSTM cell: four times the recurrent parameters.
// Try more units, stacked layers or dropout from here: `rl.layers.lstm({ units: 100, returnSequences: true, dropout: 0.2 })`
// under another LSTM, or from the command line `rnnlab imdb --model lstm --units 128 --layers 2 --dropout 0.2`.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, SEED } from './lab.js';
import { embedding_dim, max_review_length, vocabulary_size, X_test, X_train, y_test, y_train } from './02_load_imdb.js';
import { print_gradient_norms, state_gradient_norms } from './gradient_tools.js';

rl.setSeed(SEED);
const model = rl.sequential();
model.add(rl.layers.embedding({ inputDim: vocabulary_size, outputDim: embedding_dim, inputLength: max_review_length }));
model.add(rl.layers.lstm({ units: 100 }));
model.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model.summary();
await model.fit(X_train, y_train, { epochs: epochs(3), batchSize: 64 });
// evaluation of the LSTM's performance
const scores = model.evaluate(X_test, y_test, { verbose: 0 }) as rl.Scalar[];
console.log(`Accuracy: ${percent(scores[1].dataSync()[0])}`);
// %% [markdown]
// The vanishing-gradient measurement of Model 3, on this trained LSTM and the same 32 test reviews: compare how much
// of the last step's gradient reaches the first steps.
// %%
const probe = Math.min(32, X_test.shape[0]);
print_gradient_norms('LSTM', state_gradient_norms(model, X_test.slice([0], [probe]), y_test.slice([0], [probe])));
