/**
 * The training configs Keras writes, read into tfjs's trainingConfig shape ({loss, metrics, optimizer_config}).
 * tensorflowjs_converter copies a Keras 2 .h5's training_config into modelTopology; Keras 3 keeps its
 * compile_config on the model config. tfjs 4.22 compiles from neither (only from the top-level trainingConfig);
 * rnnlab compiles from them as Keras's load_model does when it can translate them exactly, and otherwise loads the
 * model uncompiled with a warning naming the field (as tfjs would load it). {compile: false} skips them.
 */
import { describe } from '../describe.js';
import { snakeCase } from '../layers/layer.js';
import { metricKind } from '../metrics/registry.js';
import { ModelFormatError } from './errors.js';
import { camelKey } from '../near_name.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields that only choose how Keras runs (eager, steps fused per call, XLA): every value computes the same. */
const SPEED_FIELDS = new Set(['run_eagerly', 'steps_per_execution', 'jit_compile', 'auto_scale_loss']);
/** Fields that change what training computes, which rnnlab does not read from a file: refused unless empty. */
const REFUSED_FIELDS = new Set(['weighted_metrics', 'sample_weight_mode']);
const KERAS2_FIELDS = new Set(['loss', 'metrics', 'optimizer_config', 'loss_weights', ...REFUSED_FIELDS]);
const KERAS3_FIELDS = new Set(['loss', 'metrics', 'optimizer', 'loss_weights', ...REFUSED_FIELDS, ...SPEED_FIELDS]);

const isEmpty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

/** A Keras 3 `registered_name` of a class defined outside Keras (Keras's own built-ins have null or 'keras>...'). */
function customClass(o: Record<string, unknown>): string | undefined {
  const r = o.registered_name;
  return typeof r === 'string' && r.includes('>') && !r.startsWith('keras>') ? r : undefined;
}

/** A Keras metric entry as a name: Keras 2 .h5 files wrap the names given to compile in MeanMetricWrapper objects. */
function metricEntry(m: unknown, at: string): unknown {
  if (Array.isArray(m)) return m.map((x) => metricEntry(x, at));
  if (!isObject(m)) return m;
  const cfg = isObject(m.config) ? m.config : {};
  // Keras 3 writes a metric given as a function by its name.
  if (m.class_name === 'function' && typeof m.config === 'string') return m.config;
  if (m.class_name === 'MeanMetricWrapper' && !customClass(m)) {
    // A wrapper the user renamed (name 'my_acc', fn 'binary_accuracy') computes its fn.
    if (typeof cfg.name === 'string' && isMetricName(cfg.name)) return cfg.name;
    if (typeof cfg.fn === 'string') return cfg.fn;
    if (typeof cfg.name === 'string') return cfg.name;
  }
  throw new ModelFormatError(`${at}.metrics: the metric object ${String(m.class_name)} (class_name) is not read (rnnlab restores metrics given by name)`);
}

function isMetricName(n: string): boolean {
  try { metricKind(n, 'metrics'); return true; } catch { return false; }
}

/** The config keys a Keras loss object writes that are at their defaults (so the loss is its plain name). */
const LOSS_DEFAULTS: Record<string, (v: unknown) => boolean> = {
  name: (v) => typeof v === 'string',
  reduction: (v) => v === 'auto' || v === 'sum_over_batch_size' || v === undefined,
  from_logits: (v) => v === false,
  label_smoothing: (v) => v === 0,
  axis: (v) => v === -1,
  ignore_class: (v) => v === null,
  dtype: (v) => v === null || v === 'float32',
  fn: (v) => typeof v === 'string',
  // Huber's; tf.keras 2 writes it even at its default, and rnnlab's huber is delta 1.
  delta: (v) => v === 1,
};

/**
 * A Keras loss entry as a loss name: Keras 3 writes {class_name: 'function', config: NAME} for a name, and both Keras
 * versions write a loss object ({class_name: 'BinaryCrossentropy', config}) for a class; a class is its name only when
 * every option is at its default (from_logits: true, label smoothing and the like change what it computes).
 */
function lossEntry(l: unknown, at: string): unknown {
  if (Array.isArray(l)) return l.map((x) => lossEntry(x, at));
  if (!isObject(l)) return l;
  if (typeof l.class_name !== 'string') return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, lossEntry(v, at)]));
  if (l.class_name === 'function' && typeof l.config === 'string') return l.config;
  const custom = customClass(l);
  if (custom) throw new ModelFormatError(`${at}.loss: ${l.class_name} has registered_name '${custom}', a custom loss registered in Python`);
  const cfg = isObject(l.config) ? l.config : {};
  const off = Object.entries(cfg).find(([k, v]) => !(Object.hasOwn(LOSS_DEFAULTS, k) && LOSS_DEFAULTS[k](v)));
  if (off) throw new ModelFormatError(`${at}.loss: ${l.class_name} with ${off[0]} = ${JSON.stringify(off[1])?.slice(0, 40)} is not a loss rnnlab has`);
  return snakeCase(l.class_name);
}

/**
 * Keras's optimizer_config as rnnlab reads it: TF 2.11-2.15 names its built-ins 'Custom>Adam'. The config is read as
 * compile reads Keras's {class_name, config} (the class's fromConfig), where keys that change nothing at their values
 * (jit_compile, is_legacy_optimizer, use_ema: false and its ema_* settings, nulls) are taken and others (use_ema:
 * true, global_clipnorm: 1) refused, so a file and compile accept the same optimizers.
 */
function optimizerEntry(o: unknown, at: string): unknown {
  // Keras 3 writes an optimizer given by name as that name.
  if (typeof o === 'string') return { class_name: o, config: {} };
  if (!isObject(o)) return o;
  const custom = customClass(o);
  if (custom) throw new ModelFormatError(`${at}.optimizer: ${String(o.class_name)} has registered_name '${custom}', a custom optimizer registered in Python`);
  const cls = typeof o.class_name === 'string' ? o.class_name.replace(/^Custom>/, '') : o.class_name;
  return { class_name: cls, config: o.config ?? {} };
}

/**
 * raw (modelTopology.training_config or compile_config, named by `field` in errors) as a trainingConfig. Keras 2
 * writes metrics one list per output ([[...]]); they stay nested, for compile to pair with the outputs. Throws
 * ModelFormatError on what it cannot translate; the caller then loads the model uncompiled with a warning.
 */
export function kerasTrainingConfig(raw: unknown, field: 'modelTopology.training_config' | 'compile_config', where: string): Record<string, unknown> {
  const at = `${where}: ${field}`;
  if (!isObject(raw)) throw new ModelFormatError(`${at} must be an object, got ${describe(raw)}`);
  const known = field === 'compile_config' ? KERAS3_FIELDS : KERAS2_FIELDS;
  for (const [k, v] of Object.entries(raw)) {
    if (!known.has(k)) throw new ModelFormatError(`${at}.${k} is not a field rnnlab knows`);
    if (REFUSED_FIELDS.has(k) && !isEmpty(v)) throw new ModelFormatError(`${at}.${k} = ${JSON.stringify(v)?.slice(0, 60)} is not supported`);
  }
  const optimizer = optimizerEntry(field === 'compile_config' ? raw.optimizer : raw.optimizer_config, at);
  const metrics = isObject(raw.metrics) && typeof raw.metrics.class_name !== 'string'
    ? Object.fromEntries(Object.entries(raw.metrics).map(([k, v]) => [k, metricEntry(v, at)])) : metricEntry(raw.metrics ?? [], at);
  // loss_weights (a list in output order, {outputName: weight}, or null) is checked against the outputs by compile.
  return { loss: lossEntry(raw.loss, at), metrics, optimizer_config: optimizer, loss_weights: raw.loss_weights ?? null };
}

/**
 * Where a model.json's training config is: tfjs's top-level trainingConfig, else the converter's
 * modelTopology.training_config (Keras 2), else Keras 3's compile_config (read by kerasTrainingConfig when the model
 * is compiled, so {compile: false} loads a file whose training config rnnlab cannot read). A Keras one beside a
 * top-level one is the same compile written twice, so only the top-level one is read.
 */
export function fileTrainingConfig(json: Record<string, unknown>, outer: Record<string, unknown>, topo: Record<string, unknown>):
  { trainingConfig: unknown; trainingField?: 'modelTopology.training_config' | 'compile_config' } {
  if (json.trainingConfig !== undefined && json.trainingConfig !== null) {
    return { trainingConfig: writtenByTfjs(json, outer) ? withTfjsMetricNames(json.trainingConfig) : json.trainingConfig };
  }
  if (outer !== topo && outer.training_config !== undefined && outer.training_config !== null) {
    return { trainingConfig: outer.training_config, trainingField: 'modelTopology.training_config' };
  }
  if (topo.compile_config !== undefined && topo.compile_config !== null) return { trainingConfig: topo.compile_config, trainingField: 'compile_config' };
  return { trainingConfig: undefined };
}

/** tfjs-layers wrote the file: its keras_version ('tfjs-layers 4.22.0') or generatedBy ('TensorFlow.js tfjs-layers v4.22.0'). */
function writtenByTfjs(json: Record<string, unknown>, outer: Record<string, unknown>): boolean {
  return (typeof outer.keras_version === 'string' && /^tfjs-layers /.test(outer.keras_version))
    || (typeof json.generatedBy === 'string' && /^TensorFlow\.js tfjs-layers /.test(json.generatedBy));
}

/**
 * tfjs saves metric names snake_cased ('categorical_accuracy') and its loadTrainingConfig camel-cases them back, so
 * the model it loads logs 'categoricalAccuracy' (and 'o1_categoricalAccuracy'); rnnlab reads a tfjs file's names as
 * tfjs does, so logs, callbacks' monitor names and History keys are tfjs's. Files Keras or rnnlab wrote keep theirs.
 */
function withTfjsMetricNames(tc: unknown): unknown {
  if (!isObject(tc) || tc.metrics === undefined || tc.metrics === null) return tc;
  const camel = (m: unknown): unknown => (typeof m === 'string' ? camelKey(m) : Array.isArray(m) ? m.map(camel) : m);
  const metrics = isObject(tc.metrics) ? Object.fromEntries(Object.entries(tc.metrics).map(([k, v]) => [k, camel(v)])) : camel(tc.metrics);
  return { ...tc, metrics };
}
