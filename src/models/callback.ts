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

export interface Callback {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
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

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
    withTfjsAliases(this.history);
  }
}

/**
 * tfjs names compile's 'accuracy' metric 'acc' in its logs and history; rnnlab keeps Keras's 'accuracy' and adds
 * 'acc' / 'val_acc' (and '<output>_acc') as non-enumerable aliases, so tfjs programs reading logs.val_acc run
 * while the keys listed (Object.keys, JSON, CSV columns) stay Keras's.
 */
export function withTfjsAliases<T extends object>(logs: T): T {
  for (const k of Object.keys(logs)) {
    if (!k.endsWith('accuracy')) continue;
    const alias = `${k.slice(0, -'accuracy'.length)}acc`;
    if (alias in logs) continue;
    Object.defineProperty(logs, alias, { enumerable: false, configurable: true, get: () => (logs as Record<string, unknown>)[k] });
  }
  return logs;
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
