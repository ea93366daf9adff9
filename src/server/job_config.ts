/** The shape of a training job's settings, apart from how a request is checked (job_spec.ts) or costed (job_cost.ts). */
import type { OptimizerChoice } from '../experiments/imdb_task.js';
import type { ImdbModelName } from '../experiments/lab_models.js';

export type Task = 'imdb' | 'addition';
export type OptimizerName = OptimizerChoice;
export const RNN_KINDS = ['lstm', 'gru', 'simple_rnn'] as const;
export type RnnName = (typeof RNN_KINDS)[number];

export interface ImdbJobConfig {
  task: 'imdb';
  model: ImdbModelName;
  epochs: number;
  batchSize: number;
  /** First N reviews of each split; null = all 25,000. */
  limit: number | null;
  maxlen: number;
  vocab: number;
  units: number | undefined;
  /** Absent for a model without an Embedding (ff_raw), which `rnnlab imdb --embedding-dim` refuses. */
  embeddingDim?: number;
  /** Embedding(maskZero): the recurrent layers skip the padding. Absent for a model where no layer reads the mask. */
  maskZero?: boolean;
  /** Stacked recurrent layers, as `rnnlab imdb --layers` (undefined: 1, the lab's models). */
  layers?: number;
  /** As `rnnlab imdb --dropout`: each recurrent layer's input dropout, or a Dropout after the hidden Dense (undefined: none). */
  dropout?: number;
  optimizer: OptimizerName;
  lr: number | undefined;
  seed: number;
  /** Evaluate on the test reviews after every epoch (the validation curve). */
  validate: boolean;
}

export interface AdditionJobConfig {
  task: 'addition';
  digits: number;
  trainingSize: number;
  reverse: boolean;
  rnn: RnnName;
  hidden: number;
  layers: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number | undefined;
  seed: number;
}

export type JobConfig = ImdbJobConfig | AdditionJobConfig;
