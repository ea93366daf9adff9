/**
 * A dashboard job's model planned from the lab's own layers (src/experiments/lab_models.ts), as its run will build
 * them, without building it: one mapping of the job's settings onto the model, so the size cap (job_params.ts) and
 * the batch-cost cap (job_cost.ts) price the same model, and a submission checked by both plans it once.
 */
import { ADDITION_CHARS } from '../data/index.js';
import { additionLayers, imdbLayers } from '../experiments/lab_models.js';
import { withNamesGivenBack } from '../layers/layer.js';
import { planStack, type StackPlan } from '../models/param_plan.js';
import type { JobConfig } from './job_config.js';

/** The job's model, layer by layer: shapes and parameters (see planStack). Its layers are for reading only. */
export function jobPlan(c: JobConfig): StackPlan {
  // Layers made only to be planned must not take the names (lstm, lstm_1, ...) of the models built after them.
  return withNamesGivenBack(() => planStack(c.task === 'imdb'
    ? imdbLayers(c.model, { vocab: c.vocab, maxlen: c.maxlen, embeddingDim: c.embeddingDim, units: c.units, layers: c.layers, dropout: c.dropout, maskZero: c.maskZero })
    : additionLayers({ digits: c.digits, hidden: c.hidden, layers: c.layers, rnn: c.rnn, vocabSize: ADDITION_CHARS.length })));
}
