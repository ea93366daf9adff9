/** model.fitDataset and model.evaluateDataset (tfjs semantics), training batch by batch from a streamed Dataset. */
import { History, type Callback, type FitState } from '../models/callback.js';
import { CallbackList, callbackListOf } from '../models/callback_list.js';
import { BackupAndRestore } from '../callbacks/backup_and_restore.js';
import { ModelCheckpoint } from '../callbacks/model_checkpoint.js';
import { checkWriter, ProgressBar, type Logs, type ProgressWriter } from '../models/progress.js';
import type { TrainableModel } from '../models/trainable.js';
import { checkValidatesSomeEpoch, evaluateModel, metricsNames, nonFiniteLossHandler, StreamedPass, validationSchedule, yieldAfterEpoch, yieldInterval, type FitArgs } from '../models/training.js';
import { EventLoopYield, checkBatchSize, checkStatefulBatches } from '../models/batches.js';
import { withClassWeights, type ClassWeightArg } from '../models/sample_weights.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { Dataset } from './dataset.js';
import { columnKeys } from './batching.js';
import { disposeElement, holdsDisposed } from './element_tensors.js';
import { tensorsIn } from '../ops/memory.js';
import { checkOptionKeys } from '../near_name.js';
import { isPlainObject } from '../plain_object.js';

/** What fitDataset needs from a model: Sequential and Functional have it. */
export interface DatasetModel extends TrainableModel {
  /** Present on Functional models: batches may give {inputName: tensor} maps for them. */
  readonly inputNames?: string[];
}

export interface FitDatasetArgs {
  epochs?: number;
  /** Batches per epoch; without it an epoch is one full pass. With it, epochs continue one iterator (tfjs). */
  batchesPerEpoch?: number;
  /** A dataset of batches, or [x, y] / [x, y, sampleWeight] tensors (the weights apply, as in Keras). */
  validationData?: Dataset<unknown> | [TensorLike, TensorLike] | [TensorLike, TensorLike, TensorLike];
  validationBatches?: number;
  callbacks?: Callback | Callback[];
  initialEpoch?: number;
  /** 1 (the default, as tfjs's): fit's progress output, "Epoch n/N" and one line per epoch; 0: silent. */
  verbose?: 0 | 1;
  /** Where verbose output goes (default stdout), as fit's out. */
  out?: ProgressWriter;
  /** tfjs's: {classId: weight} (or one table per output), multiplying each batch's sample weights, as fit's. */
  classWeight?: ClassWeightArg;
  /** tfjs's: the batch size evaluating [x, y] validationData (default 32); a validation dataset comes batched. */
  validationBatchSize?: number;
  /** As fit's yieldEvery: how often training yields to the event loop (between batches, or 'epoch': after each epoch). */
  yieldEvery?: FitArgs['yieldEvery'];
  /**
   * As fit's (Keras's validation_freq; tfjs's fitDataset has none): validate after every N-th epoch (a positive
   * integer), or after the epochs listed (counted from 1); default every epoch.
   */
  validationFreq?: number | number[];
}

const FIT_KEYS = ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'callbacks', 'initialEpoch', 'verbose', 'out',
  'classWeight', 'validationBatchSize', 'yieldEvery', 'validationFreq'];
const STEPS = "did you mean batchesPerEpoch? Keras's steps_per_epoch is tfjs's batchesPerEpoch";
const VALIDATION_STEPS = "did you mean validationBatches? Keras's validation_steps is tfjs's validationBatches";
/** Keras's names for fitDataset's options, refused with the tfjs name to use. */
const FIT_REFUSED: Record<string, string> = {
  stepsPerEpoch: STEPS, steps_per_epoch: STEPS, validationSteps: VALIDATION_STEPS, validation_steps: VALIDATION_STEPS,
};

/** tfjs's ModelEvaluateDatasetArgs. */
export interface EvaluateDatasetArgs {
  /** Evaluate on at most this many batches (a positive integer); default: the whole dataset. */
  batches?: number;
  /** 1 prints one progress line at the end (fit's format); default 0. */
  verbose?: 0 | 1;
  out?: ProgressWriter;
}

const EVAL_KEYS = ['batches', 'verbose', 'out'];

/** verbose checked; dflt when not given: fitDataset's 1 and evaluateDataset's 0, as tfjs's. */
function checkVerbose(v: unknown, where: string, dflt: 0 | 1): 0 | 1 {
  if (v === undefined) return dflt;
  if (v !== 0 && v !== 1) throw new Error(`${where}: verbose must be 0 or 1, got ${String(v)}`);
  return v;
}

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
    return [flat(o.xs, `${where}: xs`, names.inputs, 'input'), flat(o.ys, `${where}: ys`, names.outputs, 'output'), o.sampleWeight];
  }
  if (isPlainObject(el)) {
    const keys = Object.keys(el);
    const missing = ['xs', 'ys'].filter((k) => !keys.includes(k)).map((k) => `'${k}'`).join(' and ');
    throw new Error(`${where}: a batch has keys ${keys.length ? keys.join(', ') : 'none'}, missing ${missing}; batches hold ${BATCH_KEYS.join(', ')} (sampleWeight optional), or are [xs, ys] or [xs, ys, sampleWeight]`);
  }
  const got = el === null ? 'null' : Array.isArray(el) ? `a list of ${el.length}`
    // An element [x, y] of two plain number lists of one length batches as one nested array: say how to keep them apart.
    : el instanceof Tensor ? `one tensor of shape [${el.shape.join(', ')}] (elements that are [x, y] lists of plain arrays stack as one array; yield {xs, ys}, or tensors, or rl.data.zip([xDataset, yDataset]))`
      : typeof el;
  throw new Error(`${where}: each batch must be {xs, ys}, {xs, ys, sampleWeight}, [xs, ys] or [xs, ys, sampleWeight], got ${got}`);
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
function flat(v: unknown, where: string, names: string[], role: 'input' | 'output'): TensorLike {
  if (v instanceof Tensor || Array.isArray(v) || ArrayBuffer.isView(v)) return v as TensorLike;
  if (v && typeof v === 'object' && names.length > 0 && Object.keys(v).length > 0 && Object.keys(v).every((k) => names.includes(k))) return v as TensorLike;
  if (v && typeof v === 'object') {
    // In the file's column order (csv's), which Object.values loses for integer-like names.
    const cols = columnKeys(v).map((k) => (v as Record<string, unknown>)[k]);
    if (cols.length === 0) throw new Error(`${where}: an object of no columns (every csv column read is a label, or none is configured)`);
    if (!cols.every((c) => c instanceof Tensor && c.rank === 1)) {
      // Keys that are not input names, holding batched (2-D or more) tensors: a misnamed input, not unbatched columns.
      const keys = Object.keys(v);
      if (names.length > 0 && cols.some((c) => c instanceof Tensor && c.rank > 1)) {
        throw new Error(`${where}: keys ${JSON.stringify(keys)} are not the model's ${role} names ${JSON.stringify(names)} (an object of batched tensors is read by name; only an object of 1-D columns, as csv gives, is joined into one ${role})`);
      }
      throw new Error(`${where}: an object of columns must hold 1-D tensors (batch the dataset first)`);
    }
    const ts = cols as Tensor[];
    const n = ts[0].shape[0];
    const out = new Float32Array(n * ts.length);
    ts.forEach((t, j) => { for (let i = 0; i < n; i++) out[i * ts.length + j] = t.values[i]; });
    return new Tensor(out, [n, ts.length], 'float32');
  }
  throw new Error(`${where}: expected a tensor, got ${typeof v}`);
}

/** [x, y] validationData in batches of validationBatchSize (evaluate's default 32), against the stateful layers' batch size. */
function checkValidationBatches(model: DatasetModel, val: readonly unknown[], validationBatchSize: number | undefined, where: string): void {
  const n = batchSizeOf(val[0] as TensorLike);
  checkStatefulBatches(model.layers, n, validationBatchSize ?? 32, `${where}: validationData`, 'validationBatchSize');
}

function batchSizeOf(x: TensorLike): number {
  if (x instanceof Tensor) return x.shape[0];
  if (Array.isArray(x) && x[0] instanceof Tensor) return x[0].shape[0];
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return (x as ArrayLike<unknown>).length;
  return batchSizeOf(Object.values(x as unknown as Record<string, TensorLike>)[0]);
}

/**
 * tfjs's evaluateDataset: the loss averaged over the samples, the metrics accumulated over every batch as evaluate's
 * (tfjs averages per-batch values, which differs for precision, recall, AUC and r2Score).
 */
export async function evaluateDataset(model: DatasetModel, dataset: Dataset<unknown>, args: EvaluateDatasetArgs = {}): Promise<number[]> {
  const where = `${model.name}.evaluateDataset`;
  if (!(dataset instanceof Dataset)) throw new Error(`${where}: expected an rl.data dataset`);
  checkOptionKeys(where, args, EVAL_KEYS, { undefinedIsAbsent: false });
  if (args.batches !== undefined && (typeof args.batches !== 'number' || !Number.isInteger(args.batches) || args.batches < 1)) {
    throw new Error(`${where}: batches must be a positive integer, got ${String(args.batches)}`);
  }
  // An endless pass would hang (and hold the event loop while its batches come without waiting): refused, as fitDataset's.
  if (args.batches === undefined && dataset.size === Infinity) throw new Error(`${where}: the dataset is infinite; give batches`);
  const verbose = checkVerbose(args.verbose, where, 0);
  checkWriter(args.out, 'out', where);
  if (!(model as { loss?: unknown }).loss) throw new Error(`${model.name}: call compile() before evaluateDataset()`);
  const start = Date.now();
  const { values, batches } = await evaluatePass(model, dataset, args.batches, { where, limit: 'batches' });
  if (verbose) finishBar(batches, start, args.out, logsOf(metricsNames(model), values));
  return values;
}

/**
 * Who reads a pass, for its errors: evaluateDataset, or fitDataset's validationData, whose errors say so (the model's
 * own, such as an unbatched element's shape, included), as they would otherwise name a call the user never made.
 */
interface PassContext { where: string; limit: 'batches' | 'validationBatches'; wrapModelErrors?: boolean }

/** Evaluates up to `limit` batches of the dataset (all without one): the loss and metrics, and the batches read. */
async function evaluatePass(model: DatasetModel, dataset: Dataset<unknown>, limit: number | undefined, ctx: PassContext): Promise<{ values: number[]; batches: number }> {
  const { where } = ctx;
  // Metrics accumulate over every batch, as evaluate's over x.
  const pass = new StreamedPass(model);
  let seen = 0, b = 0;
  const ioNames = namesOf(model);
  const it = await dataset.iterator();
  let finished = false;
  try {
    // Read by hand, not with for-await: a value sent with done: true is the last batch (tfjs evaluates it), and no
    // element is pulled past `limit`.
    while (limit === undefined || b < limit) {
      const r = await it.next();
      if (carriesBatch(r)) {
        checkLive(r.value, `${where}: batch ${b + 1}`);
        const [x, y, sampleWeight] = xy(r.value, where, ioNames);
        try {
          // Wrapped errors already name the call and the batch.
          pass.evaluate(x, y, sampleWeight, ctx.wrapModelErrors ? '' : `${where}: batch ${b + 1}`);
        } catch (e) {
          if (!ctx.wrapModelErrors) throw e;
          throw new Error(`${where}: batch ${b + 1}: ${(e as Error).message}`, { cause: e });
        }
        seen += batchSizeOf(x);
        // tfjs's evaluateDataset disposes each batch it read, so counts stay flat over a dataset of tensors.
        disposeElement(r.value);
        b++;
      }
      if (r.done) {
        finished = true;
        if (limit !== undefined && b < limit && b > 0) {
          console.warn(`${where}: ${ctx.limit} is ${limit}, but the dataset ran out after ${b} batches; evaluated those (use dataset.repeat() for more)`);
        }
        break;
      }
    }
  } finally {
    // Stopped before its end (batches reached, an error): close the source (a csv file).
    if (!finished) await it.return?.();
  }
  if (!seen) throw new Error(`${where}: the dataset is empty`);
  return { values: pass.values(), batches: b };
}

/**
 * Each batch is disposed once used, as tfjs's fitDataset and evaluateDataset dispose theirs: a source that yields a
 * tensor it keeps hands over a disposed one the next time, which would otherwise fail deep in training.
 */
function checkLive(el: unknown, where: string): void {
  if (holdsDisposed(tensorsIn(el))) {
    throw new Error(`${where} holds a disposed tensor: each batch is disposed once trained or evaluated on (as in tfjs), so a source must yield new tensors each time (clone() a tensor it keeps; rl.data.array clones its items itself)`);
  }
}

/**
 * A result that holds a batch: any with a value, including one sent with done: true (tfjs evaluates on it, and trains
 * on it without batchesPerEpoch).
 */
const carriesBatch = (r: IteratorResult<unknown>): boolean => !r.done || (r.value !== undefined && r.value !== null);

const logsOf = (names: string[], values: number[]): Logs => Object.fromEntries(names.map((k, i) => [k, values[i]]));

/** fit's end-of-epoch line for a run of `steps` batches that began at `start`. */
function finishBar(steps: number, start: number, out: ProgressWriter | undefined, logs: Logs): ProgressBar {
  // The step count of a dataset of unknown size is known only now: the bar is made now, timed from start.
  const bar = new ProgressBar(steps, 1, { write: (s: string) => (out ?? process.stdout).write(s) }, start);
  bar.finish(logs);
  return bar;
}

/**
 * classWeight's tables (their count, output names, class ids and weights) checked by the code that applies them, on
 * zero-row targets: every head is read as one-hot (the sparse reading needs a row), which changes no table check.
 */
function checkClassWeight(model: DatasetModel, classWeight: ClassWeightArg, what: string): void {
  const heads = model.outputHeads().map((h) => ({ ...h, loss: 'meanSquaredError' as const }));
  const probe = { outputHeads: () => heads } as unknown as TrainableModel;
  withClassWeights(probe, heads.map(() => new Tensor(new Float32Array(0), [0, 1], 'float32')), [], classWeight, what);
}

/**
 * A batch's error (a bad id made inside the model, a target of the wrong shape, a stateful layer's batch size) named
 * by the batch and the epoch, counted from 1 as checkLive's: a row the layer names is a row of that batch, and a
 * stream has no x to name a row of, as fit does. StreamedPass's own checks already say 'fitDataset: '; the model's
 * layers name themselves. A non-finite loss names its batch itself.
 */
function inBatch(e: unknown, where: string, at: string): unknown {
  // Only the plain kinds are re-made (as a layer names itself in them): a user's own error class, and rnnlab's typed
  // ones (NonFiniteLossError), reach the caller as thrown.
  const Kind = e instanceof Error ? [Error, RangeError, TypeError].find((k) => Object.getPrototypeOf(e) === k.prototype) : undefined;
  if (!Kind) return e;
  const own = (e as Error).message.startsWith('fitDataset: ') ? (e as Error).message.slice('fitDataset: '.length) : (e as Error).message;
  return new Kind(`${where}: ${at}: ${own}`, { cause: e });
}

export async function fitDataset(model: DatasetModel, dataset: Dataset<unknown>, args: FitDatasetArgs = {}): Promise<History> {
  const where = `${model.name}.fitDataset`;
  if (!(dataset instanceof Dataset)) throw new Error(`${where}: expected an rl.data dataset (rl.data.array(...).batch(n))`);
  checkOptionKeys(where, args, FIT_KEYS, { undefinedIsAbsent: false, refused: FIT_REFUSED });
  // Before any callback runs, and in trainOnBatch's words rather than as the first batch's error.
  const compiled = model as { loss?: unknown; optimizer?: unknown };
  if (!compiled.loss || !compiled.optimizer) throw new Error(`${model.name}: call compile() before fitDataset()`);
  const epochs = args.epochs ?? 1;
  // 0 trains nothing and returns an empty History, as fit and tfjs.
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`${where}: epochs must be a non-negative integer, got ${String(epochs)}`);
  const per = args.batchesPerEpoch;
  if (per !== undefined && (!Number.isInteger(per) || per < 1)) throw new Error(`${where}: batchesPerEpoch must be a positive integer, got ${String(per)}`);
  if (per === undefined && dataset.size === Infinity) throw new Error(`${where}: the dataset is infinite; give batchesPerEpoch`);
  const initialEpoch = args.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`${where}: initialEpoch must be a non-negative integer, got ${JSON.stringify(initialEpoch)}`);
  const verbose = checkVerbose(args.verbose, where, 1);
  const out = checkWriter(args.out, 'out', where);
  const val = args.validationData;
  if (val !== undefined && !(val instanceof Dataset) && !(Array.isArray(val) && (val.length === 2 || val.length === 3))) {
    throw new Error(`${where}: validationData must be a dataset, [x, y] or [x, y, sampleWeight]`);
  }
  // Checked now, not after the first epoch's training; it limits a validation dataset and nothing else.
  const vb = args.validationBatches;
  if (vb !== undefined) {
    if (!Number.isInteger(vb) || vb < 1) throw new Error(`${where}: validationBatches must be a positive integer, got ${JSON.stringify(vb)}`);
    if (!(val instanceof Dataset)) throw new Error(`${where}: validationBatches limits a validationData dataset, but validationData is ${val === undefined ? 'not given' : 'tensors (all of them are evaluated)'}`);
  }
  if (val instanceof Dataset && vb === undefined && val.size === Infinity) throw new Error(`${where}: validationData is an infinite dataset; give validationBatches`);
  // Known from its size without reading it (reading ahead would run a generator's pass an extra time); tfjs checks none.
  if (val instanceof Dataset && val.size === 0) throw new Error(`${where}: validationData: the dataset is empty`);
  const vbs = args.validationBatchSize;
  if (vbs !== undefined) {
    checkBatchSize(vbs, `${where}: validationBatchSize`);
    if (!Array.isArray(val)) throw new Error(`${where}: validationBatchSize batches [x, y] validationData, but validationData is ${val === undefined ? 'not given' : 'a dataset (its own batches are used)'}`);
  }
  // A model built already is checked before any batch trains; one built by its first batch, before validating.
  if (Array.isArray(val)) checkValidationBatches(model, val, vbs, where);
  const validateAfter = validationSchedule(args.validationFreq, `${where}: validationFreq`);
  if (args.validationFreq !== undefined && val === undefined) throw new Error(`${where}: validationFreq applies to validationData, which is not given`);
  checkValidatesSomeEpoch(args.validationFreq, initialEpoch, epochs, `${where}: validationFreq`);
  const classWeight = args.classWeight;
  // Checked now, not at the first batch: with epochs 0 (or no batch) a bad table would be accepted and ignored.
  if (classWeight !== undefined) checkClassWeight(model, classWeight, `${where}: classWeight`);
  const given = callbackListOf(args.callbacks, 'fitDataset');
  given.forEach((cb, i) => {
    // Their checkpoints record fit's position in x (samples, batch size, shuffling), which a stream has not got.
    if (cb instanceof BackupAndRestore || cb instanceof ModelCheckpoint) throw new Error(`${where}: callbacks[${i}] (${cb.constructor.name}) works with fit, not fitDataset`);
  });
  // As fit's: plain objects see this.model and this.params, rl.Callbacks get setParams and setModel, and the
  // built-ins (earlyStopping, the learning-rate ones, terminateOnNaN) the model they act on. Indexed by hook, as
  // fit's: a hook nobody implements costs nothing, and its logs are not built.
  const callbacks = new CallbackList(given, 'fitDataset');
  const pause = new EventLoopYield(yieldInterval(args.yieldEvery, callbacks.listens('onBatchBegin') || callbacks.listens('onBatchEnd'), where));
  const history = new History();
  // tfjs sets model.history before onTrainBegin (Keras at each epoch's end): a callback reading it sees this run's.
  model.history = history;
  // The logs' order: the loss, each output's loss (several outputs), then the metrics, named as fit logs them.
  const names = metricsNames(model);
  // tfjs's params: steps is batchesPerEpoch, else the dataset's size when known; no sample count or batch size.
  const steps = per ?? (typeof dataset.size === 'number' && Number.isFinite(dataset.size) ? dataset.size : null);
  history.params = { epochs, initialEpoch, samples: null, steps, batchSize: null, verbose, doValidation: val !== undefined,
    metrics: val !== undefined ? [...names, ...names.map((k) => `val_${k}`)] : [...names] };
  const state: FitState = { model, history, epochs, batchSize: 0, samples: 0, initialEpoch, resume: null, progress: null };
  for (const cb of callbacks.callbacks) cb.setFitState?.(state);
  const nonFiniteAt = nonFiniteLossHandler(callbacks.callbacks, history);
  model.stopTraining = false;
  // With batchesPerEpoch every epoch continues one iterator; when it runs out, training stops (tfjs).
  const shared: AsyncIterator<unknown> | null = per !== undefined ? await dataset.iterator() : null;
  let exhausted = false;
  /** The shared iterator ended after `done` batches in all: training stops (tfjs's warning; none at all is an error). */
  const ranOut = (done: number) => {
    exhausted = true;
    if (done === 0) throw new Error(`${where}: the dataset is empty`);
    console.warn(`${where}: you provided batchesPerEpoch as ${per}, but the dataset iterator ran out of data after ${done} batches; `
      + `interrupting training. Make sure the dataset can give at least batchesPerEpoch * epochs batches (${per! * (epochs - state.initialEpoch)}), e.g. with dataset.repeat().`);
  };
  await callbacks.trainBegin({});
  try {
    const ioNames = namesOf(model);
    // stopTraining is read after each batch and each epoch, as fit reads it (Keras): set in onTrainBegin, one batch runs.
    for (let epoch = state.initialEpoch; epoch < epochs && !exhausted; epoch++) {
      const start = Date.now();
      const it = shared ?? (await dataset.iterator());
      // The epoch's loss and metrics accumulate as fit's; batch logs are their running values, as fit's.
      const run = new StreamedPass(model);
      let seen = 0, steps = 0;
      let began = false;
      try {
        for (let b = 0; per === undefined || b < per; b++) {
          const r = await it.next();
          const done = (epoch - state.initialEpoch) * (per ?? 0) + b;
          // With batchesPerEpoch, done: true ends the run before any batch it carries is trained on (tfjs checks done
          // first); without it, that batch is the epoch's last and is trained on below. Untrained, it is still the
          // pass's to dispose, as every batch it read.
          if (per !== undefined && r.done) {
            disposeElement(r.value);
            ranOut(done);
            break;
          }
          if (!carriesBatch(r)) break;
          if (!began) {
            began = true;
            if (verbose) out.write(`Epoch ${epoch + 1}/${epochs}\n`);
            await callbacks.call('onEpochBegin', epoch, {});
          }
          checkLive(r.value, `${where}: batch ${b + 1} of epoch ${epoch + 1}`);
          const [x, y, sampleWeight] = xy(r.value, where, ioNames);
          const n = batchSizeOf(x);
          await callbacks.call('onBatchBegin', b, { batch: b, size: n });
          try {
            run.train(x, y, sampleWeight, n, classWeight, nonFiniteAt(epoch, b));
          } catch (e) {
            throw inBatch(e, where, `batch ${b + 1} of epoch ${epoch + 1}`);
          }
          // tfjs's fitDataset disposes each batch once trained on (its tensors are the dataset's, made for this pass).
          disposeElement(r.value);
          seen += n;
          steps++;
          if (callbacks.listens('onBatchEnd')) await callbacks.call('onBatchEnd', b, { ...logsOf(names, run.values()), batch: b, size: n });
          if (r.done) break; // the epoch's iterator sent its last batch with done: true (only without batchesPerEpoch)
          if (model.stopTraining) break;
          const due = pause.due();
          if (due) await due;
        }
      } finally {
        // An epoch's own iterator stopped before its end (stopTraining, an error): close its source.
        if (!shared) await it.return?.();
      }
      if (seen === 0) {
        if (exhausted) break; // ran out exactly at an epoch boundary: the warning above; no empty epoch is recorded
        throw new Error(`${where}: epoch ${epoch + 1} had no batches`);
      }
      const logs: Logs = logsOf(names, run.values());
      // A cancelled epoch (the dashboard's cancel) is not validated, as fit's, nor one validationFreq skips: its val_
      // entries are missing.
      if (val && !state.cancelled && validateAfter(epoch)) {
        if (!(val instanceof Dataset)) checkValidationBatches(model, val, vbs, where);
        const v = val instanceof Dataset
          ? (await evaluatePass(model, val, vb, { where: `${where}: validationData`, limit: 'validationBatches', wrapModelErrors: true })).values
          : await evaluateModel(model, val[0], val[1], { sampleWeight: val[2], batchSize: vbs });
        names.forEach((k, i) => { logs[`val_${k}`] = v[i]; });
      }
      if (verbose) finishBar(steps, start, out, logs);
      history.record(epoch, logs);
      await callbacks.call('onEpochEnd', epoch, logs);
      history.settle(logs);
      await callbacks.epochSettled(epoch, logs);
      await yieldAfterEpoch(args.yieldEvery);
      if (model.stopTraining) break;
    }
  } finally {
    await shared?.return?.();
  }
  await callbacks.call('onTrainEnd', {});
  return history;
}
