/** The callback contract fit calls (hooks as tfjs names them) and Keras's History. */
import type { Logs } from './progress.js';
import type { EpochProgress, TrainableModel } from './trainable.js';

export type { EpochProgress } from './trainable.js';

/**
 * fit's live state, handed to callbacks that implement setFitState (checkpoints, resume). A callback may move
 * initialEpoch and set resume in onTrainBegin to continue an interrupted run.
 */
export interface FitState {
  model: TrainableModel;
  history: History;
  epochs: number;
  batchSize: number;
  samples: number;
  initialEpoch: number;
  /** A mid-epoch position to continue from (its epoch must be initialEpoch). */
  resume: EpochProgress | null;
  /** Updated after every batch, before onBatchEnd. */
  progress: EpochProgress | null;
  /**
   * Set with stopTraining by a caller that cancels the run (the dashboard's cancel): the epoch cut short is not
   * validated, so the run stops at the batch boundary (Keras's stopTraining alone still validates that epoch).
   */
  cancelled?: boolean;
}

/** Each fit's callbacks in the order they run (fit records them), so a callback can tell which run before it. */
const runOrder = new WeakMap<FitState, readonly Callback[]>();

export function recordCallbackOrder(state: FitState, callbacks: readonly Callback[]): void {
  runOrder.set(state, callbacks);
}

/** The callbacks of the fit `state` belongs to, in the order they run; undefined when fit did not record them. */
export function callbackOrder(state: FitState): readonly Callback[] | undefined {
  return runOrder.get(state);
}

export interface Callback {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /**
   * rnnlab's: called after every callback's onEpochEnd, once the History holds the epoch's final logs (keys any
   * callback added included), with those logs. Epoch-end checkpoints are completed here, so they hold the History as it stands.
   */
  onEpochSettled?(epoch: number, logs: Logs): void | Promise<void>;
  /** Called once before onTrainBegin with fit's live state. */
  setFitState?(state: FitState): void;
  /** When true, a non-finite loss is reported to onBatchEnd (loss NaN) instead of raising NonFiniteLossError. */
  handlesNonFiniteLoss?: boolean;
  /** Called when fit ends, normally or by an exception (release signal handlers and the like). */
  onFitExit?(): void;
}

export class History {
  epoch: number[] = [];
  history: Record<string, number[]> = {};
  params: Record<string, unknown> = {};

  /**
   * tfjs's History.syncData: replaces scalar tensors in the history by their numbers. fit records numbers; only a
   * callback that put a tensor in the logs leaves one here (a tensor of more than one value is an error naming the key).
   */
  async syncData(): Promise<void> {
    for (const [k, list] of Object.entries(this.history)) {
      list.forEach((v, i) => {
        const t = v as unknown as { dataSync?: () => ArrayLike<number>; size?: number };
        if (typeof v !== 'object' || v === null || typeof t.dataSync !== 'function') return;
        const data = t.dataSync();
        if (data.length !== 1) throw new Error(`History.syncData: history.${k}[${i}] is a tensor of ${data.length} values, not a scalar`);
        list[i] = Number(data[0]);
      });
    }
  }

  /** The keys record took for the last epoch. */
  private recorded = new Set<string>();

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
    this.recorded = new Set(Object.keys(logs));
    withTfjsAliases(this.history);
  }

  /**
   * The epoch's logs once every onEpochEnd has run: keys a callback added are recorded and values it changed are
   * kept, as Keras's History (the last callback) and tfjs's see them. record runs before the callbacks, so a
   * callback reading the History in onEpochEnd sees the epoch; a checkpoint written there is completed after settle (onEpochSettled).
   */
  settle(logs: Logs): void {
    for (const [k, v] of Object.entries(logs)) {
      const list = (this.history[k] ??= []);
      if (this.recorded.has(k)) list[list.length - 1] = v;
      else list.push(v);
      this.recorded.add(k);
    }
    withTfjsAliases(this.history);
  }

  /**
   * A copy of the epochs and lists; given the epoch's logs (in onEpochEnd), as settle(logs) would leave them, so a
   * checkpoint holds the keys the callbacks run so far added.
   */
  snapshot(logs?: Logs): { epoch: number[]; history: Record<string, number[]> } {
    const history = Object.fromEntries(Object.entries(this.history).map(([k, v]) => [k, [...v]]));
    for (const [k, v] of Object.entries(logs ?? {})) {
      const list = (history[k] ??= []);
      if (this.recorded.has(k)) list[list.length - 1] = v;
      else list.push(v);
    }
    return { epoch: [...this.epoch], history };
  }
}

/**
 * tfjs 4.22 logs compile's 'accuracy' as 'acc' and 'crossentropy' as 'ce' (the other names as given: 'mse' stays
 * 'mse'). rnnlab keeps the name compiled (Keras's) and adds tfjs's as a non-enumerable alias ('val_ce',
 * '<output>_acc'), so tfjs programs reading logs.val_ce run while the keys listed (Object.keys, JSON, CSV columns)
 * stay Keras's. In tfjs the alias is the real key, so tfjs code also writes it (logs.val_acc *= 100): the write
 * goes to the key it stands for, which History, CSV and the callbacks after it read.
 */
const TFJS_LOG_NAMES: Record<string, string> = { accuracy: 'acc', crossentropy: 'ce' };

export function withTfjsAliases<T extends object>(logs: T): T {
  const keys = new Set(Object.keys(logs));
  for (const k of keys) {
    const alias = tfjsLogName(k, keys);
    if (alias === null || alias in logs) continue;
    const target = logs as Record<string, unknown>;
    Object.defineProperty(logs, alias, {
      enumerable: false, configurable: true, get: () => target[k], set: (v: unknown) => { target[k] = v; },
    });
  }
  return logs;
}

/**
 * tfjs's name for log key k when k is a metric compiled as exactly 'accuracy' or 'crossentropy': the whole key
 * (after 'val_') for one output, '<output>_<metric>' for several, recognised by '<output>_loss' being logged too;
 * so 'binary_crossentropy' or a user metric 'my_accuracy' (metrics of their own) get none. Else null.
 */
function tfjsLogName(k: string, keys: ReadonlySet<string>): string | null {
  const val = k.startsWith('val_') ? 'val_' : '';
  const rest = k.slice(val.length);
  for (const [compiled, short] of Object.entries(TFJS_LOG_NAMES)) {
    if (rest === compiled) return `${val}${short}`;
    const output = rest.endsWith(`_${compiled}`) ? rest.slice(0, -compiled.length - 1) : null;
    if (output && keys.has(`${val}${output}_loss`)) return `${val}${output}_${short}`;
  }
  return null;
}

/** Adds withTfjsAliases to every logs object among a hook's arguments. */
export function aliasLogs(args: unknown[]): void {
  for (const a of args) if (typeof a === 'object' && a !== null && !Array.isArray(a)) withTfjsAliases(a);
}

/** The hooks fire() calls (the other Callback members are flags and setup). */
export type CallbackHook = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd';

export async function fire<K extends CallbackHook>(cbs: Callback[], hook: K, ...args: Parameters<NonNullable<Callback[K]>>): Promise<void> {
  aliasLogs(args);
  for (const cb of cbs) {
    const fn = cb[hook] as ((...a: unknown[]) => unknown) | undefined;
    if (fn) await fn.apply(cb, args);
  }
}
