/** The per-epoch accumulation fit/evaluate/trainOnBatch run for a model's compiled metrics. */
import type { LossKind } from '../autograd/loss_ops.js';
import { allocPersistent, kernels, type FArray } from '../backend/index.js';
import { sigmoid } from '../backend/reference/pointwise.js';
import type { Tensor } from '../tensor.js';
import { binaryHit, countArgmax, countBinary } from './accuracy.js';
import { AUC, Precision, Recall, type Meter } from './confusion.js';
import { metricKind, type AccuracyKind, type MetricFunction, type MetricKind, type ValueKind } from './registry.js';
import { valueMetrics } from './regression.js';
import { Tensor as TensorClass } from '../tensor.js';

interface MetricModel {
  loss: LossKind | null; metrics: string[]; functions?: Record<string, MetricFunction>;
  /** The model's and the output's names, for errors. */
  where?: string; output?: string;
}

type Values = FArray | Int32Array;

/**
 * The weight of element i of a flat array of n values laid out [B, T, ...] under a padding mask [B, T]: the mask
 * of its (sample, step). n must be a multiple of the mask's length.
 */
function maskOf(mask: Uint8Array, n: number): (i: number) => number {
  const per = n / mask.length;
  return (i) => mask[Math.floor(i / per)];
}

/** Counts for one accuracy metric; resolves 'accuracy' from the loss as tfjs does (Keras 3 decides by shape: registry.ts). */
class AccuracyCounter {
  correct = 0;
  total = 0;
  constructor(private kind: AccuracyKind, private loss: LossKind) {}
  /** probabilities: the outputs with the activation the loss folded in applied (null when nothing was folded). */
  add(out: Tensor, y: Tensor, probabilities: (() => Values) | null, mask: Uint8Array | null): void {
    const C = out.shape[out.rank - 1];
    let kind = this.kind;
    if (kind === 'accuracy') {
      kind = this.loss === 'binaryCrossentropy' || C === 1 ? 'binaryAccuracy'
        : this.loss === 'sparseCategoricalCrossentropy' ? 'sparseCategoricalAccuracy' : 'categoricalAccuracy';
    }
    // Binary accuracy thresholds predict's probabilities (a logit of 1e-8 is p = 0.5 in float32, not above it, as in
    // tfjs; in float64 it is above). An argmax reads the logits themselves: a softmax keeps each row's order.
    if (probabilities && kind === 'binaryAccuracy') out = new TensorClass(probabilities(), out.shape, 'float32');
    if (mask) return this.addMasked(kind, out, y, mask);
    const c = kind === 'binaryAccuracy' ? countBinary(out.values, y.values, 0.5) : countArgmax(out.values, y.values, C, kind === 'sparseCategoricalAccuracy');
    this.correct += c.correct;
    this.total += c.total;
  }
  /** Keras's MeanMetricWrapper under a mask: hits weighted by their step's mask (a mean over the real steps). */
  private addMasked(kind: AccuracyKind, out: Tensor, y: Tensor, mask: Uint8Array): void {
    const C = out.shape[out.rank - 1];
    if (kind === 'binaryAccuracy') {
      const w = maskOf(mask, out.size);
      for (let i = 0; i < out.size; i++) {
        if (!w(i)) continue;
        this.total++;
        if (binaryHit(out.values[i], y.values[i], 0.5)) this.correct++;
      }
      return;
    }
    const rows = out.size / C, w = maskOf(mask, rows), sparse = kind === 'sparseCategoricalAccuracy';
    for (let r = 0; r < rows; r++) {
      if (!w(r)) continue;
      const c = countArgmax(out.values.subarray(r * C, (r + 1) * C), sparse ? y.values.subarray(r, r + 1) : y.values.subarray(r * C, (r + 1) * C), C, sparse);
      this.correct += c.correct;
      this.total++;
    }
  }
  value(): number { return this.total ? this.correct / this.total : 0; }
  reset(): void { this.correct = this.total = 0; }
  sums(): number[] { return [this.correct, this.total]; }
  setSums(s: readonly number[]): void { [this.correct, this.total] = s; }
}

/**
 * The activation a loss folded in, as predict applies it: in the precision in force (float64 under
 * rl.setPrecision(64)), the kernels' one sigmoid rule (exactly 0 below SIGMOID_ZERO_BELOW, as predict gives), and
 * the softmax kernel of the backend in force itself, since the backends differ by design (the native exp's floor
 * makes [-100, 0] 1.18e-38 there, the reference's exact exp 3.8e-44).
 */
function foldedProbabilities(out: Tensor, loss: LossKind | null): FArray {
  const p = allocPersistent(out.size), d = out.values;
  if (loss === 'binaryCrossentropy') {
    for (let i = 0; i < d.length; i++) p[i] = sigmoid(d[i]);
  } else if (out.size > 0) {
    const cols = out.shape[out.rank - 1];
    kernels().softmax(out.size / cols, cols, out.floatData(), p);
  }
  return p;
}

/**
 * Metric functions that read only each row's argmax, which the folded softmax keeps (the built-in accuracies read the
 * logits so): they get the outputs as they are, with no softmax of every value first, which over a wide output (a
 * seq2seq decoder's vocabulary at every step) costs more than the metric itself.
 */
const argmaxReaders = new WeakSet<MetricFunction>();

/** Marks fn as reading only the argmax of each row of its outputs (see argmaxReaders); returns it. */
export function readsArgmaxOnly<F extends MetricFunction>(fn: F): F {
  argmaxReaders.add(fn);
  return fn;
}

/** Class ids [.., 1] (or [..]) as one-hot rows C wide: tfjs's sparseCategoricalCrossentropy metric. */
function oneHot(y: Tensor, C: number, shape: number[]): Tensor {
  const out = new Float32Array(y.size * C);
  for (let i = 0; i < y.size; i++) out[i * C + y.values[i]] = 1;
  return new TensorClass(out, shape, 'float32');
}

/**
 * The running mean of a metric's values (Keras's MeanMetricWrapper: every value counts once), or under a padding
 * mask [B, T] the mean over the real steps (the mask is Keras's sample weight). A value per batch (a scalar) may
 * instead count once per sample (tfjs's r2Score: batch metrics are averaged weighted by batch size).
 */
class MeanMeter {
  private sum = 0;
  private count = 0;
  constructor(private readonly name: string, private readonly fn: (y: Tensor, p: Tensor) => Tensor, private readonly scalarPerSample = false) {}
  add(y: Tensor, probs: Tensor, mask: Uint8Array | null): void {
    const v = this.fn(y, probs);
    if (!(v instanceof TensorClass)) throw new Error(`metric '${this.name}' must return a Tensor, got ${v === null ? 'null' : typeof v}`);
    if (this.scalarPerSample) {
      const n = probs.shape[0];
      for (let i = 0; i < v.size; i++) this.sum += v.values[i] * n;
      this.count += n * v.size;
      return;
    }
    if (mask) {
      const [B, T] = probs.shape;
      if (v.rank < 2 || v.shape[0] !== B || v.shape[1] !== T) {
        throw new Error(`metric '${this.name}' returned shape [${v.shape.join(', ')}], but the output [${probs.shape.join(', ')}] carries a padding mask, which weighs each sample and step: return one value per sample and step ([${B}, ${T}, ...]), as Keras requires`);
      }
      const w = maskOf(mask, v.size);
      for (let i = 0; i < v.size; i++) if (w(i)) { this.sum += v.values[i]; this.count++; }
      return;
    }
    for (let i = 0; i < v.size; i++) this.sum += v.values[i];
    this.count += v.size;
  }
  value(): number { return this.count ? this.sum / this.count : 0; }
  reset(): void { this.sum = this.count = 0; }
  sums(): number[] { return [this.sum, this.count]; }
  setSums(s: readonly number[]): void { [this.sum, this.count] = s; }
}

/** The function of a loss-style metric; 'crossentropy' resolved from the loss and output width as tfjs. */
function valueFunction(kind: ValueKind, loss: LossKind): (y: Tensor, p: Tensor) => Tensor {
  let k = kind;
  return (y, p) => {
    const C = p.shape[p.rank - 1];
    if (kind === 'crossentropy') {
      k = C === 1 || loss === 'binaryCrossentropy' ? 'binaryCrossentropy' : loss === 'sparseCategoricalCrossentropy' ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy';
    }
    if (k === 'sparseCategoricalCrossentropy') return valueMetrics.categoricalCrossentropy(oneHot(y, C, p.shape), p);
    return valueMetrics[k as Exclude<ValueKind, 'crossentropy' | 'sparseCategoricalCrossentropy'>](y, p);
  };
}

const VALUE_KINDS: readonly MetricKind[] = ['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'binaryCrossentropy',
  'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'cosineProximity', 'crossentropy'];

/**
 * Why a compiled metric cannot be computed on an output trained with this loss, or null when it can. The loss fixes
 * the targets' form (class ids for sparseCategoricalCrossentropy, else shaped like the output: prepareData reshapes
 * them so), and the output's width (its last axis; null while unknown) decides whether an argmax or a softmax over
 * it means anything. Keras and tfjs check neither and fail (or log nonsense) at the first batch.
 */
export function metricMismatch(name: string, loss: LossKind, width: number | null, functions?: Record<string, MetricFunction>): string | null {
  if (functions?.[name]) return null;
  return targetMismatch(name, loss) ?? widthMismatch(name, width);
}

/** metricMismatch's part the loss alone decides: the targets' form (class ids or shaped like the output). */
function targetMismatch(name: string, loss: LossKind): string | null {
  const kind = metricKind(name, 'metrics');
  const sparse = loss === 'sparseCategoricalCrossentropy';
  if (sparse && kind !== 'accuracy' && kind !== 'sparseCategoricalAccuracy' && kind !== 'sparseCategoricalCrossentropy' && kind !== 'crossentropy') {
    const instead = ACCURACY_KINDS.includes(kind) ? "'accuracy' or 'sparseCategoricalAccuracy'" : "'sparseCategoricalCrossentropy' or 'crossentropy'";
    return `'${name}' needs targets shaped like the output, but the sparseCategoricalCrossentropy loss takes class ids (use ${instead})`;
  }
  if (!sparse && (kind === 'sparseCategoricalAccuracy' || kind === 'sparseCategoricalCrossentropy')) {
    const instead = kind === 'sparseCategoricalAccuracy' ? "'accuracy' or 'categoricalAccuracy'" : "'crossentropy' or 'categoricalCrossentropy'";
    return `'${name}' needs class-id targets, which only the sparseCategoricalCrossentropy loss takes; this loss takes targets shaped like the output (use ${instead})`;
  }
  return null;
}

/** metricMismatch's part the output's width decides (null: unknown yet). */
function widthMismatch(name: string, width: number | null): string | null {
  const kind = metricKind(name, 'metrics');
  if (width === 1 && (kind === 'categoricalAccuracy' || kind === 'categoricalCrossentropy')) {
    return `'${name}' compares classes across the output's last axis, which has one unit: it would always be ${kind === 'categoricalAccuracy' ? 1 : 0} ` +
      (kind === 'categoricalAccuracy' ? "(use 'binaryAccuracy' or 'accuracy')" : "(use 'binaryCrossentropy' or 'crossentropy')");
  }
  return null;
}

const ACCURACY_KINDS: readonly MetricKind[] = ['accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'precision', 'recall', 'auc'];

/** The error for a metric that does not fit its output: names the caller, the metric and the output. */
export function metricMismatchError(where: string, name: string, output: string, shape: string, problem: string): Error {
  return new Error(`${where}: metric '${name}' does not fit output '${output}'${shape ? ` ${shape}` : ''}: ${problem}`);
}

/** All of a model's metrics for one epoch (or one evaluate): add each batch, then read logs(). */
export class MetricMeters {
  /** logits: a mean metric that reads the outputs as they are, never the folded probabilities (readsArgmaxOnly). */
  private readonly entries: { name: string; acc?: AccuracyCounter; meter?: Meter; mean?: MeanMeter; logits?: boolean }[];
  /** The output's width is checked against the metrics at the first batch (compile could not when it was unknown). */
  private widthChecked = false;

  constructor(private readonly model: MetricModel) {
    this.entries = model.metrics.map((name) => {
      const fn = model.functions?.[name];
      if (fn) return { name, mean: new MeanMeter(name, fn), logits: argmaxReaders.has(fn) };
      const problem = targetMismatch(name, model.loss!);
      if (problem) throw metricMismatchError(model.where ?? 'metrics', name, model.output ?? 'output', '', problem);
      const kind = metricKind(name, 'metrics');
      if (kind === 'precision' || kind === 'recall' || kind === 'auc') {
        return { name, meter: kind === 'precision' ? new Precision() : kind === 'recall' ? new Recall() : new AUC() };
      }
      if (kind === 'r2Score' || VALUE_KINDS.includes(kind)) {
        return kind === 'r2Score' ? { name, mean: new MeanMeter(name, valueMetrics.r2Score, true) } : { name, mean: new MeanMeter(name, valueFunction(kind as ValueKind, model.loss!)) };
      }
      return { name, acc: new AccuracyCounter(kind as AccuracyKind, model.loss!) };
    });
    this.loss = model.loss;
  }
  private loss: LossKind | null;

  /** The constructor checked what the loss decides; the width is known only now. */
  private checkWidth(out: Tensor): void {
    for (const e of this.entries) {
      const problem = this.model.functions?.[e.name] ? null : widthMismatch(e.name, out.shape[out.rank - 1]);
      if (problem) throw metricMismatchError(this.model.where ?? 'metrics', e.name, this.model.output ?? 'output', `(batch shape [${out.shape.join(', ')}])`, problem);
    }
    // Only once it passed: meters kept across calls (trainOnBatch's) check again after a refused batch.
    this.widthChecked = true;
  }

  /**
   * One batch's outputs and targets. mask: the output's padding mask [B, T] when the loss is masked (Keras):
   * accuracy and mean metrics then count the real steps only; precision, recall, AUC and r2Score ignore it (Keras's
   * confusion metrics and R2Score do not read the mask).
   */
  add(out: Tensor, y: Tensor, fromLogits: boolean, mask: Uint8Array | null = null): void {
    if (!this.widthChecked) this.checkWidth(out);
    // Threshold metrics, binary accuracy and user functions read probabilities: the activation the loss folded in,
    // applied once per batch.
    let folded: Values | null = null;
    const probabilities = fromLogits ? () => (folded ??= foldedProbabilities(out, this.loss)) : null;
    for (const e of this.entries) {
      if (e.acc) { e.acc.add(out, y, probabilities, mask); continue; }
      const probs = probabilities && !e.logits ? probabilities() : out.values;
      if (e.mean) e.mean.add(y, new TensorClass(probs, out.shape, 'float32'), mask);
      else e.meter!.add(probs, y.values);
    }
  }

  values(): number[] { return this.entries.map((e) => (e.acc ?? e.meter ?? e.mean!).value()); }

  /** Every metric back to no batches seen (a new epoch or call); the metrics stay checked. */
  reset(): void { for (const e of this.entries) (e.acc ?? e.meter ?? e.mean!).reset(); }

  logs(prefix = ''): Record<string, number> {
    const v = this.values();
    return Object.fromEntries(this.entries.map((e, i) => [`${prefix}${e.name}`, v[i]]));
  }

  /** Every metric's running sums, in compile order: what a mid-epoch checkpoint keeps to continue the epoch's values. */
  sums(): number[][] { return this.entries.map((e) => (e.acc ?? e.meter ?? e.mean!).sums()); }
  /** Back to sums() taken from meters of the same metrics; other lengths (another compile) are an error naming the metric. */
  setSums(s: readonly (readonly number[])[]): void {
    if (s.length !== this.entries.length) throw new Error(`the saved metric sums are for ${s.length} metric(s), the model compiles ${this.entries.length} (${this.entries.map((e) => e.name).join(', ')})`);
    this.entries.forEach((e, i) => {
      const m = e.acc ?? e.meter ?? e.mean!;
      if (s[i].length !== m.sums().length) throw new Error(`the saved sums of metric '${e.name}' hold ${s[i].length} numbers, not ${m.sums().length}: it was another metric`);
      m.setSums(s[i]);
    });
  }

  /** The first accuracy metric's counts: what checkpoints before the full sums saved (other metrics restart on resume). */
  get correct(): number { return this.firstAccuracy()?.correct ?? 0; }
  set correct(v: number) { const a = this.firstAccuracy(); if (a) a.correct = v; }
  get total(): number { return this.firstAccuracy()?.total ?? 0; }
  set total(v: number) { const a = this.firstAccuracy(); if (a) a.total = v; }
  private firstAccuracy(): AccuracyCounter | undefined { return this.entries.find((e) => e.acc)?.acc; }
}
