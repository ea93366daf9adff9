/**
 * Part 2 of the lab as functions: generate the addition questions, train the encoder–decoder, and measure
 * it both as Keras does (per-character accuracy) and as a person would (the whole answer right).
 */
import { addition, type AdditionData, type CharacterTable, type OneHot } from '../data/index.js';
import type { Sequential } from '../models/sequential.js';
import { offsetSeed, setSeed, Random } from '../random.js';
import { Tensor } from '../tensor.js';
import { makeOptimizer, type OptimizerChoice } from './imdb_task.js';
import { additionModel } from './lab_models.js';
import { hookCallbacks, stoppedByCancel, timerOf, type TrainHooks } from './train_hooks.js';
import type { RunIo } from './types.js';
import { modelSummary } from '../report/record.js';

export type RnnKind = 'lstm' | 'gru' | 'simple_rnn';

export interface AdditionTaskOptions extends RunIo, TrainHooks {
  digits?: number;
  trainingSize?: number;
  reverse?: boolean;
  rnn?: RnnKind;
  hidden?: number;
  layers?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerChoice;
  seed?: number;
  /** Validation samples printed at the end (the lab prints 20). */
  samples?: number;
  /** Called once the data exists and the model is compiled, before training. */
  onBuilt?: (model: Sequential, summary: string[], data: AdditionData) => void;
}

export interface AdditionSample { question: string; truth: string; guess: string; correct: boolean }

export interface AdditionRun {
  model: Sequential;
  data: AdditionData;
  config: Record<string, unknown>;
  params: number;
  summary: string[];
  /** loss, accuracy, val_loss, val_accuracy (per character, as Keras) and val_exact per epoch. */
  history: Record<string, number[]>;
  secondsPerEpoch: number[];
  /** Final validation accuracy per character (cancelled inside an epoch: the last whole epoch's; NaN with none). */
  perChar: number;
  /** Final validation accuracy of whole answers (as perChar). */
  exact: number;
  samples: AdditionSample[];
  /** The same sample questions answered after each epoch. */
  samplesPerEpoch: AdditionSample[][];
  totalSeconds: number;
  /** Stopped through the signal (fit cut short, not a signal aborted after it): the history holds the epochs done. */
  cancelled: boolean;
  /** Cancelled inside an epoch: the history's last entry is of that epoch's first batches only. */
  partialLastEpoch: boolean;
}

/** The defaults of an addition run: the CLI's flags, the dashboard's form and a job spec all read them from here. */
export const ADDITION_DEFAULTS = {
  digits: 3, trainingSize: 50000, reverse: false, rnn: 'lstm' as RnnKind, hidden: 128, layers: 1, epochs: 20, batchSize: 128, optimizer: 'adam' as const, seed: 1, samples: 20,
};

export function oneHotTensor(o: OneHot): Tensor {
  return new Tensor(o.data, o.shape, 'float32');
}

/** The question as a person reads it (queries are stored reversed when the model reads them reversed). */
export function readable(question: string, reversed: boolean): string {
  return (reversed ? [...question].reverse().join('') : question).trim();
}

/** Decoded guesses for one-hot queries, and how many are right per character and as a whole. */
export function scoreAnswers(model: Sequential, x: OneHot, answers: readonly string[], table: CharacterTable): { guesses: string[]; exact: number; perChar: number } {
  const n = answers.length;
  if (n === 0) return { guesses: [], exact: NaN, perChar: NaN };
  const cls = model.predictClasses(oneHotTensor(x), { batchSize: 256 });
  const L = cls.shape[1];
  const guesses: string[] = [];
  let exact = 0, chars = 0;
  for (let i = 0; i < n; i++) {
    const g = table.decode(cls.values.subarray(i * L, (i + 1) * L), { argmax: false });
    guesses.push(g);
    if (g === answers[i]) exact++;
    for (let k = 0; k < L; k++) if (g[k] === answers[i][k]) chars++;
  }
  return { guesses, exact: exact / n, perChar: chars / (n * L) };
}

export function buildAdditionModel(o: AdditionTaskOptions): Sequential {
  const d = { ...ADDITION_DEFAULTS, ...stripUndefined(o) };
  const model = additionModel({ digits: d.digits, hidden: d.hidden, layers: d.layers, rnn: d.rnn });
  model.compile({ optimizer: makeOptimizer(o.optimizer ?? ADDITION_DEFAULTS.optimizer, o.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The questions trainAddition generates for these options (seeded): for an experiment to look at before training. */
export function additionDataFor(o: AdditionTaskOptions = {}): AdditionData {
  const d = { ...ADDITION_DEFAULTS, ...stripUndefined(o) };
  return addition({ digits: d.digits, trainingSize: d.trainingSize, reverse: d.reverse, seed: d.seed });
}

/** Generates the data (seeded), trains, and scores exact matches on the validation set after every epoch. */
export async function trainAddition(o: AdditionTaskOptions = {}, data?: AdditionData): Promise<AdditionRun> {
  const t0 = performance.now();
  const d = { ...ADDITION_DEFAULTS, ...stripUndefined(o) };
  if (!data) {
    o.onPhase?.('generating questions');
    data = additionDataFor(o);
  }
  setSeed(d.seed);
  const model = buildAdditionModel(d);
  const summary = modelSummary(model);
  o.onBuilt?.(model, summary, data);
  const valExact: number[] = [];
  const hasVal = data.val.answers.length > 0;
  // The lab picks validation rows at random; a seeded pick keeps runs comparable, and the same rows are shown after every epoch.
  const rng = new Random(offsetSeed(d.seed, 7));
  const picks = hasVal ? Array.from({ length: Math.min(d.samples, data.val.answers.length) }, () => rng.int(data!.val.answers.length)) : [];
  // Only the right-hand padding is dropped: a guess with a space before or between its digits (' 18 ') is wrong, and
  // must not print as the true answer ('18').
  const answered = (guesses: string[]): AdditionSample[] => picks.map((i) => ({
    question: readable(data!.val.questions[i], d.reverse), truth: data!.val.answers[i].trimEnd(), guess: guesses[i].trimEnd(), correct: guesses[i] === data!.val.answers[i],
  }));
  const samplesPerEpoch: AdditionSample[][] = [];
  const nTrain = data.train.answers.length;
  const steps = Math.ceil(nTrain / d.batchSize);
  // With a signal, which batch it stopped after: a cut epoch is not counted as a whole one (as trainImdb).
  let lastBatch = -1;
  const hooks: AdditionTaskOptions = !o.signal ? o : { ...o, onBatchEnd: (epoch, batch, logs) => { lastBatch = batch; return o.onBatchEnd?.(epoch, batch, logs); } };
  const cutShort = () => stoppedByCancel(follow) && lastBatch + 1 < steps;
  // The last whole epoch's scores: a run cancelled inside an epoch reports these, from the weights its train metrics
  // describe, not from the cut epoch's half-updated ones.
  let lastScored: { exact: number; perChar: number; guesses: string[] } | null = null;
  const follow = hookCallbacks(model, hooks, (epoch, logs) => {
    // fit skips a cut epoch's validation (val_loss); its answers are not scored either.
    if (!hasVal || cutShort()) return;
    const s = scoreAnswers(model, data!.val.x, data!.val.answers, data!.table);
    lastScored = s;
    valExact.push(s.exact);
    logs.val_exact = s.exact;
    samplesPerEpoch.push(answered(s.guesses));
    o.onSamples?.(epoch, samplesPerEpoch[samplesPerEpoch.length - 1]);
    if ((o.verbose ?? 1) > 0) o.log?.(`  epoch ${epoch + 1}: ${(s.exact * 100).toFixed(2)}% of validation answers exactly right`);
  });
  o.onTrainBegin?.({ epochs: d.epochs, steps, samples: nTrain, params: model.countParams() });
  o.onPhase?.('training');
  const history = await model.fit(oneHotTensor(data.train.x), oneHotTensor(data.train.y), {
    epochs: d.epochs, batchSize: d.batchSize, verbose: o.verbose ?? 1, out: o.out, callbacks: follow,
    validationData: hasVal ? [oneHotTensor(data.val.x), oneHotTensor(data.val.y)] : undefined,
  });
  const h: Record<string, number[]> = { ...history.history };
  const cancelled = stoppedByCancel(follow);
  const partialLastEpoch = cutShort() && (h.loss?.length ?? 0) > 0;
  if (hasVal) h.val_exact = valExact;
  const unscored = { guesses: [], exact: NaN, perChar: NaN };
  let final: { guesses: string[]; exact: number; perChar: number };
  if (!hasVal) final = unscored;
  else if (partialLastEpoch) final = lastScored ?? unscored;
  else {
    o.onPhase?.('scoring the validation questions');
    final = scoreAnswers(model, data.val.x, data.val.answers, data.table);
  }
  const samples = final.guesses.length ? answered(final.guesses) : [];
  return {
    model, data, params: model.countParams(), summary,
    config: { digits: d.digits, trainingSize: d.trainingSize, reverse: d.reverse, rnn: d.rnn, hidden: d.hidden, layers: d.layers,
      epochs: d.epochs, batchSize: d.batchSize, optimizer: d.optimizer, lr: o.lr ?? model.optimizer!.learningRate, seed: d.seed },
    history: h, secondsPerEpoch: timerOf(follow).seconds, perChar: final.perChar, exact: final.exact, samples, samplesPerEpoch,
    totalSeconds: (performance.now() - t0) / 1000, cancelled, partialLastEpoch,
  };
}
