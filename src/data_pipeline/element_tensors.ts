/**
 * Who owns an element's tensors as it moves down a pipeline, as in tfjs.data: an op that consumes an element and
 * does not pass its tensors on disposes them (map's inputs its result dropped, filter's and skip's dropped elements,
 * the rows batch stacked), so memory().numTensors stays flat from epoch to epoch. A source that holds the user's
 * data (data.array) therefore hands out clones, and the user's own tensors survive every pass.
 */
import { Tensor } from '../tensor.js';
import { dispose, tensorsIn, track } from '../ops/memory.js';
import { isPlainObject } from '../plain_object.js';

/**
 * The tensors of an element that a pipeline owns: those in its arrays and plain objects, nested, exactly what
 * cloneElement copies. A tensor inside a Map or a class instance is the user's, so no op disposes it (a data.array
 * item's would otherwise be disposed by the first pass, since its clone shares that object).
 */
export function elementTensors(x: unknown, out: Tensor[] = [], seen = new Set<object>()): Tensor[] {
  if (x instanceof Tensor) out.push(x);
  else if (x !== null && typeof x === 'object' && (Array.isArray(x) || isPlainObject(x)) && !seen.has(x)) {
    seen.add(x);
    for (const v of Object.values(x)) elementTensors(v, out, seen);
  }
  return out;
}

/** Disposes the tensors an op consumed (listed before its transform ran: it may mutate the element) that `kept` does not hold. */
export function disposeExcept(consumed: Tensor[], kept: unknown): void {
  if (consumed.length === 0) return;
  const passed = new Set(tensorsIn(kept));
  dispose(consumed.filter((t) => !passed.has(t)));
}

/** Disposes every tensor of an element an op drops. */
export function disposeElement(el: unknown): void {
  dispose(elementTensors(el));
}

/**
 * A source yielding a tensor it keeps hands it over disposed the next time an op consumed it (tfjs's ownership):
 * said naming the op and the element, instead of a bare "Tensor is disposed." from inside the user's function.
 */
export function refuseStale(op: string, consumed: readonly Tensor[], element: string): void {
  if (!holdsDisposed(consumed)) return;
  throw new Error(`dataset.${op}: ${element} holds a disposed tensor (${op} disposes the tensors it consumes, as tfjs's does; yield new tensors each time, or clone() one kept)`);
}

/**
 * tfjs's deepClone of a data.array item: each tensor becomes a counted view of its data (tfjs's clone shares the
 * data buffer too), and arrays and plain objects are rebuilt, so a map that disposes or rewrites an element in place
 * leaves the array's items as they were for the next pass. Other values pass as they are; the non-enumerable marks
 * (a csv row's line, a zip tuple) are kept.
 */
export function cloneElement<T>(x: T, seen = new Map<object, unknown>()): T {
  if (x instanceof Tensor) return track(new Tensor(x.viewValues(), [...x.shape], x.dtype)) as T;
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return x;
  if (!Array.isArray(x) && !isPlainObject(x)) return x;
  const done = seen.get(x);
  if (done !== undefined) return done as T;
  const out: Record<string | symbol, unknown> = Array.isArray(x) ? (new Array(x.length) as never) : {};
  seen.set(x, out);
  for (const k of Object.keys(x)) out[k] = cloneElement((x as Record<string, unknown>)[k], seen);
  for (const s of Object.getOwnPropertySymbols(x)) Object.defineProperty(out, s, Object.getOwnPropertyDescriptor(x, s)!);
  return out as T;
}

/** Whether any of the tensors (an element's, listed by elementTensors or tensorsIn) has been disposed. */
export function holdsDisposed(tensors: readonly Tensor[]): boolean {
  return tensors.some((t) => t.isDisposed);
}
