/** The per-epoch accumulation fit/evaluate/trainOnBatch run for a model's compiled metrics. */
import type { LossKind } from '../autograd/loss_ops.js';
import type { FArray } from '../backend/index.js';
import type { Tensor } from '../tensor.js';
import { countArgmax, countBinary } from './accuracy.js';
import { AUC, Precision, Recall, type Meter } from './confusion.js';
import { metricKind, type MetricFunction, type MetricKind } from './registry.js';
import { Tensor as TensorClass } from '../tensor.js';

interface MetricModel { loss: LossKind | null; metrics: string[]; functions?: Record<string, MetricFunction> }

/** Counts for one accuracy metric; resolves 'accuracy' from the loss as Keras does. */
class AccuracyCounter {
  correct = 0;
  total = 0;
  constructor(private kind: MetricKind, private loss: LossKind) {}
  add(out: Tensor, y: Tensor, fromLogits: boolean): void {
    const C = out.shape[out.rank - 1];
    let kind = this.kind;
    if (kind === 'accuracy') {
      kind = this.loss === 'binaryCrossentropy' || C === 1 ? 'binaryAccuracy'
        : this.loss === 'sparseCategoricalCrossentropy' ? 'sparseCategoricalAccuracy' : 'categoricalAccuracy';
    }
    const c = kind === 'binaryAccuracy' ? countBinary(out.values, y.values, fromLogits ? 0 : 0.5) : countArgmax(out.values, y.values, C, kind === 'sparseCategoricalAccuracy');
    this.correct += c.correct;
    this.total += c.total;
  }
  value(): number { return this.total ? this.correct / this.total : 0; }
}

function sigmoidOf(d: FArray | Int32Array): Float64Array { return Float64Array.from(d, (v) => 1 / (1 + Math.exp(-v))); }

function softmaxRows(d: FArray | Int32Array, cols: number): Float64Array {
  const out = new Float64Array(d.length);
  for (let r = 0; r < d.length; r += cols) {
    let mx = -Infinity, sum = 0;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, d[r + c]);
    for (let c = 0; c < cols; c++) sum += out[r + c] = Math.exp(d[r + c] - mx);
    for (let c = 0; c < cols; c++) out[r + c] /= sum;
  }
  return out;
}

/** A user metric function's running mean over every value it returned. */
class FunctionMeter {
  private sum = 0;
  private count = 0;
  constructor(private readonly name: string, private readonly fn: MetricFunction) {}
  add(y: Tensor, probs: Tensor): void {
    const v = this.fn(y, probs);
    if (!(v instanceof TensorClass)) throw new Error(`metric '${this.name}' must return a Tensor, got ${v === null ? 'null' : typeof v}`);
    for (let i = 0; i < v.size; i++) this.sum += v.values[i];
    this.count += v.size;
  }
  value(): number { return this.count ? this.sum / this.count : 0; }
}

/** All of a model's metrics for one epoch (or one evaluate): add each batch, then read logs(). */
export class MetricMeters {
  private readonly entries: { name: string; acc?: AccuracyCounter; meter?: Meter; fn?: FunctionMeter }[];

  constructor(model: MetricModel) {
    this.entries = model.metrics.map((name) => {
      const fn = model.functions?.[name];
      if (fn) return { name, fn: new FunctionMeter(name, fn) };
      const kind = metricKind(name, 'metrics');
      if (kind === 'precision' || kind === 'recall' || kind === 'auc') {
        if (model.loss === 'sparseCategoricalCrossentropy') throw new Error(`metrics: '${name}' needs targets shaped like the output; sparseCategoricalCrossentropy gives class ids`);
        return { name, meter: kind === 'precision' ? new Precision() : kind === 'recall' ? new Recall() : new AUC() };
      }
      return { name, acc: new AccuracyCounter(kind, model.loss!) };
    });
    this.loss = model.loss;
  }
  private loss: LossKind | null;

  add(out: Tensor, y: Tensor, fromLogits: boolean): void {
    let probs: FArray | Int32Array | null = null;
    for (const e of this.entries) {
      if (e.acc) { e.acc.add(out, y, fromLogits); continue; }
      // Threshold metrics and user functions read probabilities: undo the activation the loss folded in.
      probs ??= !fromLogits ? out.values : this.loss === 'binaryCrossentropy' ? sigmoidOf(out.values) : softmaxRows(out.values, out.shape[out.rank - 1]);
      if (e.fn) e.fn.add(y, new TensorClass(probs, out.shape, 'float32'));
      else e.meter!.add(probs, y.values);
    }
  }

  values(): number[] { return this.entries.map((e) => (e.acc ?? e.meter ?? e.fn!).value()); }

  logs(prefix = ''): Record<string, number> {
    const v = this.values();
    return Object.fromEntries(this.entries.map((e, i) => [`${prefix}${e.name}`, v[i]]));
  }

  /** The first accuracy metric's counts: what a mid-epoch checkpoint saves (other metrics restart on resume). */
  get correct(): number { return this.firstAccuracy()?.correct ?? 0; }
  set correct(v: number) { const a = this.firstAccuracy(); if (a) a.correct = v; }
  get total(): number { return this.firstAccuracy()?.total ?? 0; }
  set total(v: number) { const a = this.firstAccuracy(); if (a) a.total = v; }
  private firstAccuracy(): AccuracyCounter | undefined { return this.entries.find((e) => e.acc)?.acc; }
}
