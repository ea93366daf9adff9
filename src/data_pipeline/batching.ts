/** Stacking dataset elements into batches the way tfjs.data's batch() does. */
import { Tensor, tensor, toTensor } from '../tensor.js';
import { track } from '../ops/memory.js';

/**
 * Where an element came from (csv sets it on each row: file and line), so a batch error can name the line.
 * Non-enumerable, so it never shows up as a column.
 */
export const ELEMENT_SOURCE = Symbol('rl.data element source');

export interface ElementSource { file: string; line: number }

export function tagSource<T extends object>(el: T, src: ElementSource): T {
  Object.defineProperty(el, ELEMENT_SOURCE, { value: src, enumerable: false });
  return el;
}

/**
 * The order of a row's columns as the file has them (csv sets it): JavaScript lists integer-like keys ('0', '10')
 * before the others and in numeric order, so Object.keys cannot tell it. Non-enumerable; batch() keeps it.
 */
const COLUMN_ORDER = Symbol('rl.data column order');

export function withColumnOrder<T extends object>(el: T, names: string[]): T {
  Object.defineProperty(el, COLUMN_ORDER, { value: names, enumerable: false });
  return el;
}

/** An object's keys in its columns' order when csv gave one (and it still names exactly those keys), else Object.keys. */
export function columnKeys(el: object): string[] {
  const keys = Object.keys(el);
  const order = (el as { [COLUMN_ORDER]?: string[] })[COLUMN_ORDER];
  return order && order.length === keys.length && order.every((k) => Object.hasOwn(el, k)) ? order : keys;
}

/**
 * A list zip made, a tuple of separate values ([xs, ys] say): batched entry by entry even when
 * its entries are plain number lists, which would otherwise read as one nested array.
 */
const TUPLE = Symbol('rl.data tuple');

export function asTuple<T extends unknown[]>(list: T): T {
  Object.defineProperty(list, TUPLE, { value: true, enumerable: false });
  return list;
}

/** A nested list's shape along its first entries (enough to tell entries of different shapes apart). */
const outline = (x: unknown): string => (Array.isArray(x) || ArrayBuffer.isView(x) ? `${(x as ArrayLike<unknown>).length},${outline((x as ArrayLike<unknown>)[0])}` : '');

/**
 * Marked by zip, or a list whose entries differ in shape ([[1, 2], [1]]: [x, y] of plain lists), which no tensor
 * could hold, so it can only be a tuple.
 */
const isTuple = (x: unknown): boolean => Array.isArray(x)
  && ((x as { [TUPLE]?: boolean })[TUPLE] === true || (x.length > 1 && x.some((e) => outline(e) !== outline(x[0]))));

function isNumericArray(x: unknown): boolean {
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number' || typeof x[0] === 'boolean' || isNumericArray(x[0]) || ArrayBuffer.isView(x[0]));
}

/** A (nested) list of booleans: a bool tensor, as tfjs stacks it (toTensor would read it as float32). */
function isBoolArray(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && (typeof x[0] === 'boolean' || isBoolArray(x[0]));
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing (undefined)';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string '${v.length > 20 ? `${v.slice(0, 20)}...` : v}'`;
  if (v instanceof Tensor) return `a ${v.dtype} tensor`;
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/**
 * Each batched tensor is counted by memory(), as tfjs's stack and tensor make it, and is the consumer's to dispose
 * (fitDataset and evaluateDataset dispose theirs).
 * Numbers -> 1-D float32 tensor, booleans -> 1-D bool tensor; arrays and tensors -> a tensor with a new batch
 * axis; objects and tuples key by key. Every element must have the same kind (and dtype, shape, keys) as
 * element 0: anything else is an error naming the column and the element (and its csv line when known),
 * never a silent NaN or 0.
 */
export function batchElements(items: unknown[]): unknown {
  return batchAt(items, '', items);
}

/**
 * One dtype for a batch's rows. Tensors must agree, as tfjs's stack of tensors requires. Lists and typed arrays
 * mixing int32 (Int32Array, Uint8Array) and float32 rows (plain lists, Float32Array) batch as float32: tfjs takes
 * element 0's dtype, which would cut a later row's fractions when element 0 is a Uint8Array; float32 keeps them.
 */
function batchDtype(rows: Tensor[], items: unknown[], where: (i: number) => string): Tensor['dtype'] {
  const first = rows[0].dtype;
  const mixed = rows.findIndex((r) => r.dtype !== first);
  if (mixed < 0) return first;
  const tensorAt = items.findIndex((x) => x instanceof Tensor);
  const numeric = rows.every((r) => r.dtype === 'int32' || r.dtype === 'float32');
  if (tensorAt >= 0 || !numeric) {
    throw new Error(`${where(mixed)} has dtype ${rows[mixed].dtype} but element 0 has ${first}; cast them to one dtype`);
  }
  return 'float32';
}

/** roots: the batch's whole elements, where a csv row keeps its file and line (looked up only for an error). */
function batchAt(items: unknown[], path: string, roots: unknown[]): unknown {
  const where = (i: number): string => {
    const x = roots[i];
    const s = x !== null && typeof x === 'object' ? (x as { [ELEMENT_SOURCE]?: ElementSource })[ELEMENT_SOURCE] : undefined;
    return `dataset.batch: ${path ? `column '${path}': ` : ''}element ${i} of the batch${s ? ` (${s.file} line ${s.line})` : ''}`;
  };
  const first = items[0];
  if (typeof first === 'number' || typeof first === 'boolean') {
    items.forEach((x, i) => {
      if (typeof x !== typeof first) throw new Error(`${where(i)} is ${describe(x)} but element 0 is a ${typeof first}`);
    });
    if (typeof first === 'boolean') return track(new Tensor(Int32Array.from(items as boolean[], (b) => (b ? 1 : 0)), [items.length], 'bool'));
    return track(new Tensor(Float32Array.from(items as number[]), [items.length], 'float32'));
  }
  if (first instanceof Tensor || (isNumericArray(first) && !isTuple(first)) || ArrayBuffer.isView(first)) {
    const rows = items.map((x, i) => {
      if (!(x instanceof Tensor || Array.isArray(x) || ArrayBuffer.isView(x))) throw new Error(`${where(i)} is ${describe(x)} but element 0 is ${describe(first)}`);
      try {
        if (isBoolArray(x)) {
          const flatValues = (x as unknown[]).flat(Infinity);
          if (!flatValues.every((b) => typeof b === 'boolean')) throw new Error('a list mixing booleans and other values');
          return tensor(x as never, undefined, 'bool');
        }
        // rl.tensor's dtype (tfjs's stack of rows): Uint8Array rows are int32, where a model input's rule reads them as float32.
        return x instanceof Tensor ? toTensor(x, 'value') : tensor(x as never);
      } catch (e) {
        throw new Error(`${where(i)}: ${(e as Error).message}`);
      }
    });
    const shape = rows[0].shape;
    rows.forEach((r, i) => {
      if (r.shape.length !== shape.length || r.shape.some((d, k) => d !== shape[k])) {
        throw new Error(`dataset.batch: ${path ? `column '${path}': ` : ''}element ${i} has shape [${r.shape.join(', ')}] but element 0 has [${shape.join(', ')}]`);
      }
    });
    const dtype = batchDtype(rows, items, where);
    const per = rows[0].size;
    const out = dtype === 'float32' ? new Float32Array(per * rows.length) : new Int32Array(per * rows.length);
    rows.forEach((r, i) => out.set(r.values, i * per));
    return track(new Tensor(out, [rows.length, ...shape], dtype));
  }
  if (Array.isArray(first)) {
    items.forEach((x, i) => {
      if (!Array.isArray(x) || x.length !== first.length) throw new Error(`${where(i)} is ${Array.isArray(x) ? `a list of ${x.length}` : describe(x)} but element 0 is a list of ${first.length}`);
    });
    return asTuple(first.map((_, k) => batchAt(items.map((x) => (x as unknown[])[k]), `${path}[${k}]`, roots)));
  }
  if (typeof first === 'object' && first !== null) {
    const keys = columnKeys(first);
    const known = new Set(keys);
    items.forEach((x, i) => {
      if (x === null || typeof x !== 'object' || Array.isArray(x) || x instanceof Tensor) throw new Error(`${where(i)} is ${describe(x)} but element 0 is an object`);
      const extra = Object.keys(x).filter((k) => !known.has(k));
      if (extra.length) throw new Error(`${where(i)} has key '${extra[0]}' that element 0 lacks`);
    });
    const batched = Object.fromEntries(keys.map((k) => [k, batchAt(items.map((x) => (x as Record<string, unknown>)[k]), path ? `${path}.${k}` : k, roots)]));
    return withColumnOrder(batched, keys);
  }
  throw new Error(`${where(0)} is ${describe(first)}: only numbers, booleans, arrays, tensors and objects/lists of them can be batched`);
}
