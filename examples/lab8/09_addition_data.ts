// %% [markdown]
// ## 2. 231+432 = 665.... It's not ? Let's ask our LSTM
// A sequence-to-sequence model reads the characters '231+432' and writes the answer '663' (the lab's text pads it as
// ' 663', its code as '663 ': section 11 shows the code's padding): an encoder
// RNN squeezes the question into its final hidden state, a decoder RNN writes the answer from it.
// #### The less interesting data generation and preprocessing
// `rl.preprocessing.CharacterTable` is the lab's CharacterTable: one-hot rows over the sorted characters.
// %%
import * as rl from 'rnnlab';
import { quick, SEED } from './lab.js';

export const TRAINING_SIZE = quick ? 2000 : 50000;
export const DIGITS = 3;
export const MAXOUTPUTLEN = DIGITS + 1;
export const MAXLEN = DIGITS + 1 + DIGITS;
export const chars = '0123456789+ ';
export const ctable = new rl.preprocessing.CharacterTable(chars);
// %%
const random = new rl.Random(SEED);

function return_random_digit(): string {
  return '0123456789'[random.int(10)];
}

// a number of 1 to DIGITS random digits (int() drops leading zeros)
function generate_number(): number {
  const num_digits = 1 + random.int(DIGITS);
  return Number(Array.from({ length: num_digits }, return_random_digit).join(''));
}

// TRAINING_SIZE distinct pairs; a+b and b+a count once, so the model cannot memorise seen questions
function data_generate(): { questions: string[]; answers: string[] } {
  const questions: string[] = [];
  const answers: string[] = [];
  const seen = new Set<string>();
  console.log('Generating data...');
  while (questions.length < TRAINING_SIZE) {
    const a = generate_number(), b = generate_number();
    const key = [a, b].sort((p, q) => p - q).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    // pad with spaces so every question is MAXLEN characters and every answer MAXOUTPUTLEN
    questions.push(`${a}+${b}`.padEnd(MAXLEN, ' '));
    answers.push(String(a + b).padEnd(MAXOUTPUTLEN, ' '));
  }
  console.log('Total addition questions:', questions.length);
  return { questions, answers };
}

// one-hot every question and answer, then shuffle the examples
function encode_examples(questions: string[], answers: string[]): { x: rl.Tensor; y: rl.Tensor } {
  const indices = random.permutation(questions.length);
  const x = ctable.encodeBatch(Array.from(indices, (i) => questions[i]), MAXLEN);
  const y = ctable.encodeBatch(Array.from(indices, (i) => answers[i]), MAXOUTPUTLEN);
  return { x: rl.tensor(x.data, x.shape), y: rl.tensor(y.data, y.shape) };
}
// %%
const { questions: q, answers: a } = data_generate();
const { x, y } = encode_examples(q, a);
// divides our data into training and validation: numpy's x[:split_at] is tfjs's x.slice([0], [split_at]),
// x[split_at:] is x.slice([split_at]) (a begin or size shorter than the shape covers the other axes whole)
const split_at = x.shape[0] - Math.floor(x.shape[0] / 10);
export const x_train = x.slice([0], [split_at]), x_val = x.slice([split_at]);
export const y_train = y.slice([0], [split_at]), y_val = y.slice([split_at]);
console.log('Training Data shape:');
console.log('X : ', x_train.shape);
console.log('Y : ', y_train.shape);
// one line per character, one column per entry of the table
const one_hot = (t: rl.Tensor) => (t.arraySync() as number[][][])[0].map((r) => r.join(' ')).join('\n');
console.log('Sample Question(in encoded form) : ');
console.log(one_hot(x_train.slice([0], [1])));
console.log(one_hot(y_train.slice([0], [1])));
console.log('Sample Question(in decoded form) : ', ctable.decode(x_train.slice([0], [1]).values), 'Sample Output : ', ctable.decode(y_train.slice([0], [1]).values));
