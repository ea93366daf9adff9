/**
 * What a training job may ask for: the `rnnlab imdb` / `rnnlab addition` options, each checked against a
 * range so a bad form gives a 400 that names the field, never a crash or a run that cannot finish.
 */
import { maxAdditionPairs } from '../data/index.js';
import { IMDB_DEFAULTS, IMDB_MODELS, type ImdbModelName } from '../experiments/lab_models.js';
import { badRequest } from './http.js';
import { Fields } from './params.js';

export type Task = 'imdb' | 'addition';
export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
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
  embeddingDim: number;
  /** Embedding(maskZero): the recurrent layers skip the padding. */
  maskZero: boolean;
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

export interface JobSpec {
  name: string;
  config: JobConfig;
}

/** Hard limits of the form; the CLI allows more, but a dashboard job should not be able to eat the machine for days. */
export const LIMITS = {
  epochs: [1, 200],
  batchSize: [1, 4096],
  limit: [1, 25000],
  maxlen: [2, 2500],
  vocab: [10, 88588],
  units: [1, 1024],
  embeddingDim: [1, 1024],
  lr: [1e-6, 10],
  seed: [0, 2 ** 31 - 1],
  digits: [1, 5],
  trainingSize: [10, 500000],
  hidden: [1, 1024],
  layers: [1, 4],
} as const satisfies Record<string, readonly [number, number]>;

export const IMDB_FORM_DEFAULTS = { model: 'lstm' as ImdbModelName, maxlen: 500, vocab: 10000, embeddingDim: 100, seed: 1 };
export const ADDITION_FORM_DEFAULTS = { digits: 3, trainingSize: 50000, reverse: false, rnn: 'lstm' as RnnName, hidden: 128, layers: 1, epochs: 20, batchSize: 128, seed: 1 };

/** The ready-made tiny jobs behind "train demo models": seconds on a laptop, enough to try every view. */
export const DEMO_JOBS: Record<Task, Record<string, unknown>> = {
  imdb: { task: 'imdb', model: 'lstm', limit: 300, epochs: 1, maxlen: 80, units: 32, embeddingDim: 32, batchSize: 32, name: 'demo-imdb-lstm' },
  addition: { task: 'addition', digits: 3, trainingSize: 3000, hidden: 64, epochs: 3, batchSize: 64, name: 'demo-addition' },
};

const int = (f: Fields, k: keyof typeof LIMITS) => f.int(k, LIMITS[k][0], LIMITS[k][1]);

export function parseJobSpec(body: Record<string, unknown>): JobSpec {
  const f = new Fields(body, 'job');
  const task = f.oneOf('task', ['imdb', 'addition'] as const);
  if (!task) throw badRequest("task is required: 'imdb' or 'addition'");
  const rawName = f.str('name', 64);
  let config: JobConfig;
  if (task === 'imdb') {
    const model = f.oneOf('model', IMDB_MODELS, IMDB_FORM_DEFAULTS.model);
    const d = IMDB_DEFAULTS[model];
    config = {
      task, model,
      epochs: int(f, 'epochs') ?? d.epochs,
      batchSize: int(f, 'batchSize') ?? d.batchSize,
      limit: int(f, 'limit') ?? null,
      maxlen: int(f, 'maxlen') ?? IMDB_FORM_DEFAULTS.maxlen,
      vocab: int(f, 'vocab') ?? IMDB_FORM_DEFAULTS.vocab,
      units: int(f, 'units'),
      embeddingDim: int(f, 'embeddingDim') ?? IMDB_FORM_DEFAULTS.embeddingDim,
      maskZero: f.bool('maskZero', false),
      optimizer: f.oneOf('optimizer', OPTIMIZERS, 'adam'),
      lr: f.num('lr', LIMITS.lr[0], LIMITS.lr[1]),
      seed: int(f, 'seed') ?? IMDB_FORM_DEFAULTS.seed,
      validate: f.bool('validate', true),
    };
  } else {
    const A = ADDITION_FORM_DEFAULTS;
    const digits = int(f, 'digits') ?? A.digits;
    const trainingSize = int(f, 'trainingSize') ?? Math.min(A.trainingSize, maxAdditionPairs(digits));
    if (trainingSize > maxAdditionPairs(digits)) {
      throw badRequest(`trainingSize ${trainingSize} is more than the ${maxAdditionPairs(digits)} distinct questions that ${digits} digit${digits > 1 ? 's' : ''} allow`);
    }
    config = {
      task, digits, trainingSize,
      reverse: f.bool('reverse', A.reverse),
      rnn: f.oneOf('rnn', RNN_KINDS, A.rnn),
      hidden: int(f, 'hidden') ?? A.hidden,
      layers: int(f, 'layers') ?? A.layers,
      epochs: int(f, 'epochs') ?? A.epochs,
      batchSize: int(f, 'batchSize') ?? A.batchSize,
      optimizer: f.oneOf('optimizer', OPTIMIZERS, 'adam'),
      lr: f.num('lr', LIMITS.lr[0], LIMITS.lr[1]),
      seed: int(f, 'seed') ?? A.seed,
    };
  }
  f.done();
  const name = (rawName ?? '').trim() || defaultName(config);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw badRequest(`name may hold only letters, digits, '.', '_' and '-'; got ${JSON.stringify(name)}`);
  return { name, config };
}

export function defaultName(c: JobConfig): string {
  return c.task === 'imdb' ? `imdb-${c.model}` : `addition-${c.rnn}${c.reverse ? '-reversed' : ''}`;
}

/** The same run as a command line, so a dashboard run can be repeated from the terminal. */
export function commandLine(c: JobConfig): string {
  const parts = ['rnnlab', c.task];
  const flag = (k: string, v: unknown) => parts.push(`--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`, String(v));
  if (c.task === 'imdb') {
    flag('model', c.model);
    flag('epochs', c.epochs);
    flag('batchSize', c.batchSize);
    if (c.limit !== null) flag('limit', c.limit);
    flag('maxlen', c.maxlen);
    flag('vocab', c.vocab);
    if (c.units !== undefined) flag('units', c.units);
    flag('embeddingDim', c.embeddingDim);
    if (c.maskZero) parts.push('--mask-zero');
    parts.push(c.validate ? '--validate' : '--no-validate');
  } else {
    flag('digits', c.digits);
    flag('trainingSize', c.trainingSize);
    if (c.reverse) parts.push('--reverse');
    flag('rnn', c.rnn);
    flag('hidden', c.hidden);
    flag('layers', c.layers);
    flag('epochs', c.epochs);
    flag('batchSize', c.batchSize);
  }
  if (c.optimizer !== 'adam') flag('optimizer', c.optimizer);
  if (c.lr !== undefined) flag('lr', c.lr);
  flag('seed', c.seed);
  return parts.join(' ');
}
