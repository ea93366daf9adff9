/**
 * tfjs's memory model on garbage-collected tensors. Only tensors made by the public ops (src/ops) are
 * counted; tensors that layers and autograd make internally are never registered, so training pays nothing.
 * numTensors counts registered tensors not yet disposed, as tfjs does: one dropped without dispose() is still
 * counted (tfjs would leak it; here the collector frees its memory, hence `unreliable`). numBytes and numDataBuffers
 * follow tfjs's engine too, so tfjs programs' assertions on them hold: bytes per tensor (views included, bool at one
 * byte), buffers per distinct data array.
 */
import { Tensor } from '../tensor.js';

const registered = new WeakSet<Tensor>();
const disposed = new WeakSet<Tensor>();
const kept = new WeakSet<Tensor>();
/** Live registered tensors per data array: reshape-style views share one buffer, as in tfjs. */
const bufferRefs = new WeakMap<object, number>();
let numTensors = 0;
let numDataBuffers = 0;
let numBytes = 0;
const scopes: Tensor[][] = [];

export interface MemoryInfo {
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  unreliable: boolean;
  reasons: string[];
}

/** Registers a tensor made by a public op: counted by memory(), disposed by the enclosing tidy(). */
export function track<T extends Tensor>(t: T): T {
  registered.add(t);
  numTensors++;
  numBytes += bytesOf(t);
  const refs = bufferRefs.get(t.values) ?? 0;
  if (refs === 0) numDataBuffers++;
  bufferRefs.set(t.values, refs + 1);
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
  return t;
}

/**
 * tfjs's byte count: the tensor's own size at its dtype's width (bool 1 byte), whatever rnnlab stores (bool as int32,
 * float32 at the precision setting's width), counted for every tensor, a view of another's data included.
 */
function bytesOf(t: Tensor): number {
  return t.values.length * (t.dtype === 'bool' ? 1 : 4);
}

/** How many open tapes' backward passes still read each tensor: dispose() and tidy() leave its values readable. */
const savedForBackward = new WeakMap<Tensor, number>();
/** The tensors each open tape saved (innermost last), so its end gives back exactly its own marks. */
const saveLists: Tensor[][] = [];

/** Marks tensors a recorded op's backward reads, so dispose() and tidy() leave their values readable until then. */
export function saveForBackward(ts: readonly unknown[]): void {
  const list = saveLists[saveLists.length - 1];
  for (const t of ts) {
    if (!(t instanceof Tensor)) continue;
    savedForBackward.set(t, (savedForBackward.get(t) ?? 0) + 1);
    list?.push(t);
  }
}

/** A tape opens the list its recorded ops save into; closeSaveList stops adding to it (backward still reads them). */
export function openSaveList(): Tensor[] {
  const list: Tensor[] = [];
  saveLists.push(list);
  return list;
}
export function closeSaveList(list: Tensor[]): void {
  const i = saveLists.lastIndexOf(list);
  if (i >= 0) saveLists.splice(i, 1);
}

/** The tape is done with these (its backward ran): a tensor disposed meanwhile becomes unreadable now. */
export function releaseSaved(list: Tensor[]): void {
  for (const t of list) {
    const n = (savedForBackward.get(t) ?? 1) - 1;
    if (n > 0) { savedForBackward.set(t, n); continue; }
    savedForBackward.delete(t);
    if (disposed.has(t)) poison(t);
  }
  list.length = 0;
}

export function isDisposed(t: Tensor): boolean {
  return disposed.has(t);
}

function disposeOne(t: Tensor): void {
  if (disposed.has(t)) return;
  if (registered.has(t)) {
    numTensors--;
    numBytes -= bytesOf(t);
    const refs = bufferRefs.get(t.values)! - 1;
    if (refs === 0) { numDataBuffers--; bufferRefs.delete(t.values); } else bufferRefs.set(t.values, refs);
  }
  disposed.add(t);
  // A tape's backward still reads it (tfjs keeps such tensors alive too): a tidy() inside a custom layer's call
  // or an rl.grad function disposes it for the count now, and releaseSaved makes it unreadable after backward.
  if (savedForBackward.has(t)) return;
  poison(t);
}

function poison(t: Tensor): void {
  // Only this instance changes shape; every read of its data (ops, layers, dataSync) now fails loudly. Its size stays
  // readable, as its shape does (tfjs's disposed tensors answer both).
  Object.defineProperty(t, 'size', { configurable: true, value: t.values.length });
  Object.defineProperty(t, 'values', {
    configurable: true,
    get(): never { throw new Error('Tensor is disposed.'); },
    set(): never { throw new Error('Tensor is disposed.'); },
  });
}

export type TensorContainer = void | Tensor | string | number | boolean | null | undefined
  | TensorContainer[] | { [key: string]: TensorContainer } | Float32Array | Int32Array | Uint8Array;

/** Every tensor inside arrays and plain objects, nested (cycles visited once). */
export function tensorsIn(container: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (container instanceof Tensor) { out.push(container); return out; }
  if (container === null || typeof container !== 'object' || ArrayBuffer.isView(container) || seen.has(container)) return out;
  seen.add(container);
  const values = container instanceof Map ? [...container.values()] : Object.values(container as object);
  for (const v of values) tensorsIn(v, out, seen);
  return out;
}

/** Disposes a tensor or every tensor in an array/object; disposing twice is harmless. */
export function dispose(container: TensorContainer): void {
  for (const t of tensorsIn(container)) disposeOne(t);
}

/** Exempts a tensor from disposal by any enclosing tidy(). */
export function keep<T extends Tensor>(t: T): T {
  if (!(t instanceof Tensor)) throw new Error('keep: expected a Tensor');
  kept.add(t);
  return t;
}

/**
 * Runs fn and disposes every tensor the public ops made inside it, except those it returns (which move to the
 * enclosing tidy, if any) and those passed to keep().
 */
export function tidy<T extends TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T {
  let f: () => T;
  if (fn === undefined) {
    if (typeof nameOrFn !== 'function') throw new Error('Please provide a function to tidy()');
    f = nameOrFn;
  } else {
    if (typeof nameOrFn !== 'string' && !(nameOrFn instanceof String)) throw new Error('When calling with two arguments, the first argument to tidy() must be a string');
    if (typeof fn !== 'function') throw new Error('When calling with two arguments, the 2nd argument to tidy() must be a function');
    f = fn;
  }
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = f();
    if (result instanceof Promise) throw new Error('Cannot return a Promise inside of tidy.');
    return result;
  } finally {
    scopes.pop();
    const returned = new Set(tensorsIn(result));
    const parent = scopes.length > 0 ? scopes[scopes.length - 1] : null;
    for (const t of scope) {
      if (returned.has(t)) parent?.push(t);
      else if (!kept.has(t)) disposeOne(t);
    }
  }
}

export function memory(): MemoryInfo {
  return {
    numTensors, numDataBuffers, numBytes, unreliable: true,
    reasons: ['Counts tensors made by rnnlab\'s tensor ops and not yet disposed; tensors made inside models (predict) are not counted, and garbage collection may already have freed some of the counted bytes.'],
  };
}
