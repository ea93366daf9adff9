/**
 * Keras's per-sample loss weights: fit's sampleWeight and classWeight (their product), evaluate's sampleWeight.
 * A weighted batch loss is mean(weight x sample loss) (src/autograd/loss_ops.ts), not divided by the weights' sum.
 * A model with several outputs takes either one set of weights for every output, or one per output (a list in
 * output order or {outputName: weights}; tfjs's per-output classWeight, Keras's per-output sample_weight); a
 * one-output model takes the per-output forms too, as tfjs's standardizeSampleOrClassWeights does.
 */
import { isForeignTensor, Tensor, toTensor, type TensorLike } from '../tensor.js';
import { checkOutputKeys } from '../metrics/output_keys.js';
import { takeRows } from './batches.js';
import type { TrainableModel } from './trainable.js';

/** {classId: weight}, as Keras's class_weight and tfjs's classWeight. */
export type ClassWeight = Record<number | string, number>;
/**
 * classWeight as fit takes it: one table, or one per output as a list or {outputName: table}; a one-output model also
 * takes a list of numbers as the table {0: w0, 1: w1, ...} (tfjs's ClassWeight is indexed by number).
 */
export type ClassWeightArg = ClassWeight | number[] | (ClassWeight | null)[] | Record<string, ClassWeight>;
/** sampleWeight as fit/evaluate take it: weights for every output, or one per output as a list or {outputName: weights}. */
export type SampleWeightArg = TensorLike | (TensorLike | null)[] | Record<string, TensorLike>;

/**
 * A batch's loss weights: [] none, [w] the same for every output, or (several outputs) one entry per output,
 * null where that output is unweighted.
 */
export type OutputWeights = (Tensor | null)[];

function checkWeight(v: number, what: string): void {
  if (!Number.isFinite(v) || v < 0) throw new Error(`${what} must be finite and non-negative, found ${v}`);
}

/** A plain table of weights; a tensor of any library (a tfjs one gets oneWeights' conversion hint) is not one. */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !isForeignTensor(v) && !ArrayBuffer.isView(v);
}

/**
 * Each output's steps per sample for its loss (the product of its shape between the batch and last axes; 1 for an
 * output of no steps), which per-step weights [n, T] must match; null where it is not checked (a user loss function,
 * whose result decides what the weights multiply).
 */
export type OutputSteps = readonly (number | null)[];

/** Per-step weights [n, T] checked against the output's steps before any batch runs (also with epochs 0). */
function checkSteps(w: Tensor, n: number, steps: number | null | undefined, what: string, output: string | undefined): void {
  if (steps === null || steps === undefined || w.rank < 2 || w.shape[1] === steps) return;
  const T = w.shape[1];
  const out = output ? `output '${output}'` : 'the output';
  throw new Error(`${what} has shape [${n}, ${T}], which does not fit ${out} (${steps > 1 ? `${steps} steps per sample` : 'no steps: one weight per sample'}); ` +
    `sample weights: ${n * T} weights for ${n} samples${steps > 1 ? ` of ${steps} steps (give ${n} or ${n * steps}): shape [${n}] or [${n}, ${steps}]` : ` (give ${n}): shape [${n}]`}`);
}

/** The forms sampleWeight takes, for messages. */
function sampleWeightForms(outputNames: readonly string[]): string {
  return `give one weight per sample (shape [n], or [n, steps] for a sequence output) for ${outputNames.length > 1 ? 'every output' : 'the output'}, ` +
    `or one per output: a list of tensors in output order (null for none) or {outputName: weights}`;
}

/** One output's weights: [n] (per sample), or [n, T] (Keras's per-timestep weights for a sequence output). */
function oneWeights(given: TensorLike, n: number, what: string, outputNames: readonly string[]): Tensor {
  let t: Tensor;
  try {
    t = toTensor(given, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}; ${sampleWeightForms(outputNames)}`);
  }
  const perSample = t.size === n && t.shape[0] === n && t.shape.slice(1).every((d) => d === 1);
  // [n, T] or [n, T, 1]: one weight per sample and step.
  const perStep = !perSample && t.rank >= 2 && t.shape[0] === n && t.shape.slice(2).every((d) => d === 1);
  if (!perSample && !perStep) {
    throw new Error(`${what} must hold one weight per sample (shape [${n}]) or per sample and step (shape [${n}, steps]), got shape [${t.shape.join(', ')}]`);
  }
  const w = Float32Array.from(t.values);
  w.forEach((v, i) => checkWeight(v, `${what}[${i}]`));
  return new Tensor(w, perSample ? [n] : [n, t.shape[1]], 'float32');
}

/**
 * sampleWeight checked (weightRows slices the result). outputNames: the model's outputs; a list of tensors (one per
 * output, null for none) or {outputName: weights} weighs each output's loss by its own. Neither is a tensor, so a
 * one-output model reads them the same way ([w] and {out: w} are w).
 */
export function sampleWeightsOf(given: SampleWeightArg | undefined | null, n: number, what: string, outputNames: readonly string[] = [], steps: OutputSteps = []): OutputWeights {
  if (given === undefined || given === null) return [];
  const perOutput = outputNames.length > 0 && (isRecord(given) ||
    (Array.isArray(given) && given.length > 0 && given.every((g) => g === null || g instanceof Tensor)));
  if (!perOutput) {
    const w = oneWeights(given as TensorLike, n, what, outputNames);
    // The same weights for every output: each output's steps must take them.
    steps.forEach((s, i) => checkSteps(w, n, s, what, outputNames[i]));
    return [w];
  }
  let list: unknown[];
  if (Array.isArray(given)) {
    if (given.length !== outputNames.length) {
      throw new Error(`${what} lists ${given.length} weight tensors but the model has ${outputNames.length} output${outputNames.length === 1 ? '' : 's'} (${outputNames.join(', ')}); ${sampleWeightForms(outputNames)}`);
    }
    list = given;
  } else {
    const map = given as Record<string, unknown>;
    checkOutputKeys(Object.keys(map), outputNames, what);
    list = outputNames.map((name) => map[name] ?? null);
  }
  return list.map((g, i) => {
    if (g === null || g === undefined) return null;
    const label = `${what}['${outputNames[i]}']`;
    const w = oneWeights(g as TensorLike, n, label, outputNames);
    checkSteps(w, n, steps[i], label, outputNames[i]);
    return w;
  });
}

/** Rows [s, e) (in order's order when given) of each output's weights. */
export function weightRows(weights: OutputWeights, order: Int32Array | null, s: number, e: number): OutputWeights {
  return weights.map((w) => (w ? takeRows(w, order, s, e) : null));
}

/** A batch's weights as batchLoss takes them: ctx.sampleWeight (shared) or one per output. */
export function batchWeights(weights: OutputWeights): { sampleWeight: Tensor | null; perOutput?: OutputWeights } {
  return weights.length > 1 ? { sampleWeight: null, perOutput: weights } : { sampleWeight: weights[0] ?? null };
}

/** np.round's nearest integer (halves to even), without -0: Keras 3 rounds targets to classes with it. */
function nearestClass(v: number): number {
  const r = Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v);
  return r === 0 ? 0 : r;
}

/**
 * The class of each sample: the argmax of its row, or its single value (one column, or a sparse id) rounded to the
 * nearest integer, as Keras 3's class_weight_to_sample_weights, so soft binary labels 0.9 / 0.1 are classes 1 / 0.
 */
function classesOf(y: Tensor, sparse: boolean, what: string): number[] {
  const n = y.shape[0];
  const per = y.size / n;
  if (sparse ? per !== 1 : y.rank !== 2) {
    throw new Error(`${what} needs one class per sample, but the targets have shape [${y.shape.join(', ')}]; use sampleWeight`);
  }
  const d = y.values;
  return Array.from({ length: n }, (_, i) => {
    if (per === 1) return nearestClass(d[i]);
    let best = 0;
    for (let c = 1; c < per; c++) if (d[i * per + c] > d[i * per + best]) best = c;
    return best;
  });
}

/** The forms classWeight takes, for messages. */
function classWeightForms(names: readonly string[]): string {
  return names.length > 1
    ? `give a list of {classId: weight} tables (one per output, in output order; null for none) or {outputName: {classId: weight}}`
    : `give {classId: weight}, a list of weights indexed by class id ([w0, w1, ...]), or the table as {${names[0] ?? 'outputName'}: {classId: weight}} or [{classId: weight}]`;
}

const isNumberList = (v: unknown[]): v is number[] => v.length > 0 && v.every((w) => typeof w === 'number');

/**
 * tfjs's standardizeClassWeights: one table per output (null: that output unweighted). A one-output model reads a
 * list of numbers as the table indexed by class id, as tfjs does.
 */
function classTables(given: unknown, names: readonly string[], what: string): (Record<string, unknown> | null)[] {
  if (Array.isArray(given)) {
    if (isNumberList(given)) {
      if (names.length === 1) return [Object.fromEntries(given.map((w, c) => [String(c), w]))];
      throw new Error(`${what}: a list of numbers is one table {0: w0, 1: w1, ...}, which only a one-output model takes; the model has ${names.length} outputs (${names.join(', ')}): ${classWeightForms(names)}`);
    }
    if (given.length !== names.length) {
      throw new Error(`${what} lists ${given.length} tables but the model has ${names.length} output${names.length === 1 ? '' : 's'} (${names.join(', ')}); ${classWeightForms(names)}`);
    }
    return given.map((t, i) => {
      if (t !== null && !isRecord(t)) throw new Error(`${what}[${i}] must be an object {classId: weight} or null; ${classWeightForms(names)}`);
      return t;
    });
  }
  if (!isRecord(given)) throw new Error(`${what} must be an object {classId: weight}; ${classWeightForms(names)}`);
  const keys = Object.keys(given);
  const byOutput = keys.length > 0 && keys.every((k) => isRecord(given[k]));
  if (!byOutput) {
    if (names.length > 1) throw new Error(`${what}: the model has ${names.length} outputs (${names.join(', ')}); ${classWeightForms(names)}`);
    return [given];
  }
  checkOutputKeys(keys, names, what);
  return names.map((n) => (given[n] as Record<string, unknown> | undefined) ?? null);
}

function classTable(t: Record<string, unknown>, what: string): Map<number, number> {
  const table = new Map<number, number>();
  for (const [k, v] of Object.entries(t)) {
    const id = Number(k);
    if (!Number.isInteger(id) || id < 0) throw new Error(`${what}: key '${k}' is not a class id (a non-negative integer)`);
    if (typeof v !== 'number') throw new Error(`${what}[${k}] must be a number, got ${typeof v}`);
    checkWeight(v, `${what}[${k}]`);
    table.set(id, v);
  }
  return table;
}

/**
 * weights (from sampleWeightsOf, training rows only) times the class weight of each sample's target. classWeight:
 * one table, or for several outputs one per output (a list, or {outputName: table}; an output left out is not
 * class-weighted), as tfjs.
 */
export function withClassWeights(model: TrainableModel, ys: Tensor[], weights: OutputWeights, classWeight: ClassWeightArg | undefined | null, what: string): OutputWeights {
  if (classWeight === undefined || classWeight === null) return weights;
  const heads = model.outputHeads();
  const names = heads.map((h) => h.name);
  const tables = classTables(classWeight, names, what);
  const label = (i: number) => (names.length > 1 ? `${what}['${names[i]}']` : what);
  const out = ys.map((y, i): Tensor | null => {
    const base = weights.length > 1 ? weights[i] : weights[0] ?? null;
    const t = tables[i];
    if (!t) return base;
    const table = classTable(t, label(i));
    if (base && base.rank > 1) throw new Error(`${label(i)} cannot combine with per-timestep sampleWeight; fold the class weights into sampleWeight`);
    const classes = classesOf(y, heads[i].loss === 'sparseCategoricalCrossentropy', label(i));
    const w = base ? Float32Array.from(base.values) : new Float32Array(classes.length).fill(1);
    classes.forEach((c, s) => {
      const cw = table.get(c);
      // tfjs refuses a class the table lacks rather than guessing a weight for it (Keras 3 would weigh it 1).
      if (cw === undefined) {
        const target = y.size === classes.length ? y.values[s] : c;
        const rounded = target !== c ? ` (its target ${target} rounded to the nearest class, as Keras 3 does)` : '';
        throw new Error(`${label(i)} has no weight for class ${c}, which sample ${s} belongs to${rounded}; give every class in the data a weight`);
      }
      w[s] *= cw;
    });
    return new Tensor(w, [w.length], 'float32');
  });
  return out;
}
