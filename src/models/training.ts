/** The training loop: Keras's fit and evaluate semantics over rnnlab's tape. */
import { getPrecision, type FArray } from '../backend/index.js';
import type { LossKind } from '../autograd/loss_ops.js';
import type { SymbolicShape } from '../layers/layer.js';
import { Embedding } from '../layers/embedding.js';
import { checkTargets } from '../losses.js';
import { checkOptionKeys, nearName, readAliases } from '../near_name.js';
import { MetricMeters, metricMismatch, metricMismatchError } from '../metrics/meters.js';
import { compiledMetrics, type MetricFunction } from '../metrics/registry.js';
import { checkOutputKeys } from '../metrics/output_keys.js';
import { globalRandom } from '../random.js';
import { Tensor, shapeStr, type TensorLike } from '../tensor.js';
import { asInput, checkBatchSize, checkStatefulBatches, EventLoopYield, stepScope, takeRows, yieldToEventLoop } from './batches.js';
import { bucketBlocker, LengthBuckets, type BucketArgs } from './buckets.js';
import { History, recordCallbackOrder, type Callback, type FitState } from './callback.js';
import { CallbackList, callbackListOf } from './callback_list.js';
import { refuseDataset } from './model_common.js';
import { checkWriter, ProgressBar, type Logs, type ProgressWriter } from './progress.js';
import type { EpochProgress, MeterSums, TrainableModel } from './trainable.js';
import { scalarResult } from './scalars.js';
import { batchWeights, sampleWeightsOf, weightRows, withClassWeights, type ClassWeightArg, type OutputSteps, type OutputWeights, type SampleWeightArg } from './sample_weights.js';

/** x or y as fit takes them: one tensor, a list in input/output order, or {name: tensor} by input/output name. */
export type FitData = TensorLike | TensorLike[] | Record<string, TensorLike>;

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** [x, y], or [x, y, sampleWeight] (Keras's; the weights apply to val_loss as evaluate's sampleWeight). */
  validationData?: [FitData, FitData] | [FitData, FitData, SampleWeightArg];
  validationSplit?: number;
  verbose?: 0 | 1 | 2;
  callbacks?: Callback | Callback[];
  initialEpoch?: number;
  /**
   * One loss weight per sample (Keras's sample_weight); split with validationSplit. Several outputs: the same for
   * each, or one per output (a list of tensors, or {outputName: weights}).
   */
  sampleWeight?: SampleWeightArg;
  /**
   * {classId: weight} for the training samples (Keras's class_weight); multiplies sampleWeight. Several outputs:
   * a list of tables (one per output) or {outputName: table}, as tfjs.
   */
  classWeight?: ClassWeightArg;
  /** Where the progress output goes (default stdout). */
  out?: ProgressWriter;
  /**
   * rnnlab's length-bucketed batching for padded token ids (src/models/buckets.ts): batches of similar lengths,
   * each trimmed to its rows' real steps. Needs a model that masks the padding; deterministic per seed.
   */
  bucket?: boolean | BucketArgs;
  /**
   * tfjs's: how often fit yields to the event loop. 'batch': after every batch; a number: at most every that many
   * milliseconds; 'epoch': after each epoch's onEpochEnd, not between batches; 'never': neither. Default 'auto':
   * every batch when a callback listens to batches, else at most every 125 ms (tfjs's rate).
   */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
  /**
   * Keras's validation_freq (tfjs's fit has none): a positive integer N validates after every N-th epoch (epochs N,
   * 2N, ... counted from 1, as Keras's (epoch + 1) % N), or a list of the epochs (from 1) to validate after, as
   * Keras 3's list. Default 1: every epoch. Epochs without validation log no val_ values.
   */
  validationFreq?: number | number[];
  /** Keras's validation_batch_size (tfjs's fit has none): the batch size validation runs in; default batchSize. */
  validationBatchSize?: number;
  /**
   * Keras's spellings of batchSize, validationSplit, validationData, sampleWeight, classWeight, initialEpoch,
   * validationFreq, validationBatchSize (one spelling of each).
   */
  batch_size?: number;
  validation_split?: number;
  validation_data?: FitArgs['validationData'];
  sample_weight?: SampleWeightArg;
  class_weight?: ClassWeightArg;
  initial_epoch?: number;
  validation_freq?: FitArgs['validationFreq'];
  validation_batch_size?: number;
}

/** Keras's snake_case option names read as tfjs's (as compile reads loss_weights); giving both spellings is an error. */
const FIT_ALIASES: Record<string, string> = {
  batch_size: 'batchSize', validation_split: 'validationSplit', validation_data: 'validationData', sample_weight: 'sampleWeight',
  class_weight: 'classWeight', initial_epoch: 'initialEpoch', validation_freq: 'validationFreq', validation_batch_size: 'validationBatchSize',
};
const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'validationSplit', 'verbose', 'callbacks',
  'initialEpoch', 'sampleWeight', 'classWeight', 'out', 'bucket', 'yieldEvery', 'validationFreq', 'validationBatchSize', ...Object.keys(FIT_ALIASES)];
const WHOLE_EPOCHS = 'fit runs whole epochs over x and y; slice x and y to train or validate on fewer samples, or stream batches with ' +
  'model.fitDataset(dataset, {batchesPerEpoch, validationBatches})';
/** tfjs's and Keras's fit options rnnlab does not implement, each with why: refused by name rather than ignored. */
const FIT_REFUSED: Record<string, string> = {
  stepsPerEpoch: WHOLE_EPOCHS, steps_per_epoch: WHOLE_EPOCHS, validationSteps: WHOLE_EPOCHS, validation_steps: WHOLE_EPOCHS,
};

/** The EventLoopYield interval yieldEvery asks for; batchListeners: some callback listens to batches. */
export function yieldInterval(v: FitArgs['yieldEvery'], batchListeners: boolean, where = 'fit'): number | undefined {
  if (v === undefined || v === 'auto') return batchListeners ? 0 : undefined;
  if (v === 'batch') return 0;
  if (v === 'epoch' || v === 'never') return Infinity;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  throw new Error(`${where}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got ${JSON.stringify(v)}`);
}

/** yieldEvery 'epoch' yields once every epoch, after its onEpochEnd, as tfjs's does (at no batch: yieldInterval). */
export async function yieldAfterEpoch(v: FitArgs['yieldEvery']): Promise<void> {
  if (v === 'epoch') await yieldToEventLoop();
}

/**
 * Keras's validation_freq checked (where: the option as named in errors): a positive integer N validates after
 * epochs N, 2N, ... (counted from 1: Keras's (epoch + 1) % N === 0), a list names the epochs (from 1) to validate
 * after (Keras 3's list). Returns whether to validate after the epoch of (0-based) index epoch; undefined: every epoch.
 */
export function validationSchedule(v: unknown, where: string): (epoch: number) => boolean {
  if (v === undefined) return () => true;
  const positiveInt = (e: unknown) => typeof e === 'number' && Number.isInteger(e) && e >= 1;
  if (positiveInt(v)) {
    const n = v as number;
    return (epoch) => (epoch + 1) % n === 0;
  }
  if (Array.isArray(v)) {
    v.forEach((e, i) => {
      if (!positiveInt(e)) throw new Error(`${where}[${i}] must be an epoch number (a positive integer, counted from 1), got ${JSON.stringify(e) ?? String(e)}`);
    });
    const epochs = new Set(v as number[]);
    return (epoch) => epochs.has(epoch + 1);
  }
  throw new Error(`${where} must be a positive integer N (validate after every N-th epoch) or a list of epochs counted from 1, got ${JSON.stringify(v) ?? String(v)}`);
}

/**
 * A validationFreq (already checked by validationSchedule) that validates after none of the epochs a run trains
 * (0-based first to end, exclusive) is refused: the validation data would never be used (Keras runs no validation
 * then). A run of no epochs is left alone.
 */
export function checkValidatesSomeEpoch(v: unknown, first: number, end: number, where: string): void {
  if (v === undefined || first >= end) return;
  // Counted from 1, the run trains epochs first + 1 to end; N validates after its multiples.
  const some = typeof v === 'number' ? Math.floor(end / v) > Math.floor(first / v) : (v as number[]).some((e) => e > first && e <= end);
  if (some) return;
  throw new Error(`${where} ${JSON.stringify(v)} validates after none of the epochs this fit trains (${first + 1} to ${end}, counted from 1), ` +
    'so the validation data would never be used: name an epoch in that range, or leave validation out');
}

export interface EvaluateArgs {
  batchSize?: number;
  /** 0 (default, as tfjs): silent; 1: Keras's progress bar and a final line with the loss and metrics. */
  verbose?: 0 | 1;
  /** One loss weight per sample (Keras's sample_weight); several outputs: also one per output, as fit's. */
  sampleWeight?: SampleWeightArg;
  /** Where verbose output goes (default stdout). */
  out?: ProgressWriter;
  /** Keras's return_dict: true returns {loss, <metric>: value, ...} (numbers, named as metricsNames) instead of Scalars. */
  returnDict?: boolean;
  /** Keras's spellings of batchSize, sampleWeight and returnDict (one spelling of each). */
  batch_size?: number;
  sample_weight?: SampleWeightArg;
  return_dict?: boolean;
}

/** evaluate's options without returnDict: what returns tfjs's Scalars. */
export type EvaluateScalarArgs = Omit<EvaluateArgs, 'returnDict' | 'return_dict'> & { returnDict?: false; return_dict?: false };

const EVALUATE_ALIASES: Record<string, string> = { batch_size: 'batchSize', sample_weight: 'sampleWeight', return_dict: 'returnDict' };
/** evaluate's options: tfjs's batchSize, verbose, sampleWeight, Keras's returnDict, rnnlab's out, and Keras's spellings. */
const EVALUATE_OPTIONS = ['batchSize', 'verbose', 'sampleWeight', 'out', 'returnDict', ...Object.keys(EVALUATE_ALIASES)];
const EVALUATE_REFUSED = { steps: 'rnnlab evaluates and predicts over all of x; slice x to use fewer samples' };

/**
 * model.evaluate: tfjs's Scalars (the loss alone, or [loss, ...metrics]), or with returnDict (Keras's return_dict)
 * {loss: number, <metric>: number, ...} keyed by metricsNames, as Keras 3 returns it. Options checked first: an
 * unknown one is an error naming it; Keras's snake_case names are read as tfjs's.
 */
export function evaluateCall(model: TrainableModel, x: unknown, y: unknown, args: unknown, where: string): Tensor | Tensor[] | Record<string, number> {
  const given = checkOptionKeys(where, args, EVALUATE_OPTIONS, { refused: EVALUATE_REFUSED, nullIsNone: true });
  const { returnDict, ...opts } = readAliases(where, given, EVALUATE_ALIASES) as EvaluateArgs;
  if (returnDict !== undefined && typeof returnDict !== 'boolean') throw new Error(`${where}: returnDict must be true or false, got ${JSON.stringify(returnDict)}`);
  const values = evaluateModelSync(model, x, y, opts);
  if (!returnDict) return scalarResult(values);
  const names = metricsNames(model);
  return Object.fromEntries(names.map((k, i) => [k, asScalarHolds(values[i])]));
}

/**
 * A returnDict value as the list form's Scalar holds it (Keras's float(metric.result())): rounded to float32 under
 * float32 tensors, kept whole under setPrecision(64), where the Scalars and fit's History hold float64.
 */
function asScalarHolds(v: number): number {
  return getPrecision() === 64 ? v : Math.fround(v);
}

/** Raised when the loss stops being finite; training stops at that batch, before its update. */
export class NonFiniteLossError extends Error {
  constructor(public epoch: number, public batch: number, public history: History) {
    super(`loss became non-finite (NaN or Inf) at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before applying that batch. ` +
      'Try a lower learning rate, clipnorm, or check the inputs.');
    this.name = 'NonFiniteLossError';
  }
}

/**
 * What a training loop (fit, fitDataset) does with a batch whose loss is not finite, per (epoch, batch): nothing when
 * a callback handles it (terminateOnNaN reads the NaN loss in onBatchEnd and stops training), else NonFiniteLossError.
 */
export function nonFiniteLossHandler(callbacks: readonly Callback[], history: History): (epoch: number, batch: number) => () => void {
  const tolerate = callbacks.some((cb) => cb.handlesNonFiniteLoss);
  return (epoch, batch) => () => { if (!tolerate) throw new NonFiniteLossError(epoch, batch, history); };
}

/**
 * The compiled metrics of every model output (src/metrics) and, for several outputs, each output's loss; logs name
 * them '<metric>' for one output and '<output>_<metric>' / '<output>_loss' for several, as tfjs and Keras do.
 */
class Meters {
  readonly meters: (MetricMeters | null)[];
  /** The metric log names, in tfjs's order: each output's metrics in turn. */
  readonly names: string[];
  /** '<output>_loss' per output when there are several (tfjs and Keras log each output's loss), else none. */
  readonly lossNames: string[];
  /** The log names of values(). */
  readonly keys: string[];
  private readonly lossSums: number[];
  private lossSeen = 0;
  private readonly fromLogits: boolean[];
  constructor(model: TrainableModel) {
    const heads = model.outputHeads();
    const per = outputMetricNames(model);
    this.meters = heads.map((h, i) => (per[i].length ? new MetricMeters({ metrics: per[i], loss: h.loss, functions: model.metricFunctions, where: model.name, output: h.name }) : null));
    this.fromLogits = heads.map((h) => h.fromLogits);
    ({ lossNames: this.lossNames, names: this.names } = logNames(model));
    this.keys = [...this.lossNames, ...this.names];
    this.lossSums = this.lossNames.map(() => 0);
  }

  /** One batch: its outputs and targets, the padding mask each output's loss used, and each output's loss term. */
  add(outs: Tensor[], ys: Tensor[], masks?: (Uint8Array | null)[], terms?: Tensor[]): void {
    this.meters.forEach((m, i) => m?.add(outs[i], ys[i], this.fromLogits[i], masks?.[i] ?? null));
    if (this.lossNames.length && terms) {
      const n = outs[0].shape[0];
      terms.forEach((t, i) => { this.lossSums[i] += t.values[0] * n; });
      this.lossSeen += n;
    }
  }
  /** Each output's mean loss so far (several outputs), then the metrics. */
  values(): number[] {
    return [...this.lossSums.map((s) => (this.lossSeen ? s / this.lossSeen : 0)), ...this.meters.flatMap((m) => m?.values() ?? [])];
  }
  into(logs: Logs, prefix = ''): Logs {
    const v = this.values();
    this.keys.forEach((name, i) => { logs[prefix + name] = v[i]; });
    return logs;
  }
  /** Back to no batches seen: a new epoch, or trainOnBatch's next call. */
  reset(): void {
    for (const m of this.meters) m?.reset();
    this.lossSums.fill(0);
    this.lossSeen = 0;
  }
  /** The first output's accuracy counts (what checkpoints saved before `sums`; kept in them for older readers). */
  get counts(): { correct: number; total: number } { return { correct: this.meters[0]?.correct ?? 0, total: this.meters[0]?.total ?? 0 }; }
  /** Every running sum: a mid-epoch checkpoint continues the epoch's logs from them. */
  get sums(): MeterSums { return { lossSums: [...this.lossSums], lossSeen: this.lossSeen, metrics: this.meters.map((m) => m?.sums() ?? null) }; }
  /** Back to a checkpoint's sums, or (one written before they were kept) the first accuracy counts alone. */
  restore(p: Pick<EpochProgress, 'correct' | 'total'> & { meters?: MeterSums }): void {
    if (!p.meters) {
      if (this.meters[0]) { this.meters[0].correct = p.correct; this.meters[0].total = p.total; }
      return;
    }
    const { lossSums, lossSeen, metrics } = p.meters;
    if (lossSums.length !== this.lossSums.length || metrics.length !== this.meters.length) {
      throw new Error(`the checkpoint's running sums are for ${metrics.length} output(s) with ${lossSums.length} loss sum(s); the model has ${this.meters.length} and ${this.lossSums.length}`);
    }
    lossSums.forEach((v, i) => { this.lossSums[i] = v; });
    this.lossSeen = lossSeen;
    this.meters.forEach((m, i) => {
      const saved = metrics[i];
      if ((m === null) !== (saved === null)) throw new Error(`the checkpoint's running sums ${saved === null ? 'have no' : 'have'} metrics for output ${i}, which ${m === null ? 'has none' : 'has some'}`);
      if (m && saved) m.setSums(saved);
    });
  }
}

const outputNamesOf = (model: TrainableModel) => model.outputHeads().map((h) => h.name);

/**
 * Each output's steps per sample, read from its prepared targets (conformTargets shapes them like the output, a
 * sparse loss's without the class axis): what per-step sample weights must match. null for a user loss function.
 */
function outputSteps(model: TrainableModel, ys: Tensor[]): OutputSteps {
  const heads = model.outputHeads();
  return ys.map((y, i) => {
    const kind = heads[i]?.loss;
    if (!kind || kind === 'custom') return null;
    const dims = kind === 'sparseCategoricalCrossentropy' ? y.shape.slice(1) : y.shape.slice(1, -1);
    return dims.reduce((a, b) => a * b, 1);
  });
}

/**
 * trainOnBatch's meters, one per model and compile (fitDataset calls trainOnBatch per batch): reset, not rebuilt,
 * per call. The key is what Meters reads: compile's losses and metrics, the heads (add / pop change them), and the
 * model's name (its errors cite it).
 */
const batchMeters = new WeakMap<TrainableModel, { key: unknown[]; meters: Meters }>();

function metersForBatch(model: TrainableModel): Meters {
  const key: unknown[] = [model.name, model.compiledLosses, model.metrics, model.outputMetrics, model.metricFunctions,
    ...model.outputHeads().flatMap((h) => [h.name, h.loss, h.fromLogits])];
  const kept = batchMeters.get(model);
  if (kept && kept.key.length === key.length && kept.key.every((k, i) => k === key[i])) {
    kept.meters.reset();
    return kept.meters;
  }
  const meters = new Meters(model);
  batchMeters.set(model, { key, meters });
  return meters;
}

/** Each output's compiled metric names: compile's per-output object, or its list for every output (tfjs). */
function outputMetricNames(model: TrainableModel): string[][] {
  const heads = model.outputHeads();
  const per = model.outputMetrics;
  return per && per.length === heads.length ? per : heads.map(() => model.metrics);
}

/**
 * What fit logs and evaluate / trainOnBatch return, in order: 'loss', each output's '<output>_loss' when there are
 * several, then the metrics ('<output>_<metric>' for several outputs), as tfjs's model.metricsNames.
 */
export function metricsNames(model: TrainableModel): string[] {
  const { lossNames, names } = logNames(model);
  return ['loss', ...lossNames, ...names];
}

/**
 * Each output's loss name (several outputs) and the metrics' log names, one output after the other. Outputs of one
 * layer (an LSTM's returnState) share its name: a repeated label is numbered '<label>_0', '<label>_1', ... as tfjs
 * numbers its log keys, so no output's value overwrites another's.
 */
function logNames(model: TrainableModel): { lossNames: string[]; names: string[] } {
  const heads = model.outputHeads();
  const per = outputMetricNames(model);
  const lossNames = heads.length > 1 ? heads.map((h) => `${h.name}_loss`) : [];
  const names = heads.flatMap((h, i) => per[i].map((m) => (heads.length === 1 ? m : `${h.name}_${m}`)));
  const all = ['loss', ...lossNames, ...names];
  const seen = new Map<string, number>();
  const unique = all.map((label) => {
    if (all.indexOf(label) === all.lastIndexOf(label)) return label;
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    return `${label}_${k}`;
  });
  return { lossNames: unique.slice(1, 1 + lossNames.length), names: unique.slice(1 + lossNames.length) };
}

/** compile's options (tfjs's names; Keras's snake_case loss_weights too). */
const COMPILE_OPTIONS = ['optimizer', 'loss', 'metrics', 'lossWeights', 'loss_weights'];
/**
 * Keras/tfjs compile options rnnlab does not implement: refused by name rather than ignored. Keras 3 takes
 * jit_compile (XLA), which changes only how it runs: refused here as the optimizers' constructors refuse theirs,
 * while a file's compile_config carrying it is read (io/keras_training.ts).
 */
const COMPILE_REFUSED = Object.fromEntries(['weightedMetrics', 'weighted_metrics', 'sampleWeightMode', 'sample_weight_mode', 'runEagerly', 'run_eagerly',
  'stepsPerExecution', 'steps_per_execution', 'jitCompile', 'jit_compile', 'autoScaleLoss', 'auto_scale_loss', 'targetTensors', 'target_tensors']
  .map((k) => [k, /^jit_?[cC]ompile$/.test(k)
    ? `it chooses only how Keras runs, by XLA or not; leave it out (a saved compile_config carrying it loads); compile takes ${COMPILE_OPTIONS.join(', ')}`
    : `compile takes ${COMPILE_OPTIONS.join(', ')}`]));

/** Keras's loss_weights: one number per output (a list in output order, or {outputName: weight}), a number for one output. */
export type LossWeightsArg = number | number[] | Record<string, number>;

export interface CompileExtras {
  /** Every metric name once. */
  metrics: string[];
  metricFunctions: Record<string, MetricFunction>;
  /** Each output's metric names, in output order. */
  outputMetrics: string[][];
  /** Keras's loss_weights in output order; null when not given (every output weighs 1). */
  lossWeights: number[] | null;
}

function checkLossWeight(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} must be a finite number, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return v;
}

function lossWeightsOf(given: unknown, outputNames: readonly string[], where: string): number[] | null {
  if (given === undefined || given === null) return null;
  const what = `${where}: lossWeights`;
  const n = outputNames.length;
  if (typeof given === 'number') {
    if (n !== 1) throw new Error(`${what} is one number, but the model has ${n} outputs (${outputNames.join(', ')}); give a list or {outputName: weight}`);
    return [checkLossWeight(given, what)];
  }
  if (Array.isArray(given)) {
    if (given.length !== n) throw new Error(`${what} lists ${given.length} weights but the model has ${n} output${n === 1 ? '' : 's'} (${outputNames.join(', ')})`);
    return given.map((v, i) => checkLossWeight(v, `${what}[${i}]`));
  }
  if (typeof given === 'object') {
    const map = given as Record<string, unknown>;
    checkOutputKeys(Object.keys(map), outputNames, what);
    return outputNames.map((name) => {
      if (map[name] === undefined) throw new Error(`${what} gives no weight for output '${name}'`);
      return checkLossWeight(map[name], `${what}['${name}']`);
    });
  }
  throw new Error(`${what} must be a list of numbers (one per output) or {outputName: weight}, got ${typeof given}`);
}

/**
 * compile's arguments besides optimizer and loss, checked: an unknown option is an error naming it (as fit's), and
 * metrics and Keras's loss_weights are resolved against the model's outputs.
 */
export function compileExtras(args: object, outputNames: readonly string[], where: string): CompileExtras {
  const given = checkOptionKeys(where, args, COMPILE_OPTIONS, { refused: COMPILE_REFUSED });
  if (given.lossWeights !== undefined && given.loss_weights !== undefined) throw new Error(`${where}: give lossWeights or loss_weights, not both`);
  const m = compiledMetrics(given.metrics, where, outputNames);
  return { metrics: m.names, metricFunctions: m.functions, outputMetrics: m.perOutput, lossWeights: lossWeightsOf(given.lossWeights ?? given.loss_weights, outputNames, where) };
}

/** One output as compile sees it: its name, loss, and shape (null while the model is not built). */
export interface CompiledHead { name: string; loss: LossKind; shape: SymbolicShape | null }

/**
 * compile's metrics checked against each output's loss and width: a metric that cannot be computed there (a
 * sparse metric without class-id targets, an argmax over one unit) is refused now, naming it and the output,
 * rather than failing or logging nonsense at the first batch. Unknown widths are checked at the first batch.
 */
export function checkMetricsFit(extras: CompileExtras, heads: CompiledHead[], where: string): void {
  heads.forEach((h, i) => {
    const width = h.shape ? h.shape[h.shape.length - 1] : null;
    for (const name of extras.outputMetrics[i] ?? []) {
      const problem = metricMismatch(name, h.loss, width, extras.metricFunctions);
      if (problem) throw metricMismatchError(where, name, h.name, h.shape ? `(shape ${shapeStr(h.shape)}, loss ${h.loss})` : `(loss ${h.loss})`, problem);
    }
  });
}

const rows = (ts: Tensor[], order: Int32Array | null, s: number, e: number) => ts.map((t) => takeRows(t, order, s, e));

/**
 * x checked against what a Sequential model takes (building it for x first): its first layer's input, with the steps
 * a later layer needs fixed (a Flatten), so a batch of another length is refused in the model's words before it runs.
 */
export function checkSequentialX(model: Pick<TrainableModel, 'built' | 'build' | 'inputShape' | 'acceptedInputShape' | 'layers'>, xt: Tensor, what: string): void {
  // tfjs: "Sequential model cannot be built: model is empty"; said as summary and countParams say it.
  if (model.layers.length === 0) throw new Error(`${what}: the model has no layers; add some first (model.add(layer))`);
  if (!model.built) model.build([null, ...xt.shape.slice(1)]);
  const spec = model.acceptedInputShape ?? model.inputShape;
  if (xt.rank !== spec.length || spec.some((d, i) => i > 0 && d !== null && d !== xt.shape[i])) {
    throw new Error(`${what}: x has shape ${shapeStr(xt.shape)} but ${model.layers[0].name} expects ${shapeStr(spec)}`);
  }
}

/** A Sequential model's x and y checked against it and each other; y comes back shaped like the model's output. */
export function prepareSequential(model: TrainableModel, x: TensorLike, y: TensorLike, what: string): { xs: Tensor[]; ys: Tensor[] } {
  const xt = asInput(x, `${what}: x`);
  const yIn = asInput(y, `${what}: y`, 'targets');
  checkSequentialX(model, xt, what);
  const n = xt.shape[0];
  if (yIn.shape[0] !== n) throw new Error(`${what}: x has ${n} samples but y has ${yIn.shape[0]}`);
  // Concrete output shape for this x: free (null) time axes take x's actual lengths.
  const outShape = model.outputShapeFor([n, ...xt.shape.slice(1)]);
  return { xs: [xt], ys: [conformTargets(model.loss!, yIn, outShape, model.outputShape, `${what}: y`, model.outputHeads()[0]?.name)] };
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v);
}

/**
 * "unknown input 'k' (did you mean 'near'?); the model's inputs are a, b": a {name: tensor} key that names no input
 * (or output) of the model.
 */
export function unknownNameMessage(what: string, kind: 'input' | 'output', key: string, names: readonly string[]): string {
  const near = nearName(key, names);
  return `${what}: unknown ${kind} '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the model's ${kind}${names.length === 1 ? ' is' : 's are'} ${names.join(', ')}`;
}

/**
 * A one-input (or one-output) model's data given as {name: tensor}, as tfjs's LayersModel takes it (a Sequential's
 * inputNames / outputNames): the tensor under that name. Every key must be the name (a misspelt one is an error naming
 * it and the name). An object with neither the name nor a tensor among its values is not read as such a map (a plain
 * object of numbers stays the tensor conversion's error). Anything else comes back as given.
 */
export function oneNamed(v: unknown, name: string, kind: 'input' | 'output', what: string): unknown {
  if (!isPlainRecord(v)) return v;
  const keys = Object.keys(v);
  if (!keys.includes(name) && !keys.some((k) => v[k] instanceof Tensor)) return v;
  for (const k of keys) if (k !== name) throw new Error(unknownNameMessage(what, kind, k, [name]));
  return v[name];
}

/** y's shape after the batch axis fits want: equal (null in want matches any size), or one trailing axis of 1 more or less (Keras's squeeze or expand). */
function targetShapeFits(got: readonly number[], want: SymbolicShape): boolean {
  const same = (a: readonly number[], b: SymbolicShape) => a.length === b.length && b.every((d, i) => d === null || d === a[i]);
  if (same(got, want)) return true;
  if (got.length === want.length + 1 && got[got.length - 1] === 1) return same(got.slice(0, -1), want);
  if (want.length === got.length + 1 && want[want.length - 1] === 1) return same(got, want.slice(0, -1));
  return false;
}

/**
 * The Embeddings each model input feeds directly (Input -> Embedding; a Sequential's first layer), in input order.
 * Only this model's own layers count: an input may also feed layers of other models built on it.
 */
function embeddingsOnInputs(model: TrainableModel): Embedding[][] {
  // A Sequential's first layer (after an InputLayer given as one) is fed; its inputs getter is not read, as it would
  // make the model's graph where none was made (layers built before they were added), applying every layer.
  if ((model as { className?: string }).className === 'Sequential') {
    const first = model.layers[0]?.className === 'InputLayer' ? model.layers[1] : model.layers[0];
    return [first instanceof Embedding ? [first] : []];
  }
  let inputs: unknown;
  try { inputs = (model as { inputs?: unknown }).inputs; } catch { inputs = undefined; }
  if (!Array.isArray(inputs)) return [];
  type Fed = { sourceLayer?: { name: string; outboundNodes: { layer: unknown; inputs: unknown[] }[] } };
  const ownNodes = new Set<unknown>((model as { nodes?: unknown[] }).nodes ?? []);
  return inputs.map((t: Fed) => (t.sourceLayer?.outboundNodes ?? [])
    // The node must be one of this model's calls: another model may apply the same Embedding to the same input.
    .filter((n) => n.layer instanceof Embedding && n.inputs[0] === t && ownNodes.has(n))
    .map((n) => n.layer as Embedding));
}

/**
 * Token ids checked over the whole of x (one tensor per model input) before any batch runs, where a model input
 * feeds an Embedding directly: otherwise a bad id fails only when its batch runs, after the batches before it have
 * trained (or, in validationData, after a whole epoch), and its position would be its row in that batch. The
 * Embedding still checks each batch it gets (ids computed inside the model, fitDataset's batches). what: 'fit: x'.
 */
export function checkInputIds(model: TrainableModel, xs: Tensor[], what: string): void {
  const fed = embeddingsOnInputs(model);
  if (fed.every((e) => e.length === 0)) return;
  fed.forEach((layers, i) => {
    const x = xs[i];
    if (!x) return;
    // Several inputs are Functional's, whose inputs field names them.
    const names = xs.length > 1 ? (model as { inputs?: { sourceLayer?: { name: string } }[] }).inputs : undefined;
    const label = xs.length > 1 ? `${what}['${names?.[i]?.sourceLayer?.name ?? i}']` : what;
    for (const l of layers) l.checkInputIds(x, label);
  });
}

/**
 * y that is fit's (or evaluate's) options object: x alone was given with the options, fit(x, {epochs: 2}), so the
 * options landed in y. Said so, rather than "y: expected numbers, found object". An object keyed by the model's
 * output names ({outputName: y}) is y.
 */
function refuseOptionsAsY(model: TrainableModel, y: unknown, optionNames: readonly string[], what: string): void {
  if (y === null) throw new Error(`${what}: needs y (the targets) after x, found null`);
  if (typeof y !== 'object' || Array.isArray(y) || ArrayBuffer.isView(y) || y instanceof Tensor) return;
  const keys = Object.keys(y);
  const outputs = model.outputHeads().map((h) => h.name);
  if (keys.length === 0 || keys.some((k) => !optionNames.includes(k) || outputs.includes(k) || (y as Record<string, unknown>)[k] instanceof Tensor)) return;
  throw new Error(`${what}: y is missing: the second argument looks like ${what}'s options (${keys.join(', ')}); ` +
    `${what} takes (x, y, options): write ${what}(x, y, {${keys.join(', ')}})`);
}

/**
 * Targets checked against the loss and the output (outShape concrete, declared for messages; output: its name) and
 * reshaped like it. y's shape after the batch axis must be the output's (a sparse loss's: without the class axis),
 * or differ from it by one trailing axis of 1 ([n, T, 1] for [n, T] outputs, [n] for [n, 1]), as Keras and tfjs take it.
 */
export function conformTargets(loss: LossKind, yIn: Tensor, outShape: SymbolicShape, declared: SymbolicShape, what: string, output?: string): Tensor {
  const n = yIn.shape[0];
  const C = outShape[outShape.length - 1] as number;
  const sparse = loss === 'sparseCategoricalCrossentropy';
  const want = sparse ? outShape.slice(1, -1) : outShape.slice(1);
  const got = yIn.shape.slice(1);
  if (!targetShapeFits(got, want)) {
    const name = output ? `output '${output}'` : 'the output';
    const targets = `[${[n, ...want].map((d) => d ?? 'null').join(', ')}]`;
    const withOne = `[${[n, ...want, 1].map((d) => d ?? 'null').join(', ')}]`;
    throw new Error(`${what} has shape ${shapeStr(yIn.shape)}, which does not fit the model's output ${shapeStr(declared)}: ` +
      (sparse ? `sparseCategoricalCrossentropy takes one class id per row of ${name}: y of shape ${targets} or ${withOne}`
        : `expected y for ${name} to have shape ${targets} (or with a trailing axis of 1 added or dropped)`));
  }
  // tfjs refuses it and Keras warns: a softmax over one unit is always 1, so the loss is 0 and nothing trains.
  if (loss === 'categoricalCrossentropy' && C === 1) {
    throw new Error(`${what}: categoricalCrossentropy over an output of one unit ${shapeStr(declared)} is always 0 and trains nothing; ` +
      'use binaryCrossentropy (a sigmoid unit) for two classes, or one unit per class with one-hot targets');
  }
  // what names the call, the data (fit: validationData: y) and, of several, the output.
  checkTargets(loss, yIn, C, what);
  // The output's shape, its free (null) sizes taken from y where y has them.
  const per = want.map((d, i) => d ?? got[i]);
  const yShape = [n, ...per];
  return sparse ? new Tensor(Int32Array.from(yIn.values), yShape, 'int32') : new Tensor(yIn.floatData(), yShape, 'float32');
}

function checkEpochs(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Error(`${what} must be a non-negative integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

/** fit's arguments checked, its data prepared and split, and its callbacks indexed. */
function resolveFit(model: TrainableModel, x: unknown, y: unknown, given: FitArgs) {
  if (!model.loss || !model.optimizer) throw new Error(`${model.name}: call compile() before fit()`);
  const args = readAliases('fit', checkOptionKeys('fit', given, FIT_OPTIONS, { refused: FIT_REFUSED }), FIT_ALIASES) as FitArgs;
  if (args.shuffle !== undefined && typeof args.shuffle !== 'boolean') {
    throw new Error(`fit: shuffle must be true or false, got ${JSON.stringify(args.shuffle)}${args.shuffle === 'batch' as unknown ? " ('batch' shuffling is not implemented, in tfjs either)" : ''}`);
  }
  // tfjs and Keras: epochs 0 (or initialEpoch >= epochs) trains nothing and returns an empty History.
  const epochs = checkEpochs(args.epochs ?? 1, 'fit: epochs');
  const initialEpoch = checkEpochs(args.initialEpoch ?? 0, 'fit: initialEpoch');
  const batchSize = checkBatchSize(args.batchSize ?? 32, 'fit: batchSize');
  const verbose = args.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  // A dataset first: fit(dataset, {epochs}) is Keras's form, not y forgotten.
  refuseDataset(x, 'fit');
  if (x === null) throw new Error('fit: needs x (the inputs), found null');
  refuseOptionsAsY(model, y, FIT_OPTIONS, 'fit');
  let { xs, ys } = model.prepareData(x, y, 'fit');
  // Before the split: a bad id in the rows validationSplit holds out is named by its row in x, too.
  checkInputIds(model, xs, 'fit: x');
  let weights = sampleWeightsOf(args.sampleWeight, xs[0].shape[0], 'fit: sampleWeight', outputNamesOf(model), outputSteps(model, ys));
  let val: { xs: Tensor[]; ys: Tensor[]; weights?: OutputWeights } | null = null;
  if (args.validationData) {
    const v = args.validationData;
    // Keras lets validation_data override validation_split; a split that does nothing is refused here, as
    // validationFreq without validation is.
    if (args.validationSplit !== undefined && args.validationSplit !== 0) {
      throw new Error(`fit: validationSplit ${JSON.stringify(args.validationSplit) ?? String(args.validationSplit)} and validationData are both given; validationData ` +
        'takes precedence (Keras then ignores validation_split), so the split would hold out nothing: give one of them');
    }
    refuseDataset(v, 'fit: validationData');
    if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) throw new Error('fit: validationData must be [x, y] or [x, y, sampleWeight]');
    val = model.prepareData(v[0], v[1], 'fit: validationData');
    checkInputIds(model, val.xs, 'fit: validationData: x');
    val.weights = sampleWeightsOf(v[2] as SampleWeightArg | undefined, val.xs[0].shape[0], 'fit: validationData sampleWeight', outputNamesOf(model), outputSteps(model, val.ys));
  } else if (args.validationSplit !== undefined && args.validationSplit !== 0) {
    // 0 is Keras's and tfjs's default: no validation.
    const s = args.validationSplit;
    if (typeof s !== 'number' || !(s > 0 && s < 1)) throw new Error(`fit: validationSplit must be in [0, 1), got ${String(s)}`);
    // Keras takes the last fraction of the samples, before any shuffling.
    const n = xs[0].shape[0];
    const split = Math.floor(n * (1 - s));
    if (split === 0 || split === n) throw new Error(`fit: validationSplit ${s} leaves no training or no validation samples out of ${n}`);
    val = { xs: rows(xs, null, split, n), ys: rows(ys, null, split, n), weights: weightRows(weights, null, split, n) };
    xs = rows(xs, null, 0, split);
    ys = rows(ys, null, 0, split);
    weights = weightRows(weights, null, 0, split);
  }
  // Keras's validation_freq and validation_batch_size; without validation data they would do nothing, so they are refused.
  const validateAfter = validationSchedule(args.validationFreq, 'fit: validationFreq');
  const valBatchSize = args.validationBatchSize === undefined ? batchSize : checkBatchSize(args.validationBatchSize, 'fit: validationBatchSize');
  if (!val) {
    for (const key of ['validationFreq', 'validationBatchSize'] as const) {
      if (args[key] !== undefined) throw new Error(`fit: ${key} applies to validation, but there is none (give validationData, or validationSplit above 0)`);
    }
  }
  checkValidatesSomeEpoch(args.validationFreq, initialEpoch, epochs, 'fit: validationFreq');
  // Checked before any callback runs (a csvLogger makes its file in onTrainBegin), with the callbacks' message.
  const out = checkWriter(args.out, 'out', 'fit');
  weights = withClassWeights(model, ys, weights, args.classWeight, 'fit: classWeight');
  const list = callbackListOf(args.callbacks, 'fit');
  const buckets = bucketsFor(model, xs, batchSize, args.bucket);
  checkStatefulBatches(model.layers, xs[0].shape[0], batchSize, 'fit');
  if (val) {
    checkStatefulBatches(model.layers, val.xs[0].shape[0], valBatchSize, args.validationData ? 'fit: validationData' : `fit: validationSplit ${args.validationSplit}`,
      args.validationBatchSize === undefined ? 'batchSize' : 'validationBatchSize');
  }
  return { args, epochs, initialEpoch, batchSize, verbose: verbose as 0 | 1 | 2, out, xs, ys, weights, val, validateAfter, valBatchSize, callbacks: new CallbackList(list), buckets };
}

/** The bucketing fit's `bucket` option asks for, checked against the model and x. */
function bucketsFor(model: TrainableModel, xs: Tensor[], batchSize: number, bucket: FitArgs['bucket']): LengthBuckets | null {
  if (bucket === undefined || bucket === false) return null;
  if (bucket !== true && (typeof bucket !== 'object' || bucket === null)) throw new Error(`fit: bucket must be true, false or { poolBatches }, got ${String(bucket)}`);
  if (xs.length !== 1) throw new Error(`fit: bucket needs a single input of token ids, but the model takes ${xs.length} inputs`);
  const blocker = bucketBlocker(model);
  if (blocker) throw new Error(`fit: bucket (batches of similar lengths, each trimmed to its rows' real steps) cannot apply: ${blocker}`);
  return new LengthBuckets(xs[0], batchSize, bucket === true ? {} : bucket, 'fit: bucket');
}

/** One gradient step on a batch: the metric meters updated, then its loss (NaN/Inf reported, not applied). */
function trainStep(model: TrainableModel, xb: Tensor[], yb: Tensor[], weights: OutputWeights, acc: Meters, onNonFinite: () => void): number {
  const { sampleWeight, perOutput } = batchWeights(weights);
  const { outs: pred, loss, backward, masks, terms } = model.batchLoss(xb, yb, { training: true, mask: null, sampleWeight }, perOutput);
  const value = loss.values[0];
  // Metrics first: one that cannot be computed on this output stops fit before any weight moves.
  acc.add(pred, yb, masks, terms);
  if (!Number.isFinite(value)) {
    for (const v of model.trainableWeights) v.grad = null;
    onNonFinite();
  } else {
    backward(loss);
    model.optimizer!.applyGradients(model.trainableWeights);
  }
  return value;
}

export async function fitModel(model: TrainableModel, x: unknown, y: unknown, given: FitArgs): Promise<History> {
  const { args, epochs, initialEpoch, batchSize, verbose, out, xs, ys, weights, val, validateAfter, valBatchSize, callbacks, buckets } = resolveFit(model, x, y, given);
  const history = new History();
  // tfjs sets model.history before onTrainBegin (Keras at each epoch's end): a callback reading it sees this run's.
  model.history = history;
  const n = xs[0].shape[0];
  const steps = Math.ceil(n / batchSize);
  // tfjs's callback params (rl.Callback's setParams gets them): metrics are the log keys, val_ ones with validation.
  const logKeys = metricsNames(model);
  history.params = { epochs, initialEpoch, steps, batchSize, samples: n, verbose, doValidation: val !== null,
    metrics: val ? [...logKeys, ...logKeys.map((k) => `val_${k}`)] : logKeys };
  model.stopTraining = false;
  // Checkpoint callbacks see fit's live state; a restoring one may move initialEpoch (and a mid-epoch position).
  const state: FitState = { model, history, epochs, batchSize, samples: n, initialEpoch, resume: null, progress: null };
  recordCallbackOrder(state, callbacks.callbacks);
  for (const cb of callbacks.callbacks) cb.setFitState?.(state);
  const nonFiniteAt = nonFiniteLossHandler(callbacks.callbacks, history);
  const shuffle = args.shuffle !== false;
  // Batch callbacks may queue work they expect to run before the next batch: by default, yield after every batch for them.
  const pause = new EventLoopYield(yieldInterval(args.yieldEvery, callbacks.listens('onBatchBegin') || callbacks.listens('onBatchEnd')));
  try {
    await callbacks.trainBegin({});
    const start = checkEpochs(state.initialEpoch, 'fit: initialEpoch');
    // stopTraining is read after each batch and each epoch (Keras 2 and 3): set in onTrainBegin, it stops after the
    // first batch. tfjs 4.22 clears it after onTrainBegin and trains every epoch, dropping the request.
    for (let epoch = start; epoch < epochs; epoch++) {
      if (verbose) out.write(`Epoch ${epoch + 1}/${epochs}\n`);
      await callbacks.call('onEpochBegin', epoch, {});
      const resumed = state.resume && state.resume.epoch === epoch ? state.resume : null;
      state.resume = null;
      const order = resumed ? resumed.order : buckets ? buckets.order(shuffle) : shuffle ? globalRandom.permutation(n) : null;
      const bar = new ProgressBar(steps, verbose, out);
      const acc = new Meters(model);
      let lossSum = 0, seen = 0;
      if (resumed) { lossSum = resumed.lossSum; seen = resumed.seen; acc.restore(resumed); }
      const first = resumed ? resumed.batch : 0;
      // The meters' sums are read when a checkpoint takes the progress (captureState copies it), not every batch.
      const progressAt = (batch: number): EpochProgress => ({ epoch, batch, order, lossSum, seen, ...acc.counts, get meters() { return acc.sums; } });
      state.progress = progressAt(first);
      for (let b = first; b < steps; b++) {
        const s = b * batchSize, e = Math.min(n, s + batchSize);
        if (callbacks.listens('onBatchBegin')) await callbacks.call('onBatchBegin', b, { batch: b, size: e - s });
        const window = buckets ? buckets.window(order, s, e) : null;
        // Everything a step allocates is scratch: recycled once the weights are updated. The tensors its ops
        // register (a custom layer's, a custom loss's, backward rules') are disposed with it, as tfjs's per-batch tidy.
        const lv = stepScope(() => trainStep(model, [takeRows(xs[0], order, s, e, window), ...rows(xs.slice(1), order, s, e)], rows(ys, order, s, e), weightRows(weights, order, s, e), acc, nonFiniteAt(epoch, b)));
        lossSum += lv * (e - s);
        seen += e - s;
        state.progress = progressAt(b + 1);
        // Logs are built only for a bar about to draw or a callback listening.
        const wantLogs = callbacks.listens('onBatchEnd');
        if (wantLogs || bar.wants(b + 1)) {
          const logs = acc.into({ loss: lossSum / seen });
          bar.update(b + 1, logs);
          if (wantLogs) await callbacks.call('onBatchEnd', b, { ...logs, batch: b, size: e - s });
        }
        // Let timers, servers, signals and progress output run now and then.
        const due = pause.due();
        if (due) await due;
        if (model.stopTraining) break;
      }
      const logs = acc.into({ loss: lossSum / Math.max(seen, 1) });
      // Keras's validation_freq: an epoch it skips logs no val_ values (its History lists hold only the epochs validated).
      if (val && !state.cancelled && validateAfter(epoch)) {
        const [vl, ...vm] = await evaluatePrepared(model, val.xs, val.ys, valBatchSize, undefined, val.weights);
        logs.val_loss = vl;
        acc.keys.forEach((name, i) => { logs[`val_${name}`] = vm[i]; });
      }
      bar.finish(logs);
      history.record(epoch, logs);
      await callbacks.call('onEpochEnd', epoch, logs);
      history.settle(logs);
      await callbacks.epochSettled(epoch, logs);
      await yieldAfterEpoch(args.yieldEvery);
      state.progress = null;
      if (model.stopTraining) break;
    }
    await callbacks.call('onTrainEnd', {});
  } finally {
    for (const cb of callbacks.callbacks) cb.onFitExit?.();
  }
  return history;
}

/** The evaluation loop as steps: fit's validation yields to the event loop between them, evaluateSync does not. */
function* evaluationSteps(model: TrainableModel, xs: Tensor[], ys: Tensor[], batchSize: number, bar?: ProgressBar, weights: OutputWeights = [],
  acc = new Meters(model)): Generator<void, number[]> {
  const n = xs[0].shape[0];
  let lossSum = 0;
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    lossSum += stepScope(() => {
      const yb = rows(ys, null, s, e);
      const { sampleWeight, perOutput } = batchWeights(weightRows(weights, null, s, e));
      const { outs, loss, masks, terms } = model.batchLoss(rows(xs, null, s, e), yb, { training: false, mask: null, sampleWeight }, perOutput);
      acc.add(outs, yb, masks, terms);
      return (loss.values as FArray)[0] * (e - s);
    });
    const step = Math.ceil(e / batchSize);
    if (bar?.wants(step)) bar.update(step, acc.into({ loss: lossSum / e }));
    yield;
  }
  bar?.finish(acc.into({ loss: lossSum / n }));
  return [lossSum / n, ...acc.values()];
}

/** Runs steps to the end, letting timers, servers and progress output run between them. */
async function yieldingRun<T>(steps: Generator<void, T>): Promise<T> {
  const pause = new EventLoopYield();
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    const due = pause.due();
    if (due) await due;
  }
}

async function evaluatePrepared(model: TrainableModel, xs: Tensor[], ys: Tensor[], batchSize: number, bar?: ProgressBar, weights?: OutputWeights): Promise<number[]> {
  return yieldingRun(evaluationSteps(model, xs, ys, batchSize, bar, weights));
}

function evaluation(model: TrainableModel, x: unknown, y: unknown, args: EvaluateArgs): Generator<void, number[]> {
  if (!model.loss) throw new Error(`${model.name}: call compile() before evaluate()`);
  const batchSize = checkBatchSize(args.batchSize ?? 32, 'evaluate: batchSize');
  const verbose = args.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1) throw new Error(`evaluate: verbose must be 0 or 1, got ${String(verbose)}`);
  const out = checkWriter(args.out, 'out', 'evaluate');
  // A dataset first: evaluate(dataset) is Keras's form, not y forgotten.
  refuseDataset(x, 'evaluate');
  if (x === null) throw new Error('evaluate: needs x (the inputs), found null');
  refuseOptionsAsY(model, y, EVALUATE_OPTIONS, 'evaluate');
  const { xs, ys } = model.prepareData(x, y, 'evaluate');
  checkInputIds(model, xs, 'evaluate: x');
  const bar = verbose ? new ProgressBar(Math.ceil(xs[0].shape[0] / batchSize), 1, out) : undefined;
  const weights = sampleWeightsOf(args.sampleWeight, xs[0].shape[0], 'evaluate: sampleWeight', outputNamesOf(model), outputSteps(model, ys));
  checkStatefulBatches(model.layers, xs[0].shape[0], batchSize, 'evaluate');
  return evaluationSteps(model, xs, ys, batchSize, bar, weights);
}

/** [loss, ...metrics] over all samples, as Keras's evaluate; yields to the event loop between batches. */
export async function evaluateModel(model: TrainableModel, x: unknown, y: unknown, args: EvaluateArgs): Promise<number[]> {
  return yieldingRun(evaluation(model, x, y, args));
}

/** The same in one synchronous run: tfjs's model.evaluate returns its Scalars at once. */
export function evaluateModelSync(model: TrainableModel, x: unknown, y: unknown, args: EvaluateArgs): number[] {
  const steps = evaluation(model, x, y, args);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * trainOnBatch's and testOnBatch's result: the loss alone without metrics, else [loss, ...metrics]; with Keras's
 * return_dict, {loss, <metric>: value, ...} keyed as evaluate's returnDict (metricsNames). Each value as a Scalar
 * holds it in either form (tfjs's trainOnBatch reads float32 scalars back), so the forms and evaluate agree.
 */
function batchResult(model: TrainableModel, values: number[], returnDict: boolean | undefined): number | number[] | Record<string, number> {
  const held = values.map(asScalarHolds);
  if (returnDict) return Object.fromEntries(metricsNames(model).map((k, i) => [k, held[i]]));
  return held.length > 1 ? held : held[0];
}

/**
 * Keras's positional return_dict, the last argument train_on_batch and test_on_batch take; one given after it would
 * be dropped, so it is refused by its place. params: the method's parameter names.
 */
export function checkBatchCallArgs(where: string, params: readonly string[], returnDict: unknown, extra: number): void {
  if (extra > 0) {
    throw new Error(`${where}: argument ${params.length + 1} is not taken; the arguments are (${params.join(', ')}), as Keras's ` +
      `(${params.map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(', ')})`);
  }
  if (returnDict !== undefined && typeof returnDict !== 'boolean') {
    throw new Error(`${where}: returnDict (argument ${params.length}) must be true or false, got ${typeof returnDict === 'object' ? JSON.stringify(returnDict) ?? String(returnDict) : String(returnDict)}`);
  }
}

/** Keras's keyword arguments of train_on_batch and test_on_batch, by the positional argument each is here. */
const BATCH_KEYWORDS: Readonly<Record<string, string>> = {
  sample_weight: 'sampleWeight', sampleWeight: 'sampleWeight', class_weight: 'classWeight', classWeight: 'classWeight',
  return_dict: 'returnDict', returnDict: 'returnDict',
};

/**
 * trainOnBatch(x, y, {class_weight}): Keras's keywords gathered in an object land in sampleWeight, whose per-output
 * form then said "sampleWeight names output 'class_weight'". Say where each goes instead (an output so named stays
 * a per-output weight).
 */
function refuseKeywordObject(model: TrainableModel, what: string, sampleWeight: unknown, order: readonly string[]): void {
  if (typeof sampleWeight !== 'object' || sampleWeight === null || Object.getPrototypeOf(sampleWeight) !== Object.prototype) return;
  const outputs = model.outputHeads().map((h) => h.name);
  const key = Object.keys(sampleWeight).find((k) => Object.hasOwn(BATCH_KEYWORDS, k) && !outputs.includes(k));
  if (key === undefined) return;
  const arg = BATCH_KEYWORDS[key];
  const head = `${what}: the third argument is sampleWeight, got an object with '${key}': ${what} takes Keras's keywords positionally, (${order.join(', ')})`;
  const at = order.indexOf(arg);
  if (at < 0) throw new Error(`${head}; it takes no ${arg} (Keras's ${what === 'testOnBatch' ? 'test_on_batch' : 'train_on_batch'} neither: weigh samples with sampleWeight)`);
  const call = order.slice(0, at + 1).map((n, i) => (i < 2 ? n : i < at ? 'null' : n === 'returnDict' ? 'true' : n));
  throw new Error(`${head}; write ${what}(${call.join(', ')})`);
}

/**
 * One gradient step on one batch (Keras's train_on_batch, tfjs's trainOnBatch): the loss alone without metrics,
 * else [loss, ...metrics], measured on this batch before the update (returnDict: Keras's dict). sampleWeight and
 * classWeight are Keras's (tfjs takes neither): one weight per sample, and {classId: weight}, multiplied as in fit.
 */
export function trainOnBatchModel(model: TrainableModel, x: unknown, y: unknown, sampleWeight?: SampleWeightArg | null, classWeight?: ClassWeightArg | null,
  returnDict?: boolean): number | number[] | Record<string, number> {
  refuseKeywordObject(model, 'trainOnBatch', sampleWeight, ['x', 'y', 'sampleWeight', 'classWeight', 'returnDict']);
  let acc: Meters | null = null;
  const lv = trainBatchInto(model, x, y, sampleWeight, classWeight, () => (acc = metersForBatch(model)));
  return batchResult(model, [lv, ...acc!.values()], returnDict);
}

/**
 * trainOnBatch's step: x and y as one batch, its metrics added to the meters meters() gives (asked for only once
 * onNonFinite let a non-finite loss through); returns the batch loss. A non-finite loss updates no weight.
 */
function trainBatchInto(model: TrainableModel, x: unknown, y: unknown, sampleWeight: SampleWeightArg | undefined | null, classWeight: ClassWeightArg | undefined | null, meters: () => Meters,
  what = 'trainOnBatch', onNonFinite: () => void = () => { throw new Error(`${what}: the loss is not finite (NaN or Inf); the weights were not updated`); }): number {
  if (!model.loss || !model.optimizer) throw new Error(`${model.name}: call compile() before ${what}()`);
  const { xs, ys } = model.prepareData(x, y, what);
  // fitDataset's batches are checked by the Embedding as they run (the dataset has no whole x to name a row of).
  if (what === 'trainOnBatch') checkInputIds(model, xs, 'trainOnBatch: x');
  // trainOnBatch takes x as one batch; fitDataset's batches are the dataset's.
  checkStatefulBatches(model.layers, xs[0].shape[0], xs[0].shape[0], what, what === 'trainOnBatch' ? 'oneBatch' : 'dataset');
  const weights = withClassWeights(model, ys, sampleWeightsOf(sampleWeight, xs[0].shape[0], `${what}: sampleWeight`, outputNamesOf(model), outputSteps(model, ys)), classWeight, `${what}: classWeight`);
  return stepScope(() => {
    const { sampleWeight: shared, perOutput } = batchWeights(weights);
    const { outs, loss, backward, masks, terms } = model.batchLoss(xs, ys, { training: true, mask: null, sampleWeight: shared }, perOutput);
    const lv = loss.values[0];
    if (!Number.isFinite(lv)) {
      for (const v of model.trainableWeights) v.grad = null;
      onNonFinite();
      meters().add(outs, ys, masks, terms);
      return lv;
    }
    meters().add(outs, ys, masks, terms);
    backward(loss);
    model.optimizer!.applyGradients(model.trainableWeights);
    return lv;
  });
}

/**
 * A pass over a streamed dataset (fitDataset's epoch, evaluateDataset): trainOnBatch's step or evaluate on each
 * batch, the loss averaged over the samples and the metrics accumulated over the pass as fit's and evaluate's (the
 * pass's precision, recall, AUC and r2Score, not a mean of per-batch values, which differs from them).
 */
export class StreamedPass {
  private acc: Meters | null = null;
  private lossSum = 0;
  private seen = 0;
  constructor(private readonly model: TrainableModel) {}

  private meters(): Meters { return (this.acc ??= new Meters(this.model)); }

  /**
   * One batch of n samples: a gradient step, its loss and metrics added to the pass's. A non-finite loss updates
   * nothing and calls onNonFinite (nonFiniteLossHandler's: it throws unless a callback handles it).
   */
  train(x: unknown, y: unknown, sampleWeight: SampleWeightArg | undefined, n: number, classWeight: ClassWeightArg | undefined, onNonFinite: () => void): void {
    this.lossSum += trainBatchInto(this.model, x, y, sampleWeight, classWeight, () => this.meters(), 'fitDataset', onNonFinite) * n;
    this.seen += n;
  }

  /**
   * One batch evaluated (evaluate's checks and weights), its loss and metrics added to the pass's. what prefixes a
   * stateful layer's batch-size error ('' where the caller adds its own).
   */
  evaluate(x: unknown, y: unknown, sampleWeight: SampleWeightArg | undefined, what = 'evaluateDataset'): void {
    const model = this.model;
    if (!model.loss) throw new Error(`${model.name}: call compile() before evaluate()`);
    const { xs, ys } = model.prepareData(x, y, 'evaluate');
    const n = xs[0].shape[0];
    checkStatefulBatches(model.layers, n, n, what, 'dataset');
    const weights = sampleWeightsOf(sampleWeight, n, 'evaluate: sampleWeight', outputNamesOf(model), outputSteps(model, ys));
    const steps = evaluationSteps(model, xs, ys, n, undefined, weights, this.meters());
    let r = steps.next();
    while (!r.done) r = steps.next();
    this.lossSum += r.value[0] * n;
    this.seen += n;
  }

  /** The pass so far in metricsNames' order: the mean loss, each output's loss (several outputs), the metrics. */
  values(): number[] { return [this.seen ? this.lossSum / this.seen : 0, ...(this.acc?.values() ?? [])]; }
}

/**
 * Keras's test_on_batch (tfjs has none): the loss alone without metrics, else [loss, ...metrics] (returnDict:
 * Keras's dict), on x and y as one batch, in inference mode and without touching the weights; sampleWeight as evaluate's.
 */
export function testOnBatchModel(model: TrainableModel, x: unknown, y: unknown, sampleWeight?: SampleWeightArg | null, returnDict?: boolean): number | number[] | Record<string, number> {
  refuseKeywordObject(model, 'testOnBatch', sampleWeight, ['x', 'y', 'sampleWeight', 'returnDict']);
  if (!model.loss) throw new Error(`${model.name}: call compile() before testOnBatch()`);
  const { xs, ys } = model.prepareData(x, y, 'testOnBatch');
  checkInputIds(model, xs, 'testOnBatch: x');
  const n = xs[0].shape[0];
  checkStatefulBatches(model.layers, n, n, 'testOnBatch', 'oneBatch');
  const weights = sampleWeightsOf(sampleWeight, n, 'testOnBatch: sampleWeight', outputNamesOf(model), outputSteps(model, ys));
  const steps = evaluationSteps(model, xs, ys, Math.max(n, 1), undefined, weights);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return batchResult(model, r.value, returnDict);
}
