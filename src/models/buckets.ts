/**
 * Length-bucketed batching (fit's `bucket` option) for padded token ids: each epoch's shuffled order is sorted
 * by length within pools of poolBatches batches, the batches are shuffled, and each batch keeps only the steps
 * between its rows' first and last real (non-zero) id. Only the padding that every row of the batch has is cut,
 * at either end, so pre- and post-padding both work; the result is unchanged only when the model masks that
 * padding (an Embedding with maskZero whose mask reaches the layer that removes the time axis), which
 * bucketBlocker checks, along with the masked layers whose result still depends on how many padding steps there
 * are (zeroOutputForMask ending the time axis, batch statistics moved once per step). An unmasked model reads
 * padding as input, and then how much of it a row gets changes what the model computes, at the front
 * (pre-padding: the state a recurrent layer reaches before the first word) as at the back (post-padding: the
 * state it ends in), so it is refused.
 */
import { firstShape, type Layer } from '../layers/layer.js';
import { TimeDistributed, usesBatchStatistics } from '../layers/time_distributed.js';
import { checkOptionKeys } from '../near_name.js';
import { globalRandom } from '../random.js';
import type { Tensor } from '../tensor.js';
import type { StepWindow } from './batches.js';
import type { TrainableModel } from './trainable.js';

export interface BucketArgs {
  /** Batches per pool sorted by length (default 32): larger pools share more padding, smaller ones mix lengths more. */
  poolBatches?: number;
}

export const DEFAULT_POOL_BATCHES = 32;

/**
 * Layers that work step by step and carry the padding mask on (Keras: supports_masking without changing time).
 * Dropout's draws differ with the batch's shape, trimmed or not, but each real value is dropped with the same
 * probability: bucketing already changes which rows share a batch, so it keeps what the model computes, not the
 * random stream. A TimeDistributed is one of them unless what it wraps uses batch statistics (timeDistributedBlocker).
 */
const PER_STEP = new Set(['Dense', 'Dropout', 'Activation', 'TimeDistributed']);
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional']);

const describe = (l: Layer) => `${l.name} (${l.className})`;

interface RecurrentFlags { returnSequences?: boolean; zeroOutputForMask?: boolean }

/**
 * A recurrent layer (or Bidirectional) ending the time axis with zeroOutputForMask outputs zeros for a row whose last
 * processed step is padding, so a row whose real steps reach the trimmed batch's end would output zeros padded and
 * its last state trimmed: trimming changes what it computes, though the padding is masked.
 */
function zeroingLastStep(l: Layer & RecurrentFlags & { forwardLayer?: RecurrentFlags; backwardLayer?: RecurrentFlags }): string | null {
  const zeroing = [l, l.forwardLayer, l.backwardLayer].some((r) => r?.zeroOutputForMask);
  if (!zeroing) return null;
  return `${describe(l)} has zeroOutputForMask without returnSequences: it outputs zeros for a row whose last step is padding, so cutting the padding a batch shares would change the output of its longest rows; leave bucket off or zeroOutputForMask off`;
}

/**
 * A TimeDistributed calls what it wraps once per step in training where that uses batch statistics
 * (BatchNormalization, anywhere in it): the moving statistics move once per step, all-padding steps included, so
 * cutting steps would change them and every later prediction.
 */
function timeDistributedBlocker(l: Layer): string | null {
  if (!(l instanceof TimeDistributed) || !usesBatchStatistics(l.layer)) return null;
  return `${describe(l)} wraps ${describe(l.layer)}, which uses batch statistics: in training it runs once per step and moves its moving statistics at every step, padding steps included, so cutting the padding a batch shares would change them; leave bucket off for it`;
}

/**
 * Why trimming padding would change what model computes (a sentence), or null when bucketing applies: the first
 * layer is an Embedding with maskZero and no fixed inputLength, and its mask reaches a recurrent layer without
 * returnSequences or a GlobalAveragePooling1D through layers that keep it, and no layer is stateful.
 */
export function bucketBlocker(model: TrainableModel): string | null {
  // A stateful layer's row i continues row i of the batch before; bucketing sorts rows by length even with
  // shuffle: false, so the states it carries would flow into other samples, whatever the mask.
  const stateful = statefulLayerIn(model.layers);
  if (stateful) return `${describe(stateful)} is stateful (row i of a batch continues row i of the batch before), and bucketing reorders the rows by length even with shuffle: false, so its carried states would pass to other samples; leave bucket off for it`;
  const layers = model.layers.filter((l) => l.className !== 'InputLayer');
  const first = layers[0] as (Layer & { maskZero?: boolean; inputLength?: number | null }) | undefined;
  if (!first || first.className !== 'Embedding') return `the model must start with an Embedding of token ids, but it starts with ${first ? describe(first) : 'no layer'}`;
  if (!first.maskZero) return `${describe(first)} does not mask padding (maskZero), so the model reads padding as input and trimming it would change the results`;
  const fixed = first.inputLength ?? first.batchInputShape?.[1] ?? (model.built ? firstShape(model.inputShape)[1] : null);
  if (fixed !== null && fixed !== undefined) return `${describe(first)} takes a fixed length of ${fixed} steps (inputLength); build it without inputLength so batches can be shorter`;
  for (const l of layers.slice(1)) {
    if (l.className === 'GlobalAveragePooling1D') return null;
    if (RECURRENT.has(l.className)) {
      const inner = (l as Layer & RecurrentFlags & { forwardLayer?: RecurrentFlags; backwardLayer?: RecurrentFlags });
      if (!(inner.forwardLayer?.returnSequences ?? inner.returnSequences)) return zeroingLastStep(inner);
      continue;
    }
    if (!PER_STEP.has(l.className)) return `${describe(l)} reads every step, padding included (it does not take the mask), so trimming padding would change its result`;
    const wrapped = timeDistributedBlocker(l);
    if (wrapped) return wrapped;
  }
  return 'the model keeps the time axis to its output, so targets would need trimming too';
}

/** The first stateful layer, looked for inside nested models too so that the message names the recurrent layer. */
function statefulLayerIn(layers: Layer[]): Layer | undefined {
  const l = layers.find((k) => k.stateful);
  const nested = (l as (Layer & { model?: { layers: Layer[] } }) | undefined)?.model;
  return (nested && statefulLayerIn(nested.layers)) ?? l;
}

/** Per sample: the first and one past the last step holding a non-zero id (0, 0 for an all-padding row). */
export function realSpans(ids: Tensor): { first: Int32Array; end: Int32Array } {
  const [n, T] = ids.shape;
  const d = ids.values, first = new Int32Array(n), end = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0, b = T;
    while (a < T && d[i * T + a] === 0) a++;
    if (a === T) continue;
    while (d[i * T + b - 1] === 0) b--;
    first[i] = a;
    end[i] = b;
  }
  return { first, end };
}

/** One fit's bucketing of x (token ids [samples, steps]). */
export class LengthBuckets {
  private readonly first: Int32Array;
  private readonly end: Int32Array;
  private readonly steps: number;
  readonly poolBatches: number;

  constructor(ids: Tensor, private readonly batchSize: number, args: BucketArgs, what: string) {
    if (ids.rank !== 2 || ids.dtype !== 'int32') {
      throw new Error(`${what} needs x as int32 token ids shaped (samples, steps) (padSequences gives them; rl.tensor(ids, shape, 'int32')), got a ${ids.dtype} tensor of rank ${ids.rank}`);
    }
    checkOptionKeys(what, args, ['poolBatches']);
    const pool = args.poolBatches ?? DEFAULT_POOL_BATCHES;
    if (!Number.isInteger(pool) || pool < 1) throw new Error(`${what}: poolBatches must be a positive integer, got ${String(pool)}`);
    this.poolBatches = pool;
    this.steps = ids.shape[1];
    ({ first: this.first, end: this.end } = realSpans(ids));
  }

  /** Real steps of sample i (what the pools sort by). */
  length(i: number): number { return this.end[i] - this.first[i]; }

  /**
   * An epoch's sample order: shuffled (or as given), sorted by length within each pool (ties keep their order),
   * then the full batches shuffled among themselves; a last partial batch stays last.
   */
  order(shuffle: boolean): Int32Array {
    const n = this.first.length, bs = this.batchSize;
    const base = shuffle ? globalRandom.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    const pool = bs * this.poolBatches;
    for (let p = 0; p < n; p += pool) {
      const part = Array.from(base.subarray(p, Math.min(n, p + pool)));
      // Array.prototype.sort is stable: equal lengths keep the shuffled order.
      part.sort((a, b) => this.length(a) - this.length(b));
      base.set(part, p);
    }
    if (!shuffle) return base;
    const full = Math.floor(n / bs);
    const out = new Int32Array(n);
    globalRandom.permutation(full).forEach((b, i) => out.set(base.subarray(b * bs, (b + 1) * bs), i * bs));
    out.set(base.subarray(full * bs), full * bs);
    return out;
  }

  /** The steps batch order[s..e) keeps (null: all of them). */
  window(order: Int32Array | null, s: number, e: number): StepWindow | null {
    let from = this.steps, to = 0;
    for (let k = s; k < e; k++) {
      const i = order ? order[k] : k;
      if (this.end[i] === 0) continue;
      if (this.first[i] < from) from = this.first[i];
      if (this.end[i] > to) to = this.end[i];
    }
    // All padding: one masked step computes what all of them would (the initial state).
    if (to === 0) return { from: 0, to: 1 };
    return from === 0 && to === this.steps ? null : { from, to };
  }
}
