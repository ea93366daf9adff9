/**
 * rl.metrics: tfjs-layers' metric functions (per-sample accuracies and losses, scalar precision/recall/r2Score), plus
 * Keras's AUC. Each carries metricName: the name compile logs it under (tfjs's function name).
 */
import { Tensor, toTensor, type TensorLike } from '../tensor.js';
import { binaryHit, countArgmax } from './accuracy.js';
import { AUC, Precision, Recall, type Meter } from './confusion.js';
import { valueMetrics } from './regression.js';

export { MetricMeters } from './meters.js';
export { metricNames } from './registry.js';

type MetricFn = ((yTrue: TensorLike, yPred: TensorLike) => Tensor) & { metricName: string };

function named(metricName: string, f: (t: Tensor, p: Tensor) => Tensor): MetricFn {
  const fn = ((yTrue: TensorLike, yPred: TensorLike) => f(toTensor(yTrue, `metrics.${metricName}: yTrue`), toTensor(yPred, `metrics.${metricName}: yPred`))) as MetricFn;
  fn.metricName = metricName;
  return fn;
}

function sameSize(name: string, t: Tensor, p: Tensor): void {
  if (t.size !== p.size) throw new Error(`metrics.${name}: yTrue has shape [${t.shape.join(', ')}] but yPred has [${p.shape.join(', ')}]`);
}

/** One value per row: the mean over the last axis of (pred > 0.5) == target (tfjs's; a soft target never hits). */
function binaryAccuracy(t: Tensor, p: Tensor): Tensor {
  sameSize('binaryAccuracy', t, p);
  const C = p.shape[p.rank - 1] ?? 1, rows = p.size / C;
  const out = new Float32Array(rows);
  for (let i = 0; i < p.size; i++) if (binaryHit(p.values[i], t.values[i], 0.5)) out[Math.floor(i / C)] += 1 / C;
  return new Tensor(out, p.shape.slice(0, -1), 'float32');
}

function argmaxHits(name: string, t: Tensor, p: Tensor, sparse: boolean): Tensor {
  const C = p.shape[p.rank - 1], rows = p.size / C;
  if (sparse ? t.size !== rows : t.size !== p.size) throw new Error(`metrics.${name}: yTrue has shape [${t.shape.join(', ')}], which does not fit yPred [${p.shape.join(', ')}]`);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    out[r] = countArgmax(p.values.subarray(r * C, (r + 1) * C), sparse ? t.values.subarray(r, r + 1) : t.values.subarray(r * C, (r + 1) * C), C, sparse).correct;
  }
  return new Tensor(out, p.shape.slice(0, -1), 'float32');
}

function scalarOf(name: string, meter: Meter): (t: Tensor, p: Tensor) => Tensor {
  return (t, p) => {
    sameSize(name, t, p);
    meter.add(p.values, t.values);
    return new Tensor(Float32Array.of(meter.value()), [], 'float32');
  };
}

export const metrics = {
  binaryAccuracy: named('binaryAccuracy', binaryAccuracy),
  categoricalAccuracy: named('categoricalAccuracy', (t, p) => argmaxHits('categoricalAccuracy', t, p, false)),
  sparseCategoricalAccuracy: named('sparseCategoricalAccuracy', (t, p) => argmaxHits('sparseCategoricalAccuracy', t, p, true)),
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
