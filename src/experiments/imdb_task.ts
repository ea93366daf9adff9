/**
 * Part 1 of the lab as functions: load IMDb as padded id matrices, train one of the lab's models with
 * the seed's hyper-parameters, and measure it (per-epoch history and time, train and test accuracy).
 */
import { datasets, padSequences } from '../data/index.js';
import { bucketBlocker } from '../models/buckets.js';
import type { Callback } from '../models/callback.js';
import type { Sequential } from '../models/sequential.js';
import { evaluateModel } from '../models/training.js';
import { getOptimizer, optimizers, type Optimizer } from '../optimizers/index.js';
import { setSeed } from '../random.js';
import { Tensor } from '../tensor.js';
import { EMBEDDING_MODELS, IMDB_DEFAULTS, IMDB_RUN_DEFAULTS, imdbModel, imdbUnits, type ImdbModelName, type ImdbModelOptions } from './lab_models.js';
import { hookCallbacks, mean, stoppedByCancel, timerOf, type ResumedEpochTimes, type TrainHooks } from './train_hooks.js';
import type { RunIo } from './types.js';
import { modelSummary } from '../report/record.js';

export interface ImdbDataOptions {
  /** Keras's num_words (10000 in the lab). */
  vocab?: number;
  /** Reviews are padded / cut to this many ids, at the front as Keras does (500). */
  maxlen?: number;
  /** Keep only the first N reviews of each split (after Keras's seeded shuffle). */
  limit?: number | null;
  /** The tarball or a folder holding it; else RNNLAB_DATA, the cache, a download. */
  data?: string;
  /** Keras's shuffle seed (113). */
  shuffleSeed?: number;
}

export interface ImdbArrays {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  vocab: number;
  maxlen: number;
  nTrain: number;
  nTest: number;
  loadSeconds: number;
  /** Mean review length (ids, before padding) of the kept training reviews. */
  meanLength: number;
}

function toTensors(x: Int32Array[], y: Int32Array, maxlen: number, limit: number | null): { x: Tensor; y: Tensor } {
  const n = limit === null ? x.length : Math.min(limit, x.length);
  const padded = padSequences(x.slice(0, n), { maxlen });
  return {
    x: new Tensor(padded.data as Int32Array, [n, maxlen], 'int32'),
    y: new Tensor(Float32Array.from(y.subarray(0, n)), [n, 1], 'float32'),
  };
}

export async function loadImdbArrays(o: ImdbDataOptions = {}): Promise<ImdbArrays> {
  const vocab = o.vocab ?? IMDB_RUN_DEFAULTS.vocab, maxlen = o.maxlen ?? IMDB_RUN_DEFAULTS.maxlen, limit = o.limit ?? null;
  const t0 = performance.now();
  const d = await datasets.imdb.load({ numWords: vocab, path: o.data, seed: o.shuffleSeed });
  const train = toTensors(d.train.x, d.train.y, maxlen, limit);
  const test = toTensors(d.test.x, d.test.y, maxlen, limit);
  const n = train.x.shape[0];
  let total = 0;
  for (let i = 0; i < n; i++) total += d.train.x[i].length;
  return {
    xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y, vocab, maxlen,
    nTrain: n, nTest: test.x.shape[0], loadSeconds: (performance.now() - t0) / 1000, meanLength: n ? total / n : 0,
  };
}

export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd', 'adamw'] as const;
export type OptimizerChoice = (typeof OPTIMIZERS)[number];

export function makeOptimizer(name: OptimizerChoice, lr?: number): Optimizer {
  if (lr === undefined) return getOptimizer(name);
  return optimizers[name]({ learningRate: lr });
}

export interface ImdbTrainOptions extends ImdbModelOptions, RunIo, TrainHooks {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerChoice;
  seed?: number;
  /** Evaluate on the test set after every epoch (the seed does this for the feed-forward models). */
  validate?: boolean;
  /** Called once the model is built and compiled, before training (e.g. to print its summary). */
  onBuilt?: (model: Sequential, summary: string[]) => void;
  /** More fit callbacks (checkpoints, resume). */
  callbacks?: Callback[];
  /** Length-bucketed batches trimmed to their real steps (fit's bucket); needs maskZero and a recurrent model. */
  bucket?: boolean;
  /** Times the epochs, those a resumed checkpoint ran included (the caller restores it); else this process's epochs alone. */
  epochTimes?: ResumedEpochTimes;
}

export interface ImdbRun {
  name: ImdbModelName;
  model: Sequential;
  params: number;
  summary: string[];
  config: Record<string, unknown>;
  history: Record<string, number[]>;
  secondsPerEpoch: number[];
  meanSecondsPerEpoch: number;
  trainAccuracy: number;
  trainLoss: number;
  testAccuracy: number;
  testLoss: number;
  evalSeconds: number;
  totalSeconds: number;
  /** Stopped through the signal (fit cut short, not a signal aborted after it): the history holds the epochs done, the test numbers are NaN. */
  cancelled: boolean;
}

/** The seed validates the feed-forward models on the test set every epoch; the others only at the end. */
export const SEED_VALIDATES: Record<ImdbModelName, boolean> = {
  ff_raw: true, ff_embed: true, cnn: false, simple_rnn: false, lstm: false, cnn_lstm: false, gru: false, bilstm: false,
};

/** Why --bucket cannot apply to this IMDb model (a sentence), or null when it can. */
export function imdbBucketBlocker(name: ImdbModelName, o: ImdbModelOptions): string | null {
  const blocker = (maskZero: boolean) => bucketBlocker(imdbModel(name, { ...o, vocab: 4, maxlen: 2, freeLength: true, maskZero }));
  const masked = blocker(true);
  return o.maskZero || masked ? masked : `${blocker(false)}; add --mask-zero`;
}

export function buildImdbModel(name: ImdbModelName, o: ImdbModelOptions & { optimizer?: OptimizerChoice; lr?: number }): Sequential {
  const model = imdbModel(name, o);
  model.compile({ optimizer: makeOptimizer(o.optimizer ?? IMDB_RUN_DEFAULTS.optimizer, o.lr), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The compiled, built model trainImdb trains for these sizes and options (a resumed run's checkpoint must fit it). */
export function imdbTrainingModel(name: ImdbModelName, sizes: { vocab: number; maxlen: number }, o: ImdbTrainOptions = {}): Sequential {
  const model = buildImdbModel(name, {
    vocab: sizes.vocab, maxlen: sizes.maxlen, embeddingDim: o.embeddingDim, units: o.units, maskZero: o.maskZero, layers: o.layers, dropout: o.dropout,
    freeLength: o.bucket, optimizer: o.optimizer, lr: o.lr,
  });
  // Without inputLength the model is built here, its steps left free, so the summary can show it.
  if (o.bucket) model.build([null, null]);
  return model;
}

export async function trainImdb(name: ImdbModelName, data: ImdbArrays, o: ImdbTrainOptions = {}): Promise<ImdbRun> {
  const t0 = performance.now();
  const epochs = o.epochs ?? IMDB_DEFAULTS[name].epochs;
  const batchSize = o.batchSize ?? IMDB_DEFAULTS[name].batchSize;
  const seed = o.seed ?? IMDB_RUN_DEFAULTS.seed;
  setSeed(seed);
  const modelOptions: ImdbModelOptions = { vocab: data.vocab, maxlen: data.maxlen, embeddingDim: o.embeddingDim, units: o.units, maskZero: o.maskZero, layers: o.layers, dropout: o.dropout };
  const model = imdbTrainingModel(name, data, o);
  const summary = modelSummary(model);
  o.onBuilt?.(model, summary);
  const validate = o.validate ?? SEED_VALIDATES[name];
  const follow = hookCallbacks(model, o, undefined, o.epochTimes?.timer);
  o.onTrainBegin?.({ epochs, steps: Math.ceil(data.nTrain / batchSize), samples: data.nTrain, params: model.countParams() });
  o.onPhase?.('training');
  const history = await model.fit(data.xTrain, data.yTrain, {
    epochs, batchSize, verbose: o.verbose ?? 1, out: o.out, callbacks: [...follow, ...(o.callbacks ?? [])],
    validationData: validate ? [data.xTest, data.yTest] : undefined, bucket: o.bucket,
  });
  const cancelled = stoppedByCancel(follow);
  let testLoss = NaN, testAccuracy = NaN, evalSeconds = 0;
  if (!cancelled) {
    o.onPhase?.('evaluating on the test reviews');
    const e0 = performance.now();
    [testLoss, testAccuracy] = await evaluateModel(model, data.xTest, data.yTest, { batchSize: Math.max(batchSize, 128) });
    evalSeconds = (performance.now() - e0) / 1000;
  }
  const seconds = o.epochTimes ? o.epochTimes.seconds() : timerOf(follow).seconds;
  const h = history.history;
  const last = (k: string) => (h[k]?.length ? h[k][h[k].length - 1] : NaN);
  return {
    name, model, params: model.countParams(), summary,
    // The sizes of the model built: ff_raw has no Embedding, and units is the width in force (250 or 100 when not given).
    config: { model: name, ...modelOptions, embeddingDim: EMBEDDING_MODELS.includes(name) ? o.embeddingDim ?? IMDB_RUN_DEFAULTS.embeddingDim : null,
      units: imdbUnits(name, o.units), maskZero: o.maskZero ?? false, layers: o.layers ?? 1, dropout: o.dropout ?? 0, bucket: o.bucket ?? false,
      epochs, batchSize, optimizer: o.optimizer ?? IMDB_RUN_DEFAULTS.optimizer, lr: o.lr ?? model.optimizer!.learningRate, seed, validate },
    history: h,
    secondsPerEpoch: seconds,
    meanSecondsPerEpoch: mean(seconds),
    trainAccuracy: last('accuracy'), trainLoss: last('loss'), testAccuracy, testLoss, evalSeconds,
    totalSeconds: (performance.now() - t0) / 1000, cancelled,
  };
}
