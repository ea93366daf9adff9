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

/**
 * Metrics Keras 3 maximises (their direction is 'up'): accuracies in any spelling (tfjs's and Keras 2's 'acc' test,
 * but case-blind, so rnnlab's 'val_binaryAccuracy' counts), precision, recall, AUC, R2 and F-scores.
 */
const MAXIMISED = /acc|(?:^|_)(?:precision|recall|auc|r2_?score|f1_?score|fbeta_?score)$|^(?:val_)?fmeasure/i;

/** Keras: 'max' for the metrics above, 'min' for losses and errors, unless mode says otherwise. */
export function resolveMode(mode: unknown, monitor: string, owner: string): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${owner}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
  if (mode !== 'auto') return mode;
  return MAXIMISED.test(monitor) ? 'max' : 'min';
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

/**
 * Keras-style path templates: {epoch}, {epoch:02d}, {val_loss:.4f}, {batch} (batch saves), any key of the logs;
 * epochs and batches count from 1. A key that is not there, or a format it cannot apply, is an error (as Keras's
 * KeyError): a literal '{val_los:.2f}' folder would hide the typo.
 */
export function formatPath(template: string, epoch: number, logs: Logs = {}, batch?: number): string {
  return template.replace(TEMPLATE_FIELD, (_m, body: string) => {
    const { key, spec } = fieldOf(body);
    const v = key === 'epoch' ? epoch + 1 : key === 'batch' && batch !== undefined ? batch : logs[key];
    if (typeof v !== 'number') {
      const known = ['epoch', ...(batch !== undefined ? ['batch'] : []), ...Object.keys(logs)];
      throw new Error(`modelCheckpoint: path '${template}' names '{${key}}', which is not available here; available: ${known.join(', ')}`);
    }
    const f = /^(0?)(\d*)(?:\.(\d+))?([def]?)$/.exec(spec);
    // A precision needs a float format ({loss:.2} is Python's general format, which is not offered).
    if (!f || (f[3] !== undefined && (f[4] === 'd' || f[4] === ''))) {
      throw new Error(`modelCheckpoint: path '${template}': format '${spec}' of '{${key}}' is not supported (use forms such as {epoch:02d}, {val_loss:.4f}, {loss:.3e})`);
    }
    const [, zero, width, prec, kind] = f;
    const digits = prec ? Number(prec) : 6;
    let s = kind === 'f' ? v.toFixed(digits) : kind === 'e' ? pythonExp(v.toExponential(digits)) : kind === 'd' ? String(Math.trunc(v)) : String(v);
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

/**
 * Checks a path template's keys before training against the keys the logs will have (fit's params.metrics), so a
 * typo or a {val_loss} without validation data fails at once, not at the first save after an epoch of training.
 */
export function checkPathKeys(template: string, logKeys: readonly string[], batchSaves: boolean): void {
  const available = ['epoch', ...(batchSaves ? ['batch'] : []), ...(batchSaves ? logKeys.filter((k) => !k.startsWith('val_')) : logKeys)];
  for (const [, body] of template.matchAll(TEMPLATE_FIELD)) {
    const { key } = fieldOf(body!);
    if (!available.includes(key)) {
      const why = batchSaves && key.startsWith('val_') ? ' (validation values exist only at the end of an epoch; saveFreq counts batches)' : '';
      throw new Error(`modelCheckpoint: path '${template}' names '{${key}}', which the logs will not have${why}; available: ${available.join(', ')}`);
    }
  }
}

/** A path template's {key} or {key:format} fields. */
const TEMPLATE_FIELD = /\{([^{}]*)\}/g;

function fieldOf(body: string): { key: string; spec: string } {
  const colon = body.indexOf(':');
  return colon < 0 ? { key: body, spec: '' } : { key: body.slice(0, colon), spec: body.slice(colon + 1) };
}

/** JavaScript's 1.5e+0 as Python writes it, 1.5e+00. */
function pythonExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}
