/**
 * The padding mask as users' code sees it (tfjs's kwargs.mask, a bool Tensor [batch, steps]) and as rnnlab's own
 * layers keep it (CallContext.mask, one byte per batch x step), and the conversions between the two.
 */
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';

/**
 * What a custom layer's call(inputs, kwargs) receives, as tfjs's executor hands it: `training`, and `mask`, the
 * first input's padding mask as a bool Tensor [batch, steps] (null without one). Passing it on to an inner layer's
 * apply (this.lstm.apply(x, kwargs)) masks that layer too, as in tfjs; an inner apply without training inherits it.
 */
export interface Kwargs {
  training?: boolean | null;
  mask?: Tensor | (Tensor | null)[] | null;
  [key: string]: unknown;
}

/**
 * Keras's call context (keras/src/layers/layer.py, __call__): the training mode of the layer call under way, null
 * outside any. A call on real tensors given no `training` takes it, so a custom layer's `this.dropout.apply(x)` drops
 * in fit as Keras's `self.dropout(x)` does (tfjs 4.22 runs it in inference). Scoped, where Keras keeps one slot that
 * each call overwrites: a call's own mode holds for it and the calls inside it, and the enclosing mode is back when it
 * returns or throws. Layer calls are synchronous (fit awaits only between batches), so no other call sees it.
 */
let enclosingTraining: boolean | null = null;

/** The kwargs every layer's apply and call read themselves; a custom layer's call gets any other key as given. */
export const ENGINE_KWARGS: readonly string[] = ['initialState', 'training', 'mask'];

/**
 * The keys of a user's kwargs beyond ENGINE_KWARGS. A layer whose call hands them to a user's call (handsOn: the layer's
 * call is the user's, or a wrapper's layer's is, as tfjs's TimeDistributed passes its kwargs on) takes them, as tfjs and
 * Keras 3 pass any call argument on. rnnlab's own layers refuse them, except the ones a custom layer's call hands on
 * with the very kwargs object it got (this.dense.apply(x, kwargs)), which tfjs's layers ignore too. tfjs ignores them
 * in a copy as well ({...kwargs}); rnnlab refuses those, naming the custom call they came from, since the copy is made
 * where they can be left out.
 */
export function extraCallKwargs(where: string, method: 'apply' | 'call', args: object, handsOn: boolean): Record<string, unknown> {
  const extras: Record<string, unknown> = {};
  const handedOn = userKwargsMade.has(args) ? (args as MaskContext).callKwargs ?? {} : {};
  for (const [k, v] of Object.entries(args)) {
    if (ENGINE_KWARGS.includes(k)) continue;
    if (handsOn) extras[k] = v;
    else if (!Object.hasOwn(handedOn, k) || handedOn[k] !== v) {
      throw new Error(`${where}: ${method} does not take '${k}'${method === 'call' ? ' in kwargs' : ''} (it takes initialState, training and mask)${copiedFrom(k, v)}`);
    }
  }
  return extras;
}

/** Where a refused key came from: the call arguments of the user's call under way, handed on in a copy of its kwargs. */
function copiedFrom(k: string, v: unknown): string {
  const from = enclosingUserCall;
  if (!from || !Object.hasOwn(from.callKwargs, k) || from.callKwargs[k] !== v) return '';
  const binding = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `${JSON.stringify(k)}: _`;
  return `; '${k}' is a call argument of ${from.where}'s call, handed on in a copy of its kwargs: leave it out (const {${binding}, ...rest} = kwargs) and pass rest`;
}

/** The user's call under way (its layer, and the call arguments its kwargs carry), for copiedFrom; null outside any. */
let enclosingUserCall: { where: string; callKwargs: Readonly<Record<string, unknown>> } | null = null;

/** Runs fn as a user's call (of the layer named `where`, given callKwargs) in this training mode, as inTrainingMode. */
export function inUserCall<T>(where: string, training: boolean, callKwargs: Readonly<Record<string, unknown>> | undefined, fn: () => T): T {
  const outer = enclosingUserCall;
  enclosingUserCall = { where, callKwargs: callKwargs ?? {} };
  try { return inTrainingMode(training, fn); } finally { enclosingUserCall = outer; }
}

/** The mode of the enclosing layer call, or null outside any. */
export function inheritedTraining(): boolean | null { return enclosingTraining; }

/** Runs fn as a layer call in this training mode: the calls it makes without one of their own inherit it. */
export function inTrainingMode<T>(training: boolean, fn: () => T): T {
  const outer = enclosingTraining;
  enclosingTraining = training;
  try { return fn(); } finally { enclosingTraining = outer; }
}

/**
 * The part of the engine's CallContext (layer.ts) that users' kwargs concern. callKwargs: the other arguments a
 * custom layer's apply on tensors was given (apply(x, {scale: 3})), handed to its call as tfjs and Keras 3 hand them.
 */
interface MaskContext { training: boolean; mask: Uint8Array | null; inputMasks?: (Uint8Array | null)[]; callKwargs?: Readonly<Record<string, unknown>> }

/** The kwargs objects made for users' calls: each inherits its call's engine context (activity terms, traces). */
const userKwargsMade = new WeakSet<object>();

/** tfjs's kwargs for a user's call: its call arguments, training, and the first input's mask as a bool Tensor [batch, steps] or null. */
export function userKwargs(ctx: MaskContext, first: Tensor): Kwargs {
  const kwargs = Object.create(ctx) as Kwargs;
  Object.assign(kwargs, ctx.callKwargs);
  kwargs.training = ctx.training;
  kwargs.mask = maskTensor(first, ctx.mask);
  userKwargsMade.add(kwargs);
  return kwargs;
}

export function maskTensor(t: Tensor, m: Uint8Array | null): Tensor | null {
  return m && t.rank >= 2 && m.length === t.shape[0] * t.shape[1] ? new Tensor(Int32Array.from(m), [t.shape[0], t.shape[1]], 'bool') : null;
}

/** A mask given as a tensor (or the engine's bytes), checked against its input's [batch, steps], as the engine keeps it. */
export function maskBytes(where: string, m: Tensor | Uint8Array | null | undefined, x: Tensor | undefined): Uint8Array | null {
  if (m === null || m === undefined) return null;
  if (m instanceof Uint8Array) return m;
  if (!(m instanceof Tensor)) throw new Error(`${where}: mask must be a bool tensor [batch, steps] or null, got ${describe(m)}`);
  if (!x || x.rank < 2 || m.rank !== 2 || m.shape[0] !== x.shape[0] || m.shape[1] !== x.shape[1]) {
    throw new Error(`${where}: mask must be a tensor [batch, steps] matching the input${x ? ` [${x.shape.join(', ')}]` : ''}, got a tensor of shape [${m.shape.join(', ')}]`);
  }
  return Uint8Array.from(m.dataSync() as ArrayLike<number>, (b) => (b ? 1 : 0));
}

/**
 * The engine context of an apply() on real tensors from tfjs-style kwargs: a user's kwargs passed on keep their
 * call's context (activity terms, traces) underneath; a list of masks gives each input its own (attention's).
 */
export function kwargsContext<C extends MaskContext>(where: string, args: Pick<Kwargs, 'training' | 'mask'>, inputs: Tensor[], fewestMasks = inputs.length): C {
  if (args.training !== undefined && args.training !== null && typeof args.training !== 'boolean') throw new Error(`${where}: training must be true, false or null, got ${describe(args.training)}`);
  const ctx = (userKwargsMade.has(args) ? Object.create(args) : {}) as C;
  // Keras's order: the call's own training, else the enclosing call's, else inference.
  ctx.training = args.training ?? enclosingTraining ?? false;
  const m = args.mask;
  if (Array.isArray(m)) {
    if (m.length > inputs.length || m.length < fewestMasks) {
      throw new Error(`${where}: mask is a list of ${m.length} masks for ${inputs.length} input(s); give one per input (null for none)`);
    }
    // A shorter list (Keras's Attention: [query_mask, value_mask] with a key) leaves the last inputs unmasked.
    ctx.inputMasks = inputs.map((x, i) => maskBytes(where, m[i], x));
    ctx.mask = ctx.inputMasks[0];
  } else {
    ctx.mask = maskBytes(where, m, inputs[0]);
    ctx.inputMasks = inputs.length > 1 ? inputs.map((_, i) => (i === 0 ? ctx.mask : null)) : undefined;
  }
  return ctx;
}

/** A weight as the build scope below reads and restores it (layer.ts's Variable). */
interface WeightValues { values: ArrayLike<number> & { slice(): ArrayLike<number> }; assign(given: ArrayLike<number>): void }

/** The values each weight had when the scope began or when it was made inside it; null outside any scope. */
let buildScope: Map<WeightValues, ArrayLike<number>> | null = null;

/** Records a weight's present values in the build scope (first record wins unless `again`: a load's values). */
export function rememberWeight(w: WeightValues, again = false): void {
  if (buildScope && (again || !buildScope.has(w))) buildScope.set(w, w.values.slice());
}

/**
 * Keras 3's StatelessScope around the call that builds a layer (compute_output_spec): the call may assign to weights
 * (BatchNormalization's moving statistics, under an explicit training: true), but each weight ends with the values it
 * had before, or when the call made it. Nested scopes are the outermost one's.
 */
export function withoutWeightChanges<T>(weights: WeightValues[], fn: () => T): T {
  if (buildScope) {
    for (const w of weights) rememberWeight(w);
    return fn();
  }
  const scope = new Map<WeightValues, ArrayLike<number>>();
  buildScope = scope;
  for (const w of weights) rememberWeight(w);
  try {
    return fn();
  } finally {
    buildScope = null;
    for (const [w, before] of scope) if (!sameValues(w.values, before)) w.assign(before);
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}
