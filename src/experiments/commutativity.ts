/**
 * The lab's exercise "check if the commutative property of addition is learned": the encoder's final
 * hidden state for a+b against b+a (cosine similarity), against random pairs and pairs with the same sum
 * as baselines, and the exact-match accuracy when the operands are swapped.
 */
import { offsetSeed, Random } from '../random.js';
import { percent, type Table } from '../report/table.js';
import { Tensor } from '../tensor.js';
import { NOT_LEARNED_BELOW } from './reverse.js';
import { ADDITION_DEFAULTS, additionDataFor, readable, scoreAnswers, trainAddition, type AdditionTaskOptions } from './addition_task.js';
import { additionModelRecord } from './addition_result.js';
import type { Sequential } from '../models/sequential.js';
import type { AdditionData, CharacterTable } from '../data/index.js';
import type { ExperimentResult } from './types.js';

export interface CommutativityOptions extends AdditionTaskOptions {
  /** How many validation pairs to compare (a != b). */
  pairs?: number;
}

/** Random pairs more similar than this on average: the encoder's states do not tell questions apart. */
export const UNDISCRIMINATING_ABOVE = 0.95;

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function stats(v: number[]): { mean: number; median: number; std: number; min: number; max: number } {
  if (v.length === 0) return { mean: NaN, median: NaN, std: NaN, min: NaN, max: NaN };
  const s = [...v].sort((a, b) => a - b);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, median: s[Math.floor(s.length / 2)], std, min: s[0], max: s[s.length - 1] };
}

/** The encoder's (first recurrent layer's) final hidden state for each query, [n][units]. */
export function encoderStates(model: Sequential, queries: string[], table: CharacterTable, maxlen: number): Float32Array[] {
  const enc = table.encodeBatch(queries, maxlen);
  const { layers } = model.trace(new Tensor(enc.data, enc.shape, 'float32'));
  const first = layers.find((l) => l.layer === model.layers[0].name) ?? layers[0];
  if (!first) throw new Error('commutativity: the model has no recurrent layer to trace');
  const [B, T, U] = first.hiddenStates.shape;
  const h = first.hiddenStates.values;
  return Array.from({ length: B }, (_, b) => Float32Array.from(h.subarray((b * T + T - 1) * U, (b * T + T) * U)));
}

function histogram(groups: number[][], bins: number, lo: number, hi: number): { categories: string[]; counts: number[][] } {
  const w = (hi - lo) / bins;
  const categories = Array.from({ length: bins }, (_, i) => (lo + (i + 0.5) * w).toFixed(2));
  const counts = groups.map((g) => {
    const c = new Array(bins).fill(0);
    for (const v of g) c[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)))]++;
    return c.map((x) => (g.length ? x / g.length : 0));
  });
  return { categories, counts };
}

/** The operands (a, b) of the validation questions with a != b, at most `want` of them: the pairs the experiment compares. */
export function commutativityPairs(data: AdditionData, reverse: boolean, want: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (const q of data.val.questions) {
    const [a, b] = readable(q, reverse).split('+').map(Number);
    if (a !== b) pairs.push([a, b]);
    if (pairs.length >= want) break;
  }
  return pairs;
}

/** data: the questions additionDataFor(o) generates, for a caller that already made them to check them. */
export async function commutativityExperiment(o: CommutativityOptions = {}, data: AdditionData = additionDataFor(o)): Promise<ExperimentResult> {
  // The pairs come from the validation questions, known before training: a set without one fails before it trains.
  const reverse = o.reverse ?? ADDITION_DEFAULTS.reverse;
  const want = o.pairs ?? 500;
  const pairs = commutativityPairs(data, reverse, want);
  if (pairs.length === 0) throw new Error('commutativity: the validation set has no pair with a != b; raise --training-size');
  o.log?.('Training the addition model...');
  const run = await trainAddition({ ...o, samples: 0 }, data);
  const record = additionModelRecord('addition', run);
  o.onModelDone?.(record);
  const { model } = run;
  const digits = run.config.digits as number;
  const maxOperand = 10 ** digits - 1;
  const rng = new Random(offsetSeed(run.config.seed as number, 11));
  const query = (a: number, b: number) => {
    const q = `${a}+${b}`.padEnd(data.maxlen, ' ');
    return reverse ? [...q].reverse().join('') : q;
  };
  const answer = (a: number, b: number) => String(a + b).padEnd(data.outputLen, ' ');
  // Same-sum partners: c + d = a + b with {c, d} != {a, b}.
  const sameSum: ([number, number] | null)[] = pairs.map(([a, b]) => {
    const s = a + b, lo = Math.max(0, s - maxOperand), hi = Math.min(s, maxOperand);
    const options = hi - lo + 1 - (a >= lo && a <= hi ? 1 : 0) - (b >= lo && b <= hi ? 1 : 0);
    if (options <= 0) return null;
    for (;;) {
      const c = lo + rng.int(hi - lo + 1);
      if (c !== a && c !== b) return [c, s - c];
    }
  });
  const ab = encoderStates(model, pairs.map(([a, b]) => query(a, b)), data.table, data.maxlen);
  const ba = encoderStates(model, pairs.map(([a, b]) => query(b, a)), data.table, data.maxlen);
  const ssIdx = sameSum.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
  const ss = encoderStates(model, ssIdx.map((i) => query(...sameSum[i]!)), data.table, data.maxlen);
  const commutative = pairs.map((_, i) => cosine(ab[i], ba[i]));
  // A random partner must be another pair: with one pair there is no random baseline (a pair with itself gives 1).
  const random = pairs.length < 2 ? [] : pairs.map((_, i) => {
    let j = rng.int(pairs.length);
    while (j === i) j = rng.int(pairs.length);
    return cosine(ab[i], ab[j]);
  });
  const same = ssIdx.map((i, k) => cosine(ab[i], ss[k]));
  const encode = (qs: string[]) => data.table.encodeBatch(qs, data.maxlen);
  const answers = pairs.map(([a, b]) => answer(a, b));
  const orig = scoreAnswers(model, encode(pairs.map(([a, b]) => query(a, b))), answers, data.table);
  const swapped = scoreAnswers(model, encode(pairs.map(([a, b]) => query(b, a))), answers, data.table);
  const consistent = orig.guesses.filter((g, i) => g === swapped.guesses[i]).length / pairs.length;
  const sc = stats(commutative), sr = stats(random), sm = stats(same);
  // A group with no pairs has no statistics: '-' in the table, never NaN.
  const row = (name: string, n: number, st: ReturnType<typeof stats>) => [name, n, ...(n ? [st.mean, st.median, st.std, st.min, st.max] : ['-', '-', '-', '-', '-'])];
  const fewer = pairs.length < want ? ` (--pairs ${want} asked; the validation set has only ${pairs.length} question(s) with a != b)` : '';
  const simTable: Table = {
    caption: `Cosine similarity of the encoder's final hidden state (${run.config.rnn}, ${run.config.hidden} units), ${pairs.length} validation pairs${fewer}`,
    columns: ['pairs', 'n', 'mean', 'median', 'std', 'min', 'max'],
    rows: [
      row('a+b vs b+a', commutative.length, sc),
      row('a+b vs c+d, same sum', same.length, sm),
      row('a+b vs a random pair', random.length, sr),
    ],
  };
  const accTable: Table = {
    caption: 'Exact-match accuracy on the same pairs',
    columns: ['questions', 'exact match'],
    rows: [['a+b (as in validation)', percent(orig.exact)], ['b+a (swapped operands)', percent(swapped.exact)], ['same answer for both orders', percent(consistent)]],
  };
  const allV = [...commutative, ...random, ...same];
  // A loop, not Math.min(...allV): up to 3 x --pairs values overflow the call stack as arguments.
  const lo = Math.min(0, Math.floor(allV.reduce((m, v) => Math.min(m, v), Infinity) * 10) / 10);
  const hist = histogram([commutative, same, random], 20, lo, 1);
  const closer = sc.mean - sr.mean;
  const sameSumPart = same.length ? ` (${sm.mean.toFixed(3)} for pairs with the same sum)` : ' (no pair has a same-sum partner)';
  const states = `so the states are ${sc.mean > 0.99 ? 'practically identical' : 'similar but not identical'}`;
  // When unrelated questions are about as similar as a+b and b+a, the encoder barely tells questions apart (an
  // untrained model does that): a high cosine then says nothing about commutativity.
  const similarity = !random.length
    ? `With a single validation pair there is no random baseline (raise --training-size): the mean cosine similarity of a+b and b+a is ${sc.mean.toFixed(3)}${sameSumPart}, ${states}`
    : sr.mean > UNDISCRIMINATING_ABOVE
      ? `The encoder maps every question to nearly the same state: mean cosine similarity ${sc.mean.toFixed(3)} for a+b vs b+a and ${sr.mean.toFixed(3)} for random pairs${sameSumPart}, ` +
        'so the similarity says nothing about commutativity yet (train longer)'
      : `The encoder puts a+b and b+a ${closer > 0.05 ? 'closer together than random pairs' : 'no closer than random pairs'}: ` +
        `mean cosine similarity ${sc.mean.toFixed(3)} vs ${sr.mean.toFixed(3)} for random pairs${sameSumPart}, ${states}`;
  const answersPart = `with the operands swapped the model gets ${percent(swapped.exact)} of answers exactly right (${percent(orig.exact)} in the original order) ` +
    `and gives the same answer for both orders ${percent(consistent)} of the time`;
  // A model that answers (almost) nothing right often gives one answer to every question: the same answer for a+b
  // and b+a then says nothing about commutativity.
  const notLearned = Math.max(orig.exact, swapped.exact) < NOT_LEARNED_BELOW;
  const distinct = new Set([...orig.guesses, ...swapped.guesses]).size;
  const finding = `${similarity}; ${answersPart}` + (notLearned
    ? `, but it has not learned to add yet (under ${percent(NOT_LEARNED_BELOW)} of answers right; ${distinct} distinct answer(s) to ${2 * pairs.length} questions), so the answers say nothing about commutativity (train longer).`
    : '.');
  return {
    name: 'commutativity',
    title: 'Is commutativity learned? a+b vs b+a',
    finding,
    numbers: { meanCosineCommutative: sc.mean, ...(same.length ? { meanCosineSameSum: sm.mean } : {}), ...(random.length ? { meanCosineRandom: sr.mean } : {}), exactOriginal: orig.exact, exactSwapped: swapped.exact, sameAnswerBothOrders: consistent, distinctAnswers: distinct, pairs: pairs.length, validationExact: run.exact, validationPerChar: run.perChar },
    tables: [simTable, accTable],
    charts: [
      { kind: 'bar', title: 'Cosine similarity of final encoder states', xLabel: 'cosine similarity (bin centre)', yLabel: 'fraction of pairs',
        categories: hist.categories, series: [{ name: 'a+b vs b+a', y: hist.counts[0] }, { name: 'same sum', y: hist.counts[1] }, { name: 'random pair', y: hist.counts[2] }] },
      { kind: 'bar', title: 'Whole answers on the same pairs', yLabel: 'fraction of pairs', yMin: 0, yMax: 1, categories: ['a+b right', 'b+a right', 'same answer both orders'],
        series: [{ name: 'accuracy', y: [orig.exact, swapped.exact, consistent] }] },
      { title: 'Training', xLabel: 'epoch', yLabel: 'accuracy', yMin: 0, yMax: 1,
        series: [{ name: 'train (per char)', y: run.history.accuracy ?? [] }, { name: 'val (per char)', y: run.history.val_accuracy ?? [] }, { name: 'val (exact)', y: run.history.val_exact ?? [] }] },
    ],
    config: { ...run.config, pairs: pairs.length },
    models: [record],
    details: { examples: pairs.slice(0, 10).map(([a, b], i) => ({ a, b, cosine: commutative[i], guessAB: orig.guesses[i].trimEnd(), guessBA: swapped.guesses[i].trimEnd() })) },
  };
}
