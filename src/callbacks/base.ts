/** What rnnlab's built-in callbacks share: fit's live state, Keras's monitor/mode rules, messages. */
import { callbackOrder, withTfjsAliases, type Callback, type FitState } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import { globalRandom } from '../random.js';
import { settleCheckpoint, writeCheckpoint, type TrainingState } from '../io/checkpoint.js';
import { Callback as CallbackClass } from '../models/callback_class.js';
import { metricKind, type MetricKind } from '../metrics/registry.js';
import { describe } from '../describe.js';
import { Tensor, isForeignTensor } from '../tensor.js';

export type Mode = 'auto' | 'min' | 'max';

/** Keras's snake_case spelling of a camelCase option name, as kerasKey writes it (minDelta: min_delta). */
type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}` ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}` : S;

/**
 * A callback's options under tfjs's camelCase names and Keras's snake_case ones (readKerasOptions reads both, and
 * refuses one option under both): T, plus each multi-word option's snake_case spelling, optional.
 */
export type WithKerasNames<T> = T & { [K in keyof T as K extends string ? (SnakeCase<K> extends K ? never : SnakeCase<K>) : never]?: T[K] };

export type { Writer } from '../models/progress.js';
export { checkWriter } from '../models/progress.js';

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


/** A built-in callback class: it declares the keys it adds to an epoch's logs (none to a batch's). */
interface DeclaresLogKeys { readonly addedEpochLogKeys: readonly string[] }

/**
 * The keys the callbacks running before cb in this fit add to an epoch's logs (the logs are one object each epoch,
 * as Keras 3's), when every one of them is a built-in whose own class declares them (learningRateScheduler and
 * reduceLROnPlateau add learning_rate). null when one is the user's (a subclass of a built-in included), which may
 * add any key, or when fit's order is not known.
 */
export function keysAddedBefore(state: FitState, cb: Callback): string[] | null {
  const list = callbackOrder(state);
  const at = list ? list.indexOf(cb) : -1;
  if (!list || at < 0) return null;
  const keys = new Set<string>();
  for (const other of list.slice(0, at)) {
    const cls = other.constructor as Partial<DeclaresLogKeys>;
    if (!(other instanceof BaseCallback) || !Object.hasOwn(cls, 'addedEpochLogKeys')) return null;
    for (const k of cls.addedEpochLogKeys!) keys.add(k);
  }
  return [...keys];
}

/**
 * The direction Keras 3 gives each built-in metric ('up' for accuracies, precision, recall, AUC and R2; 'down' for
 * the errors and crossentropies; rnnlab's cosineProximity is tfjs's, minus the cosine, so 'down'). A Record over
 * every kind, so a metric added to compile's catalogue must be classified here.
 */
const METRIC_DIRECTION: Record<MetricKind, 'min' | 'max'> = {
  accuracy: 'max', binaryAccuracy: 'max', categoricalAccuracy: 'max', sparseCategoricalAccuracy: 'max',
  precision: 'max', recall: 'max', auc: 'max', r2Score: 'max',
  meanSquaredError: 'min', meanAbsoluteError: 'min', meanAbsolutePercentageError: 'min', binaryCrossentropy: 'min',
  categoricalCrossentropy: 'min', sparseCategoricalCrossentropy: 'min', cosineProximity: 'min', crossentropy: 'min',
};

/** The direction of a built-in metric name compile takes (any spelling: 'acc', 'binary_accuracy', 'MSE'), else null. */
function builtinDirection(name: string): 'min' | 'max' | null {
  try {
    return METRIC_DIRECTION[metricKind(name, '')];
  } catch {
    return null;
  }
}

/**
 * mode 'auto' as Keras 3 resolves it (MonitorCallback._set_monitor_op): the name without 'val_' (and without the
 * '_0', '_1' that number a repeated log key); a loss ('loss', '<output>_loss', any name ending in 'loss', where
 * Keras 3 knows only 'loss') is minimised; a built-in metric (alone, or as '<output>_<metric>') goes the way Keras 3
 * gives that metric; anything else (a user metric, a typo) is null: Keras 3 then raises asking for an explicit mode.
 */
export function autoDirection(monitor: string): 'min' | 'max' | null {
  const name = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  for (const base of [name, name.replace(/_\d+$/, '')]) {
    if (/loss$/i.test(base)) return 'min';
    // The whole name first, then each tail after an '_' ('out_1_precision', '1_precision', 'precision').
    const tails = [base];
    for (let i = base.indexOf('_'); i >= 0; i = base.indexOf('_', i + 1)) tails.push(base.slice(i + 1));
    for (const tail of tails) {
      const d = builtinDirection(tail);
      if (d) return d;
    }
  }
  return null;
}

/** 'min' or 'max' from a mode as given; 'auto' as Keras 3 resolves it, refusing a monitor it cannot classify. */
export function resolveMode(mode: unknown, monitor: string, owner: string): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${owner}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
  if (mode !== 'auto') return mode;
  const d = autoDirection(monitor);
  if (d === null) {
    throw new Error(`${owner}: mode 'auto' cannot tell whether monitor '${monitor}' should be maximised or minimised (it is not a loss ` +
      'nor a built-in metric\'s log name); pass mode: \'max\' to keep the highest value or mode: \'min\' to keep the lowest (Keras 3 raises the same)');
  }
  return d;
}

/**
 * An option's bad value as the callbacks' errors show it: JSON, so a string keeps its quotes ("0.5" is not 0.5);
 * numbers as written, since JSON writes NaN and Infinity as null.
 */
export function shownOption(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

/** Keras's 0/1 verbosity of a callback's messages. */
export function checkVerbose(v: unknown, owner: string): 0 | 1 {
  if (v === undefined) return 0;
  if (v !== 0 && v !== 1) throw new Error(`${owner}: verbose must be 0 or 1, got ${shownOption(v)}`);
  return v;
}

/** A boolean option. */
export function checkBoolean(v: unknown, name: string, owner: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new Error(`${owner}: ${name} must be true or false, got ${shownOption(v)}`);
  return v;
}

/** Python's f"{v:.5f}": inf and -inf as Python writes them (Keras's "improved from inf to ..."). */
export function fixed5(v: number): string {
  return Number.isFinite(v) ? v.toFixed(5) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/**
 * The best monitored value of earlyStopping, reduceLROnPlateau and modelCheckpoint: null is Keras 3.11+'s None,
 * "no best yet", where MonitorCallback starts unless a threshold is given.
 */
export type MonitorBest = number | null;

/** A best as checkpoint.json keeps it: JSON has no NaN or infinities, and null must stay "no best yet". */
export type StoredBest = number | 'nan' | 'inf' | '-inf' | null;

export function storedBest(best: MonitorBest): StoredBest {
  return best === null || Number.isFinite(best) ? best : fixed5(best) as 'nan' | 'inf' | '-inf';
}

/** storedBest read back; undefined for anything else (a hand-edited or foreign value), which sets no best. */
export function readStoredBest(v: unknown): MonitorBest | undefined {
  if (v === null || (typeof v === 'number' && Number.isFinite(v))) return v;
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : undefined;
}

/**
 * Keras 3's MonitorCallback._is_improvement: against no best yet, any reading improves, NaN and infinities included
 * (so the first watched epoch always does); else it must beat the reference by more than minDelta. A NaN on either
 * side compares false, so once NaN is the best nothing beats it, as in Keras.
 */
export function isImprovement(direction: 'min' | 'max', minDelta: number, value: number, reference: MonitorBest): boolean {
  if (reference === null) return true;
  return direction === 'min' ? value + minDelta < reference : value - minDelta > reference;
}

/** The best as ModelCheckpoint's messages show it: "None" before any, else f"{best:.5f}". */
export function shownBest(best: MonitorBest): string {
  return best === null ? 'None' : fixed5(best);
}

/**
 * The monitored value the callbacks compare: a number, NaN included (Keras 3 compares NaN, which never improves).
 * A one-element tensor (a custom metric's rl.scalar) reads as its number, as tfjs resolves scalar tensors in logs
 * before callbacks see them; a larger or disposed tensor has no one value to compare, so it is an error.
 * undefined when the logs lack the key or hold null there (Keras's logs.get reads None as missing), or hold
 * anything else (a string), which cannot be compared: the callbacks then treat the epoch as missing it.
 */
export function monitoredNumber(logs: Logs, monitor: string, owner: string): number | undefined {
  const v: unknown = logs[monitor];
  if (typeof v === 'number') return v;
  if (!(v instanceof Tensor) && !isForeignTensor(v)) return undefined;
  const t = v as Tensor;
  if (t instanceof Tensor && t.isDisposed) throw new Error(`${owner}: monitor '${monitor}' holds a disposed tensor`);
  if (t.size !== 1) throw new Error(`${owner}: monitor '${monitor}' holds a tensor of shape [${t.shape.join(', ')}]; it must be a number or a one-element tensor`);
  return Number(t.dataSync()[0]);
}

/**
 * Keras 3's message when the monitored key is not in an epoch's logs (a typo, or val_loss without validation
 * data), or holds no number (monitoredNumber): a console warning, once per fit, and the callback goes on (Keras
 * warns each epoch).
 */
export class MissingMonitorWarning {
  private warned = false;
  reset(): void { this.warned = false; }
  warn(message: string, logs: Logs, monitor: string): void {
    if (this.warned) return;
    this.warned = true;
    const held: unknown = logs[monitor];
    const why = held === undefined ? '' : ` (it holds ${describe(held)}, not a number)`;
    console.warn(`${message}${why}; available metrics are: ${Object.keys(logs).join(', ')}`);
  }
}

export function checkMonitor(monitor: unknown, owner: string): string {
  if (typeof monitor !== 'string' || monitor === '') throw new Error(`${owner}: monitor must be a metric name such as 'val_loss', got ${JSON.stringify(monitor)}`);
  return monitor;
}

/**
 * A snapshot of training at an epoch boundary or inside an epoch. In onEpochEnd, `logs` (the epoch's) gives the
 * History the keys the callbacks run so far added; onEpochSettled has it settled (see settledHistory).
 */
export function captureState(fit: FitState, at: 'epochEnd' | 'inEpoch', epoch: number, extra?: Record<string, unknown>, logs?: Logs): TrainingState {
  const history = fit.history.snapshot(logs);
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
 * An epoch-end checkpoint, written in onEpochEnd as Keras writes it (a later callback's crash keeps it), brought up
 * to the epoch's settled state when callbacks listed after the writer changed it: keys added to the epoch's logs, the
 * learning rate (reduceLROnPlateau lowers it in onEpochEnd). Settled in onEpochSettled, or, when a later callback's
 * onEpochEnd threw, in onFitExit with what the callbacks before it did (the logs are one object, filled in place).
 */
export class EpochEndCheckpoint {
  private written: { dir: string; at: string; logs: Logs } | null = null;

  write(dir: string, fit: FitState, epoch: number, logs: Logs, extra?: Record<string, unknown>): void {
    const st = captureState(fit, 'epochEnd', epoch, extra, logs);
    writeCheckpoint(dir, fit.model, st);
    this.written = { dir, at: JSON.stringify([st.history, fixedRate(fit)]), logs };
  }

  /**
   * In onFitExit: a callback after the writer threw in onEpochEnd, so the checkpoint keeps what the callbacks before
   * it added. Best effort: failing here must not hide the error that ended fit.
   */
  settleAfterFailure(fit: FitState | null): void {
    try { if (fit) this.settle(fit); } catch { /* the checkpoint stays as onEpochEnd wrote it */ }
  }

  settle(fit: FitState): void {
    const w = this.written;
    this.written = null;
    if (!w) return;
    // After History.settle the logs change nothing; before it (a crash) they hold the keys added so far.
    const history = fit.history.snapshot(w.logs), rate = fixedRate(fit);
    if (JSON.stringify([history, rate]) !== w.at) settleCheckpoint(w.dir, history, rate);
  }
}

/** The optimizer's learning rate when it is a fixed one (callbacks set it), else undefined. */
function fixedRate(fit: FitState): number | undefined {
  const o = fit.model.optimizer;
  return o && !o.learningRateSchedule ? o.learningRate : undefined;
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
      const known = [...new Set(['epoch', ...(batch !== undefined ? ['batch'] : []), ...Object.keys(logs)])];
      throw new Error(`modelCheckpoint: path '${template}' names '{${key}}', which ${batch !== undefined ? "this batch's" : "this epoch's"} logs do not have ` +
        `(a key a callback adds is there only when that callback comes before modelCheckpoint in the list); the logs had: ${known.join(', ')}`);
    }
    const [, zero, width, prec, kind] = formatSpec(template, key, spec);
    const digits = prec ? Number(prec) : 6;
    const s = kind === 'd' ? String(Math.trunc(v)) : !Number.isFinite(v) ? fixed5(v)
      : kind === 'f' ? v.toFixed(digits) : kind === 'e' ? pythonExp(v.toExponential(digits))
      : INTEGER_KEYS.has(key) ? String(v) : pythonRepr(v);
    return width ? padded(s, Number(width), zero === '0') : s;
  });
}

/** Python's width: spaces before the text; its '0' flag puts the zeros after the sign ('{:07.3f}' of -0.5 is '-00.500'). */
function padded(s: string, width: number, zero: boolean): string {
  if (!zero) return s.padStart(width, ' ');
  const sign = s.startsWith('-') ? '-' : '';
  return sign + s.slice(sign.length).padStart(width - sign.length, '0');
}

/**
 * A field's format as Python's format spec reads it: [fill zero][width][.precision][d|e|f]; anything else is refused
 * ({loss:.2} is Python's general format, which is not offered). 'd' takes an integer, and only epoch and batch are
 * integers (log values are floats: '{loss:d}'.format(loss=0.74) raises "Unknown format code 'd' for object of type
 * 'float'").
 */
function formatSpec(template: string, key: string, spec: string): RegExpExecArray {
  const f = /^(0?)(\d*)(?:\.(\d+))?([def]?)$/.exec(spec);
  if (!f || (f[3] !== undefined && (f[4] === 'd' || f[4] === ''))) {
    throw new Error(`modelCheckpoint: path '${template}': format '${spec}' of '{${key}}' is not supported (use forms such as {epoch:02d}, {val_loss:.4f}, {loss:.3e})`);
  }
  if (f[4] === 'd' && !INTEGER_KEYS.has(key)) throw new Error(dOnFloat(template, key, spec));
  return f;
}

/**
 * Checks a path template before training, so a mistake fails at once, not at the first save after an epoch of
 * training: every field's format, and, when logKeys is given (every key the logs will have: fit's params.metrics
 * and what the built-in callbacks listed before modelCheckpoint add), every field's key. logKeys null: a callback of
 * the user's runs first and may add any key, so the keys are checked at each save (formatPath).
 */
export function checkPathKeys(template: string, logKeys: readonly string[] | null, batchSaves: boolean): void {
  const fields = [...template.matchAll(TEMPLATE_FIELD)].map(([, body]) => fieldOf(body!));
  for (const { key, spec } of fields) formatSpec(template, key, spec);
  if (logKeys === null) return;
  // Batch logs hold the batch's running values (no val_ ones) and its size; tfjs's aliases (acc) read too.
  const logged = batchSaves ? [...logKeys.filter((k) => !k.startsWith('val_')), 'size'] : logKeys;
  const aliases = Object.getOwnPropertyNames(withTfjsAliases(Object.fromEntries(logged.map((k) => [k, 0]))));
  const available = [...new Set(['epoch', ...(batchSaves ? ['batch'] : []), ...logged, ...aliases])];
  for (const { key } of fields) {
    if (!available.includes(key)) {
      const why = batchSaves && key.startsWith('val_') ? ' (validation values exist only at the end of an epoch; saveFreq counts batches)' : '';
      throw new Error(`modelCheckpoint: path '${template}' names '{${key}}', which the logs will not have${why}; available: ${available.join(', ')}. ` +
        'A key a callback of your own adds to the logs is taken when that callback comes before modelCheckpoint in the list');
    }
  }
}

/** The template keys that hold integers (the rest are the logs' float values). */
const INTEGER_KEYS = new Set(['epoch', 'batch']);

function dOnFloat(template: string, key: string, spec: string): string {
  return `modelCheckpoint: path '${template}': format '${spec}' of '{${key}}' takes an integer, but '${key}' is a float log value ` +
    `(Python raises "Unknown format code 'd' for object of type 'float'"); only {epoch} and {batch} take 'd': use a float format such as {${key}:.4f}`;
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

/**
 * Python's str() of a float, which a plain {loss} field writes: the shortest digits that read back, as JavaScript's,
 * but '1.0' for whole numbers and exponents below 1e-4 and from 1e16 on ('1e-05', '1e+16'), where String gives
 * '1', '0.00001' and '10000000000000000'.
 */
export function pythonRepr(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) return pythonExp(`${mantissa}e${exp}`);
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
