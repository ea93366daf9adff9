/** A grid of dashboard job configs over every field that sets a batch's cost (job_cost_plan.test.ts). */
import { IMDB_MODELS, STACKABLE_MODELS } from '../../src/experiments/lab_models.js';
import type { AdditionJobConfig, ImdbJobConfig, JobConfig } from '../../src/server/job_config.js';

const IMDB_BASE: Omit<ImdbJobConfig, 'model' | 'maxlen' | 'embeddingDim' | 'units'> = {
  task: 'imdb', epochs: 1, batchSize: 1, limit: null, vocab: 10000, maskZero: false, optimizer: 'adam', lr: undefined, seed: 1, validate: false,
};
const ADDITION_BASE: Omit<AdditionJobConfig, 'digits' | 'rnn' | 'hidden' | 'layers'> = {
  task: 'addition', trainingSize: 1000, reverse: false, epochs: 1, batchSize: 1, optimizer: 'adam', lr: undefined, seed: 1,
};

export const imdbJob = (c: Pick<ImdbJobConfig, 'model' | 'maxlen' | 'embeddingDim' | 'units'> & Partial<ImdbJobConfig>): ImdbJobConfig => ({ ...IMDB_BASE, ...c });
export const additionJob = (c: Pick<AdditionJobConfig, 'digits' | 'rnn' | 'hidden' | 'layers'> & Partial<AdditionJobConfig>): AdditionJobConfig => ({ ...ADDITION_BASE, ...c });

export function costGrid(): JobConfig[] {
  const grid: JobConfig[] = [];
  for (const model of IMDB_MODELS) {
    const stackable = STACKABLE_MODELS.includes(model);
    for (const maxlen of [2, 7, 500]) {
      for (const embeddingDim of [1, 100]) {
        for (const units of [undefined, 3]) {
          for (const layers of stackable ? [undefined, 3] : [undefined]) {
            for (const dropout of [undefined, 0.5]) {
              grid.push({ ...IMDB_BASE, model, maxlen, embeddingDim, units, ...(layers ? { layers } : {}), ...(dropout ? { dropout } : {}) });
            }
          }
        }
      }
    }
  }
  for (const rnn of ['lstm', 'gru', 'simple_rnn'] as const) {
    for (const digits of [1, 3, 5]) {
      for (const hidden of [1, 128]) {
        for (const layers of [1, 2]) grid.push({ ...ADDITION_BASE, rnn, digits, hidden, layers });
      }
    }
  }
  // The rows of a batch: its size, cut by an IMDb limit or a small addition training set.
  grid.push({ ...IMDB_BASE, model: 'lstm', maxlen: 500, embeddingDim: 100, units: undefined, batchSize: 64 });
  grid.push({ ...IMDB_BASE, model: 'cnn', maxlen: 500, embeddingDim: 100, units: undefined, batchSize: 128, limit: 10 });
  grid.push({ ...ADDITION_BASE, rnn: 'gru', digits: 3, hidden: 128, layers: 1, batchSize: 128, trainingSize: 50 });
  return grid;
}
