/**
 * tfjs-layers' value metrics as functions: one value per row (the mean over the last axis), computed with the
 * tensor ops; r2Score is one scalar. Epsilon 1e-7, as tfjs's.
 */
import { abs, add, clipByValue, div, log, mean, mul, neg, sqrt, square, sub, sum, maximum, scalar } from '../autograd/tensor_api.js';
import { toTensor, type Tensor, type TensorLike } from '../tensor.js';

const EPS = 1e-7;

function pair(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  let t = toTensor(yTrue, `metrics.${name}: yTrue`), p = toTensor(yPred, `metrics.${name}: yPred`);
  [t, p] = sameRank(t, p);
  if (t.shape.join() !== p.shape.join()) throw new Error(`metrics.${name}: yTrue has shape [${t.shape.join(', ')}] but yPred has [${p.shape.join(', ')}]`);
  return [t.cast('float32'), p.cast('float32')];
}

/**
 * Keras's squeeze_or_expand_to_same_rank: when one side has one more axis and it is 1 wide ([n] targets for [n, 1]
 * predictions), a rank-1 side gains that axis, otherwise the other side drops it. tfjs broadcasts such a pair to
 * [n, n] instead, comparing every target with every prediction.
 */
function sameRank(t: Tensor, p: Tensor): [Tensor, Tensor] {
  const [lo, hi] = t.rank < p.rank ? [t, p] : [p, t];
  if (hi.rank !== lo.rank + 1 || hi.shape[hi.rank - 1] !== 1 || hi.size !== lo.size) return [t, p];
  const [a, b] = lo.rank === 1 ? [lo.reshape(hi.shape), hi] : [lo, hi.reshape(hi.shape.slice(0, -1))];
  return t.rank < p.rank ? [a, b] : [b, a];
}

const l2Normalize = (x: Tensor) => div(x, sqrt(maximum(sum(square(x), -1, true), EPS)));

export const valueMetrics = {
  meanSquaredError: (yTrue: TensorLike, yPred: TensorLike): Tensor => { const [t, p] = pair('meanSquaredError', yTrue, yPred); return mean(square(sub(p, t)), -1); },
  meanAbsoluteError: (yTrue: TensorLike, yPred: TensorLike): Tensor => { const [t, p] = pair('meanAbsoluteError', yTrue, yPred); return mean(abs(sub(p, t)), -1); },
  meanAbsolutePercentageError: (yTrue: TensorLike, yPred: TensorLike): Tensor => {
    const [t, p] = pair('meanAbsolutePercentageError', yTrue, yPred);
    return mul(100, mean(abs(div(sub(t, p), clipByValue(abs(t), EPS, Number.MAX_VALUE))), -1));
  },
  binaryCrossentropy: (yTrue: TensorLike, yPred: TensorLike): Tensor => {
    const [t, p0] = pair('binaryCrossentropy', yTrue, yPred);
    const p = clipByValue(p0, EPS, 1 - EPS);
    return mean(neg(add(mul(t, log(p)), mul(sub(1, t), log(sub(1, p))))), -1);
  },
  categoricalCrossentropy: (yTrue: TensorLike, yPred: TensorLike): Tensor => {
    const [t, p0] = pair('categoricalCrossentropy', yTrue, yPred);
    const p = clipByValue(div(p0, sum(p0, -1, true)), EPS, 1 - EPS);
    return neg(sum(mul(t, log(p)), -1));
  },
  cosineProximity: (yTrue: TensorLike, yPred: TensorLike): Tensor => {
    const [t, p] = pair('cosineProximity', yTrue, yPred);
    return neg(sum(mul(l2Normalize(t), l2Normalize(p)), -1));
  },
  /** 1 - (residual sum of squares) / (total sum of squares about yTrue's mean), over all values. */
  r2Score: (yTrue: TensorLike, yPred: TensorLike): Tensor => {
    const [t, p] = pair('r2Score', yTrue, yPred);
    return sub(scalar(1), div(sum(square(sub(t, p))), sum(square(sub(t, mean(t))))));
  },
};
