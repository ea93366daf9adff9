/**
 * The lab's last exercise, "addition the way we do it by hand": digits go in least-significant first, one
 * digit of each operand per time step (two one-hot digits, 20 features), and one digit of the sum comes out
 * per step, with one extra step for the final carry. A tiny RNN only has to learn the carry; because the
 * same cell runs at every step, the trained weights add numbers longer than any it saw.
 */
import { layers } from '../layers/index.js';
import { sequential, type Sequential } from '../models/sequential.js';
import { offsetSeed, Random, setSeed } from '../random.js';
import { percent, type Table } from '../report/table.js';
import { Tensor } from '../tensor.js';
import { takeRows, yieldToEventLoop } from '../models/batches.js';
import { ProgressBar } from '../models/progress.js';
import { makeOptimizer, type OptimizerChoice } from './imdb_task.js';
import { EpochTimer } from './train_hooks.js';
import type { RnnKind } from './addition_task.js';
import type { ExperimentResult, RunIo } from './types.js';
import { modelSummary, type ModelRecord } from '../report/record.js';

export interface DigitwiseOptions extends RunIo {
  /** Operand length in training (numbers below 10^trainDigits). */
  trainDigits?: number;
  /** Evaluate on every length from 1 to this. */
  testDigits?: number;
  rnn?: RnnKind;
  hidden?: number;
  trainingSize?: number;
  testSize?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerChoice;
  /** Cosine learning-rate decay to lr/20 over the epochs (default false). */
  decay?: boolean;
  seed?: number;
}

export const DIGITWISE_DEFAULTS = { trainDigits: 3, testDigits: 6, rnn: 'simple_rnn' as RnnKind, hidden: 32, trainingSize: 16000, testSize: 1000, epochs: 15, batchSize: 32, lr: 0.01, seed: 1, decay: false };

/**
 * Every training sum, and every test sum of one length, is held at once: 120 bytes of one-hot arrays a step plus JS
 * digit arrays (up to about 170 bytes a step for 1-digit sums). 5 * 10^6 steps keep the JS heap near 2 GB at most, inside
 * Node's default limit; unbounded sizes abort V8 with no message.
 */
export const MAX_DIGITWISE_STEPS = 5_000_000;

/** The most sums of up to `digits` digits (digits + 1 steps each) that MAX_DIGITWISE_STEPS allows. */
export const maxDigitwiseSums = (digits: number): number => Math.floor(MAX_DIGITWISE_STEPS / (digits + 1));

/** Operand pairs as digit arrays, least-significant digit first. */
export function randomOperands(rng: Random, n: number, digits: number): { a: number[][]; b: number[][] } {
  const draw = () => Array.from({ length: digits }, () => rng.int(10));
  const a: number[][] = [], b: number[][] = [];
  for (let i = 0; i < n; i++) { a.push(draw()); b.push(draw()); }
  return { a, b };
}

/** Digits of a + b, least-significant first, digits + 1 of them (the last is the final carry). */
export function sumDigits(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < a.length; i++) {
    const s = a[i] + b[i] + carry;
    out.push(s % 10);
    carry = s >= 10 ? 1 : 0;
  }
  out.push(carry);
  return out;
}

export const digitsToString = (d: number[]) => d.slice().reverse().join('').replace(/^0+(?=\d)/, '');

/** x: [n, digits+1, 20] (one-hot digit of a, then of b; at the carry step both are a one-hot 0, a leading zero), y: [n, digits+1, 10]. */
export function encodeDigitwise(a: number[][], b: number[][]): { x: Tensor; y: Tensor; sums: number[][] } {
  const n = a.length, D = a[0]?.length ?? 0, T = D + 1;
  const x = new Float32Array(n * T * 20), y = new Float32Array(n * T * 10);
  const sums: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = sumDigits(a[i], b[i]);
    sums.push(s);
    for (let t = 0; t < T; t++) {
      const da = t < D ? a[i][t] : 0, db = t < D ? b[i][t] : 0;
      x[(i * T + t) * 20 + da] = 1;
      x[(i * T + t) * 20 + 10 + db] = 1;
      y[(i * T + t) * 10 + s[t]] = 1;
    }
  }
  return { x: new Tensor(x, [n, T, 20], 'float32'), y: new Tensor(y, [n, T, 10], 'float32'), sums };
}

/** RNN(returnSequences) -> TimeDistributed(Dense(10, softmax)) over `steps` steps (null: any number) of 20 features. */
export function digitwiseModel(steps: number | null, rnn: RnnKind, hidden: number): Sequential {
  const args = { units: hidden, returnSequences: true, batchInputShape: [null, steps, 20] };
  const cell = rnn === 'lstm' ? layers.lstm(args) : rnn === 'gru' ? layers.gru(args) : layers.simpleRNN(args);
  return sequential({ layers: [cell, layers.timeDistributed({ layer: layers.dense({ units: 10, activation: 'softmax' }) })] });
}

export interface DigitwiseScore { digits: number; exact: number; perDigit: number; examples: { question: string; truth: string; guess: string; correct: boolean }[] }

export function scoreDigitwise(model: Sequential, a: number[][], b: number[][], examples = 3): DigitwiseScore {
  const { x, sums } = encodeDigitwise(a, b);
  const cls = model.predictClasses(x, { batchSize: 256 });
  const T = x.shape[1], n = a.length;
  let exact = 0, digitsRight = 0;
  const ex: DigitwiseScore['examples'] = [];
  for (let i = 0; i < n; i++) {
    const guess = Array.from(cls.values.subarray(i * T, (i + 1) * T));
    let all = true;
    for (let t = 0; t < T; t++) {
      if (guess[t] === sums[i][t]) digitsRight++;
      else all = false;
    }
    if (all) exact++;
    if (ex.length < examples) {
      ex.push({ question: `${digitsToString(a[i])}+${digitsToString(b[i])}`, truth: digitsToString(sums[i]), guess: digitsToString(guess), correct: all });
    }
  }
  return { digits: a[0]?.length ?? 0, exact: n ? exact / n : NaN, perDigit: n ? digitsRight / (n * T) : NaN, examples: ex };
}

/** Keras-style training over batches of mixed lengths (one length per batch), which fit() cannot do. */
async function trainMixed(model: Sequential, sets: { x: Tensor; y: Tensor }[], d: { epochs: number; batchSize: number; decay?: boolean }, o: RunIo,
  rng: Random, callbacks: { onEpochBegin(e: number): void; onBatchEnd(): void; onEpochEnd(): void }[]): Promise<Record<string, number[]>> {
  const history: Record<string, number[]> = { loss: [], accuracy: [] };
  const vars = model.trainableWeights;
  const out = o.out ?? process.stdout;
  const verbose = o.verbose ?? 1;
  for (let epoch = 0; epoch < d.epochs; epoch++) {
    for (const c of callbacks) c.onEpochBegin(epoch);
    const batches: { set: number; rows: Int32Array }[] = [];
    sets.forEach((s, k) => {
      const perm = rng.permutation(s.x.shape[0]);
      for (let i = 0; i < perm.length; i += d.batchSize) batches.push({ set: k, rows: perm.subarray(i, Math.min(perm.length, i + d.batchSize)) });
    });
    const order = rng.permutation(batches.length);
    if (verbose) out.write(`Epoch ${epoch + 1}/${d.epochs}\n`);
    const bar = new ProgressBar(batches.length, verbose as 0 | 1 | 2, out);
    let lossSum = 0, seen = 0, right = 0, total = 0;
    for (let b = 0; b < order.length; b++) {
      const { set, rows } = batches[order[b]];
      const s = sets[set];
      const xb = takeRows(s.x, rows, 0, rows.length), yb = takeRows(s.y, rows, 0, rows.length);
      const { out: pred, loss, backward } = model.lossOnBatch(xb, yb, { training: true, mask: null });
      const lv = loss.values[0];
      if (!Number.isFinite(lv)) throw new Error(`digitwise: the loss became ${lv} at epoch ${epoch + 1}; try a lower --lr`);
      backward(loss);
      model.optimizer!.applyGradients(vars);
      lossSum += lv * rows.length;
      seen += rows.length;
      const p = pred.values, t = yb.values;
      for (let r = 0; r < p.length / 10; r++) {
        let bp = 0, bt = 0;
        for (let c = 1; c < 10; c++) { if (p[r * 10 + c] > p[r * 10 + bp]) bp = c; if (t[r * 10 + c] > t[r * 10 + bt]) bt = c; }
        if (bp === bt) right++;
        total++;
      }
      bar.update(b + 1, { loss: lossSum / seen, accuracy: right / total });
      for (const c of callbacks) c.onBatchEnd();
      await yieldToEventLoop();
    }
    const logs = { loss: lossSum / Math.max(seen, 1), accuracy: right / Math.max(total, 1) };
    bar.finish(logs);
    history.loss.push(logs.loss);
    history.accuracy.push(logs.accuracy);
    for (const c of callbacks) c.onEpochEnd();
  }
  return history;
}

export async function digitwiseExperiment(o: DigitwiseOptions = {}): Promise<ExperimentResult> {
  const d = { ...DIGITWISE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof DIGITWISE_DEFAULTS & DigitwiseOptions;
  const rng = new Random(offsetSeed(d.seed, 101));
  // Numbers of 1..trainDigits digits, as in the lab's generator; each length is its own set of sequences.
  if (!(d.trainingSize >= d.trainDigits)) throw new RangeError(`digitwise: trainingSize ${d.trainingSize} is below trainDigits ${d.trainDigits}: it needs one sum of each length`);
  if (!(d.testDigits >= d.trainDigits)) throw new RangeError(`digitwise: testDigits ${d.testDigits} is below trainDigits ${d.trainDigits}`);
  for (const [key, size, digits] of [['trainingSize', d.trainingSize, d.trainDigits], ['testSize', d.testSize, d.testDigits]] as const) {
    if (size > maxDigitwiseSums(digits)) throw new RangeError(`digitwise: ${key} ${size} is over ${maxDigitwiseSums(digits)}, the most sums of ${digits} digits held in memory (${MAX_DIGITWISE_STEPS} steps)`);
  }
  // trainingSize sums in all, split as evenly as it goes over the lengths, so the count the log gives is the count trained on.
  const sets = Array.from({ length: d.trainDigits }, (_, k) => {
    const n = Math.floor(d.trainingSize / d.trainDigits) + (k < d.trainingSize % d.trainDigits ? 1 : 0);
    const ops = randomOperands(rng, n, k + 1);
    return encodeDigitwise(ops.a, ops.b);
  });
  setSeed(d.seed);
  const model = digitwiseModel(null, d.rnn, d.hidden);
  model.compile({ optimizer: makeOptimizer(d.optimizer ?? 'adam', d.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const summary = modelSummary(model);
  const lengths = d.trainDigits === 1 ? 'numbers of 1 digit (2 steps)' : `numbers of 1 to ${d.trainDigits} digits (2 to ${d.trainDigits + 1} steps)`;
  o.log?.(`Training a ${d.rnn} with ${d.hidden} units on ${d.trainingSize} sums of ${lengths}...`);
  const timer = new EpochTimer();
  const opt = model.optimizer!;
  const lr0 = opt.learningRate;
  // Optional cosine decay from lr to lr/20.
  const schedule = { onEpochBegin: (e: number) => { opt.learningRate = d.decay ? lr0 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * e) / Math.max(1, d.epochs)))) : lr0; }, onBatchEnd() {}, onEpochEnd() {} };
  const h = await trainMixed(model, sets, d, o, rng, [timer, schedule]);
  // The time axis is free (inputShape [null, 20]): the same cell simply runs for more steps.
  const scores: DigitwiseScore[] = [];
  for (let D = 1; D <= d.testDigits; D++) {
    const test = randomOperands(rng, d.testSize, D);
    scores.push(scoreDigitwise(model, test.a, test.b));
  }
  const trained = scores[d.trainDigits - 1];
  const longest = scores[scores.length - 1];
  // Scored on every length, the model is finished: its record stands whatever the rest of the report does.
  const record: ModelRecord = { name: 'digitwise', params: model.countParams(), history: h, secondsPerEpoch: timer.seconds,
    metrics: { exactTrainedLength: trained.exact, exactLongest: longest.exact, perDigitTrainedLength: trained.perDigit, perDigitLongest: longest.perDigit }, summary };
  o.onModelDone?.(record);
  const longer = scores.filter((s) => s.digits > d.trainDigits);
  const minLonger = longer.length ? Math.min(...longer.map((s) => s.exact)) : NaN;
  const upTo = d.trainDigits === 1 ? '1 digit' : `up to ${d.trainDigits} digits`;
  const table: Table = {
    // Drawn afresh, not held out: at the trained lengths (one digit has only 100 sums) they may be training sums.
    caption: `Exact match on ${d.testSize} freshly drawn random sums per length (trained on numbers of ${upTo}; at those lengths some may be training sums)`,
    columns: ['digits', 'steps', 'seen in training', 'exact match', 'per digit', 'example'],
    rows: scores.map((s) => [s.digits, s.digits + 1, s.digits <= d.trainDigits ? 'yes' : 'no', percent(s.exact), percent(s.perDigit),
      s.examples[0] ? `${s.examples[0].question} = ${s.examples[0].guess} ${s.examples[0].correct ? '☑' : '☒'}` : '']),
  };
  const lines = [`Input at step t: one-hot digit t of a and of b (least significant first); output at step t: digit t of a+b.`,
    ...longest.examples.map((e) => `Question ${e.question} True ${e.truth} Guess ${e.guess} ${e.correct ? '☑' : '☒'}`)];
  const generalises = longer.length > 0 && minLonger >= 0.95;
  // Below half the trained length's sums right it has not learned addition, and nothing about generalising follows.
  const learned = trained.exact >= 0.5;
  const finding = `Fed two digits per step, least-significant first, a ${d.rnn} with ${d.hidden} units (${model.countParams().toLocaleString('en-US')} parameters) ` +
    `${learned ? 'learns' : `has not learned, after ${d.epochs} epoch(s),`} addition from numbers of ${upTo}: ` +
    `${percent(trained.exact)} of new ${d.trainDigits}-digit sums are exactly right` +
    (!learned ? `${longer.length ? ` (${percent(longest.exact)} of ${longest.digits}-digit sums)` : ''}; train longer, with more sums or with more units.`
      : longer.length ? `, and ${percent(longest.exact)} of ${longest.digits}-digit sums, longer than any it saw (at least ${percent(minLonger)} for every longer length), ` +
        (generalises ? 'so it generalises to more digits than it was trained on.' : 'so it only partly generalises to longer numbers; train longer or with more units.') : '.');
  return {
    name: 'digitwise',
    title: 'Addition the way we do it by hand (digit by digit, with a carry)',
    finding,
    numbers: { exactTrainedLength: trained.exact, exactLongest: longest.exact, minExactLonger: minLonger, trainDigits: d.trainDigits, testDigits: longest.digits, params: model.countParams() },
    tables: [table],
    lines,
    charts: [
      { title: 'Exact match by operand length', xLabel: `digits per operand (trained on up to ${d.trainDigits})`, yLabel: 'exact-match accuracy', yMin: 0, yMax: 1,
        series: [{ name: 'exact match', x: scores.map((s) => s.digits), y: scores.map((s) => s.exact) }, { name: 'per digit', x: scores.map((s) => s.digits), y: scores.map((s) => s.perDigit), dashed: true }] },
      { title: 'Training', xLabel: 'epoch', yLabel: 'loss / per-digit accuracy',
        series: [{ name: 'loss', y: h.loss ?? [] }, { name: 'accuracy (per digit)', y: h.accuracy ?? [] }] },
    ],
    config: { ...d, out: undefined, log: undefined },
    models: [record],
    details: { scores, summary },
  };
}
