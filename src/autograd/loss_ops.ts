/** Loss ops: one kernel computes the mean loss and its gradient together; backward only scales it. */
import { allocFloat, kernels, type FArray } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';
import { extraLoss, isExtraLoss, type ExtraLoss } from './extra_losses.js';

/** 'custom': a user function given to compile; the model calls it (src/models/loss_terms.ts), never lossOp. */
export type LossKind = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError' | ExtraLoss | 'custom';

/**
 * pred holds logits when fromLogits (the model's last sigmoid/softmax is folded into the loss, which is
 * both stabler and cheaper), probabilities otherwise.
 */
export function lossOp(kind: LossKind, pred: Tensor, target: Tensor, fromLogits: boolean): Tensor {
  const { value, grad } = lossValueAndGrad(kind, pred.floatData(), pred.shape[pred.rank - 1], target, fromLogits);
  return recordLoss(value, pred, grad);
}

/**
 * Keras's weighted loss: mean over samples of weight x the sample's loss (not divided by the weights' sum).
 * Each sample's loss is the kernel's mean over that sample's rows, so equal weights give lossOp's value.
 */
export function weightedLossOp(kind: LossKind, pred: Tensor, target: Tensor, fromLogits: boolean, weights: ArrayLike<number>): Tensor {
  const n = pred.shape[0];
  const p = pred.floatData(), t = target.values;
  const rows = p.length / (n * pred.shape[pred.rank - 1]);
  // One weight per sample, or (Keras's per-timestep weights) one per sample and step: each unit is a sample's rows
  // or one row, and the loss is mean(weight x unit loss) over all units, Keras's sum-over-batch-size reduction.
  const units = weights.length;
  if (units !== n && (rows === 1 || units !== n * rows)) {
    throw new Error(`sample weights: ${units} weights for ${n} samples${rows > 1 ? ` of ${rows} steps (give ${n} or ${n * rows})` : ''}`);
  }
  const per = p.length / units, perTarget = t.length / units;
  const grad = allocFloat(pred.size);
  let value = 0;
  for (let i = 0; i < units; i++) {
    if (weights[i] === 0) continue;
    const ti = target.dtype === 'int32' ? new Tensor(t.subarray(i * perTarget, (i + 1) * perTarget), [perTarget], 'int32')
      : new Tensor((t as FArray).subarray(i * perTarget, (i + 1) * perTarget), [perTarget], 'float32');
    const r = lossValueAndGrad(kind, p.subarray(i * per, (i + 1) * per), pred.shape[pred.rank - 1], ti, fromLogits);
    value += (weights[i] * r.value) / units;
    for (let j = 0; j < per; j++) grad[i * per + j] = (weights[i] * r.grad[j]) / units;
  }
  return recordLoss(value, pred, grad);
}

function recordLoss(value: number, pred: Tensor, grad: FArray): Tensor {
  const out = new Tensor(Float64Array.of(value) as FArray, [], 'float32');
  return record(out, [pred], () => {
    const s = out.grad![0];
    if (s !== 1) for (let i = 0; i < grad.length; i++) grad[i] *= s;
    accumulate(pred, grad, true);
  });
}

/** The kernel's mean loss over p's rows (cols wide) and its gradient. */
function lossValueAndGrad(kind: LossKind, p: FArray, cols: number, target: Tensor, fromLogits: boolean): { value: number; grad: FArray } {
  const K = kernels();
  const grad = allocFloat(p.length);
  const rows = p.length / cols;
  let value: number;
  switch (kind) {
    case 'binaryCrossentropy': {
      const t = target.floatData();
      value = fromLogits ? K.sigmoidCrossEntropyWithLogits(p.length, p, t, grad) : binaryCrossentropyClippedF32(p, t, grad);
      break;
    }
    case 'categoricalCrossentropy': {
      const t = target.floatData();
      value = fromLogits ? K.softmaxCrossEntropyWithLogits(rows, cols, p, t, grad) : K.categoricalCrossentropy(rows, cols, p, t, grad);
      break;
    }
    case 'sparseCategoricalCrossentropy': {
      const labels = target.values instanceof Int32Array ? target.values : Int32Array.from(target.values, Math.trunc);
      if (fromLogits) value = K.sparseSoftmaxCrossEntropyWithLogits(rows, cols, p, labels, grad);
      else {
        const onehot = allocFloat(p.length);
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
  return { value, grad };
}

/**
 * tfjs and Keras clip probabilities to [1e-7, 1 - 1e-7] in float32, where 1 - 1e-7 is 0.99999988 and 1 - p then
 * 1.19e-7, not the kernel's 1e-7: a prediction at or past it (a linear output, a float32 sigmoid that rounds to 1)
 * loses log(1.19e-7), as there. Such entries are clipped before the kernel and get no gradient (the clip's).
 */
const TOP_F32 = Math.fround(1 - 1e-7);
function binaryCrossentropyClippedF32(p: FArray, t: FArray, grad: FArray): number {
  const clipped: number[] = [];
  for (let i = 0; i < p.length; i++) if (p[i] > TOP_F32) clipped.push(i);
  if (!clipped.length) return kernels().binaryCrossentropy(p.length, p, t, grad);
  const q = allocFloat(p.length, false);
  q.set(p);
  for (const i of clipped) q[i] = TOP_F32;
  const value = kernels().binaryCrossentropy(p.length, q, t, grad);
  for (const i of clipped) grad[i] = 0;
  return value;
}

/**
 * The mean loss over the rows whose keep is 1 only (keep: one flag per target row, e.g. per timestep): Keras's
 * propagated mask, where padded steps weigh zero and the mean is over the real ones. The kernel runs once on
 * the kept rows gathered together, so a padded batch gives exactly the loss of the same rows unpadded.
 */
export function maskedLossOp(kind: LossKind, pred: Tensor, target: Tensor, fromLogits: boolean, keep: Uint8Array): Tensor {
  const cols = pred.shape[pred.rank - 1];
  const rows = pred.size / cols;
  if (keep.length !== rows) throw new Error(`loss mask: ${keep.length} flags for ${rows} rows`);
  const perTarget = target.size / rows;
  let kept = 0;
  for (let r = 0; r < rows; r++) if (keep[r]) kept++;
  const grad = allocFloat(pred.size);
  if (!kept) return recordLoss(0, pred, grad);
  const p = pred.floatData(), t = target.values;
  const pk = allocFloat(kept * cols, false);
  const tk = target.dtype === 'int32' ? new Int32Array(kept * perTarget) : allocFloat(kept * perTarget, false);
  for (let r = 0, k = 0; r < rows; r++) {
    if (!keep[r]) continue;
    pk.set(p.subarray(r * cols, (r + 1) * cols), k * cols);
    tk.set(t.subarray(r * perTarget, (r + 1) * perTarget), k * perTarget);
    k++;
  }
  const r = lossValueAndGrad(kind, pk, cols, new Tensor(tk, [kept * perTarget], target.dtype), fromLogits);
  for (let row = 0, k = 0; row < rows; row++) {
    if (!keep[row]) continue;
    grad.set(r.grad.subarray(k * cols, (k + 1) * cols), row * cols);
    k++;
  }
  return recordLoss(r.value, pred, grad);
}
