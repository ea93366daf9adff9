/**
 * Trains one dashboard job (in the job's own process, job_child.ts) through the same task functions as `rnnlab imdb`
 * and `rnnlab addition` (src/experiments): the same data, model, measurements, record body and report. The job's
 * hooks stream every batch and epoch, and its AbortSignal stops the fit after the current batch.
 */
import { additionBody, additionDoc } from '../experiments/addition_result.js';
import { additionDataFor, trainAddition, type AdditionTaskOptions } from '../experiments/addition_task.js';
import { imdbBody, imdbDoc, imdbTestClassification } from '../experiments/imdb_result.js';
import { loadImdbArrays, trainImdb } from '../experiments/imdb_task.js';
import { aborted, type TrainHooks } from '../experiments/train_hooks.js';
import type { Sequential } from '../models/sequential.js';
import type { ReportDoc } from '../report/html.js';
import type { Num, RecordBody } from '../report/record.js';
import type { AdditionJobConfig, ImdbJobConfig, JobConfig } from './job_spec.js';
import type { ModelMeta } from './models.js';

/** The lab prints 20 validation questions; so do dashboard runs. */
const SAMPLES = 20;

/** The phase of a job whose training has ended uncancelled and whose process saves the model: a cancel now changes nothing. */
export const SAVING_PHASE = 'saving';

export interface TrainOutcome {
  model: Sequential;
  meta: ModelMeta;
  cancelled: boolean;
  params: number;
  /** What results.json says about the run, as the CLI writes it for the same settings. */
  body: RecordBody;
  doc: ReportDoc;
  /** Headline numbers (fractions for accuracies). */
  metrics: Record<string, Num>;
}

/** `signal`: in the server, the signal that stopped the job's process, when the server's cancel did not. */
export class JobCancelled extends Error {
  constructor(readonly signal?: string) {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

async function trainImdbJob(c: ImdbJobConfig, hooks: TrainHooks, dataPath: string | undefined): Promise<TrainOutcome> {
  hooks.onPhase?.('loading IMDb');
  const data = await loadImdbArrays({ vocab: c.vocab, maxlen: c.maxlen, limit: c.limit, data: dataPath });
  // Most of a load is synchronous (parsing, or reading the cache): a cancel sent meanwhile is read only now.
  await readArrivedMessages();
  if (aborted(hooks)) throw new JobCancelled();
  const run = await trainImdb(c.model, data, {
    epochs: c.epochs, batchSize: c.batchSize, embeddingDim: c.embeddingDim, units: c.units, maskZero: c.maskZero, layers: c.layers, dropout: c.dropout,
    optimizer: c.optimizer, lr: c.lr, seed: c.seed, validate: c.validate, verbose: 0, ...readingBetweenBatches(hooks),
  });
  if (!run.cancelled) hooks.onPhase?.('listing the misclassified reviews');
  const body = imdbBody(run, data, c.limit, run.cancelled ? undefined : imdbTestClassification(run.model, data));
  return {
    model: run.model, cancelled: run.cancelled, params: run.params, body, doc: imdbDoc(run, data, body), metrics: body.metrics as Record<string, Num>,
    meta: { task: 'imdb', kind: c.model, vocab: c.vocab, maxlen: c.maxlen },
  };
}

/**
 * Resolves once the event loop has polled for I/O again: a message (a cancel) that came in while this process computed
 * synchronously has been read by then. One immediate may run before that poll, the second runs after it.
 */
async function readArrivedMessages(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The hooks with a read of the arrived messages after each batch, so that a cancel stops training after the batch it
 * came in. fit gives the event loop a turn only every 125 ms (EventLoopYield, tfjs's 'auto' rate), and one turn need
 * not poll for I/O: a cancel would be read a hundred small batches later, or after the last. The two turns cost tens
 * of microseconds; a batch takes milliseconds.
 */
function readingBetweenBatches(hooks: TrainHooks): TrainHooks {
  if (!hooks.signal) return hooks;
  return {
    ...hooks,
    onBatchEnd: async (epoch, batch, logs) => {
      await hooks.onBatchEnd?.(epoch, batch, logs);
      await readArrivedMessages();
    },
  };
}

async function trainAdditionJob(c: AdditionJobConfig, hooks: TrainHooks): Promise<TrainOutcome> {
  const options: AdditionTaskOptions = {
    digits: c.digits, trainingSize: c.trainingSize, reverse: c.reverse, rnn: c.rnn, hidden: c.hidden, layers: c.layers,
    epochs: c.epochs, batchSize: c.batchSize, optimizer: c.optimizer, lr: c.lr, seed: c.seed, samples: SAMPLES, verbose: 0, ...readingBetweenBatches(hooks),
  };
  hooks.onPhase?.('generating questions');
  const data = additionDataFor(options);
  // fit reads a cancel only after its first batch: one sent while starting or generating stops the job here, untrained.
  await readArrivedMessages();
  if (aborted(hooks)) throw new JobCancelled();
  const run = await trainAddition(options, data);
  const body = additionBody(run);
  return {
    model: run.model, cancelled: run.cancelled, params: run.params, body, doc: additionDoc(run, body), metrics: body.metrics as Record<string, Num>,
    meta: { task: 'addition', kind: c.rnn, digits: c.digits, reverse: c.reverse },
  };
}

export function trainJob(c: JobConfig, hooks: TrainHooks, dataPath?: string): Promise<TrainOutcome> {
  return c.task === 'imdb' ? trainImdbJob(c, hooks, dataPath) : trainAdditionJob(c, hooks);
}
