import type { Tensor } from '../tensor.js';
/** Metric names compile accepts (tfjs camelCase and Keras snake_case), each with the kind of meter it builds. */
export type MetricKind = 'accuracy' | 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy' | 'precision' | 'recall' | 'auc';

const NAMES: Record<string, MetricKind> = {
  accuracy: 'accuracy', acc: 'accuracy',
  binaryAccuracy: 'binaryAccuracy', binary_accuracy: 'binaryAccuracy',
  categoricalAccuracy: 'categoricalAccuracy', categorical_accuracy: 'categoricalAccuracy',
  sparseCategoricalAccuracy: 'sparseCategoricalAccuracy', sparse_categorical_accuracy: 'sparseCategoricalAccuracy',
  precision: 'precision', recall: 'recall', auc: 'auc', AUC: 'auc',
};

export function metricKind(name: unknown, where: string): MetricKind {
  const kind = typeof name === 'string' && Object.prototype.hasOwnProperty.call(NAMES, name) ? NAMES[name] : undefined;
  if (!kind) throw new Error(`${where}: unknown metric ${typeof name === 'string' ? `'${name}'` : String(name)}; use one of ${Object.keys(NAMES).join(', ')}`);
  return kind;
}

/** A user metric (yTrue, yPred) => values: averaged over every value of every batch, as Keras's MeanMetricWrapper. */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * compile's metrics: a name, a list of names, rl.metrics functions (which carry their name), or user functions
 * (logged under the function's name, as tfjs and Keras do).
 */
export function compiledMetrics(given: unknown, where: string): { names: string[]; functions: Record<string, MetricFunction> } {
  const functions: Record<string, MetricFunction> = {};
  if (given === undefined || given === null) return { names: [], functions };
  const list = Array.isArray(given) ? given : [given];
  const names = list.map((m) => {
    if (typeof m === 'function' && (m as { metricName?: string }).metricName === undefined) {
      const name = m.name || 'custom_metric';
      if (Object.prototype.hasOwnProperty.call(NAMES, name) || functions[name]) throw new Error(`${where}: two metrics are named '${name}'; give the function another name`);
      functions[name] = m as MetricFunction;
      return name;
    }
    const name = typeof m === 'function' ? (m as { metricName?: string }).metricName : m;
    metricKind(name, where);
    return name as string;
  });
  return { names, functions };
}

/** The names of compile's metrics (see compiledMetrics). */
export function metricNames(given: unknown, where: string): string[] {
  return compiledMetrics(given, where).names;
}
