/** The training loop: Keras's fit and evaluate semantics over rnnlab's tape. */
import { withScratch, type FArray } from '../backend/index.js';
import { checkTargets } from '../losses.js';
import { MetricMeters as AccuracyMeter } from '../metrics/meters.js';
import { globalRandom } from '../random.js';
import { Tensor, shapeStr, type TensorLike } from '../tensor.js';
import { asInput, checkBatchSize, takeRows, yieldToEventLoop } from './batches.js';
import { History, fire, type Callback, type FitState } from './callback.js';
import { ProgressBar, type Logs, type ProgressWriter } from './progress.js';
import type { TrainableModel } from './trainable.js';

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationData?: [TensorLike, TensorLike];
  validationSplit?: number;
  verbose?: 0 | 1 | 2;
  callbacks?: Callback | Callback[];
  initialEpoch?: number;
  /** Where the progress output goes (default stdout). */
  out?: ProgressWriter;
}

export interface EvaluateArgs {
  batchSize?: number;
  /** 0 (default, as tfjs): silent; 1: Keras's progress bar and a final line with the loss and metrics. */
  verbose?: 0 | 1;
  /** Where verbose output goes (default stdout). */
  out?: ProgressWriter;
}

/** Raised when the loss stops being finite; training stops at that batch, before its update. */
export class NonFiniteLossError extends Error {
  constructor(public epoch: number, public batch: number, public history: History) {
    super(`loss became non-finite (NaN or Inf) at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before applying that batch. ` +
      'Try a lower learning rate, clipnorm, or check the inputs.');
    this.name = 'NonFiniteLossError';
  }
}

/** Checks x and y against the model and each other; returns y shaped like the model's output. */
function prepare(model: TrainableModel, x: TensorLike, y: TensorLike, what: string): { xt: Tensor; yt: Tensor } {
  const xt = asInput(x, `${what}: x`);
  const yIn = asInput(y, `${what}: y`);
  if (!model.built) model.build([null, ...xt.shape.slice(1)]);
  const spec = model.inputShape;
  if (xt.rank !== spec.length || spec.some((d, i) => i > 0 && d !== null && d !== xt.shape[i])) {
    throw new Error(`${what}: x has shape ${shapeStr(xt.shape)} but ${model.layers[0].name} expects ${shapeStr(spec)}`);
  }
  const n = xt.shape[0];
  if (yIn.shape[0] !== n) throw new Error(`${what}: x has ${n} samples but y has ${yIn.shape[0]}`);
  // Concrete output shape for this x: free (null) time axes take x's actual lengths.
  const outShape = model.outputShapeFor([n, ...xt.shape.slice(1)]);
  const C = outShape[outShape.length - 1] as number;
  const perSample = (outShape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const sparse = model.loss === 'sparseCategoricalCrossentropy';
  const want = sparse ? perSample / C : perSample;
  if (yIn.size !== n * want) {
    throw new Error(`${what}: y has shape ${shapeStr(yIn.shape)}, which does not fit the model's output ${shapeStr(model.outputShape)}` +
      (sparse ? ' (sparseCategoricalCrossentropy takes one class id per output row)' : ''));
  }
  checkTargets(model.loss!, yIn, C);
  const yShape = sparse ? [n, ...(outShape.slice(1, -1) as number[])] : [n, ...(outShape.slice(1) as number[])];
  const yt = sparse ? new Tensor(Int32Array.from(yIn.data), yShape, 'int32') : new Tensor(yIn.floatData(), yShape, 'float32');
  return { xt, yt };
}

function checkEpochs(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Error(`${what} must be a non-negative integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  if (v < min) throw new Error(`${what} is ${v}: nothing would be trained; give at least ${min}`);
  return v;
}

export async function fitModel(model: TrainableModel, x: TensorLike, y: TensorLike, args: FitArgs): Promise<History> {
  if (!model.loss || !model.optimizer) throw new Error(`${model.name}: call compile() before fit()`);
  if (typeof args !== 'object' || args === null) throw new Error(`fit: the options argument must be an object, got ${String(args)}`);
  const epochs = checkEpochs(args.epochs ?? 1, 'fit: epochs', 1);
  const initialEpoch = checkEpochs(args.initialEpoch ?? 0, 'fit: initialEpoch');
  const batchSize = checkBatchSize(args.batchSize ?? 32, 'fit: batchSize');
  const verbose = args.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  let { xt, yt } = prepare(model, x, y, 'fit');
  let val: { xt: Tensor; yt: Tensor } | null = null;
  if (args.validationData) {
    if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error('fit: validationData must be [x, y]');
    val = prepare(model, args.validationData[0], args.validationData[1], 'fit: validationData');
  } else if (args.validationSplit !== undefined) {
    const s = args.validationSplit;
    if (typeof s !== 'number' || !(s > 0 && s < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${String(s)}`);
    // Keras takes the last fraction of the samples, before any shuffling.
    const n = xt.shape[0];
    const split = Math.floor(n * (1 - s));
    if (split === 0 || split === n) throw new Error(`fit: validationSplit ${s} leaves no training or no validation samples out of ${n}`);
    val = { xt: takeRows(xt, null, split, n), yt: takeRows(yt, null, split, n) };
    xt = takeRows(xt, null, 0, split);
    yt = takeRows(yt, null, 0, split);
  }
  const callbacks = args.callbacks ? (Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks]) : [];
  callbacks.forEach((cb, i) => {
    if (typeof cb !== 'object' || cb === null) throw new Error(`fit: callbacks[${i}] must be a callback object (e.g. rl.callbacks.earlyStopping()), got ${String(cb)}`);
  });
  const history = new History();
  const n = xt.shape[0];
  const steps = Math.ceil(n / batchSize);
  history.params = { epochs, steps, batchSize, samples: n, verbose };
  const out = args.out ?? process.stdout;
  model.stopTraining = false;
  const vars = model.trainableWeights;
  // Checkpoint callbacks see fit's live state; a restoring one may move initialEpoch (and a mid-epoch position).
  const state: FitState = { model, history, epochs, batchSize, samples: n, initialEpoch, resume: null, progress: null };
  for (const cb of callbacks) cb.setFitState?.(state);
  const tolerateNonFinite = callbacks.some((cb) => cb.handlesNonFiniteLoss);
  try {
    await fire(callbacks, 'onTrainBegin', {});
    const start = checkEpochs(state.initialEpoch, 'fit: initialEpoch');
    for (let epoch = start; epoch < epochs && !model.stopTraining; epoch++) {
      if (verbose) out.write(`Epoch ${epoch + 1}/${epochs}\n`);
      await fire(callbacks, 'onEpochBegin', epoch, {});
      const resumed = state.resume && state.resume.epoch === epoch ? state.resume : null;
      state.resume = null;
      const order = resumed ? resumed.order : args.shuffle === false ? null : globalRandom.permutation(n);
      const bar = new ProgressBar(steps, verbose, out);
      const acc = new AccuracyMeter(model);
      let lossSum = 0, seen = 0;
      if (resumed) { lossSum = resumed.lossSum; seen = resumed.seen; acc.correct = resumed.correct; acc.total = resumed.total; }
      const first = resumed ? resumed.batch : 0;
      state.progress = { epoch, batch: first, order, lossSum, seen, correct: acc.correct, total: acc.total };
      for (let b = first; b < steps; b++) {
        await fire(callbacks, 'onBatchBegin', b, { batch: b, size: Math.min(batchSize, n - b * batchSize) });
        const s = b * batchSize, e = Math.min(n, s + batchSize);
        // Everything a step allocates is scratch: recycled once the weights are updated.
        const lv = withScratch(() => {
          const xb = takeRows(xt, order, s, e), yb = takeRows(yt, order, s, e);
          const { out: pred, loss, backward } = model.lossOnBatch(xb, yb, { training: true, mask: null });
          const value = loss.data[0];
          if (!Number.isFinite(value)) {
            for (const v of vars) v.grad = null;
            if (!tolerateNonFinite) throw new NonFiniteLossError(epoch, b, history);
          } else {
            backward(loss);
            model.optimizer!.applyGradients(vars);
          }
          acc.add(pred, yb, model.foldsActivation);
          return value;
        });
        lossSum += lv * (e - s);
        seen += e - s;
        const logs: Logs = { loss: lossSum / seen, ...acc.logs() };
        bar.update(b + 1, logs);
        state.progress = { epoch, batch: b + 1, order, lossSum, seen, correct: acc.correct, total: acc.total };
        await fire(callbacks, 'onBatchEnd', b, { ...logs, batch: b, size: e - s });
        // Let timers, servers and progress output run between batches.
        await yieldToEventLoop();
        if (model.stopTraining) break;
      }
      const logs: Logs = { loss: lossSum / Math.max(seen, 1), ...acc.logs() };
      if (val) {
        const [vl, ...vm] = await evaluatePrepared(model, val.xt, val.yt, batchSize);
        logs.val_loss = vl;
        model.metrics.forEach((m, i) => { logs[`val_${m}`] = vm[i]; });
      }
      bar.finish(logs);
      history.record(epoch, logs);
      await fire(callbacks, 'onEpochEnd', epoch, logs);
      state.progress = null;
    }
    await fire(callbacks, 'onTrainEnd', {});
  } finally {
    for (const cb of callbacks) cb.onFitExit?.();
  }
  return history;
}

async function evaluatePrepared(model: TrainableModel, xt: Tensor, yt: Tensor, batchSize: number, bar?: ProgressBar): Promise<number[]> {
  const n = xt.shape[0];
  const acc = new AccuracyMeter(model);
  let lossSum = 0;
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    lossSum += withScratch(() => {
      const yb = takeRows(yt, null, s, e);
      const { out, loss } = model.lossOnBatch(takeRows(xt, null, s, e), yb, { training: false, mask: null });
      acc.add(out, yb, model.foldsActivation);
      return (loss.data as FArray)[0] * (e - s);
    });
    bar?.update(Math.ceil(e / batchSize), metricLogs(model, lossSum / e, acc));
    await yieldToEventLoop();
  }
  bar?.finish(metricLogs(model, lossSum / n, acc));
  return [lossSum / n, ...acc.values()];
}

function metricLogs(model: TrainableModel, loss: number, acc: AccuracyMeter): Logs {
  return { loss, ...acc.logs() };
}

/** [loss, accuracy?] over all samples, as Keras's evaluate. */
export async function evaluateModel(model: TrainableModel, x: TensorLike, y: TensorLike, args: EvaluateArgs): Promise<number[]> {
  if (!model.loss) throw new Error(`${model.name}: call compile() before evaluate()`);
  const batchSize = checkBatchSize(args.batchSize ?? 32, 'evaluate: batchSize');
  const verbose = args.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1) throw new Error(`evaluate: verbose must be 0 or 1, got ${String(verbose)}`);
  const { xt, yt } = prepare(model, x, y, 'evaluate');
  const bar = verbose ? new ProgressBar(Math.ceil(xt.shape[0] / batchSize), 1, args.out ?? process.stdout) : undefined;
  return evaluatePrepared(model, xt, yt, batchSize, bar);
}

/**
 * One gradient step on one batch (Keras's train_on_batch, tfjs's trainOnBatch): returns [loss] plus one value
 * per compiled metric, measured on this batch before the update.
 */
export function trainOnBatchModel(model: TrainableModel, x: TensorLike, y: TensorLike): number[] {
  if (!model.loss || !model.optimizer) throw new Error(`${model.name}: call compile() before trainOnBatch()`);
  const { xt, yt } = prepare(model, x, y, 'trainOnBatch');
  return withScratch(() => {
    const { out, loss, backward } = model.lossOnBatch(xt, yt, { training: true, mask: null });
    const lv = loss.data[0];
    if (!Number.isFinite(lv)) {
      for (const v of model.trainableWeights) v.grad = null;
      throw new Error('trainOnBatch: the loss is not finite (NaN or Inf); the weights were not updated');
    }
    const acc = new AccuracyMeter(model);
    acc.add(out, yt, model.foldsActivation);
    backward(loss);
    model.optimizer!.applyGradients(model.trainableWeights);
    return [lv, ...acc.values()];
  });
}

