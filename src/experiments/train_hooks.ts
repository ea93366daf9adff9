/**
 * How a caller follows and stops a task's training: the CLI passes none (Keras progress goes to `out`), the
 * dashboard streams every batch and epoch and cancels through an AbortSignal. One fit callback serves both.
 */
import type { Callback, FitState } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import type { Sequential } from '../models/sequential.js';
import { GradientCapture, weightHistograms, type WeightHistogram } from './weight_histograms.js';

export interface TrainHooks {
  /** Stops training after the current batch; the task then skips its final evaluation and says it was cancelled. */
  signal?: AbortSignal;
  /** What the task is doing now ("loading IMDb", "training", ...). */
  onPhase?: (text: string) => void;
  onTrainBegin?: (info: { epochs: number; steps: number; samples: number; params: number }) => void;
  onBatchEnd?: (epoch: number, batch: number, logs: Logs) => void | Promise<void>;
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
  onEpochBegin(): void { this.begin = performance.now(); this.lastBatch = this.begin; }
  onBatchEnd(): void { this.lastBatch = performance.now(); }
  onEpochEnd(): void { this.seconds.push((this.lastBatch - this.begin) / 1000); }
}

export const aborted = (h: TrainHooks): boolean => h.signal?.aborted ?? false;

/**
 * The fit callbacks of a task: the timer, the task's own per-epoch measurement (added to the logs), and the
 * caller's hooks. Goes after the timer in the list, so the epoch's seconds are known when the hooks run.
 */
export function hookCallbacks(model: Sequential, hooks: TrainHooks, measure?: (epoch: number, logs: Logs) => void): Callback[] {
  const timer = new EpochTimer();
  let epochNow = 0;
  // Only a caller that draws histograms pays for the gradient copies.
  const capture = hooks.onHistograms ? new GradientCapture() : null;
  let fit: FitState | null = null;
  const follow: Callback = {
    setFitState: (state) => { fit = state; },
    ...(capture ? {
      onTrainBegin: () => { if (model.optimizer) capture.install(model.optimizer); },
      onFitExit: () => capture.uninstall(),
    } : {}),
    onEpochBegin: (epoch) => { epochNow = epoch; },
    // Only a caller that follows batches or can cancel listens to them: fit builds no batch logs for nobody.
    ...(hooks.onBatchEnd || hooks.signal ? {
      onBatchEnd: async (batch: number, logs?: Logs) => {
        await hooks.onBatchEnd?.(epochNow, batch, logs ?? {});
        if (aborted(hooks)) {
          model.stopTraining = true;
          // A cancel stops at this batch: the epoch's validation pass (tens of seconds on IMDb) is skipped.
          if (fit) fit.cancelled = true;
        }
      },
    } : {}),
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

export function mean(v: readonly number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
}
