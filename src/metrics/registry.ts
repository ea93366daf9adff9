import type { Tensor } from '../tensor.js';
import { checkOutputKeys } from './output_keys.js';

/** How metrics errors have always worded the model's outputs. */
const MODEL_OUTPUTS_ARE = "the model's outputs are";

/**
 * The accuracy metrics: counts of hits. 'accuracy' picks binary/categorical/sparse as tfjs 4 does, from the loss
 * (binaryCrossentropy or a one-unit output: binary; sparseCategoricalCrossentropy: sparse; else categorical). Keras 3
 * decides by shape instead (one unit: binary; targets of lower rank or a last axis of 1: sparse; else categorical),
 * so on a multi-unit sigmoid output with binaryCrossentropy rnnlab (and tfjs) count binary accuracy where Keras 3
 * counts categorical accuracy.
 */
export type AccuracyKind = 'accuracy' | 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy';
/**
 * The loss-style metrics (tfjs's tf.metrics functions): a value per output row averaged over the epoch (Keras's
 * MeanMetricWrapper); 'crossentropy' picks binary/categorical/sparse from the loss and the output's width, as tfjs
 * 4 (Keras 3's compile takes no 'crossentropy' metric; tf.keras 2 decided by shape, as 'accuracy' above).
 */
export type ValueKind = 'meanSquaredError' | 'meanAbsoluteError' | 'meanAbsolutePercentageError' | 'binaryCrossentropy'
  | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'cosineProximity' | 'crossentropy';
/** Metric names compile accepts (tfjs camelCase and Keras snake_case), each with the kind of meter it builds. */
export type MetricKind = AccuracyKind | 'precision' | 'recall' | 'auc' | ValueKind | 'r2Score';

const NAMES: Record<string, MetricKind> = {
  accuracy: 'accuracy', acc: 'accuracy',
  binaryAccuracy: 'binaryAccuracy', binary_accuracy: 'binaryAccuracy',
  categoricalAccuracy: 'categoricalAccuracy', categorical_accuracy: 'categoricalAccuracy',
  sparseCategoricalAccuracy: 'sparseCategoricalAccuracy', sparse_categorical_accuracy: 'sparseCategoricalAccuracy',
  precision: 'precision', recall: 'recall', auc: 'auc', AUC: 'auc',
  meanSquaredError: 'meanSquaredError', mean_squared_error: 'meanSquaredError', mse: 'meanSquaredError', MSE: 'meanSquaredError',
  meanAbsoluteError: 'meanAbsoluteError', mean_absolute_error: 'meanAbsoluteError', mae: 'meanAbsoluteError', MAE: 'meanAbsoluteError',
  meanAbsolutePercentageError: 'meanAbsolutePercentageError', mean_absolute_percentage_error: 'meanAbsolutePercentageError',
  mape: 'meanAbsolutePercentageError', MAPE: 'meanAbsolutePercentageError',
  binaryCrossentropy: 'binaryCrossentropy', binary_crossentropy: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy', categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy', sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  // tfjs's cosine proximity is the loss: minus the cosine (Keras 3's 'cosine_similarity' metric is plus it, not aliased).
  cosineProximity: 'cosineProximity', cosine: 'cosineProximity', cosine_proximity: 'cosineProximity',
  crossentropy: 'crossentropy', ce: 'crossentropy',
  // tfjs's r2Score function (one value per batch); Keras 3's R2Score class aggregates differently and is not aliased.
  r2Score: 'r2Score',
  // Keras's class names (keras.metrics.get takes them) for the metrics above that compute the same; logged under the
  // name given, as Keras 3's compile does (metrics=['Precision'] logs 'Precision'). Keras's compile lower-cases
  // 'accuracy' and 'acc' before anything else, so 'Accuracy' there is the accuracy compile picks, not the Accuracy
  // class (exact equality). Not aliased: CosineSimilarity (plus the cosine), R2Score (its own aggregation).
  Accuracy: 'accuracy', ACC: 'accuracy', Acc: 'accuracy',
  BinaryAccuracy: 'binaryAccuracy', CategoricalAccuracy: 'categoricalAccuracy', SparseCategoricalAccuracy: 'sparseCategoricalAccuracy',
  Precision: 'precision', Recall: 'recall',
  MeanSquaredError: 'meanSquaredError', MeanAbsoluteError: 'meanAbsoluteError', MeanAbsolutePercentageError: 'meanAbsolutePercentageError',
  BinaryCrossentropy: 'binaryCrossentropy', CategoricalCrossentropy: 'categoricalCrossentropy', SparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  // keras.metrics.get's short name for BinaryCrossentropy.
  bce: 'binaryCrossentropy', BCE: 'binaryCrossentropy',
};

export function metricKind(name: unknown, where: string): MetricKind {
  const kind = typeof name === 'string' && Object.prototype.hasOwnProperty.call(NAMES, name) ? NAMES[name] : undefined;
  if (!kind) throw new Error(`${where}: unknown metric ${typeof name === 'string' ? `'${name}'` : String(name)}; use one of ${Object.keys(NAMES).join(', ')}, an rl.metrics function or a function (yTrue, yPred) => values`);
  return kind;
}

/** A user metric (yTrue, yPred) => values: averaged over every value of every batch, as Keras's MeanMetricWrapper. */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** One metric as compile takes it: a name, an rl.metrics function (which carries its name) or a user function. */
export type MetricSpec = string | ((...a: never[]) => unknown);
/** compile's metrics: one, a list (every output gets them, as tfjs), a list of lists (one per output, Keras's) or {outputName: metric or list} (that output only). */
export type MetricsArg = MetricSpec | MetricSpec[] | MetricSpec[][] | Record<string, MetricSpec | MetricSpec[]>;

export interface CompiledMetrics {
  /** Every metric name once, in the order given. */
  names: string[];
  functions: Record<string, MetricFunction>;
  /** The metric names of each output, in output order. */
  perOutput: string[][];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * compile's metrics: a name, a list of names, rl.metrics functions (which carry their name), or user functions
 * (logged under the function's name, as tfjs and Keras do); or an object {outputName: metrics} giving each output
 * its own (an output it leaves out gets none; a name that is not an output is an error, as Keras).
 */
export function compiledMetrics(given: unknown, where: string, outputNames: readonly string[] = []): CompiledMetrics {
  const functions: Record<string, MetricFunction> = {};
  const empty = { names: [], functions, perOutput: outputNames.map(() => []) };
  if (given === undefined || given === null) return empty;
  const resolve = (m: unknown): string => {
    if (typeof m === 'function' && (m as { metricName?: string }).metricName === undefined) {
      const name = m.name || 'custom_metric';
      if (Object.prototype.hasOwnProperty.call(NAMES, name)) throw new Error(`${where}: two metrics are named '${name}' (a user function and the built-in metric); give the function another name`);
      if (functions[name] && functions[name] !== m) throw new Error(`${where}: two metrics are named '${name}'; give the function another name`);
      functions[name] = m as MetricFunction;
      return name;
    }
    const name = typeof m === 'function' ? (m as { metricName?: string }).metricName : m;
    metricKind(name, where);
    return name as string;
  };
  const listOf = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(resolve);
  if (isRecord(given)) {
    checkOutputKeys(Object.keys(given), outputNames, `${where}: metrics`, MODEL_OUTPUTS_ARE);
    const perOutput = outputNames.map((n) => (given[n] === undefined || given[n] === null ? [] : listOf(given[n])));
    return { names: [...new Set(perOutput.flat())], functions, perOutput };
  }
  // Keras's list of lists: one list per output, in the outputs' order.
  if (Array.isArray(given) && given.some(Array.isArray)) {
    if (!given.every(Array.isArray) || given.length !== outputNames.length) {
      throw new Error(`${where}: metrics as a list of lists gives one list per output (Keras's form), but ${given.every(Array.isArray) ? `it has ${given.length} for the model's ${outputNames.length} output(s)` : 'it mixes lists with single metrics'}; or give {outputName: metrics}`);
    }
    const perOutput = given.map((l: unknown[]) => l.map(resolve));
    return { names: [...new Set(perOutput.flat())], functions, perOutput };
  }
  const names = listOf(given);
  return { names, functions, perOutput: outputNames.map(() => names) };
}

/** The names of compile's metrics (see compiledMetrics). */
export function metricNames(given: unknown, where: string): string[] {
  return compiledMetrics(given, where).names;
}

/**
 * A saved training config's metrics (Keras's and tfjs's training_config): one list when every output has the same
 * metrics, else {outputName: [metrics]} naming only the outputs that have some (Keras's dict form; tfjs writes an
 * object too), so per-output metrics come back per output.
 */
export type MetricsConfig = string[] | Record<string, string[]>;

export function metricsConfigOf(perOutput: readonly (readonly string[])[], outputNames: readonly string[]): MetricsConfig {
  const first = perOutput[0] ?? [];
  const same = perOutput.every((m) => m.length === first.length && m.every((n, i) => n === first[i]));
  if (same) return [...first];
  return Object.fromEntries(outputNames.flatMap((name, i) => (perOutput[i]?.length ? [[name, [...perOutput[i]]]] : [])));
}

/**
 * compile's metrics argument from a saved config: a list (every output), or an object whose values are a name or a
 * list of names (tfjs writes either) for those outputs only. name() checks and maps each saved name (aliases, user
 * metrics refused); a key that is no output of the model is an error naming it.
 */
export function metricsFromConfig(raw: unknown, outputNames: readonly string[], name: (m: unknown) => string, where: string): string[] | Record<string, string[]> {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.map(name);
  if (!isRecord(raw)) throw new Error(`${where}: metrics must be a list of names or {outputName: names}, got ${typeof raw}`);
  const out: Record<string, string[]> = {};
  checkOutputKeys(Object.keys(raw), outputNames, `${where}: metrics`, MODEL_OUTPUTS_ARE);
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    out[k] = (Array.isArray(v) ? v : [v]).map(name);
  }
  return out;
}
