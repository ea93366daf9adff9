/** fit's callbacks as it runs them: indexed by hook, plain objects wrapped so their hooks see the model. */
import { aliasLogs, type Callback, type CallbackHook } from './callback.js';
import type { Logs } from './progress.js';
import { Callback as CallbackClass, HOOK_NAMES, PlainCallback, checkClassHookNames, checkHookKeys, isDefaultHook } from './callback_class.js';
import { describe } from '../describe.js';

const HOOKS: readonly CallbackHook[] = HOOK_NAMES;

/**
 * The built-ins' check of their preconditions before any callback's onTrainBegin. A symbol, not a name, and not
 * exported from the package: a user's callback with its own method called checkTrainBegin is not called by fit.
 */
export const checkTrainBegin: unique symbol = Symbol('rnnlab.checkTrainBegin');
type Checked = Callback & { [checkTrainBegin]?(): void | Promise<void> };

/**
 * fit's and fitDataset's `callbacks` option as a list: a list as it is, one callback (an object) as a list of one,
 * undefined or null as none. Anything else is refused as the option it is: a number wrapped as callbacks[0] was
 * reported as a bad callback in a list the user never wrote, and 0, false or '' read as no callbacks at all.
 */
export function callbackListOf(given: unknown, method: string): Callback[] {
  if (given === undefined || given === null) return [];
  if (Array.isArray(given)) return given as Callback[];
  if (typeof given === 'object') return [given as Callback];
  const got = typeof given === 'function' ? 'a function (a callback is an object with hooks such as onEpochEnd)' : describe(given);
  throw new Error(`${method}: callbacks must be a list of callbacks or one callback object (e.g. [rl.callbacks.earlyStopping()]), got ${got}`);
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/**
 * fit's callbacks, indexed by hook once: a hook nobody implements costs nothing (its logs need not even be
 * built), and synchronous callbacks run without a promise per call. Order and awaiting are fire()'s.
 */
export class CallbackList {
  private readonly listeners = new Map<CallbackHook, Callback[]>();
  /** The callbacks as fit runs them: rl.Callback instances and built-ins as given, other objects wrapped (see standardizeCallback). */
  readonly callbacks: Callback[];

  /** `method`: the call the user made (fit, fitDataset), which errors about a callback name. */
  constructor(given: Callback[], method = 'fit') {
    const callbacks = this.callbacks = given.map((cb, i) => standardizeCallback(cb, `${method}: callbacks[${i}]`));
    // rl.Callback's do-nothing hooks are skipped: no logs are built for them and batches need not yield.
    for (const hook of HOOKS) this.listeners.set(hook, callbacks.filter((cb) => typeof cb[hook] === 'function' && !isDefaultHook(hook, cb[hook])));
  }

  /**
   * Training begins: every built-in's [checkTrainBegin] (its preconditions, such as a folder it will write), then every
   * onTrainBegin. A check refuses before any callback acts (backupAndRestore restores a backup into the model in its
   * onTrainBegin), so a refused fit changes nothing, whatever the order of the callbacks.
   */
  async trainBegin(logs: Logs): Promise<void> {
    for (const cb of this.callbacks as Checked[]) if (typeof cb[checkTrainBegin] === 'function') await cb[checkTrainBegin]();
    await this.call('onTrainBegin', logs);
  }

  /** Whether any callback implements hook: callers skip building its logs when not. */
  listens(hook: CallbackHook): boolean { return this.listeners.get(hook)!.length > 0; }

  /** Runs hook on each listener in order; a promise only when one of them returned one (await it). */
  call<K extends CallbackHook>(hook: K, ...args: Parameters<NonNullable<Callback[K]>>): Promise<void> | undefined {
    const cbs = this.listeners.get(hook)!;
    if (cbs.length) aliasLogs(args);
    for (let i = 0; i < cbs.length; i++) {
      const r = (cbs[i][hook] as (...a: unknown[]) => unknown).apply(cbs[i], args);
      if (isThenable(r)) return this.rest(r, cbs, i + 1, hook, args);
    }
    return undefined;
  }

  /** Each callback's onEpochSettled, in order, once the History has settled the epoch's logs. */
  async epochSettled(epoch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) if (cb.onEpochSettled) await cb.onEpochSettled(epoch, logs);
  }

  private async rest(pending: PromiseLike<unknown>, cbs: Callback[], from: number, hook: CallbackHook, args: unknown[]): Promise<void> {
    await pending;
    for (let i = from; i < cbs.length; i++) await (cbs[i][hook] as (...a: unknown[]) => unknown).apply(cbs[i], args);
  }
}

/**
 * What fit runs for a given callback: an rl.Callback (tfjs's tf.Callback) or a built-in (it takes fit's state) as it
 * is; any other object behind a wrapper that hands it the model and params (setModel / setParams when it has them,
 * else non-enumerable `model` and `params` fields), so `this.model.stopTraining = true` works in a plain object's
 * hooks. A plain object's unknown hook (onEpochEnds) is an error naming it.
 */
export function standardizeCallback(cb: Callback, what: string): Callback {
  // Checked here, before any callback runs, for every caller (fit, fitDataset): a number or a nested list would
  // otherwise fail later in a JavaScript error naming neither, or (an empty list) be accepted and do nothing.
  if (typeof cb !== 'object' || cb === null || Array.isArray(cb)) {
    const got = Array.isArray(cb) ? 'an array (give the callbacks as one flat list)' : typeof cb === 'string' ? JSON.stringify(cb) : String(cb);
    throw new Error(`${what} must be a callback object (e.g. rl.callbacks.earlyStopping()), got ${got}`);
  }
  const proto = Object.getPrototypeOf(cb);
  if (proto !== Object.prototype && proto !== null) checkClassHookNames(cb, what);
  if (cb instanceof CallbackClass || typeof cb.setFitState === 'function') return cb;
  if (proto === Object.prototype || proto === null) checkHookKeys(cb, what, [...HOOKS, 'handlesNonFiniteLoss', 'onFitExit', 'onEpochSettled', 'model', 'params', 'setModel', 'setParams']);
  return new PlainCallback(cb as Callback & Record<string, unknown>, what);
}
