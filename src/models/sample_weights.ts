/**
 * Keras's per-sample loss weights: fit's sampleWeight and classWeight (their product), evaluate's sampleWeight.
 * A weighted batch loss is mean(weight x sample loss) (src/autograd/loss_ops.ts), not divided by the weights' sum.
 */
import { Tensor, toTensor, type TensorLike } from '../tensor.js';
import type { TrainableModel } from './trainable.js';

/** {classId: weight}, as Keras's class_weight and tfjs's classWeight. */
export type ClassWeight = Record<number | string, number>;

function checkWeight(v: number, what: string): void {
  if (!Number.isFinite(v) || v < 0) throw new Error(`${what} must be finite and non-negative, found ${v}`);
}

/**
 * sampleWeight as a list of one tensor, or [] when not given: [n] (one weight per sample), or [n, T] (Keras's
 * per-timestep weights for a sequence output [n, T, ...]; weightedLossOp checks T against the output's steps).
 */
export function sampleWeightsOf(given: TensorLike | undefined, n: number, what: string): Tensor[] {
  if (given === undefined || given === null) return [];
  const t = toTensor(given, what);
  const perSample = t.size === n && t.shape[0] === n && t.shape.slice(1).every((d) => d === 1);
  // [n, T] or [n, T, 1]: one weight per sample and step.
  const perStep = !perSample && t.rank >= 2 && t.shape[0] === n && t.shape.slice(2).every((d) => d === 1);
  if (!perSample && !perStep) {
    throw new Error(`${what} must hold one weight per sample (shape [${n}]) or per sample and step (shape [${n}, steps]), got shape [${t.shape.join(', ')}]`);
  }
  const w = Float32Array.from(t.values);
  w.forEach((v, i) => checkWeight(v, `${what}[${i}]`));
  return [new Tensor(w, perSample ? [n] : [n, t.shape[1]], 'float32')];
}

/** The class of each sample: its id (sparse), its one column's value, or the argmax of its row (Keras). */
function classesOf(y: Tensor, sparse: boolean, what: string): number[] {
  const n = y.shape[0];
  const per = y.size / n;
  if (sparse ? per !== 1 : y.rank !== 2) {
    throw new Error(`${what} needs one class per sample, but the targets have shape [${y.shape.join(', ')}]; use sampleWeight`);
  }
  const d = y.values;
  return Array.from({ length: n }, (_, i) => {
    if (per === 1) return d[i];
    let best = 0;
    for (let c = 1; c < per; c++) if (d[i * per + c] > d[i * per + best]) best = c;
    return best;
  });
}

/** weights (from sampleWeightsOf, training rows only) times the class weight of each sample's target. */
export function withClassWeights(model: TrainableModel, ys: Tensor[], weights: Tensor[], classWeight: ClassWeight | undefined, what: string): Tensor[] {
  if (classWeight === undefined || classWeight === null) return weights;
  if (typeof classWeight !== 'object' || Array.isArray(classWeight)) throw new Error(`${what} must be an object {classId: weight}`);
  if (ys.length !== 1) throw new Error(`${what} is only supported for models with one output (as Keras); use sampleWeight`);
  const table = new Map<number, number>();
  for (const [k, v] of Object.entries(classWeight)) {
    const id = Number(k);
    if (!Number.isInteger(id) || id < 0) throw new Error(`${what}: key '${k}' is not a class id (a non-negative integer)`);
    if (typeof v !== 'number') throw new Error(`${what}[${k}] must be a number, got ${typeof v}`);
    checkWeight(v, `${what}[${k}]`);
    table.set(id, v);
  }
  if (weights.length && weights[0].rank > 1) throw new Error(`${what} cannot combine with per-timestep sampleWeight; fold the class weights into sampleWeight`);
  const classes = classesOf(ys[0], model.loss === 'sparseCategoricalCrossentropy', what);
  const out = weights.length ? Float32Array.from(weights[0].values) : new Float32Array(classes.length).fill(1);
  classes.forEach((c, i) => {
    const w = table.get(c);
    // tfjs refuses a class the table lacks rather than guessing a weight for it.
    if (w === undefined) throw new Error(`${what} has no weight for class ${c}, which sample ${i} belongs to; give every class in the data a weight`);
    out[i] *= w;
  });
  return [new Tensor(out, [out.length], 'float32')];
}
