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

/** Validates compile's metrics: a name, a list of names, or rl.metrics functions (which carry their name). */
export function metricNames(given: unknown, where: string): string[] {
  if (given === undefined || given === null) return [];
  const list = Array.isArray(given) ? given : [given];
  return list.map((m) => {
    const name = typeof m === 'function' ? (m as { metricName?: string }).metricName : m;
    if (typeof m === 'function' && name === undefined) throw new Error(`${where}: custom metric functions are not supported; use a name or an rl.metrics function`);
    metricKind(name, where);
    return name as string;
  });
}
