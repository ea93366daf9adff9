/**
 * What a training job may ask for: the `rnnlab imdb` / `rnnlab addition` options, each checked against a
 * range so a bad form gives a 400 that names the field, never a crash or a run that cannot finish.
 */
import { maxAdditionPairs } from '../data/index.js';
import { loneSurrogateProblem } from '../data/text_surrogates.js';
import { ADDITION_DEFAULTS } from '../experiments/addition_task.js';
import { OPTIMIZERS } from '../experiments/imdb_task.js';
import { EMBEDDING_MODELS, IMDB_DEFAULTS, IMDB_MODELS, IMDB_RUN_DEFAULTS, MASK_READING_MODELS, unusedModelOptions } from '../experiments/lab_models.js';
import { badRequest, HttpError } from './http.js';
import { batchCostProblem } from './job_cost.js';
import { maxModelParamsProblem } from './job_params.js';
import { RNN_KINDS, type AdditionJobConfig, type ImdbJobConfig, type JobConfig, type Task } from './job_config.js';
import { checkRequest, requestChecker } from './params.js';
import { jobPlan } from './job_plan.js';

export { OPTIMIZERS };
export { RNN_KINDS, type AdditionJobConfig, type ImdbJobConfig, type JobConfig, type OptimizerName, type RnnName, type Task } from './job_config.js';

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

/** dropout's range, as the CLI's --dropout: from 0 up to but not including 1. */
export const DROPOUT_RANGE = [0, 1] as const;

/** The form's defaults are the runs' defaults (src/experiments), so the dashboard and the CLI start from the same settings. */
export const IMDB_FORM_DEFAULTS = IMDB_RUN_DEFAULTS;
// Less `samples`: a job shows its sample answers every epoch (20 of them), which is no field of a job.
const { samples: _samples, ...additionJobDefaults } = ADDITION_DEFAULTS;
export const ADDITION_FORM_DEFAULTS = additionJobDefaults;

/**
 * The ready-made jobs behind "train demo models": about a minute together on two cores, and right on the lab's own
 * examples (measured: the LSTM reaches about 80 % test accuracy on 4,000 reviews, the reversed adder 99.3 %
 * exact answers on its validation sums after 20 epochs of 30,000 sums, about 20 s: `rnnlab addition --digits 3
 * --reverse --training-size 30000 --epochs 20 --lr 0.003 --batch-size 64`).
 */
export const DEMO_JOBS: Record<Task, Record<string, unknown>> = {
  imdb: { task: 'imdb', model: 'lstm', limit: 4000, epochs: 2, maxlen: 100, units: 32, embeddingDim: 32, batchSize: 32, name: 'demo-imdb-lstm' },
  addition: { task: 'addition', digits: 3, trainingSize: 30000, reverse: true, hidden: 128, epochs: 20, batchSize: 64, lr: 0.003, name: 'demo-addition' },
};

const int = (k: keyof typeof LIMITS) => ({ type: 'integer', minimum: LIMITS[k][0], maximum: LIMITS[k][1] });
const common = {
  task: { enum: ['imdb', 'addition'] },
  name: { type: 'string', maxLength: 64 },
  epochs: int('epochs'), batchSize: int('batchSize'), seed: int('seed'),
  optimizer: { enum: OPTIMIZERS }, lr: { type: 'number', minimum: LIMITS.lr[0], maximum: LIMITS.lr[1] },
};
const jobSchema = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, properties: { ...common, ...properties } });

/** What a job may hold, per task: every field with its type and range (LIMITS). */
const CHECK = {
  task: requestChecker({ type: 'object', required: ['task'], properties: { task: common.task } }),
  imdb: requestChecker(jobSchema({
    model: { enum: IMDB_MODELS }, limit: int('limit'), maxlen: int('maxlen'), vocab: int('vocab'), units: int('units'), embeddingDim: int('embeddingDim'),
      maskZero: { type: 'boolean' }, validate: { type: 'boolean' }, layers: int('layers'),
    // As the CLI's --dropout: [0, 1), a rate of 1 would drop every input.
    dropout: { type: 'number', minimum: DROPOUT_RANGE[0], exclusiveMaximum: DROPOUT_RANGE[1] },
  })),
  addition: requestChecker(jobSchema({
    digits: int('digits'), trainingSize: int('trainingSize'), reverse: { type: 'boolean' }, rnn: { enum: RNN_KINDS }, hidden: int('hidden'), layers: int('layers'),
  })),
};

type JobFields = Partial<Omit<ImdbJobConfig, 'task' | 'limit'> & Omit<AdditionJobConfig, 'task'>> & { name?: string; limit?: number };

/**
 * A job request checked and completed with the defaults. `maxParams` is the dashboard's --max-model-params: a job
 * whose model would be larger is refused (422), since "Try it" would refuse to load what it trained.
 */
export function parseJobSpec(body: Record<string, unknown>, maxParams?: number): JobSpec {
  if (body.task === undefined || body.task === null || body.task === '') throw badRequest("task is required: 'imdb' or 'addition'");
  const task = checkRequest(CHECK.task, { task: body.task }, 'job').task as Task;
  // The checker has verified every type and range above.
  const f = checkRequest(CHECK[task], body, 'job') as JobFields;
  const rawName = f.name;
  // Said first and in the words of the model routes: the character check below would print the half as an escape.
  const halfName = rawName === undefined ? null : loneSurrogateProblem(rawName, "field 'name'");
  if (halfName !== null) throw badRequest(halfName);
  let config: JobConfig;
  if (task === 'imdb') {
    const D = IMDB_FORM_DEFAULTS;
    const model = f.model ?? D.model;
    config = {
      task, model,
      epochs: f.epochs ?? IMDB_DEFAULTS[model].epochs, batchSize: f.batchSize ?? IMDB_DEFAULTS[model].batchSize, limit: f.limit ?? null,
      maxlen: f.maxlen ?? D.maxlen, vocab: f.vocab ?? D.vocab, units: f.units,
      // Only where the model has an Embedding: the command line must run as `rnnlab imdb`, which refuses it elsewhere.
      ...(EMBEDDING_MODELS.includes(model) ? { embeddingDim: f.embeddingDim ?? D.embeddingDim } : {}),
      // Only where a layer reads the mask, as embeddingDim: elsewhere `rnnlab imdb` refuses --mask-zero.
      ...(MASK_READING_MODELS.includes(model) ? { maskZero: f.maskZero ?? false } : {}),
      optimizer: f.optimizer ?? D.optimizer, lr: f.lr, seed: f.seed ?? D.seed,
      // The dashboard draws the validation curve live, so its form validates unless told not to.
      validate: f.validate ?? true,
      ...(f.layers !== undefined ? { layers: f.layers } : {}), ...(f.dropout !== undefined ? { dropout: f.dropout } : {}),
    };
    // As the CLI's --mask-zero, --embedding-dim and --layers: accepted only where the model uses them, in the same words.
    const unused = unusedModelOptions([model], { maskZero: f.maskZero, embeddingDimGiven: f.embeddingDim !== undefined, layers: f.layers }, 'field');
    if (unused.length) throw badRequest(unused.join('; '));
  } else {
    const A = ADDITION_FORM_DEFAULTS;
    const digits = f.digits ?? A.digits;
    const trainingSize = f.trainingSize ?? Math.min(A.trainingSize, maxAdditionPairs(digits));
    if (trainingSize > maxAdditionPairs(digits)) {
      throw badRequest(`trainingSize ${trainingSize} is more than the ${maxAdditionPairs(digits)} distinct questions that ${digits} digit${digits > 1 ? 's' : ''} allow`);
    }
    config = {
      task, digits, trainingSize, reverse: f.reverse ?? A.reverse, rnn: f.rnn ?? A.rnn, hidden: f.hidden ?? A.hidden, layers: f.layers ?? A.layers,
      epochs: f.epochs ?? A.epochs, batchSize: f.batchSize ?? A.batchSize, optimizer: f.optimizer ?? A.optimizer, lr: f.lr, seed: f.seed ?? A.seed,
    };
  }
  // One batch is how long a cancel waits (job_cost.ts): a job whose batch costs too much is refused.
  const plan = jobPlan(config);
  const dear = batchCostProblem(config, plan);
  if (dear) throw badRequest(dear);
  const large = maxParams === undefined ? null : maxModelParamsProblem(config, maxParams, plan);
  if (large) throw new HttpError(422, large);
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
    if (c.embeddingDim !== undefined) flag('embeddingDim', c.embeddingDim);
    if (c.maskZero) parts.push('--mask-zero');
    if (c.layers !== undefined) flag('layers', c.layers);
    if (c.dropout !== undefined) flag('dropout', c.dropout);
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
