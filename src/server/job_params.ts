/**
 * How many parameters a dashboard job's model will have, counted from its settings the way the built model counts
 * them (Keras' count_params: the embedding's vocab × embeddingDim included), without building it: a model over the
 * cap could take gigabytes to allocate. "Try it" loads a run's model only up to --max-model-params, so a job whose
 * model would be larger is refused when it is submitted rather than trained for nothing.
 */
import { imdbUnits, STACKABLE_MODELS } from '../experiments/lab_models.js';
import type { StackPlan } from '../models/param_plan.js';
import type { JobConfig } from './job_config.js';
import { jobPlan } from './job_plan.js';

/** The parameter count of the job's model, as model.countParams() will say once it is built. */
export function jobModelParams(c: JobConfig): number {
  return jobPlan(c).params;
}

/** The fields that size the job's model, as a message shows them: "vocab 88588 × embeddingDim 1024 on lstm, units 100, layers 1". */
function sizeFields(c: JobConfig): { shown: string; lower: string } {
  if (c.task === 'addition') return { shown: `${c.rnn}, hidden ${c.hidden}, layers ${c.layers}`, lower: 'hidden or layers' };
  const units = `units ${imdbUnits(c.model, c.units)}`;
  if (c.model === 'ff_raw') return { shown: `ff_raw, maxlen ${c.maxlen}, ${units}`, lower: 'maxlen or units' };
  const flat = !STACKABLE_MODELS.includes(c.model);
  const rnn = flat ? [] : [`layers ${c.layers ?? 1}`];
  return {
    shown: [`vocab ${c.vocab} × embeddingDim ${c.embeddingDim} on ${c.model}`, ...(flat ? [`maxlen ${c.maxlen}`] : []), units, ...rnn].join(', '),
    lower: flat ? 'vocab, embeddingDim, maxlen or units' : 'vocab, embeddingDim, units or layers',
  };
}

/**
 * Why the job's model is too large for the dashboard's --max-model-params (a sentence naming the fields and the cap),
 * or null. `plan` is jobPlan(c), passed in where the caller has it already (job_spec.ts also prices the batch).
 */
export function maxModelParamsProblem(c: JobConfig, maxParams: number, plan: StackPlan = jobPlan(c)): string | null {
  const n = plan.params;
  if (n <= maxParams) return null;
  const { shown, lower } = sizeFields(c);
  const embedded = plan.layers.filter((l) => l.layer.className === 'Embedding');
  const embedding = embedded.length ? ` (${embedded.reduce((s, l) => s + l.params, 0).toLocaleString('en-US')} of them in the embedding)` : '';
  return `${shown} makes a model of ${n.toLocaleString('en-US')} parameters${embedding}; this dashboard uses models of at most `
    + `${maxParams.toLocaleString('en-US')} (--max-model-params), so "Try it" could not load it: lower ${lower}, or run it from the terminal (rnnlab ${c.task})`;
}
