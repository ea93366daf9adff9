/**
 * tfjs-core's tf.losses: element losses reduced by computeWeightedLoss with optional weights (broadcast to the
 * losses) and a Reduction (default SUM_BY_NONZERO_WEIGHTS: the weighted sum over the count of non-zero weights,
 * which without weights is the mean). Computed with the ops in `ops`: the plain ones here; src/autograd installs
 * their recording forms (installLossOps), so a custom training loop's tf.variableGrads(() => tf.losses.x(...))
 * gets gradients, as in tfjs. Ops never import autograd, hence the installation.
 */
import { toTensor, type Tensor, type TensorLike } from '../tensor.js';
import * as E from './elementwise.js';
import * as M from './math.js';
import * as R from './reduction.js';
import { scalar } from './creation.js';

type Binary = (a: TensorLike, b: TensorLike) => Tensor;
type Unary = (x: TensorLike) => Tensor;
/** The differentiable ops the losses are made of (the non-differentiable greater stays the plain one). */
export interface LossOps {
  abs: Unary; add: Binary; sub: Binary; mul: Binary; div: Binary; maximum: Binary; minimum: Binary; neg: Unary; relu: Unary;
  exp: Unary; log: Unary; cast: (x: TensorLike, dtype: 'float32') => Tensor; broadcastTo: (x: TensorLike, shape: number[]) => Tensor;
  logSoftmax: (x: TensorLike) => Tensor; mean: (x: TensorLike) => Tensor; sum: (x: TensorLike, axis?: number | number[] | null, keepDims?: boolean) => Tensor;
}

let ops: LossOps = {
  abs: E.abs, add: E.add, sub: E.sub, mul: E.mul, div: E.div, maximum: E.maximum, minimum: E.minimum, neg: E.neg, relu: E.relu,
  exp: E.exp, log: E.log, cast: E.cast, broadcastTo: M.broadcastTo, logSoftmax: R.logSoftmax, mean: R.mean, sum: R.sum,
};

/** Called once by src/autograd with the recording ops (identical to the plain ones outside a tape). */
export function installLossOps(recording: LossOps): void {
  ops = recording;
}

export enum Reduction { NONE = 0, MEAN = 1, SUM = 2, SUM_BY_NONZERO_WEIGHTS = 3 }

/**
 * tfjs's reductions: MEAN divides by the weights' own sum times how many losses each weight covers (losses.size /
 * weights.size when above 1); SUM_BY_NONZERO_WEIGHTS by the count of non-zero weights (negative ones count) once
 * broadcast with the losses. Weights may broadcast the losses up, as tfjs's mul does ([batch, 1] weights on [batch]
 * losses). **Deliberate:** a zero divisor gives 0 (Keras's divide_no_nan) where tfjs 4.22 gives NaN or ±Infinity.
 */
export function computeWeightedLoss(losses: TensorLike, weights?: TensorLike | null, reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const l = toTensor(losses, 'computeWeightedLoss: losses');
  const w = weights === undefined || weights === null ? null : toTensor(weights, 'computeWeightedLoss: weights');
  if (![Reduction.NONE, Reduction.MEAN, Reduction.SUM, Reduction.SUM_BY_NONZERO_WEIGHTS].includes(reduction)) throw new Error(`Unknown reduction: ${String(reduction)} (computeWeightedLoss takes rl.Reduction.NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS)`);
  const { mul, sum, mean } = ops;
  const weighted = w ? mul(l, w) : l;
  if (reduction === Reduction.NONE) return weighted;
  if (reduction === Reduction.SUM) return sum(weighted);
  if (!w) return mean(weighted);
  if (reduction === Reduction.MEAN) {
    const factor = l.size / w.size;
    return div0(sum(weighted), factor > 1 ? mul(sum(w), factor) : sum(w));
  }
  const nonZero = R.sum(E.cast(E.notEqual(M.broadcastTo(w, weighted.shape), 0), 'float32'));
  return div0(sum(weighted), nonZero);
}

/** a / b, or 0 where b is 0 (Keras's divide_no_nan for these scalar sums). */
function div0(a: Tensor, b: Tensor): Tensor {
  return b.values[0] === 0 ? scalar(0) : ops.div(a, b);
}

/** As tfjs-core losses' assertShapesMatch: equal shapes only, no broadcasting and no Keras rank rule ([n] against [n, 1] fails). */
export function sameShapes(op: string, l: Tensor, p: Tensor): void {
  if (l.shape.join() !== p.shape.join()) throw new Error(`Error in ${op}: Shapes ${JSON.stringify(l.shape)} and ${JSON.stringify(p.shape)} must match`);
}

function pair(op: string, labels: TensorLike, predictions: TensorLike): [Tensor, Tensor] {
  const l = toTensor(labels, `${op}: labels`), p = toTensor(predictions, `${op}: predictions`);
  sameShapes(op, l, p);
  return [ops.cast(l, 'float32'), ops.cast(p, 'float32')];
}

export const coreLosses = {
  computeWeightedLoss,
  absoluteDifference(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('absoluteDifference', labels, predictions);
    return computeWeightedLoss(ops.abs(ops.sub(l, p)), weights, reduction);
  },
  meanSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('meanSquaredError', labels, predictions);
    const d = ops.sub(l, p);
    return computeWeightedLoss(ops.mul(d, d), weights, reduction);
  },
  cosineDistance(labels: TensorLike, predictions: TensorLike, axis: number, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('cosineDistance', labels, predictions);
    return computeWeightedLoss(ops.sub(scalar(1), ops.sum(ops.mul(l, p), axis, true)), weights, reduction);
  },
  hingeLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('hingeLoss', labels, predictions);
    const signed = ops.sub(ops.mul(2, l), 1);
    return computeWeightedLoss(ops.relu(ops.sub(1, ops.mul(signed, p))), weights, reduction);
  },
  huberLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, delta = 1, reduction?: Reduction): Tensor {
    const [l, p] = pair('huberLoss', labels, predictions);
    const err = ops.abs(ops.sub(l, p));
    const quad = ops.minimum(err, delta);
    return computeWeightedLoss(ops.add(ops.mul(0.5, ops.mul(quad, quad)), ops.mul(delta, ops.sub(err, quad))), weights, reduction);
  },
  logLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, epsilon = 1e-7, reduction?: Reduction): Tensor {
    const [l, p] = pair('logLoss', labels, predictions);
    const loss = ops.sub(ops.neg(ops.mul(l, ops.log(ops.add(p, epsilon)))), ops.mul(ops.sub(1, l), ops.log(ops.add(ops.sub(1, p), epsilon))));
    return computeWeightedLoss(loss, weights, reduction);
  },
  /**
   * From logits: max(x, 0) - x z + log(1 + exp(-|x|)); labelSmoothing moves labels towards 1/2. max(x, 0) is relu,
   * as tfjs's: its gradient 0 at x = 0 pairs with abs's -1 there to give sigmoid(0) - z (maximum's 1 would add 1).
   */
  sigmoidCrossEntropy(multiClassLabels: TensorLike, logits: TensorLike, weights?: TensorLike, labelSmoothing = 0, reduction?: Reduction): Tensor {
    const [l0, x] = pair('sigmoidCrossEntropy', multiClassLabels, logits);
    const z = labelSmoothing > 0 ? ops.add(ops.mul(l0, 1 - labelSmoothing), 0.5 * labelSmoothing) : l0;
    const loss = ops.add(ops.sub(ops.relu(x), ops.mul(x, z)), ops.log(ops.add(1, ops.exp(ops.neg(ops.abs(x))))));
    return computeWeightedLoss(loss, weights, reduction);
  },
  /** From logits: -sum(labels * logSoftmax(logits)) over the last axis; labelSmoothing spreads towards 1/classes. */
  softmaxCrossEntropy(onehotLabels: TensorLike, logits: TensorLike, weights?: TensorLike, labelSmoothing = 0, reduction?: Reduction): Tensor {
    const [l0, x] = pair('softmaxCrossEntropy', onehotLabels, logits);
    const classes = x.shape[x.rank - 1];
    const l = labelSmoothing > 0 ? ops.add(ops.mul(l0, 1 - labelSmoothing), labelSmoothing / classes) : l0;
    return computeWeightedLoss(ops.neg(ops.sum(ops.mul(l, ops.logSoftmax(x)), -1)), weights, reduction);
  },
};
