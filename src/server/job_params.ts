/**
 * How many parameters a dashboard job's model will have, counted from its settings the way the built model counts
 * them (Keras' count_params: the embedding's vocab × embeddingDim included), without building it: a model over the
 * cap could take gigabytes to allocate. "Try it" loads a run's model only up to --max-model-params, so a job whose
 * model would be larger is refused when it is submitted rather than trained for nothing.
 */
import { ADDITION_CHARS } from '../data/index.js';
import type { AdditionJobConfig, ImdbJobConfig, JobConfig } from './job_config.js';

/** Gate blocks per recurrent cell, and the bias blocks per gate (rnnlab's GRU, as Keras', defaults to resetAfter: two). */
const CELLS = { lstm: { gates: 4, biases: 1 }, gru: { gates: 3, biases: 2 }, simple_rnn: { gates: 1, biases: 1 } } as const;
type Cell = keyof typeof CELLS;

const dense = (input: number, units: number) => input * units + units;
/** Conv1D with kernel size 3 (the lab's convolutions). */
const conv3 = (input: number, filters: number) => 3 * input * filters + filters;

/** `layers` stacked recurrent layers of `units` (both directions of each when `directions` is 2), the first reading `input` features. */
function recurrent(cell: Cell, input: number, units: number, layers: number, directions = 1): number {
  const { gates, biases } = CELLS[cell];
  let n = 0;
  for (let i = 0; i < layers; i++) {
    const inp = i === 0 ? input : directions * units;
    n += directions * (gates * units * (inp + units) + biases * gates * units);
  }
  return n;
}

const FLAT_MODELS: readonly string[] = ['ff_raw', 'ff_embed', 'cnn'];
/** The lab's default width: 250 for the dense models' hidden layer, 100 for the recurrent ones. */
const unitsOf = (c: ImdbJobConfig) => c.units ?? (FLAT_MODELS.includes(c.model) ? 250 : 100);

function imdbParams(c: ImdbJobConfig): number {
  const embedding = c.vocab * c.embeddingDim, dim = c.embeddingDim, layers = c.layers ?? 1;
  const units = unitsOf(c);
  switch (c.model) {
    case 'ff_raw': return dense(c.maxlen, units) + dense(units, 1);
    case 'ff_embed': return embedding + dense(c.maxlen * dim, units) + dense(units, 1);
    case 'cnn': return embedding + conv3(dim, 200) + dense(Math.floor(c.maxlen / 2) * 200, units) + dense(units, 1);
    case 'cnn_lstm': return embedding + conv3(dim, 32) + recurrent('lstm', 32, units, layers) + dense(units, 1);
    case 'bilstm': return embedding + recurrent('lstm', dim, units, layers, 2) + dense(2 * units, 1);
    default: return embedding + recurrent(c.model, dim, units, layers) + dense(units, 1);
  }
}

function additionParams(c: AdditionJobConfig): number {
  const chars = ADDITION_CHARS.length, h = c.hidden;
  return recurrent(c.rnn, chars, h, 1) + recurrent(c.rnn, h, h, c.layers) + dense(h, chars);
}

/** The parameter count of the job's model, as model.countParams() will say once it is built. */
export function jobModelParams(c: JobConfig): number {
  return c.task === 'imdb' ? imdbParams(c) : additionParams(c);
}

/** The fields that size the job's model, as a message shows them: "vocab 88588 × embeddingDim 1024 on lstm, units 100, layers 1". */
function sizeFields(c: JobConfig): { shown: string; lower: string } {
  if (c.task === 'addition') return { shown: `${c.rnn}, hidden ${c.hidden}, layers ${c.layers}`, lower: 'hidden or layers' };
  const units = `units ${unitsOf(c)}`;
  if (c.model === 'ff_raw') return { shown: `ff_raw, maxlen ${c.maxlen}, ${units}`, lower: 'maxlen or units' };
  const flat = c.model === 'ff_embed' || c.model === 'cnn';
  const rnn = flat ? [] : [`layers ${c.layers ?? 1}`];
  return {
    shown: [`vocab ${c.vocab} × embeddingDim ${c.embeddingDim} on ${c.model}`, ...(flat ? [`maxlen ${c.maxlen}`] : []), units, ...rnn].join(', '),
    lower: flat ? 'vocab, embeddingDim, maxlen or units' : 'vocab, embeddingDim, units or layers',
  };
}

/** Why the job's model is too large for the dashboard's --max-model-params (a sentence naming the fields and the cap), or null. */
export function modelSizeProblem(c: JobConfig, maxParams: number): string | null {
  const n = jobModelParams(c);
  if (n <= maxParams) return null;
  const { shown, lower } = sizeFields(c);
  const embedding = c.task === 'imdb' && c.model !== 'ff_raw' ? ` (${(c.vocab * c.embeddingDim).toLocaleString('en-US')} of them in the embedding)` : '';
  return `${shown} makes a model of ${n.toLocaleString('en-US')} parameters${embedding}; this dashboard uses models of at most `
    + `${maxParams.toLocaleString('en-US')} (--max-model-params), so "Try it" could not load it: lower ${lower}, or run it from the terminal (rnnlab ${c.task})`;
}
