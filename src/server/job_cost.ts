/**
 * What one training batch of a dashboard job costs, estimated in FLOPs from the model's shape. A job trains in a
 * process of its own (job_process.ts), which reads a cancel and reports progress only between batches, so one batch
 * is how long a cancel waits: the cap below keeps that short. The estimate counts the matrix products only
 * (recurrent gates, Dense, Conv1D), as 6 × the forward pass's multiply-adds per row (2 FLOPs each, and the backward
 * pass costs about twice the forward one); lookups, activations and the optimizer step are small beside them.
 */
import { ADDITION_CHARS } from '../data/index.js';
import type { ImdbModelName } from '../experiments/lab_models.js';
import type { AdditionJobConfig, ImdbJobConfig, JobConfig } from './job_config.js';

/**
 * The most GFLOPs one training batch of a dashboard job may cost. Measured on a busy 2-core machine (docs/CLI.md,
 * "rnnlab serve"), when jobs still trained in the server's process: the seed's LSTM at batch 64 × maxlen 500 (about
 * 15 GFLOPs) took 1 to 2 s per batch, and a job at batch 4096 × maxlen 200 (about 390) held it for the whole job (104 s). 40 admits every seed default (the
 * dearest, cnn at 128 × 500, is about 33), the demo jobs and the form's defaults, and nothing several times dearer.
 */
export const MAX_BATCH_GFLOPS = 40;

/** Gate matrices per recurrent cell: an LSTM has four (i, f, c, o), a GRU three (z, r, h), a SimpleRNN one. */
const GATES = { lstm: 4, gru: 3, simple_rnn: 1 } as const;

/** Multiply-adds of `layers` stacked recurrent layers of `units` over `steps` steps, the first reading `input` features. */
function recurrentMacs(gates: number, steps: number, input: number, units: number, layers: number, directions = 1): number {
  let macs = 0;
  for (let i = 0; i < layers; i++) {
    macs += directions * steps * gates * ((i === 0 ? input : directions * units) + units) * units;
  }
  return macs;
}

/** Forward multiply-adds of one review through the lab model `model` (shapes as imdbModel builds them). */
function imdbRowMacs(model: ImdbModelName, c: ImdbJobConfig): number {
  const steps = c.maxlen, dim = c.embeddingDim, layers = c.layers ?? 1;
  const rnnUnits = c.units ?? 100, denseUnits = c.units ?? 250;
  switch (model) {
    case 'ff_raw': return steps * denseUnits + denseUnits;
    case 'ff_embed': return steps * dim * denseUnits + denseUnits;
    case 'cnn': return steps * 3 * dim * 200 + Math.floor(steps / 2) * 200 * denseUnits + denseUnits;
    case 'cnn_lstm': return steps * 3 * dim * 32 + recurrentMacs(GATES.lstm, Math.floor(steps / 2), 32, rnnUnits, layers) + rnnUnits;
    case 'bilstm': return recurrentMacs(GATES.lstm, steps, dim, rnnUnits, layers, 2) + 2 * rnnUnits;
    default: return recurrentMacs(GATES[model], steps, dim, rnnUnits, layers) + rnnUnits;
  }
}

/** Forward multiply-adds of one sum through the lab's encoder–decoder (additionModel). */
function additionRowMacs(c: AdditionJobConfig): number {
  const gates = GATES[c.rnn], chars = ADDITION_CHARS.length, h = c.hidden;
  const encoder = recurrentMacs(gates, 2 * c.digits + 1, chars, h, 1);
  const decoder = recurrentMacs(gates, c.digits + 1, h, h, c.layers);
  return encoder + decoder + (c.digits + 1) * h * chars;
}

/** Rows in one batch: a training set smaller than batchSize (an IMDb limit, few sums) makes every batch that small. */
export function batchRows(c: JobConfig): number {
  const available = c.task === 'imdb' ? c.limit : c.trainingSize;
  return available === null ? c.batchSize : Math.min(c.batchSize, available);
}

/** Estimated GFLOPs of one training batch (forward and backward) of the job. */
export function batchGflops(c: JobConfig): number {
  const row = c.task === 'imdb' ? imdbRowMacs(c.model, c) : additionRowMacs(c);
  return (6 * row * batchRows(c)) / 1e9;
}

/** The fields that set a job's batch cost, as a message shows them: "batchSize 128 × maxlen 500 on lstm, units 1024, ...". */
function costFields(c: JobConfig): string {
  const rows = batchRows(c);
  const size = `batchSize ${c.batchSize}${rows < c.batchSize ? ` (${rows} rows: ${c.task === 'imdb' ? 'limit' : 'trainingSize'} ${rows})` : ''}`;
  if (c.task === 'addition') return `${size} on ${c.rnn}, hidden ${c.hidden}, layers ${c.layers}, digits ${c.digits}`;
  const dense = ['ff_raw', 'ff_embed', 'cnn'].includes(c.model);
  return [`${size} × maxlen ${c.maxlen} on ${c.model}`, `units ${c.units ?? (dense ? 250 : 100)}`,
    ...(dense ? [] : [`layers ${c.layers ?? 1}`]), ...(c.model === 'ff_raw' ? [] : [`embeddingDim ${c.embeddingDim}`])].join(', ');
}

/** Why the job's batch is too dear for the dashboard (a sentence starting with the field batchSize), or null. */
export function batchCostProblem(c: JobConfig): string | null {
  const g = batchGflops(c);
  if (g <= MAX_BATCH_GFLOPS) return null;
  const fields = c.task === 'imdb' ? 'batchSize, maxlen, units, layers or embeddingDim' : 'batchSize, hidden or layers';
  return `${costFields(c)} costs about ${Math.round(g)} GFLOPs per training batch; a dashboard job takes at most ${MAX_BATCH_GFLOPS} `
    + `(a cancel waits for the batch in progress): lower ${fields}, or run it from the terminal (rnnlab ${c.task})`;
}
