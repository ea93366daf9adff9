/** model.fitDataset and model.evaluateDataset (tfjs semantics), training batch by batch from a streamed Dataset. */
import { History, fire, type Callback } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import type { TrainableModel } from '../models/trainable.js';
import { evaluateModel, metricsNames } from '../models/training.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { Dataset } from './dataset.js';

/** What fitDataset needs from a model: Sequential and Functional have it. */
export interface DatasetModel extends TrainableModel {
  trainOnBatch(x: never, y: never, sampleWeight?: TensorLike): number | number[];
  /** Present on Functional models: batches may give {inputName: tensor} maps for them. */
  readonly inputNames?: string[];
}

export interface FitDatasetArgs {
  epochs?: number;
  /** Batches per epoch; without it an epoch is one full pass. With it, epochs continue one iterator (tfjs). */
  batchesPerEpoch?: number;
  validationData?: Dataset<unknown> | [TensorLike, TensorLike];
  validationBatches?: number;
  callbacks?: Callback | Callback[];
  initialEpoch?: number;
  verbose?: 0 | 1;
}

const FIT_KEYS = ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'callbacks', 'initialEpoch', 'verbose'];

type Batch = [TensorLike, TensorLike, TensorLike | undefined];

const BATCH_KEYS = ['xs', 'ys', 'sampleWeight'];

/**
 * A batch as [xs, ys, weights]: tfjs's {xs, ys} objects or [xs, ys] pairs, and Keras's per-sample weights as a
 * third element ([xs, ys, w]) or a sampleWeight field ({xs, ys, sampleWeight}).
 */
function xy(el: unknown, where: string, names: Names): Batch {
  if (Array.isArray(el) && (el.length === 2 || el.length === 3)) return [el[0], el[1], el[2]] as Batch;
  if (el && typeof el === 'object' && 'xs' in el && 'ys' in el) {
    const extra = Object.keys(el).filter((k) => !BATCH_KEYS.includes(k));
    if (extra.length) throw new Error(`${where}: a batch has field '${extra[0]}'; batches hold ${BATCH_KEYS.join(', ')}`);
    const o = el as { xs: unknown; ys: unknown; sampleWeight?: TensorLike };
    return [flat(o.xs, `${where}: xs`, names.inputs), flat(o.ys, `${where}: ys`, names.outputs), o.sampleWeight];
  }
  throw new Error(`${where}: each batch must be {xs, ys}, {xs, ys, sampleWeight}, [xs, ys] or [xs, ys, sampleWeight], got ${el === null ? 'null' : Array.isArray(el) ? `a list of ${el.length}` : typeof el}`);
}

interface Names { inputs: string[]; outputs: string[] }

function namesOf(model: DatasetModel): Names {
  const m = model as DatasetModel & { outputNames?: string[] };
  return { inputs: m.inputNames ?? [], outputs: m.outputNames ?? [] };
}

/**
 * A {name: tensor} map keyed by the model's input (or output) names passes through, as Functional models take
 * it; any other object of 1-D columns (from csv) becomes one tensor, its columns side by side.
 */
function flat(v: unknown, where: string, names: string[]): TensorLike {
  if (v instanceof Tensor || Array.isArray(v) || ArrayBuffer.isView(v)) return v as TensorLike;
  if (v && typeof v === 'object' && names.length > 0 && Object.keys(v).every((k) => names.includes(k))) return v as TensorLike;
  if (v && typeof v === 'object') {
    const cols = Object.values(v as Record<string, unknown>);
    if (!cols.every((c) => c instanceof Tensor && c.rank === 1)) throw new Error(`${where}: an object of columns must hold 1-D tensors (batch the dataset first)`);
    const ts = cols as Tensor[];
    const n = ts[0].shape[0];
    const out = new Float32Array(n * ts.length);
    ts.forEach((t, j) => { for (let i = 0; i < n; i++) out[i * ts.length + j] = t.values[i]; });
    return new Tensor(out, [n, ts.length], 'float32');
  }
  throw new Error(`${where}: expected a tensor, got ${typeof v}`);
}

function batchSizeOf(x: TensorLike): number {
  if (x instanceof Tensor) return x.shape[0];
  if (Array.isArray(x) && x[0] instanceof Tensor) return x[0].shape[0];
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return (x as ArrayLike<unknown>).length;
  return batchSizeOf(Object.values(x as unknown as Record<string, TensorLike>)[0]);
}

/** Mean loss and metrics over the dataset's batches, weighted by batch size (tfjs's evaluateDataset). */
export async function evaluateDataset(model: DatasetModel, dataset: Dataset<unknown>, args: { batches?: number } = {}): Promise<number[]> {
  if (!(dataset instanceof Dataset)) throw new Error(`${model.name}.evaluateDataset: expected an rl.data dataset`);
  let sums: number[] | null = null, seen = 0, b = 0;
  for await (const el of dataset) {
    if (args.batches !== undefined && b >= args.batches) break;
    const [x, y, sampleWeight] = xy(el, `${model.name}.evaluateDataset`, namesOf(model));
    const n = batchSizeOf(x);
    const vals = await evaluateModel(model, x, y, { batchSize: n, sampleWeight });
    sums = sums ? sums.map((s, i) => s + vals[i] * n) : vals.map((v) => v * n);
    seen += n;
    b++;
  }
  if (!sums) throw new Error(`${model.name}.evaluateDataset: the dataset is empty`);
  return sums.map((s) => s / seen);
}

export async function fitDataset(model: DatasetModel, dataset: Dataset<unknown>, args: FitDatasetArgs = {}): Promise<History> {
  const where = `${model.name}.fitDataset`;
  if (!(dataset instanceof Dataset)) throw new Error(`${where}: expected an rl.data dataset (rl.data.array(...).batch(n))`);
  for (const k of Object.keys(args)) if (!FIT_KEYS.includes(k)) throw new Error(`${where}: unknown option '${k}' (takes ${FIT_KEYS.join(', ')})`);
  const epochs = args.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`${where}: epochs must be a positive integer, got ${String(epochs)}`);
  const per = args.batchesPerEpoch;
  if (per !== undefined && (!Number.isInteger(per) || per < 1)) throw new Error(`${where}: batchesPerEpoch must be a positive integer, got ${String(per)}`);
  if (per === undefined && dataset.size === Infinity) throw new Error(`${where}: the dataset is infinite; give batchesPerEpoch`);
  const callbacks = args.callbacks ? (Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks]) : [];
  const history = new History();
  history.params = { epochs, batchesPerEpoch: per ?? null };
  // trainOnBatch's order: the loss, each output's loss (several outputs), then the metrics, named as fit logs them.
  const names = metricsNames(model);
  model.stopTraining = false;
  let shared: AsyncIterator<unknown> | null = per !== undefined ? await dataset.iterator() : null;
  await fire(callbacks, 'onTrainBegin', {});
  for (let epoch = args.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
    await fire(callbacks, 'onEpochBegin', epoch, {});
    const it = shared ?? (await dataset.iterator());
    const sums = names.map(() => 0);
    let seen = 0;
    for (let b = 0; per === undefined || b < per; b++) {
      const r = await it.next();
      if (r.done) {
        if (per !== undefined) { shared = null; if (b === 0) throw new Error(`${where}: the dataset ran out before epoch ${epoch + 1}; use dataset.repeat() or fewer batchesPerEpoch`); }
        break;
      }
      await fire(callbacks, 'onBatchBegin', b, {});
      const [x, y, sampleWeight] = xy(r.value, where, namesOf(model));
      const n = batchSizeOf(x);
      const out = model.trainOnBatch(x as never, y as never, sampleWeight);
      const vals = typeof out === 'number' ? [out] : out;
      vals.forEach((v, i) => { sums[i] += v * n; });
      seen += n;
      await fire(callbacks, 'onBatchEnd', b, { ...Object.fromEntries(names.map((k, i) => [k, vals[i]])), batch: b, size: n });
      if (model.stopTraining) break;
    }
    if (seen === 0) throw new Error(`${where}: epoch ${epoch + 1} had no batches`);
    const logs: Logs = Object.fromEntries(names.map((k, i) => [k, sums[i] / seen]));
    if (args.validationData) {
      const v = args.validationData instanceof Dataset
        ? await evaluateDataset(model, args.validationData, { batches: args.validationBatches })
        : await evaluateModel(model, args.validationData[0], args.validationData[1], {});
      names.forEach((k, i) => { logs[`val_${k}`] = v[i]; });
    }
    history.record(epoch, logs);
    await fire(callbacks, 'onEpochEnd', epoch, logs);
  }
  await fire(callbacks, 'onTrainEnd', {});
  return history;
}
