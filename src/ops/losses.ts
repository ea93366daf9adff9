/**
 * tfjs-core's tf.losses: element losses reduced by computeWeightedLoss with optional weights (broadcast to the
 * losses) and a Reduction (default SUM_BY_NONZERO_WEIGHTS: the weighted sum over the count of non-zero weights,
 * which without weights is the mean). Computed with the tensor ops: they do not record on the autograd tape.
 */
import { toTensor, type Tensor, type TensorLike } from '../tensor.js';
import { abs, add, cast, greater, log, maximum, minimum, mul, neg, relu, sub, exp } from './elementwise.js';
import { broadcastTo } from './math.js';
import { logSoftmax, mean, sum } from './reduction.js';
import { scalar } from './creation.js';

export enum Reduction { NONE = 0, MEAN = 1, SUM = 2, SUM_BY_NONZERO_WEIGHTS = 3 }

export function computeWeightedLoss(losses: TensorLike, weights?: TensorLike | null, reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const l = toTensor(losses, 'computeWeightedLoss: losses');
  const w = weights === undefined || weights === null ? null : toTensor(weights, 'computeWeightedLoss: weights');
  const weighted = w ? mul(l, w) : l;
  if (reduction === Reduction.NONE) return weighted;
  if (reduction === Reduction.SUM) return sum(weighted);
  if (reduction === Reduction.MEAN) return w ? div0(sum(weighted), sum(broadcastTo(w, l.shape))) : mean(weighted);
  if (reduction !== Reduction.SUM_BY_NONZERO_WEIGHTS) throw new Error(`Unknown reduction: ${String(reduction)}`);
  if (!w) return mean(weighted);
  const nonZero = sum(cast(greater(broadcastTo(w, l.shape), 0), 'float32'));
  return div0(sum(weighted), nonZero);
}

function div0(a: Tensor, b: Tensor): Tensor {
  return b.values[0] === 0 ? scalar(0) : scalar(a.values[0] / b.values[0]);
}

function pair(op: string, labels: TensorLike, predictions: TensorLike): [Tensor, Tensor] {
  const l = toTensor(labels, `${op}: labels`), p = toTensor(predictions, `${op}: predictions`);
  if (l.shape.join() !== p.shape.join()) throw new Error(`Error in ${op}: Shapes ${JSON.stringify(l.shape)} and ${JSON.stringify(p.shape)} must match`);
  return [cast(l, 'float32'), cast(p, 'float32')];
}

export const coreLosses = {
  computeWeightedLoss,
  absoluteDifference(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('absoluteDifference', labels, predictions);
    return computeWeightedLoss(abs(sub(l, p)), weights, reduction);
  },
  meanSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('meanSquaredError', labels, predictions);
    const d = sub(l, p);
    return computeWeightedLoss(mul(d, d), weights, reduction);
  },
  cosineDistance(labels: TensorLike, predictions: TensorLike, axis: number, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('cosineDistance', labels, predictions);
    return computeWeightedLoss(sub(scalar(1), sum(mul(l, p), axis, true)), weights, reduction);
  },
  hingeLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    const [l, p] = pair('hingeLoss', labels, predictions);
    const signed = sub(mul(2, l), 1);
    return computeWeightedLoss(relu(sub(1, mul(signed, p))), weights, reduction);
  },
  huberLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, delta = 1, reduction?: Reduction): Tensor {
    const [l, p] = pair('huberLoss', labels, predictions);
    const err = abs(sub(l, p));
    const quad = minimum(err, delta);
    return computeWeightedLoss(add(mul(0.5, mul(quad, quad)), mul(delta, sub(err, quad))), weights, reduction);
  },
  logLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, epsilon = 1e-7, reduction?: Reduction): Tensor {
    const [l, p] = pair('logLoss', labels, predictions);
    const loss = sub(neg(mul(l, log(add(p, epsilon)))), mul(sub(1, l), log(add(sub(1, p), epsilon))));
    return computeWeightedLoss(loss, weights, reduction);
  },
  /** From logits: max(x, 0) - x z + log(1 + exp(-|x|)); labelSmoothing moves labels towards 1/2. */
  sigmoidCrossEntropy(multiClassLabels: TensorLike, logits: TensorLike, weights?: TensorLike, labelSmoothing = 0, reduction?: Reduction): Tensor {
    const [l0, x] = pair('sigmoidCrossEntropy', multiClassLabels, logits);
    const z = labelSmoothing > 0 ? add(mul(l0, 1 - labelSmoothing), 0.5 * labelSmoothing) : l0;
    const loss = add(sub(maximum(x, 0), mul(x, z)), log(add(1, exp(neg(abs(x))))));
    return computeWeightedLoss(loss, weights, reduction);
  },
  /** From logits: -sum(labels * logSoftmax(logits)) over the last axis; labelSmoothing spreads towards 1/classes. */
  softmaxCrossEntropy(onehotLabels: TensorLike, logits: TensorLike, weights?: TensorLike, labelSmoothing = 0, reduction?: Reduction): Tensor {
    const [l0, x] = pair('softmaxCrossEntropy', onehotLabels, logits);
    const classes = x.shape[x.rank - 1];
    const l = labelSmoothing > 0 ? add(mul(l0, 1 - labelSmoothing), labelSmoothing / classes) : l0;
    return computeWeightedLoss(neg(sum(mul(l, logSoftmax(x)), -1)), weights, reduction);
  },
};
