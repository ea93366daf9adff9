/** tfjs's tf.math namespace: confusionMatrix. */
import type { Tensor, TensorLike } from '../tensor.js';
import { asTensor, result, shownArg } from './convert.js';

/**
 * counts[i][j]: how many examples have label i and prediction j (int32 [numClasses, numClasses]). As tfjs, labels
 * and predictions are 1-D, float values are cast to int32 class ids, and an id outside [0, numClasses) counts nowhere.
 */
export function confusionMatrix(labels: TensorLike, predictions: TensorLike, numClasses: number): Tensor {
  const l = asTensor(labels, 'labels', 'confusionMatrix'), p = asTensor(predictions, 'predictions', 'confusionMatrix');
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new Error(`confusionMatrix: numClasses must be a positive integer, but got ${shownArg(numClasses)}`);
  if (l.rank !== 1) throw new Error(`confusionMatrix: expected the rank of labels to be 1, but got ${l.rank}`);
  if (p.rank !== 1) throw new Error(`confusionMatrix: expected the rank of predictions to be 1, but got ${p.rank}`);
  if (l.size !== p.size) throw new Error(`confusionMatrix: mismatch in the number of examples: labels ${l.size} vs. predictions ${p.size}`);
  const counts = new Int32Array(numClasses * numClasses);
  const inRange = (k: number): boolean => k >= 0 && k < numClasses;
  for (let i = 0; i < l.size; i++) {
    const a = l.values[i] | 0, b = p.values[i] | 0; // tfjs's cast to int32 (NaN gives class 0)
    if (inRange(a) && inRange(b)) counts[a * numClasses + b]++;
  }
  return result(counts, [numClasses, numClasses], 'int32');
}

export const math = { confusionMatrix };
