/**
 * What one training batch of a dashboard job costs, estimated in FLOPs from the model's shape. A job trains in a
 * process of its own (job_process.ts), which reads a cancel and reports progress only between batches, so one batch
 * is how long a cancel waits: the cap below keeps that short. The estimate counts the matrix products only
 * (recurrent gates, Dense, Conv1D), as 6 × the forward pass's multiply-adds per row (2 FLOPs each, and the backward
 * pass costs about twice the forward one); lookups, activations and the optimizer step are small beside them.
 */
import { imdbUnits, STACKABLE_MODELS } from '../experiments/lab_models.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Conv1D } from '../layers/conv1d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { Flatten } from '../layers/flatten.js';
import { GRU } from '../layers/gru.js';
import { kerasShape, type Layer, type SymbolicShape } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import { MaxPooling1D } from '../layers/max_pooling1d.js';
import { RepeatVector } from '../layers/repeat_vector.js';
import { SimpleRNN } from '../layers/simple_rnn.js';
import { TimeDistributed } from '../layers/time_distributed.js';
import type { StackPlan } from '../models/param_plan.js';
import type { JobConfig } from './job_config.js';
import { jobPlan } from './job_plan.js';

/**
 * The most GFLOPs one training batch of a dashboard job may cost. Measured on a busy 2-core machine (docs/CLI.md,
 * "rnnlab serve"), when jobs still trained in the server's process: the seed's LSTM at batch 64 × maxlen 500 (about
 * 15 GFLOPs) took 1 to 2 s per batch, and a job at batch 4096 × maxlen 200 (about 390) held it for the whole job (104 s). 40 admits every seed default (the
 * dearest, cnn at 128 × 500, is about 33), the demo jobs and the form's defaults, and nothing several times dearer.
 */
export const MAX_BATCH_GFLOPS = 40;

/** Gate matrices per recurrent cell: an LSTM has four (i, f, c, o), a GRU three (z, r, h), a SimpleRNN one. */
const GATES = [[LSTM, 4], [GRU, 3], [SimpleRNN, 1]] as const;

/** Lookups, reshapes, pooling and dropout: no matrix product, so nothing the estimate counts. */
const UNCOUNTED = [Embedding, Flatten, Dropout, MaxPooling1D, RepeatVector];

/** The size of every axis between the batch and the features: the positions a per-position matrix product runs at. */
function positions(shape: SymbolicShape): number {
  return shape.slice(1, -1).reduce<number>((n, d) => n * (d ?? NaN), 1);
}

/** Forward multiply-adds per row of `layer` taking `input` and giving `output` (shapes from the plan). */
function layerMacs(layer: Layer, input: SymbolicShape, output: SymbolicShape): number {
  const features = input[input.length - 1] ?? NaN;
  if (UNCOUNTED.some((kind) => layer instanceof kind)) return 0;
  if (layer instanceof Dense) return positions(input) * features * layer.units;
  // Each output step reads kernelSize steps of every input channel.
  if (layer instanceof Conv1D) return positions(output) * layer.kernelSize * features * layer.filters;
  // Each step multiplies the input and the previous state into every gate.
  for (const [kind, gates] of GATES) {
    if (layer instanceof kind) return positions(input) * gates * (features + layer.units) * layer.units;
  }
  if (layer instanceof Bidirectional) return layerMacs(layer.forwardLayer, input, output) + layerMacs(layer.backwardLayer, input, output);
  if (layer instanceof TimeDistributed) return positions(input) * layerMacs(layer.layer, [input[0], ...input.slice(2)], [output[0], ...output.slice(2)]);
  throw new Error(`job_cost: no FLOP formula for ${layer.name} (${layer.className})`);
}

/** Forward multiply-adds of one row (a review, a sum) through the planned model (jobPlan). */
function rowMacs(plan: StackPlan): number {
  return plan.layers.reduce((n, p) => {
    const macs = layerMacs(p.layer, p.inputShape, p.outputShape);
    if (!Number.isFinite(macs)) throw new Error(`job_cost: ${p.layer.name} (${p.layer.className}) takes input ${kerasShape(p.inputShape)}, with an axis of unknown size, so its cost per row is unknown`);
    return n + macs;
  }, 0);
}

/** Rows in one batch: a training set smaller than batchSize (an IMDb limit, few sums) makes every batch that small. */
export function batchRows(c: JobConfig): number {
  const available = c.task === 'imdb' ? c.limit : c.trainingSize;
  return available === null ? c.batchSize : Math.min(c.batchSize, available);
}

/** Estimated GFLOPs of one training batch (forward and backward) of the job; `plan` is jobPlan(c), if the caller has it. */
export function batchGflops(c: JobConfig, plan: StackPlan = jobPlan(c)): number {
  return (6 * rowMacs(plan) * batchRows(c)) / 1e9;
}

/** The fields that set a job's batch cost, as a message shows them: "batchSize 128 × maxlen 500 on lstm, units 1024, ...". */
function costFields(c: JobConfig): string {
  const rows = batchRows(c);
  const size = `batchSize ${c.batchSize}${rows < c.batchSize ? ` (${rows} rows: ${c.task === 'imdb' ? 'limit' : 'trainingSize'} ${rows})` : ''}`;
  if (c.task === 'addition') return `${size} on ${c.rnn}, hidden ${c.hidden}, layers ${c.layers}, digits ${c.digits}`;
  const dense = !STACKABLE_MODELS.includes(c.model);
  return [`${size} × maxlen ${c.maxlen} on ${c.model}`, `units ${imdbUnits(c.model, c.units)}`,
    ...(dense ? [] : [`layers ${c.layers ?? 1}`]), ...(c.model === 'ff_raw' ? [] : [`embeddingDim ${c.embeddingDim}`])].join(', ');
}

/**
 * Why the job's batch is too dear for the dashboard (a sentence starting with the field batchSize), or null. `plan` is
 * jobPlan(c), passed in where the caller has it already (job_spec.ts also checks the model's size).
 */
export function batchCostProblem(c: JobConfig, plan: StackPlan = jobPlan(c)): string | null {
  const g = batchGflops(c, plan);
  if (g <= MAX_BATCH_GFLOPS) return null;
  const fields = c.task === 'imdb' ? 'batchSize, maxlen, units, layers or embeddingDim' : 'batchSize, hidden or layers';
  return `${costFields(c)} costs about ${Math.round(g)} GFLOPs per training batch; a dashboard job takes at most ${MAX_BATCH_GFLOPS} `
    + `(a cancel waits for the batch in progress): lower ${fields}, or run it from the terminal (rnnlab ${c.task})`;
}
