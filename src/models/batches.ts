/** Slicing sample rows out of tensors for mini-batches, and the checks fit/evaluate/predict share. */
import { allocFloat, allFinite, nativeFastPath, withScratch } from '../backend/index.js';
import { tidy, type TensorContainer } from '../ops/memory.js';
import { Tensor, toTensor, shapeStr, type TensorLike } from '../tensor.js';

/**
 * One batch's work (a training step, an evaluation batch, a predict batch): its scratch memory recycled, and every
 * tensor the public ops registered in it (custom layers, custom losses and metrics, backward rules) disposed at its
 * end, as tfjs runs each batch inside tidy(); weights and optimizer state are not registered tensors, and callers
 * return numbers or copy outputs out first, so nothing they keep is lost.
 */
export function stepScope<T extends TensorContainer>(fn: () => T): T {
  return tidy(() => withScratch(fn));
}

/** Steps [from, to) of axis 1: the part of each row a bucketed batch keeps. */
export interface StepWindow { from: number; to: number }

/**
 * Rows idx[start..end) of t (axis 0; rows start..end without idx), optionally only the steps in window:
 * a view of t when the rows are consecutive and whole, else one copy (into scratch memory inside withScratch).
 */
export function takeRows(t: Tensor, idx: Int32Array | null, start: number, end: number, window: StepWindow | null = null): Tensor {
  const rowSize = t.size / t.shape[0];
  const n = end - start;
  if (!idx && !window) {
    return new Tensor(t.values.subarray(start * rowSize, end * rowSize), [n, ...t.shape.slice(1)], t.dtype);
  }
  if (idx && !window) {
    const gathered = gatherRows(t, idx.subarray(start, end), rowSize);
    if (gathered) return new Tensor(gathered, [n, ...t.shape.slice(1)], t.dtype);
  }
  const stepSize = window ? rowSize / t.shape[1] : 0;
  const skip = window ? window.from * stepSize : 0;
  const keep = window ? (window.to - window.from) * stepSize : rowSize;
  const shape = window ? [n, window.to - window.from, ...t.shape.slice(2)] : [n, ...t.shape.slice(1)];
  // Every element is written below: no need to zero the buffer first.
  const src = t.values, out = t.dtype === 'int32' ? new Int32Array(n * keep) : allocFloat(n * keep, false);
  for (let i = 0; i < n; i++) {
    const from = (idx ? idx[start + i] : start + i) * rowSize + skip;
    // Short rows (the adder's one-hot steps) copy faster element by element than through a subarray per row.
    if (keep < 64) for (let k = 0; k < keep; k++) out[i * keep + k] = src[from + k];
    else out.set(src.subarray(from, from + keep), i * keep);
  }
  return new Tensor(out, shape, t.dtype);
}

/**
 * Rows ids of t copied by the native row gather (the embedding lookup's memcpy loop, exact for any 32-bit data):
 * fit's shuffled batches, without a JS subarray per row. null where the native kernels are not in force.
 */
function gatherRows(t: Tensor, ids: Int32Array, rowSize: number): Float32Array | Int32Array | null {
  const gather = nativeFastPath('embeddingForward');
  const src = t.values;
  if (!gather || rowSize === 0 || !(src instanceof Float32Array || src instanceof Int32Array)) return null;
  const out = allocFloat(ids.length * rowSize, false) as Float32Array;
  gather(ids.length, rowSize, ids, src instanceof Int32Array ? new Float32Array(src.buffer, src.byteOffset, src.length) : src, out);
  return src instanceof Int32Array ? new Int32Array(out.buffer, out.byteOffset, out.length) : out;
}

/**
 * One tensor of samples, checked: at least one sample, and every float value finite. NaN or Inf is refused
 * (a deliberate difference from Keras and tfjs, which compute NaN): kind says what holds it in the message.
 */
export function asInput(x: TensorLike, what: string, kind: 'features' | 'targets' = 'features'): Tensor {
  if (Array.isArray(x) && x.some((v) => v instanceof Tensor)) {
    // tfjs takes [x] for a model's one input (and [y] for its one output), as a model with several takes a list.
    if (x.length !== 1) throw new Error(`${what}: expected one tensor, got a list of ${x.length} tensors (this model has one input and one output)`);
    x = x[0] as TensorLike;
  }
  const t = toTensor(x, what);
  if (t.rank < 1 || t.shape[0] === 0) throw new Error(`${what}: expected at least one sample, got shape ${shapeStr(t.shape)}`);
  if (t.dtype === 'float32' && !allFinite(t.values)) {
    const d = t.values;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) throw new Error(`${what}: value ${d[i]} at flat index ${i} is not finite (NaN or Inf in ${kind})`);
    }
  }
  return t;
}

export function checkBatchSize(v: unknown, what = 'batchSize'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return v;
}

/** What checkStatefulBatches reads of a layer: recurrent layers and rnn (duck-typed), and nested models' layers. */
interface MaybeStateful {
  name?: string;
  className?: string;
  stateful?: unknown;
  built?: boolean;
  builtInputShape?: readonly (number | null)[] | null;
  getStates?: () => Tensor[];
  layers?: readonly unknown[];
}

/** The batch size a built stateful recurrent layer takes (the only one it runs), or null where none is bound. */
function statefulBatchOf(l: MaybeStateful): number | null {
  if (l.stateful !== true || l.built !== true || typeof l.getStates !== 'function') return null;
  const B = l.builtInputShape?.[0];
  if (typeof B === 'number') return B;
  // An rnn fed its initial states in its input list keeps no single input spec; its states carry the batch.
  return l.getStates()[0]?.shape[0] ?? null;
}

function* statefulLayers(layers: readonly unknown[]): Generator<{ layer: MaybeStateful; batch: number }> {
  for (const l of layers as MaybeStateful[]) {
    if (Array.isArray(l.layers)) yield* statefulLayers(l.layers);
    const batch = statefulBatchOf(l);
    if (batch !== null) yield { layer: l, batch };
  }
}

/**
 * How the caller picks its batches, for the advice when a stateful layer cannot take them: fit/evaluate/predict's
 * batchSize, fit's validationBatchSize, a call that takes x as one batch (predictOnBatch, trainOnBatch), or a
 * dataset's own batches (fitDataset, evaluateDataset), whose size is the dataset's .batch(n).
 */
export type BatchSource = 'batchSize' | 'validationBatchSize' | 'oneBatch' | 'dataset';

function statefulAdvice(source: BatchSource, n: number, batchSize: number, bad: number, B: number): string {
  const samples = `${n} sample${n === 1 ? '' : 's'}`;
  switch (source) {
    case 'oneBatch': return `but it was given a batch of ${n}; give it a batch of exactly ${B} samples (nothing was run)`;
    case 'dataset': return `but the dataset gave a batch of ${n}; batch the dataset with .batch(${B}) over a number of samples divisible by ${B} (this batch was not run)`;
    default: return `but ${samples} in batches of ${batchSize} give it a batch of ${bad}; pass ${source}: ${B} and a number of samples divisible by ${B} (nothing was run)`;
  }
}

/**
 * n samples in batches of batchSize, checked before any batch runs against every stateful layer's batch size: a
 * batch of another size is refused by the layer, so without this fit would train (and every call move the carried
 * states) on the batches before it. tfjs checks the same up front ("divisible by the batch size"). what prefixes the
 * message ('' for none, where the caller adds its own); source says which option or data the advice names.
 */
export function checkStatefulBatches(layers: readonly unknown[], n: number, batchSize: number, what: string, source: BatchSource = 'batchSize'): void {
  for (const { layer, batch: B } of statefulLayers(layers)) {
    const first = Math.min(batchSize, n);
    const bad = first !== B ? first : n % B;
    if (bad === 0) continue;
    throw new Error(`${what ? `${what}: ` : ''}${layer.name} (${layer.className}): stateful layer was built for batches of ${B}, `
      + statefulAdvice(source, n, batchSize, bad, B));
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Yields to the event loop at most every `ms` milliseconds: often enough for timers, servers, signals and
 * progress output, without a macrotask per batch where batches take a few milliseconds. The default is tfjs's
 * 'auto' rate (125 ms): a yield costs ~0.1 ms of the step at the lab's shapes, and at 20 ms the lab's LSTM
 * (30 ms batches) paid it on every batch.
 */
export class EventLoopYield {
  private last = performance.now();
  /** ms 0: every time. */
  constructor(private readonly ms = 125) {}
  /** A promise to await when it is time to yield, else undefined. */
  due(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.last < this.ms) return undefined;
    return yieldToEventLoop().then(() => { this.last = performance.now(); });
  }
}
