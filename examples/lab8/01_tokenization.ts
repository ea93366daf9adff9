// %% [markdown]
// ## 1. IMDb Review Classification: Feedforward, CNN, RNN, LSTM
// #### TOKENIZATION
// Computers keep words as numbers: every distinct word gets its own integer, the most frequent word the
// smallest. Keras's `Tokenizer` (here `rl.preprocessing.Tokenizer`) builds that index from a corpus.
// %%
import * as rl from 'rnnlab';

const corpus = [
  'i have books',
  'interesting books are useful',
  'i have computers',
  'computers are interesting and useful',
  'books and computers are both valuable.',
  'Bye Bye',
];
const tokenizer = new rl.preprocessing.Tokenizer();
tokenizer.fitOnTexts(corpus);
console.log('word_index', Object.fromEntries(tokenizer.wordIndex));
const sequences = tokenizer.textsToSequences(corpus);
corpus.forEach((sentence, i) => console.log(`${sentence} - [${sequences[i].join(', ')}]`));
// %% [markdown]
// Other cleaning steps the lab mentions: punctuation marks as tokens, lower-casing (Keras's default),
// a symbol between sentences, and dropping stopwords (never for language modelling: meaning needs every word).
// %%
const cleaner = new rl.preprocessing.Tokenizer({ punctuationAsTokens: true, sentenceSeparator: '</s>', stopwords: true });
console.log(cleaner.tokenize('Books and computers are both valuable. Bye Bye!'));
