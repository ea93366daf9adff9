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
  /**
   * Called when training or the test evaluation throws, before the error goes on: the run as far as it got (its whole
   * epochs; test numbers NaN), so that a caller can record what was trained as failed.
   */
  onFailed?: (run: ImdbRun, error: unknown) => void;
}

export interface ImdbRun {
  name: ImdbModelName;
  model: Sequential;
  params: number;
  summary: string[];
  config: Record<string, unknown>;
  history: Record<string, number[]>;
  secondsPerEpoch: number[];
  /** Over the whole epochs: a cut epoch was timed short. */
  meanSecondsPerEpoch: number;
  /** At the end of the last whole epoch (NaN with none): a cut epoch's are of the batches it got. */
  trainAccuracy: number;
  trainLoss: number;
  testAccuracy: number;
  testLoss: number;
  evalSeconds: number;
  totalSeconds: number;
  /** Stopped through the signal (fit cut short, not a signal aborted after it): the history holds the epochs done, the test numbers are NaN. */
  cancelled: boolean;
  /** Cancelled inside an epoch: the history's last entry is of the batches it got, not a whole epoch. */
  partialLastEpoch?: boolean;
}

/** The epochs of the run's history that ran whole (a cut last epoch is not one). */
export function wholeEpochsOf(r: Pick<ImdbRun, 'history' | 'partialLastEpoch'>): number {
  return Math.max(0, (r.history.loss?.length ?? 0) - (r.partialLastEpoch ? 1 : 0));
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
  // With a signal, which batch it stopped after: a cut epoch is not counted as a whole one (its numbers are of its batches).
  const steps = Math.ceil(data.nTrain / batchSize);
  let lastBatch = -1;
  const hooks: ImdbTrainOptions = !o.signal ? o : { ...o, onBatchEnd: (epoch, batch, logs) => { lastBatch = batch; return o.onBatchEnd?.(epoch, batch, logs); } };
  const follow = hookCallbacks(model, hooks, undefined, o.epochTimes?.timer);
  o.onTrainBegin?.({ epochs, steps, samples: data.nTrain, params: model.countParams() });
  o.onPhase?.('training');
  // The sizes of the model built: ff_raw has no Embedding, and units is the width in force (250 or 100 when not given).
  const config = { model: name, ...modelOptions, embeddingDim: EMBEDDING_MODELS.includes(name) ? o.embeddingDim ?? IMDB_RUN_DEFAULTS.embeddingDim : null,
    units: imdbUnits(name, o.units), maskZero: o.maskZero ?? false, layers: o.layers ?? 1, dropout: o.dropout ?? 0, bucket: o.bucket ?? false,
    epochs, batchSize, optimizer: o.optimizer ?? IMDB_RUN_DEFAULTS.optimizer, lr: o.lr ?? model.optimizer!.learningRate, seed, validate };
  const runOf = (h: Record<string, number[]>, cancelled: boolean, test: { testLoss: number; testAccuracy: number; evalSeconds: number }): ImdbRun => {
    const partialLastEpoch = cancelled && lastBatch + 1 < steps && (h.loss?.length ?? 0) > 0;
    const whole = wholeEpochsOf({ history: h, partialLastEpoch });
    const seconds = (o.epochTimes ? o.epochTimes.seconds() : timerOf(follow).seconds).slice(0, h.loss?.length ?? 0);
    const at = (k: string) => (whole > 0 ? h[k]?.[whole - 1] ?? NaN : NaN);
    return {
      name, model, params: model.countParams(), summary, config, history: h,
      secondsPerEpoch: seconds, meanSecondsPerEpoch: mean(seconds.slice(0, whole)),
      trainAccuracy: at('accuracy'), trainLoss: at('loss'), ...test,
      totalSeconds: (performance.now() - t0) / 1000, cancelled, partialLastEpoch,
    };
  };
  const failed = (h: Record<string, number[]>, e: unknown): never => {
    o.onFailed?.(runOf(h, false, { testLoss: NaN, testAccuracy: NaN, evalSeconds: 0 }), e);
    throw e;
  };
  let history: Awaited<ReturnType<typeof model.fit>>;
  try {
    history = await model.fit(data.xTrain, data.yTrain, {
      epochs, batchSize, verbose: o.verbose ?? 1, out: o.out, callbacks: [...follow, ...(o.callbacks ?? [])],
      validationData: validate ? [data.xTest, data.yTest] : undefined, bucket: o.bucket,
    });
  } catch (e) {
    // fit's History (set on the model as fit began) holds the epochs it finished; one it was inside is not in it.
    return failed(model.history?.history ?? {}, e);
  }
  const cancelled = stoppedByCancel(follow);
  let testLoss = NaN, testAccuracy = NaN, evalSeconds = 0;
  if (!cancelled) {
    o.onPhase?.('evaluating on the test reviews');
    const e0 = performance.now();
    try {
      [testLoss, testAccuracy] = await evaluateModel(model, data.xTest, data.yTest, { batchSize: Math.max(batchSize, 128) });
    } catch (e) {
      return failed(history.history, e);
    }
    evalSeconds = (performance.now() - e0) / 1000;
  }
  return runOf(history.history, cancelled, { testLoss, testAccuracy, evalSeconds });
}
