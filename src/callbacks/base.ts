/** What rnnlab's built-in callbacks share: fit's live state, Keras's monitor/mode rules, messages. */
import type { Callback, FitState } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import { globalRandom } from '../random.js';
import type { TrainingState } from '../io/checkpoint.js';
import { Callback as CallbackClass } from '../models/callback_class.js';

export type Mode = 'auto' | 'min' | 'max';

export interface Writer { write(s: string): unknown }

/** rnnlab's built-in callbacks are rl.Callbacks (tfjs's EarlyStopping is a tf.Callback too) that also see fit's live state. */
export abstract class BaseCallback extends CallbackClass implements Callback {
  protected fit: FitState | null = null;

  override setFitState(state: FitState): void {
    this.fit = state;
    super.setFitState(state);
  }

  protected get state(): FitState {
    if (!this.fit) throw new Error(`${this.constructor.name}: used outside model.fit (pass it in fit's callbacks)`);
    return this.fit;
  }
}

/** Keras: 'max' for accuracies, 'min' for everything else, unless mode says otherwise. */
export function resolveMode(mode: unknown, monitor: string, owner: string): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${owner}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
  if (mode !== 'auto') return mode;
  return monitor.includes('acc') || monitor.startsWith('fmeasure') ? 'max' : 'min';
}

export function checkMonitor(monitor: unknown, owner: string): string {
  if (typeof monitor !== 'string' || monitor === '') throw new Error(`${owner}: monitor must be a metric name such as 'val_loss', got ${JSON.stringify(monitor)}`);
  return monitor;
}

/** A snapshot of training at an epoch boundary (after onEpochEnd's history.record) or inside an epoch. */
export function captureState(fit: FitState, at: 'epochEnd' | 'inEpoch', epoch: number, extra?: Record<string, unknown>): TrainingState {
  const h = fit.history;
  const history = { epoch: [...h.epoch], history: Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, [...v]])) };
  const p = at === 'inEpoch' ? fit.progress : null;
  return {
    nextEpoch: at === 'epochEnd' ? epoch + 1 : p ? p.epoch : epoch,
    progress: p ? { ...p } : null,
    history,
    rng: globalRandom.getState(),
    samples: fit.samples,
    batchSize: fit.batchSize,
    extra,
  };
}

/** Keras-style path templates: {epoch}, {epoch:02d}, {val_loss:.4f}; epochs count from 1. */
export function formatPath(template: string, epoch: number, logs: Logs = {}): string {
  return template.replace(/\{(\w+)(?::(0?)(\d*)(?:\.(\d+))?([df]))?\}/g, (m, key: string, zero: string, width: string, prec: string, kind: string) => {
    const v = key === 'epoch' ? epoch + 1 : logs[key];
    if (v === undefined) return m;
    let s = kind === 'f' ? v.toFixed(prec ? Number(prec) : 6) : kind === 'd' ? String(Math.trunc(v)) : String(v);
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}
