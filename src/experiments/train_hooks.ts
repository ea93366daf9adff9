/**
 * How a caller follows and stops a task's training: the CLI passes none (Keras progress goes to `out`), the
 * dashboard streams every batch and epoch and cancels through an AbortSignal. One fit callback serves both.
 */
import type { Callback, FitState } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import type { Sequential } from '../models/sequential.js';
import { GradientCapture, weightHistograms, type WeightHistogram } from './weight_histograms.js';

/**
 * What the hooks use of an AbortSignal (any AbortSignal is one), spelt out so that the published declarations need
 * neither the DOM library nor @types/node.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface TrainHooks {
  /**
   * Stops training after the current batch; the task then skips its final evaluation and says it was cancelled. Seen
   * aborted only once the last batch is done, it stops nothing, and the task ends as if it had not been.
   */
  signal?: AbortSignalLike;
  /** What the task is doing now ("loading IMDb", "training", ...). */
  onPhase?: (text: string) => void;
  onTrainBegin?: (info: { epochs: number; steps: number; samples: number; params: number }) => void;
  onBatchEnd?: (epoch: number, batch: number, logs: Logs) => void | Promise<void>;
  /**
   * Training has ended uncancelled: the last batch is done without the signal stopping an earlier one (or fit ended
   * by itself). Called once, before the last epoch's validation and the task's scoring, which a cancel no longer stops:
   * the dashboard refuses cancels from then on instead of waiting for a stop that will not come.
   */
  onTrainingEnd?: () => void;
  /** After the task's own epoch measurements (val_exact, ...) are in logs; seconds: the epoch's training time. */
  onEpochEnd?: (epoch: number, logs: Logs, seconds: number) => void | Promise<void>;
  /** Every trainable weight's histogram and its last batch's gradient's after each epoch (called before onEpochEnd). */
  onHistograms?: (epoch: number, weights: WeightHistogram[]) => void;
  /** Addition: the sample questions as the model answers them after this epoch (called before onEpochEnd). */
  onSamples?: (epoch: number, samples: { question: string; truth: string; guess: string; correct: boolean }[]) => void;
}

/** Wall time of each epoch's training batches (validation excluded). */
export class EpochTimer implements Callback {
  seconds: number[] = [];
  private begin = 0;
  private lastBatch = 0;
  private running = false;
  onEpochBegin(): void { this.begin = performance.now(); this.lastBatch = this.begin; this.running = true; }
  onBatchEnd(): void { this.lastBatch = performance.now(); }
  onEpochEnd(): void { this.seconds.push((this.lastBatch - this.begin) / 1000); this.running = false; }
  /** The running epoch's batches so far (a checkpoint taken inside it), or null between epochs. */
  inEpoch(): number | null { return this.running ? (this.lastBatch - this.begin) / 1000 : null; }
}

/** What a checkpoint carries of the epoch times (its state.extra.epochSeconds): its finished epochs', and the part of the epoch it stopped inside. */
export interface SavedEpochSeconds { done: (number | null)[]; partial: number | null }

/**
 * Epoch times across a resume: the epochs a checkpoint finished were timed by the process that ran them, and an
 * epoch cut by a Ctrl-C is timed in two parts, so the record has one time per epoch of the history (NaN for one
 * no process timed: a checkpoint from an rnnlab that did not keep them) rather than this process's share alone.
 */
export class ResumedEpochTimes {
  readonly timer = new EpochTimer();
  private prior: number[] = [];
  /** Seconds the resumed epoch had run before its checkpoint; null when the checkpoint was at an epoch boundary. */
  private priorPartial: number | null = null;

  /** After a restore: nextEpoch finished epochs, inEpoch when it stopped inside the next, saved what it carried (if anything). */
  restore(nextEpoch: number, inEpoch: boolean, saved: unknown): void {
    const s = savedEpochSeconds(saved);
    this.prior = s && s.done.length === nextEpoch ? s.done.map((x) => x ?? NaN) : new Array<number>(nextEpoch).fill(NaN);
    this.priorPartial = inEpoch ? (s && s.done.length === nextEpoch ? s.partial ?? NaN : NaN) : null;
  }

  /** One time per finished epoch, those before the resume included. */
  seconds(): number[] {
    const here = [...this.timer.seconds];
    if (this.priorPartial !== null && here.length) here[0] += this.priorPartial;
    return [...this.prior, ...here];
  }

  /** What a checkpoint written now carries (JSON: null for an untimed epoch). */
  snapshot(): SavedEpochSeconds {
    const now = this.timer.inEpoch();
    // The resumed epoch still running: its time before the resume counts too.
    const partial = now === null ? null : this.priorPartial !== null && !this.timer.seconds.length ? now + this.priorPartial : now;
    const finite = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);
    return { done: this.seconds().map(finite), partial: finite(partial) };
  }
}

function savedEpochSeconds(v: unknown): SavedEpochSeconds | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const time = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x) && x >= 0);
  if (!Array.isArray(o.done) || !o.done.every(time) || !time(o.partial ?? null)) return null;
  return { done: o.done as (number | null)[], partial: (o.partial ?? null) as number | null };
}

export const aborted = (h: TrainHooks): boolean => h.signal?.aborted ?? false;

/** The follow callback of hookCallbacks, knowing whether the signal stopped the fit it ran in. */
interface FollowCallback extends Callback { stoppedByCancel: boolean }

/**
 * The fit callbacks of a task: the timer, the task's own per-epoch measurement (added to the logs), and the
 * caller's hooks. Goes after the timer in the list, so the epoch's seconds are known when the hooks run.
 */
export function hookCallbacks(model: Sequential, hooks: TrainHooks, measure?: (epoch: number, logs: Logs) => void, timer = new EpochTimer()): Callback[] {
  let epochNow = 0;
  // Only a caller that draws histograms pays for the gradient copies.
  const capture = hooks.onHistograms ? new GradientCapture() : null;
  let fit: FitState | null = null;
  let ended = false;
  const end = () => {
    if (ended || follow.stoppedByCancel) return;
    ended = true;
    hooks.onTrainingEnd?.();
  };
  const follow: FollowCallback = {
    stoppedByCancel: false,
    setFitState: (state) => { fit = state; },
    ...(capture ? {
      onTrainBegin: () => { if (model.optimizer) capture.install(model.optimizer); },
      onFitExit: () => capture.uninstall(),
    } : {}),
    onEpochBegin: (epoch) => { epochNow = epoch; },
    // Only a caller that follows batches or can cancel listens to them: fit builds no batch logs for nobody.
    ...(hooks.onBatchEnd || hooks.signal || hooks.onTrainingEnd ? {
      onBatchEnd: async (batch: number, logs?: Logs) => {
        await hooks.onBatchEnd?.(epochNow, batch, logs ?? {});
        const lastOfEpoch = fit !== null && batch === Math.ceil(fit.samples / fit.batchSize) - 1;
        // The last batch done, training is: a cancel read now (it came during that batch) stops nothing, as one read later.
        if (fit && lastOfEpoch && epochNow === fit.epochs - 1) end();
        else if (aborted(hooks)) {
          follow.stoppedByCancel = true;
          model.stopTraining = true;
          // A cancel stops at this batch: the epoch's validation pass (tens of seconds on IMDb) is skipped, unless the
          // batch was the epoch's last. That epoch is whole (the tasks count it so, and score it), so it is validated.
          if (fit && !lastOfEpoch) fit.cancelled = true;
        }
      },
    } : {}),
    // A fit that ended without its last batch's onBatchEnd (another callback's stopTraining) has ended all the same.
    onTrainEnd: end,
    onEpochEnd: async (epoch, logs) => {
      const l = logs ?? {};
      measure?.(epoch, l);
      if (capture) hooks.onHistograms!(epoch, weightHistograms(model.trainableWeights, capture));
      await hooks.onEpochEnd?.(epoch, l, timer.seconds[timer.seconds.length - 1] ?? 0);
    },
  };
  return [timer, follow];
}

export function timerOf(callbacks: Callback[]): EpochTimer {
  return callbacks[0] as EpochTimer;
}

/**
 * Whether the signal stopped the fit these hookCallbacks ran in. Not the signal itself: a cancel that comes after the
 * last batch (in the last validation, or the task's scoring after fit) stopped nothing, as Keras's stopTraining set
 * then does nothing, and the trained model is the whole run's.
 */
export function stoppedByCancel(callbacks: Callback[]): boolean {
  return (callbacks[1] as FollowCallback).stoppedByCancel;
}

/** The mean of the timed (finite) values; NaN when there are none, which prints as n/a, where 0 would claim a time. */
export function mean(v: readonly number[]): number {
  const t = v.filter(Number.isFinite);
  return t.length ? t.reduce((a, b) => a + b, 0) / t.length : NaN;
}
