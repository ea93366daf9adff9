import { CharacterTable, type OneHot } from './char_table.js';
import { DataError, requireInteger } from './errors.js';
import { Rng } from './random.js';

export interface AdditionOptions {
  trainingSize?: number;
  digits?: number;
  /** Reverse each padded query, as Keras's addition_rnn example does. */
  reverse?: boolean;
  seed?: number;
  /** Fraction held out for validation; 0.1 gives the lab's split_at = n - n // 10. */
  validationSplit?: number;
}

export interface AdditionSplit {
  /** "123+45 " (reversed when asked), padded to 2*digits+1. */
  questions: string[];
  /** "168 ", padded to digits+1. */
  answers: string[];
  /** [n, 2*digits+1, chars] */
  x: OneHot;
  /** [n, digits+1, chars] */
  y: OneHot;
}

export interface AdditionData {
  train: AdditionSplit;
  val: AdditionSplit;
  table: CharacterTable;
  /** Query length, 2*digits+1. */
  maxlen: number;
  /** Answer length, digits+1. */
  outputLen: number;
}

export const ADDITION_CHARS = '0123456789+ ';
export const DEFAULT_ADDITION_SEED = 1337;
/** The most questions generated: 10^7 questions of 7 digits fill a query one-hot array just under 2^31 floats. */
export const MAX_TRAINING_SIZE = 10_000_000;
const ENUMERABLE_PAIRS = 1_000_000;

/** Distinct unordered pairs of operands below 10^digits: the most questions `digits` allows. */
export function maxAdditionPairs(digits: number): number {
  const n = 10 ** digits;
  return (n * (n + 1)) / 2;
}

/**
 * The lab's part-2 generator: operands of 1..digits random digits (leading zeros collapse, as int()
 * does), each unordered pair once, then one shuffle of the encoded examples and a head/tail split.
 */
export function addition(options: AdditionOptions = {}): AdditionData {
  const digits = requireInteger('digits', options.digits ?? 3, 1, 7);
  const size = requireInteger('trainingSize', options.trainingSize ?? 50_000, 1);
  const seed = requireInteger('seed', options.seed ?? DEFAULT_ADDITION_SEED, Number.MIN_SAFE_INTEGER);
  const validationSplit = options.validationSplit ?? 0.1;
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new DataError(`validationSplit must be in [0, 1), got ${validationSplit}`);
  const max = maxAdditionPairs(digits);
  if (size > MAX_TRAINING_SIZE) throw new DataError(`trainingSize=${size} is over ${MAX_TRAINING_SIZE}, more than the one-hot arrays can hold`);
  if (size > max) {
    throw new DataError(`trainingSize=${size} asks for more unique questions than exist: with digits=${digits} the maximum is ${max}`);
  }
  const maxlen = 2 * digits + 1;
  const outputLen = digits + 1;
  const rng = new Rng(seed);
  const span = 10 ** digits;
  const number = () => {
    const len = 1 + rng.nextInt(digits);
    let v = 0;
    for (let i = 0; i < len; i++) v = v * 10 + rng.nextInt(10);
    return v;
  };

  const seen = new Set<number>();
  const questions: string[] = [];
  const answers: string[] = [];
  const add = (a: number, b: number) => {
    const q = `${a}+${b}`.padEnd(maxlen, ' ');
    questions.push(options.reverse ? [...q].reverse().join('') : q);
    answers.push(String(a + b).padEnd(outputLen, ' '));
  };
  // Rejection sampling as in the lab. Near the maximum almost every draw is a repeat, so after a long
  // streak of them the rest is drawn from the unseen pairs directly, with the same distribution.
  let streak = 0;
  while (questions.length < size) {
    if (streak > 200 && max <= ENUMERABLE_PAIRS) {
      for (const [a, b] of drawUnseen(rng, seen, size - questions.length, digits)) add(a, b);
      break;
    }
    const a = number();
    const b = number();
    const key = a < b ? a * span + b : b * span + a;
    if (seen.has(key)) {
      streak++;
      continue;
    }
    streak = 0;
    seen.add(key);
    add(a, b);
  }

  const order = rng.permutation(size);
  const splitAt = size - Math.floor(size * validationSplit + 1e-9);
  const table = new CharacterTable(ADDITION_CHARS);
  const part = (from: number, to: number): AdditionSplit => {
    const idx = Array.from(order.subarray(from, to));
    const qs = idx.map((i) => questions[i]);
    const as = idx.map((i) => answers[i]);
    return { questions: qs, answers: as, x: table.encodeBatch(qs, maxlen), y: table.encodeBatch(as, outputLen) };
  };
  return { train: part(0, splitAt), val: part(splitAt, size), table, maxlen, outputLen };
}

/** P(operand = v) under the lab's generator: a length L in 1..digits, then L uniform digits. */
function operandProbabilities(digits: number): Float64Array {
  const p = new Float64Array(10 ** digits);
  for (let len = 1; len <= digits; len++) {
    const each = 1 / digits / 10 ** len;
    for (let v = 0; v < 10 ** len; v++) p[v] += each;
  }
  return p;
}

/**
 * `need` unseen unordered pairs in the order repeated rejection sampling would accept them: weighted
 * sampling without replacement, by Efraimidis & Spirakis's keys log(u)/w, largest first. The order of
 * the two operands is then a fair coin, as it is for a drawn pair.
 */
function drawUnseen(rng: Rng, seen: ReadonlySet<number>, need: number, digits: number): [number, number][] {
  const span = 10 ** digits;
  const p = operandProbabilities(digits);
  const pairs: number[] = [];
  const keys: number[] = [];
  for (let a = 0; a < span; a++) {
    for (let b = a; b < span; b++) {
      const key = a * span + b;
      if (seen.has(key)) continue;
      const w = a === b ? p[a] * p[a] : 2 * p[a] * p[b];
      pairs.push(key);
      keys.push(Math.log(rng.nextFloat()) / w);
    }
  }
  const order = Array.from(pairs.keys()).sort((i, j) => keys[j] - keys[i] || i - j);
  return order.slice(0, need).map((i) => {
    const a = Math.floor(pairs[i] / span);
    const b = pairs[i] % span;
    return rng.nextInt(2) === 0 ? [a, b] : [b, a];
  });
}
