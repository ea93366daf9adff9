/**
 * tfjs's callback classes: rl.Callback (tf.Callback: `model`, `params`, setModel, setParams and async no-op hooks,
 * to extend) and rl.CustomCallback (tf.CustomCallback: hooks from an object, called with `this` the callback).
 * fit calls setParams, then setModel, on every callback before onTrainBegin (tfjs's order), through setFitState.
 */
import type { Callback as CallbackHooks, FitState } from './callback.js';
import type { Logs } from './progress.js';
import type { TrainableModel } from './trainable.js';
import { checkOptionKeys, unknownOptionMessage } from '../near_name.js';

/** tfjs's callback params: what fit tells callbacks before training (epochs, samples, steps, batchSize, ...). */
export type Params = { [key: string]: number | string | boolean | number[] | string[] | boolean[] | null };

/** The params tfjs's fit gives its callbacks, from fit's state (history.params holds verbose, steps, doValidation, metrics). */
export function fitParams(state: FitState): Params {
  const hp = state.history.params;
  // fitDataset's state has no sample count or batch size (0): tfjs's params say null there.
  const sized = state.batchSize > 0;
  const steps = typeof hp.steps === 'number' ? hp.steps : sized ? Math.ceil(state.samples / state.batchSize) : null;
  return {
    epochs: state.epochs,
    initialEpoch: state.initialEpoch,
    samples: sized ? state.samples : null,
    steps,
    batchSize: sized ? state.batchSize : null,
    verbose: typeof hp.verbose === 'number' ? hp.verbose : 0,
    doValidation: hp.doValidation === true,
    metrics: Array.isArray(hp.metrics) ? [...hp.metrics as string[]] : [],
  };
}

/** The model type callbacks see: the model being trained (a Sequential or a Functional model). */
export type CallbackModel = TrainableModel & { [key: string]: unknown };

/**
 * tfjs's tf.Callback, to extend: `class Stop extends rl.Callback { async onEpochEnd(epoch, logs) {
 * if (logs.loss < 0.1) this.model.stopTraining = true; } }`. The hooks here do nothing (fit skips them).
 */
export class Callback implements CallbackHooks {
  /** The model being trained; set by fit (setModel) before onTrainBegin. */
  model: CallbackModel = null as unknown as CallbackModel;
  params: Params = {};
  /** tfjs's field; rnnlab's fit does not set it (validation runs inside fit). */
  validationData: unknown = null;

  setParams(params: Params): void { this.params = params; }
  setModel(model: CallbackModel): void { this.model = model; }

  onTrainBegin(_logs?: Logs): void | Promise<void> { /* nothing by default */ }
  onTrainEnd(_logs?: Logs): void | Promise<void> { /* nothing by default */ }
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> { /* nothing by default */ }
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> { /* nothing by default */ }
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> { /* nothing by default */ }
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> { /* nothing by default */ }

  /** fit's entry point: tfjs's setParams, then setModel. */
  setFitState(state: FitState): void {
    this.setParams(fitParams(state));
    this.setModel(state.model as CallbackModel);
  }
}

/** The hooks fit calls, in the order of a run's life. */
export const HOOK_NAMES = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;
type HookName = typeof HOOK_NAMES[number];

/** Whether fn is one of rl.Callback's do-nothing hooks (fit need not call it, nor build logs for it). */
export function isDefaultHook(hook: string, fn: unknown): boolean {
  return (HOOK_NAMES as readonly string[]).includes(hook) && fn === (Callback.prototype as unknown as Record<string, unknown>)[hook];
}

/** tfjs's CustomCallbackArgs. */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** tfjs's options rnnlab refuses by name (fit's yieldEvery sets how often training yields). */
const CUSTOM_REFUSED: Record<string, string> = {
  onYield: 'rnnlab has no onYield hook; use onBatchEnd',
  nowFunc: 'it only serves tfjs\'s per-callback yielding; use fit\'s yieldEvery',
  nextFrameFunc: 'it only serves tfjs\'s per-callback yielding; use fit\'s yieldEvery',
};

/** Checks a hooks object: unknown hook-like keys (a typo such as onEpochEnds) and tfjs-only ones are errors naming them. */
export function checkHookKeys(args: object, owner: string, allowed: readonly string[] = HOOK_NAMES): void {
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined || allowed.includes(k)) continue;
    const e = hookNameError(k, owner);
    if (e) throw e;
  }
  checkHookFunctions(args, owner);
}

/**
 * The error for a member named like a hook that fit never calls, or null for any other name. A callback object may
 * carry other members of its own; only hook-like names (Keras's on_epoch_end, or on + a capital) can be misspelt
 * or ported hooks, which would otherwise never run.
 */
function hookNameError(k: string, owner: string): Error | null {
  if (Object.hasOwn(CUSTOM_REFUSED, k)) return new Error(`${owner}: option '${k}' is not supported by rnnlab (${CUSTOM_REFUSED[k]})`);
  const keras = kerasHookError(k, owner);
  if (keras) return keras;
  if (/^on[A-Z]/.test(k)) return new Error(unknownOptionMessage(owner, k, HOOK_NAMES, 'hook'));
  return null;
}

/** keras.callbacks.Callback's hooks. */
const KERAS_HOOKS = ['train', 'epoch', 'batch', 'train_batch', 'test', 'test_batch', 'predict', 'predict_batch']
  .flatMap((h) => [`on_${h}_begin`, `on_${h}_end`]);

const camelCase = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Keras's hooks in camelCase (onTrainBatchEnd, onTestEnd): the names a port of a Keras callback gives them. */
const KERAS_CAMEL_HOOKS = KERAS_HOOKS.map(camelCase).filter((k) => !(HOOK_NAMES as readonly string[]).includes(k));

/**
 * The error for one of Keras's hooks, as Keras spells it (on_epoch_end) or in camelCase where rnnlab's name differs
 * (onTrainBatchEnd, onTestEnd), or null for any other name.
 */
function kerasHookError(k: string, owner: string): Error | null {
  const snake = KERAS_HOOKS.includes(k);
  if (!snake && !KERAS_CAMEL_HOOKS.includes(k)) return null;
  // Keras's on_train_batch_* are its on_batch_*, tfjs's onBatch*.
  const tfjs = camelCase(k).replace(/^onTrainBatch/, 'onBatch');
  const spelling = snake ? "Keras's spelling" : `Keras's ${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} in camelCase`;
  if ((HOOK_NAMES as readonly string[]).includes(tfjs)) return new Error(`${owner}: hook '${k}' is ${spelling}, which rnnlab (as tfjs) never calls; name it '${tfjs}'`);
  return new Error(`${owner}: Keras's hook '${k}' has no rnnlab counterpart (fit calls ${HOOK_NAMES.join(', ')})`);
}

/**
 * rnnlab's callback members named like hooks besides tfjs's: the Callback contract's onFitExit and onEpochSettled,
 * and backupAndRestore's onRestored (its caller's resume notice).
 */
const OTHER_ON_MEMBERS: readonly string[] = ['onFitExit', 'onEpochSettled', 'onRestored'];

/**
 * A callback class's members named like a hook that fit never calls would never run: Keras's hooks (a port of
 * `def on_epoch_end(self, epoch, logs)`, or `onTrainBatchEnd`), as methods or fields, are refused naming the hook to
 * define instead; a method with another hook-like name (onEpochEnds) is refused as a plain object's key is. Fields
 * are the class's own data (a listener kept as `this.onLog`, a `nowFunc`), and so are methods named otherwise.
 */
export function checkClassHookNames(cb: object, owner: string): void {
  const known = (k: string) => (HOOK_NAMES as readonly string[]).includes(k) || OTHER_ON_MEMBERS.includes(k);
  for (const k of Object.keys(cb)) {
    const e = known(k) ? null : kerasHookError(k, owner);
    if (e) throw e;
  }
  for (let p = Object.getPrototypeOf(cb); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (known(k)) continue;
      const e = kerasHookError(k, owner) ?? (/^on[A-Z]/.test(k) ? hookNameError(k, owner) : null);
      if (e) throw e;
    }
  }
}

/** Each hook given must be a function (null and undefined mean none). */
function checkHookFunctions(args: object, owner: string): void {
  for (const h of HOOK_NAMES) {
    const f = (args as Record<string, unknown>)[h];
    if (f !== undefined && f !== null && typeof f !== 'function') throw new Error(`${owner}: ${h} must be a function, got ${typeof f}`);
  }
}

/**
 * tfjs's tf.CustomCallback: new rl.CustomCallback({onEpochEnd(epoch, logs) { ... }}); the functions run with `this`
 * the callback, so `this.model` and `this.params` are there.
 */
export class CustomCallback extends Callback {
  constructor(args: CustomCallbackArgs, yieldEvery?: unknown) {
    super();
    if (typeof args !== 'object' || args === null) throw new Error('CustomCallback: expected an object of hooks ({onEpochEnd(epoch, logs) {...}, ...})');
    if (yieldEvery !== undefined) throw new Error('CustomCallback: yieldEvery is not supported per callback; pass it to fit ({yieldEvery})');
    // Only hooks belong here, so any other key is an error (checkHookKeys, for callback objects, lets non-hook members by).
    checkOptionKeys('CustomCallback', args, HOOK_NAMES, { refused: CUSTOM_REFUSED });
    checkHookFunctions(args, 'CustomCallback');
    for (const h of HOOK_NAMES) {
      const fn = (args as Record<HookName, ((...a: unknown[]) => unknown) | undefined>)[h];
      if (typeof fn === 'function') (this as unknown as Record<string, unknown>)[h] = (...a: unknown[]) => fn.apply(this, a);
    }
  }
}

/**
 * A plain hooks object ({onEpochEnd() {...}}) gets `model` and `params` (non-enumerable, unless it has its own), so
 * `this.model.stopTraining = true` works in its hooks while `this` stays the object itself (its own fields too).
 */
export class PlainCallback implements CallbackHooks {
  handlesNonFiniteLoss?: boolean;
  onTrainBegin?: CallbackHooks['onTrainBegin'];
  onTrainEnd?: CallbackHooks['onTrainEnd'];
  onEpochBegin?: CallbackHooks['onEpochBegin'];
  onEpochEnd?: CallbackHooks['onEpochEnd'];
  onBatchBegin?: CallbackHooks['onBatchBegin'];
  onBatchEnd?: CallbackHooks['onBatchEnd'];
  onFitExit?: () => void;
  onEpochSettled?: CallbackHooks['onEpochSettled'];

  constructor(readonly target: CallbackHooks & Record<string, unknown>, private readonly what = 'fit: a callback') {
    for (const h of HOOK_NAMES) {
      const fn = target[h] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof fn === 'function') (this as unknown as Record<string, unknown>)[h] = (...a: unknown[]) => fn.apply(target, a);
    }
    if (typeof target.onFitExit === 'function') this.onFitExit = () => target.onFitExit!();
    if (typeof target.onEpochSettled === 'function') this.onEpochSettled = (epoch, logs) => target.onEpochSettled!(epoch, logs);
    if (target.handlesNonFiniteLoss) this.handlesNonFiniteLoss = true;
  }

  setFitState(state: FitState): void {
    const t = this.target;
    const params = fitParams(state);
    // An object that brings its own setParams / setModel (a class instance, tfjs style) gets them called;
    // a plain object gets the fields, unless it defines them itself.
    if (typeof t.setParams === 'function') (t.setParams as (p: Params) => void).call(t, params);
    else if (!Object.hasOwn(t, 'params') || isOurs(t, 'params')) define(t, 'params', params);
    if (typeof t.setModel === 'function') {
      try {
        (t.setModel as (m: unknown) => void).call(t, state.model);
      } catch (e) {
        // tfjs's own callbacks (tf.callbacks.earlyStopping) accept only a tfjs LayersModel; their message does not say which callback refused.
        throw new Error(`${this.what}: its setModel threw (${(e as Error).message}); if this is one of tfjs's own callbacks, such as ` +
          'tf.callbacks.earlyStopping, it works only with tfjs models: use rl.callbacks.earlyStopping or another rl callback');
      }
    } else if (!Object.hasOwn(t, 'model') || isOurs(t, 'model')) define(t, 'model', state.model);
  }
}

const defined = new WeakMap<object, Set<string>>();

function define(t: object, key: string, value: unknown): void {
  Object.defineProperty(t, key, { value, writable: true, configurable: true, enumerable: false });
  const s = defined.get(t) ?? new Set<string>();
  s.add(key);
  defined.set(t, s);
}

function isOurs(t: object, key: string): boolean {
  return defined.get(t)?.has(key) ?? false;
}
