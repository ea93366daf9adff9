/**
 * Keras's class_weight for text classifiers. fit has no class or sample weights, so while training the model's
 * loss is swapped for a weighted crossentropy (sum of w[label] * loss over the batch, divided by the batch size,
 * as Keras reduces sample-weighted losses); validation and evaluation keep the plain loss, as in Keras.
 */
import { allocFloat, type FArray } from '../backend/index.js';
import { accumulate, record, withTape } from '../autograd/tape.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor.js';

/** scikit-learn's 'balanced': n / (classes * count[c]); a class without examples gets 0. */
export function balancedClassWeights(classIds: Int32Array, numClasses: number): Float64Array {
  const counts = new Float64Array(numClasses);
  for (const c of classIds) counts[c]++;
  return counts.map((k) => (k > 0 ? classIds.length / (numClasses * k) : 0));
}

/**
 * Weighted crossentropy from logits: one logit per row (sigmoid, targets 0/1) or one per class (softmax,
 * integer class ids). Returns a scalar that backpropagates into `logits`.
 */
export function weightedCrossEntropy(logits: Tensor, target: Tensor, weights: Float64Array): Tensor {
  const cols = logits.shape[logits.rank - 1];
  const rows = logits.size / cols;
  const x = logits.values, t = target.values;
  const grad = allocFloat(logits.size);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (cols === 1) {
      const v = x[r], y = t[r] > 0.5 ? 1 : 0, w = weights[y];
      total += w * (Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v))));
      grad[r] = (w * (1 / (1 + Math.exp(-v)) - y)) / rows;
      continue;
    }
    const label = t[r], w = weights[label], o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[o + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[o + c] - max);
    total += w * (Math.log(sum) + max - x[o + label]);
    for (let c = 0; c < cols; c++) grad[o + c] = (w * (Math.exp(x[o + c] - max) / sum - (c === label ? 1 : 0))) / rows;
  }
  const out = new Tensor(Float64Array.of(total / rows) as FArray, [], 'float32');
  return record(out, [logits], () => {
    const s = out.grad![0];
    if (s !== 1) for (let i = 0; i < grad.length; i++) grad[i] *= s;
    accumulate(logits, grad, true);
  });
}

/** Runs fn (a fit) with the training loss weighted per class; the model's own loss is back afterwards. */
export async function withClassWeights<T>(model: Sequential, weights: Float64Array, fn: () => Promise<T>): Promise<T> {
  if (!model.foldsActivation) throw new Error('classWeight needs a model ending in a sigmoid or softmax Dense layer');
  const plain = model.lossOnBatch;
  model.lossOnBatch = function weighted(this: Sequential, x, y, ctx) {
    if (!ctx.training) return plain.call(this, x, y, ctx);
    const { value, backward } = withTape(() => {
      const out = this.forward(x, ctx, true);
      return { out, loss: weightedCrossEntropy(out, y, weights) };
    });
    return { ...value, backward };
  };
  try {
    return await fn();
  } finally {
    delete (model as Partial<Sequential>).lossOnBatch;
  }
}
