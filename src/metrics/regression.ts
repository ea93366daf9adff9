/**
 * tfjs-layers' value metrics as functions: one value per row (the mean over the last axis), computed with the
 * tensor ops; r2Score is one scalar. Epsilon 1e-7, as tfjs's.
 */
import { abs, add, clipByValue, div, log, mean, mul, neg, sqrt, square, sub, sum, maximum, scalar } from '../autograd/tensor_api.js';
import { toTensor, type Tensor, type TensorLike } from '../tensor.js';
import { alignShapes } from './shapes.js';

const EPS = 1e-7;

/**
 * yTrue and yPred paired as Keras and tfjs pair them (./shapes.ts: Keras's rank rule, then broadcasting, except for
 * binaryCrossentropy); shapes that do not broadcast are an error naming both.
 */
function pair(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const [t, p] = alignShapes(`metrics.${name}`, toTensor(yTrue, `metrics.${name}: yTrue`), toTensor(yPred, `metrics.${name}: yPred`), name === 'binaryCrossentropy');
  return [t.cast('float32'), p.cast('float32')];
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
