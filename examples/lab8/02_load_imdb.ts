// %% [markdown]
// #### Load data
// Keras ships IMDb already tokenized; rnnlab reads the official aclImdb tarball (`--data` or RNNLAB_DATA)
// and encodes it the same way: word ids by frequency rank, 1 marks the start, 2 an out-of-vocabulary word.
// %%
import * as rl from 'rnnlab';
import { quick } from './lab.js';

// A finite vocabulary keeps the word matrices small; a finite length keeps reviews short.
export const vocabulary_size = 10000;
export const max_review_length = quick ? 100 : 500;
// The size of the word vectors that Model 1B introduces; the later models reuse it.
export const embedding_dim = 100;
// Quick mode keeps the first few reviews of each split.
const reviews = quick ? 256 : Infinity;

const imdb = await rl.datasets.imdb.load({ numWords: vocabulary_size });
const train = { x: imdb.train.x.slice(0, reviews), y: imdb.train.y.slice(0, reviews) };
const test = { x: imdb.test.x.slice(0, reviews), y: imdb.test.y.slice(0, reviews) };
console.log('Number of reviews', train.x.length);
console.log('Length of first and fifth review before padding', train.x[0].length, train.x[4].length);
console.log('First review', `[${train.x[0].join(', ')}]`);
console.log('First label', train.y[0]);
// %% [markdown]
// #### Preprocess data
// Training in batches needs inputs of one length, so every review is padded (or cut) at the front to
// max_review_length ids, as Keras's pad_sequences does.
// %%
export const X_train = rl.preprocessing.padSequences(train.x, { maxlen: max_review_length });
export const X_test = rl.preprocessing.padSequences(test.x, { maxlen: max_review_length });
export const y_train = rl.tensor(Float32Array.from(train.y), [train.y.length, 1]);
export const y_test = rl.tensor(Float32Array.from(test.y), [test.y.length, 1]);
console.log('Length of first and fifth review after padding', X_train.slice([0, 0], [1, -1]).size, X_train.slice([4, 0], [1, -1]).size);
