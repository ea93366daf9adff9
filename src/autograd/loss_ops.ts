/** Loss ops: one kernel computes the mean loss and its gradient together; backward only scales it. */
import { allocFloat, kernels, type FArray } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';
import { extraLoss, isExtraLoss, type ExtraLoss } from './extra_losses.js';

export type LossKind = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError' | ExtraLoss;

/**
 * pred holds logits when fromLogits (the model's last sigmoid/softmax is folded into the loss, which is
 * both stabler and cheaper), probabilities otherwise.
 */
export function lossOp(kind: LossKind, pred: Tensor, target: Tensor, fromLogits: boolean): Tensor {
  const K = kernels();
  const p = pred.floatData();
  const grad = allocFloat(pred.size);
  const cols = pred.shape[pred.rank - 1];
  const rows = pred.size / cols;
  let value: number;
  switch (kind) {
    case 'binaryCrossentropy': {
      const t = target.floatData();
      value = fromLogits ? K.sigmoidCrossEntropyWithLogits(p.length, p, t, grad) : K.binaryCrossentropy(p.length, p, t, grad);
      break;
    }
    case 'categoricalCrossentropy': {
      const t = target.floatData();
      value = fromLogits ? K.softmaxCrossEntropyWithLogits(rows, cols, p, t, grad) : K.categoricalCrossentropy(rows, cols, p, t, grad);
      break;
    }
    case 'sparseCategoricalCrossentropy': {
      const labels = target.data instanceof Int32Array ? target.data : Int32Array.from(target.data, Math.trunc);
      if (fromLogits) value = K.sparseSoftmaxCrossEntropyWithLogits(rows, cols, p, labels, grad);
      else {
        const onehot = allocFloat(pred.size);
        for (let r = 0; r < rows; r++) onehot[r * cols + labels[r]] = 1;
        value = K.categoricalCrossentropy(rows, cols, p, onehot, grad);
      }
      break;
    }
    case 'meanSquaredError':
      value = K.meanSquaredError(p.length, p, target.floatData(), grad);
      break;
    default:
      if (!isExtraLoss(kind)) throw new Error(`unknown loss '${String(kind)}'`);
      value = extraLoss(kind, p, target.floatData(), cols, grad);
  }
  const out = new Tensor(Float64Array.of(value) as FArray, [], 'float32');
  return record(out, [pred], () => {
    const s = out.grad![0];
    if (s !== 1) for (let i = 0; i < grad.length; i++) grad[i] *= s;
    accumulate(pred, grad, true);
  });
}
