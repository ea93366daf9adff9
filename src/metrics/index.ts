/**
 * rl.metrics: tfjs-layers' metric functions (per-sample accuracies and losses, scalar precision/recall/r2Score), plus
 * Keras's AUC. Each carries metricName: the name compile logs it under (tfjs's function name).
 */
import { Tensor, toTensor, type TensorLike } from '../tensor.js';
import { binaryHit, countArgmax } from './accuracy.js';
import { broadcastTo } from '../ops/index.js';
import { broadcastShape } from '../ops/broadcast.js';
import { broadcastPair, shapeError } from './shapes.js';
import { AUC, Precision, Recall, type Meter } from './confusion.js';
import { valueMetrics } from './regression.js';

export { MetricMeters } from './meters.js';
export { metricNames } from './registry.js';

type MetricFn = ((yTrue: TensorLike, yPred: TensorLike) => Tensor) & { metricName: string };

/**
 * tfjs-layers' metric functions take (yTrue, yPred) only and drop anything more; here a third argument (Keras's
 * threshold, sample weights, fromLogits) is an error naming the function, since it would change nothing.
 */
function named(metricName: string, f: (t: Tensor, p: Tensor) => Tensor): MetricFn {
  const fn = ((yTrue: TensorLike, yPred: TensorLike, ...rest: unknown[]) => {
    if (rest.some((r) => r !== undefined)) {
      throw new Error(`metrics.${metricName} takes (yTrue, yPred) only, got ${2 + rest.length} arguments: tfjs's metric functions take no threshold, sample weights or options`);
    }
    return f(toTensor(yTrue, `metrics.${metricName}: yTrue`), toTensor(yPred, `metrics.${metricName}: yPred`));
  }) as MetricFn;
  fn.metricName = metricName;
  return fn;
}

/** The values of yTrue and yPred paired elementwise: broadcast as tfjs and Keras (./shapes.ts), else an error. */
function paired(name: string, t: Tensor, p: Tensor): [Tensor, Tensor] {
  return broadcastPair(`metrics.${name}`, t, p);
}

/** One value per row: the mean over the last axis of (pred > 0.5) == target (tfjs's; a soft target never hits). */
function binaryAccuracy(t0: Tensor, p0: Tensor): Tensor {
  const [t, p] = paired('binaryAccuracy', t0, p0);
  const C = p.shape[p.rank - 1] ?? 1, rows = p.size / C;
  const out = new Float32Array(rows);
  for (let i = 0; i < p.size; i++) if (binaryHit(p.values[i], t.values[i], 0.5)) out[Math.floor(i / C)] += 1 / C;
  return new Tensor(out, p.shape.slice(0, -1), 'float32');
}

/** argmax(yPred) against argmax(yTrue) over the last axis, one value per row, the pair broadcast as tfjs's equal(). */
function categoricalAccuracy(t0: Tensor, p0: Tensor): Tensor {
  if (p0.rank === 0) throw new Error('metrics.categoricalAccuracy: yPred has shape [], with no class axis to take the argmax over');
  const [t, p] = paired('categoricalAccuracy', t0, p0);
  const C = p.shape[p.rank - 1], rows = p.size / C;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = countArgmax(p.values.subarray(r * C, (r + 1) * C), t.values.subarray(r * C, (r + 1) * C), C, false).correct;
  return new Tensor(out, p.shape.slice(0, -1), 'float32');
}

/**
 * Class ids against argmax(yPred) over its last axis. Ids of yPred's rank lose their last axis (tfjs and Keras
 * squeeze it; it must be 1), then broadcast against yPred's rows as tfjs's equal(); other shapes are an error.
 */
function sparseCategoricalAccuracy(t0: Tensor, p: Tensor): Tensor {
  const what = 'metrics.sparseCategoricalAccuracy';
  if (p.rank === 0) throw new Error(`${what}: yPred has shape [], with no class axis to take the argmax over`);
  const C = p.shape[p.rank - 1], rowShape = p.shape.slice(0, -1);
  if (t0.rank === p.rank && t0.shape[t0.rank - 1] !== 1) throw shapeError(what, t0.shape, p.shape, ': class ids of yPred\'s rank need a last axis of 1');
  const t = t0.rank === p.rank ? t0.reshape(t0.shape.slice(0, -1)) : t0;
  let out: number[];
  try { out = broadcastShape(t.shape, rowShape); } catch { throw shapeError(what, t0.shape, p.shape, ': the ids must fit yPred\'s shape without its last axis'); }
  const ids = new Float32Array(p.size / C);
  for (let r = 0; r < ids.length; r++) ids[r] = argmaxOf(p.values, r * C, C);
  const pb = broadcastTo(new Tensor(ids, rowShape, 'float32'), out), tb = broadcastTo(t, out);
  const hits = new Float32Array(pb.size);
  for (let i = 0; i < hits.length; i++) hits[i] = pb.values[i] === tb.values[i] ? 1 : 0;
  return new Tensor(hits, out, 'float32');
}

function argmaxOf(v: ArrayLike<number>, at: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (v[at + c] > v[at + best]) best = c;
  return best;
}

function scalarOf(name: string, meter: Meter): (t: Tensor, p: Tensor) => Tensor {
  return (t0, p0) => {
    const [t, p] = paired(name, t0, p0);
    meter.add(p.values, t.values);
    return new Tensor(Float32Array.of(meter.value()), [], 'float32');
  };
}

export const metrics = {
  binaryAccuracy: named('binaryAccuracy', binaryAccuracy),
  categoricalAccuracy: named('categoricalAccuracy', categoricalAccuracy),
  sparseCategoricalAccuracy: named('sparseCategoricalAccuracy', sparseCategoricalAccuracy),
  precision: named('precision', (t, p) => scalarOf('precision', new Precision())(t, p)),
  recall: named('recall', (t, p) => scalarOf('recall', new Recall())(t, p)),
  auc: named('auc', (t, p) => scalarOf('auc', new AUC())(t, p)),
  ...Object.fromEntries(Object.entries(valueMetrics).map(([k, f]) => [k, named(k, f)])) as Record<keyof typeof valueMetrics, MetricFn>,
  // tfjs's short names; as compile metrics they log under these names, as tfjs's exported functions (tf.metrics.mse) do.
  MSE: named('MSE', valueMetrics.meanSquaredError),
  mse: named('mse', valueMetrics.meanSquaredError),
  MAE: named('MAE', valueMetrics.meanAbsoluteError),
  mae: named('mae', valueMetrics.meanAbsoluteError),
  MAPE: named('MAPE', valueMetrics.meanAbsolutePercentageError),
  mape: named('mape', valueMetrics.meanAbsolutePercentageError),
};
