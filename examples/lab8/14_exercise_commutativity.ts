// %% [markdown]
// #### EXERCISE: is commutativity learned?
// Compare the encoder's hidden state for a+b and for b+a. In Keras: `Model(model.input, model.layers[0].output)`.
// A built Sequential model is a graph, so the same idiom works here: a model from the trained model's input to
// its first layer's output. It is the same layer object, so the sub-model shares the trained weights.
// We should not expect identical states: the encoder reads characters in order, and nothing in training
// tells it that '12+345' and '345+12' are one question; only the decoder needs them to lead to one answer.
// %%
import * as rl from 'rnnlab';
import { percent } from './lab.js';
import { ctable, MAXLEN, MAXOUTPUTLEN, x_val } from './09_addition_data.js';
import { model } from './11_seq2seq.js';

const encoder = rl.model({ inputs: model.inputs, outputs: model.layers[0].output });

function cosine(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let dot = 0, nu = 0, nv = 0;
  for (let i = 0; i < u.length; i++) { dot += u[i] * v[i]; nu += u[i] * u[i]; nv += v[i] * v[i]; }
  return dot / Math.sqrt(nu * nv);
}
// %%
// every validation question a+b with a != b, and its mirror b+a
const ab: string[] = [], ba: string[] = [];
for (let i = 0; i < x_val.shape[0]; i++) {
  const stride = MAXLEN * ctable.size;
  const question = ctable.decode(x_val.values.subarray(i * stride, (i + 1) * stride)).trim();
  const [a, b] = question.split('+');
  if (a !== b) { ab.push(`${a}+${b}`.padEnd(MAXLEN)); ba.push(`${b}+${a}`.padEnd(MAXLEN)); }
}
const encode = (qs: string[]) => { const e = ctable.encodeBatch(qs, MAXLEN); return rl.tensor(e.data, e.shape); };
// one input and one output, so predict returns one tensor
const h_ab = encoder.predict(encode(ab)) as rl.Tensor, h_ba = encoder.predict(encode(ba)) as rl.Tensor;
const units = h_ab.shape[1];
const state = (h: rl.Tensor, i: number) => h.values.subarray(i * units, (i + 1) * units);
let mirrored = 0, unrelated = 0;
for (let i = 0; i < ab.length; i++) {
  mirrored += cosine(state(h_ab, i), state(h_ba, i));
  unrelated += cosine(state(h_ab, i), state(h_ab, (i + 1) % ab.length));
}
console.log(`mean cosine similarity of the encoder states, over ${ab.length} pairs:`);
console.log(`  a+b vs b+a:           ${(mirrored / ab.length).toFixed(3)}`);
console.log(`  a+b vs another pair:  ${(unrelated / ab.length).toFixed(3)}`);
// %% [markdown]
// The lab's question, "check if the commutative property of addition is learned by the model": swap the operands of
// every validation question and compare the answers, right or wrong, with the true sums.
// %%
const answers = (qs: string[]) => {
  const preds = model.predictClasses(encode(qs), { batchSize: 256 });
  return qs.map((_, i) => ctable.decode(preds.values.subarray(i * MAXOUTPUTLEN, (i + 1) * MAXOUTPUTLEN), { argmax: false }));
};
const g_ab = answers(ab), g_ba = answers(ba);
const truth = ab.map((q) => { const [a, b] = q.trim().split('+').map(Number); return String(a + b).padEnd(MAXOUTPUTLEN, ' '); });
const right = (g: string[]) => g.filter((guess, i) => guess === truth[i]).length / ab.length;
console.log(`whole answers right: a+b ${percent(right(g_ab))}, b+a ${percent(right(g_ba))}`);
const same = g_ab.filter((g, i) => g === g_ba[i]).length;
console.log(`same answer for a+b and b+a: ${percent(same / ab.length)}`);
for (let i = 0; i < Math.min(5, ab.length); i++) {
  console.log(`${ab[i]} -> ${g_ab[i]}   ${ba[i]} -> ${g_ba[i]}   cosine ${cosine(state(h_ab, i), state(h_ba, i)).toFixed(3)}`);
}
