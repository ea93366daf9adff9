/**
 * Runs one dashboard job in this process: the same data, models and measurements as `rnnlab imdb` and
 * `rnnlab addition` (the building blocks come from src/experiments), with callbacks that stream every
 * batch and stop the fit when the job is cancelled. fit yields to the event loop between batches, so the
 * server keeps answering while a job trains.
 */
import { curveCharts, runRecord } from '../cli/imdb.js';
import { pct } from '../cli/io.js';
import { addition } from '../data/index.js';
import { buildAdditionModel, oneHotTensor, readable, scoreAnswers, type AdditionSample } from '../experiments/addition_task.js';
import { EpochTimer, buildImdbModel, loadImdbArrays } from '../experiments/imdb_task.js';
import type { Callback } from '../callbacks/callback.js';
import type { Logs } from '../models/progress.js';
import type { Sequential } from '../models/sequential.js';
import { Random, setSeed } from '../random.js';
import type { ChartSpec } from '../report/svg.js';
import type { AdditionJobConfig, ImdbJobConfig, JobConfig } from './job_spec.js';
import type { ModelMeta } from './models.js';

export interface LiveHooks {
  /** What the job is doing now ("loading IMDb", "training", ...). */
  phase(text: string): void;
  trainBegin(info: { epochs: number; steps: number; samples: number; params: number }): void;
  batch(epoch: number, batch: number, logs: Logs): void;
  epoch(epoch: number, logs: Logs, seconds: number): void | Promise<void>;
  /** True once the job should stop; checked after every batch. */
  shouldStop(): boolean;
  /** Awaited after every batch (a deliberate pause, for tests). */
  afterBatch?: () => Promise<void>;
}

export interface TrainOutcome {
  model: Sequential;
  meta: ModelMeta;
  cancelled: boolean;
  history: Record<string, number[]>;
  epochSeconds: number[];
  params: number;
  summary: string[];
  /** Headline numbers (fractions for accuracies), the CLI's "metrics". */
  metrics: Record<string, number | null>;
  /** The rest of results.json, with the CLI's keys for the same command. */
  record: Record<string, unknown>;
  /** One sentence for the report. */
  finding: string;
  charts: ChartSpec[];
  samples?: AdditionSample[];
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

function liveCallback(model: Sequential, hooks: LiveHooks, timer: EpochTimer, extraEpochEnd?: (epoch: number, logs: Logs) => void): Callback {
  let epochNow = 0;
  return {
    onEpochBegin: (epoch) => { epochNow = epoch; },
    onBatchEnd: async (batch, logs) => {
      hooks.batch(epochNow, batch, logs ?? {});
      if (hooks.shouldStop()) model.stopTraining = true;
      if (hooks.afterBatch) await hooks.afterBatch();
    },
    onEpochEnd: async (epoch, logs) => {
      extraEpochEnd?.(epoch, logs ?? {});
      await hooks.epoch(epoch, logs ?? {}, timer.seconds[timer.seconds.length - 1] ?? 0);
    },
  };
}

function summaryOf(model: Sequential): string[] {
  const lines: string[] = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  return lines;
}

async function trainImdbJob(c: ImdbJobConfig, hooks: LiveHooks, dataPath: string | undefined): Promise<TrainOutcome> {
  const t0 = performance.now();
  hooks.phase('loading IMDb');
  const data = await loadImdbArrays({ vocab: c.vocab, maxlen: c.maxlen, limit: c.limit, data: dataPath });
  if (hooks.shouldStop()) throw new JobCancelled();
  setSeed(c.seed);
  const model = buildImdbModel(c.model, { vocab: c.vocab, maxlen: c.maxlen, embeddingDim: c.embeddingDim, units: c.units, maskZero: c.maskZero, optimizer: c.optimizer, lr: c.lr });
  const params = model.countParams();
  const timer = new EpochTimer();
  hooks.trainBegin({ epochs: c.epochs, steps: Math.ceil(data.nTrain / c.batchSize), samples: data.nTrain, params });
  hooks.phase('training');
  const history = await model.fit(data.xTrain, data.yTrain, {
    epochs: c.epochs, batchSize: c.batchSize, verbose: 0, callbacks: [timer, liveCallback(model, hooks, timer)],
    validationData: c.validate ? [data.xTest, data.yTest] : undefined,
  });
  const cancelled = hooks.shouldStop();
  const h = history.history;
  const last = (k: string) => (h[k]?.length ? h[k][h[k].length - 1] : NaN);
  let testLoss = NaN, testAccuracy = NaN, evalSeconds = 0;
  if (!cancelled) {
    hooks.phase('evaluating on the test reviews');
    const e0 = performance.now();
    [testLoss, testAccuracy] = await model.evaluate(data.xTest, data.yTest, { batchSize: Math.max(c.batchSize, 128) });
    evalSeconds = (performance.now() - e0) / 1000;
  }
  const summary = summaryOf(model);
  const meanEpochSeconds = timer.seconds.length ? timer.seconds.reduce((x, y) => x + y, 0) / timer.seconds.length : 0;
  const run = {
    name: c.model, params, summary, history: h, epochSeconds: timer.seconds, meanEpochSeconds,
    config: { model: c.model, vocab: c.vocab, maxlen: c.maxlen, embeddingDim: c.embeddingDim, units: c.units ?? null, maskZero: c.maskZero,
      epochs: c.epochs, batchSize: c.batchSize, optimizer: c.optimizer, lr: c.lr ?? model.optimizer!.learningRate, seed: c.seed, validate: c.validate, limit: c.limit },
    trainAccuracy: last('accuracy'), trainLoss: last('loss'), testAccuracy, testLoss, evalSeconds, totalSeconds: (performance.now() - t0) / 1000,
  };
  const record: Record<string, unknown> = {
    data: { nTrain: data.nTrain, nTest: data.nTest, vocab: data.vocab, maxlen: data.maxlen, limit: c.limit, meanLength: data.meanLength, loadSeconds: data.loadSeconds },
    ...runRecord(run),
  };
  const epochsDone = h.loss?.length ?? 0;
  return {
    model, cancelled, history: h, epochSeconds: timer.seconds, params, summary, record,
    metrics: { testAccuracy, testLoss, trainAccuracy: run.trainAccuracy, trainLoss: run.trainLoss },
    finding: `${c.model} reaches ${pct(testAccuracy)} test accuracy after ${epochsDone} epoch(s) (train ${pct(run.trainAccuracy)}), at ${meanEpochSeconds.toFixed(2)} s per epoch on ${data.nTrain} reviews.`,
    charts: curveCharts(h),
    meta: { task: 'imdb', kind: c.model, vocab: c.vocab, maxlen: c.maxlen },
  };
}

async function trainAdditionJob(c: AdditionJobConfig, hooks: LiveHooks): Promise<TrainOutcome> {
  const t0 = performance.now();
  hooks.phase('generating questions');
  const data = addition({ digits: c.digits, trainingSize: c.trainingSize, reverse: c.reverse, seed: c.seed });
  setSeed(c.seed);
  const model = buildAdditionModel({ digits: c.digits, rnn: c.rnn, hidden: c.hidden, layers: c.layers, optimizer: c.optimizer, lr: c.lr });
  const params = model.countParams();
  const timer = new EpochTimer();
  const hasVal = data.val.answers.length > 0;
  const valExact: number[] = [];
  const exact = (_e: number, logs: Logs) => {
    if (!hasVal) return;
    const s = scoreAnswers(model, data.val.x, data.val.answers, data.table);
    valExact.push(s.exact);
    logs.val_exact = s.exact;
  };
  const nTrain = data.train.answers.length;
  hooks.trainBegin({ epochs: c.epochs, steps: Math.ceil(nTrain / c.batchSize), samples: nTrain, params });
  hooks.phase('training');
  const history = await model.fit(oneHotTensor(data.train.x), oneHotTensor(data.train.y), {
    epochs: c.epochs, batchSize: c.batchSize, verbose: 0, callbacks: [timer, liveCallback(model, hooks, timer, exact)],
    validationData: hasVal ? [oneHotTensor(data.val.x), oneHotTensor(data.val.y)] : undefined,
  });
  const cancelled = hooks.shouldStop();
  const h: Record<string, number[]> = { ...history.history };
  if (hasVal) h.val_exact = valExact;
  let perChar = NaN, exactMatch = NaN;
  const samples: AdditionSample[] = [];
  if (hasVal) {
    hooks.phase('scoring the validation questions');
    const final = scoreAnswers(model, data.val.x, data.val.answers, data.table);
    exactMatch = final.exact;
    perChar = final.perChar;
    // The lab prints random validation rows; a seeded pick keeps runs comparable.
    const rng = new Random(c.seed + 7);
    for (let k = 0; k < Math.min(20, data.val.answers.length); k++) {
      const i = rng.int(data.val.answers.length);
      samples.push({ question: readable(data.val.questions[i], c.reverse), truth: data.val.answers[i].trim(), guess: final.guesses[i].trim(), correct: final.guesses[i] === data.val.answers[i] });
    }
  }
  const summary = summaryOf(model);
  const epochsDone = h.loss?.length ?? 0;
  const metrics = { perCharAccuracy: perChar, exactMatchAccuracy: exactMatch, trainAccuracy: h.accuracy?.at(-1) ?? null, valLoss: h.val_loss?.at(-1) ?? null };
  const finding = `After ${epochsDone} epoch(s) the ${c.rnn} seq2seq (${params.toLocaleString('en-US')} parameters, ${c.layers} decoder layer(s)) ` +
    `gets ${pct(perChar)} of answer characters and ${pct(exactMatch)} of whole answers right on ${data.val.answers.length} held-out questions.`;
  const x = h.loss?.map((_, i) => i + 1) ?? [];
  return {
    model, cancelled, history: h, epochSeconds: timer.seconds, params, summary, metrics, samples, finding,
    record: {
      config: { digits: c.digits, trainingSize: c.trainingSize, reverse: c.reverse, rnn: c.rnn, hidden: c.hidden, layers: c.layers,
        epochs: c.epochs, batchSize: c.batchSize, optimizer: c.optimizer, lr: c.lr ?? model.optimizer!.learningRate, seed: c.seed },
      params, history: h, metrics,
      timing: { secondsPerEpoch: timer.seconds, totalSeconds: (performance.now() - t0) / 1000 },
      samples, summary, finding,
    },
    charts: [
      { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'categorical cross-entropy', series: [{ name: 'train', x, y: h.loss ?? [] }, { name: 'validation', x, y: h.val_loss ?? [], dashed: true }] },
      { title: 'Accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', yMin: 0, yMax: 1, series: [{ name: 'train (per char)', x, y: h.accuracy ?? [] },
        { name: 'validation (per char)', x, y: h.val_accuracy ?? [], dashed: true }, { name: 'validation (exact)', x, y: h.val_exact ?? [] }] },
    ],
    meta: { task: 'addition', kind: c.rnn, digits: c.digits, reverse: c.reverse },
  };
}

export function trainJob(c: JobConfig, hooks: LiveHooks, dataPath?: string): Promise<TrainOutcome> {
  return c.task === 'imdb' ? trainImdbJob(c, hooks, dataPath) : trainAdditionJob(c, hooks);
}
