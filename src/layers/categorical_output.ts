/**
 * What Keras 3's IntegerLookup, Hashing and Discretization share: their outputMode ('int', 'one_hot', 'multi_hot',
 * 'count') and the encoding of integer indices into that mode (Keras's encode_categorical_inputs), dense only.
 * CategoryEncoding encodes with it too, on the ranks tfjs allows.
 */
import { allocFloat } from '../backend/index.js';
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import { kerasShape, type SymbolicShape } from './layer.js';

export type CategoricalMode = 'int' | 'one_hot' | 'multi_hot' | 'count';

const MODES: Record<string, CategoricalMode> = {
  int: 'int', one_hot: 'one_hot', oneHot: 'one_hot', multi_hot: 'multi_hot', multiHot: 'multi_hot', count: 'count',
};

/** outputMode in Keras's spelling (tfjs's camelCase read too); other values, and the refused ones, name themselves. */
export function checkCategoricalMode(where: string, v: unknown, refused: Record<string, string> = {}): CategoricalMode {
  const m = v ?? 'int';
  if (typeof m === 'string' && Object.hasOwn(refused, m)) throw new Error(`${where}: outputMode '${m}' is not supported (${refused[m]})`);
  const mode = categoricalModeOf(m);
  if (!mode) throw new Error(`${where}: outputMode must be 'int', 'one_hot', 'multi_hot' or 'count', got ${typeof m === 'string' ? JSON.stringify(m) : describe(m)}`);
  return mode;
}

/**
 * Keras 3 makes Hashing's and Discretization's dtype 'int64' (Discretization in 'int' mode; 'int32' may be given) and
 * saves it: the indices are integers here too, held in float32 tensors, so such a dtype is read apart from the base's
 * float policies (which refuse integer dtypes), and written back.
 */
export function integerDtype(v: unknown): 'int32' | 'int64' | null {
  const o = typeof v === 'object' && v !== null ? v as Record<string, unknown> : null;
  const config = o && typeof o.config === 'object' && o.config !== null ? o.config as Record<string, unknown> : null;
  const name = o ? config?.name ?? o.name : v;
  return name === 'int32' || name === 'int64' ? name : null;
}

/** args without an integer dtype (integerDtype), for the base constructor's float-policy check. */
export function withoutIntDtype<A extends { dtype?: unknown }>(args: A): A {
  return args && integerDtype(args.dtype) ? { ...args, dtype: undefined } : args;
}

/** Keras 3's sparse outputs: only false (rnnlab's tensors are dense). */
export function checkNotSparse(where: string, v: unknown): void {
  if (v !== undefined && v !== null && v !== false) throw new Error(`${where}: sparse = ${describe(v)} is not supported (outputs are dense)`);
}

/** The shared mode for a spelling of outputMode (Keras's snake_case or tfjs's camelCase), or undefined. */
export function categoricalModeOf(v: unknown): CategoricalMode | undefined {
  return typeof v === 'string' && Object.hasOwn(MODES, v) ? MODES[v] : undefined;
}

/**
 * The output shape for an input shape, as Keras 3's encode_categorical_inputs computes it (its call, which decides
 * the values): 'int' keeps it; 'one_hot' encodes each element (a last axis of size 1 is replaced by depth, else
 * depth is appended); 'multi_hot' and 'count' reduce axis 1, so (batch, values) -> (batch, depth) and
 * (batch, d1, d2, ...) -> (batch, d2, ..., depth). Rank-1 input to those two is refused: Keras would count the
 * whole batch as one sample. A scalar is one sample of one value, as Keras upranks it: 'int' gives a scalar,
 * 'one_hot' (1, depth), 'multi_hot' and 'count' (depth,).
 */
export function categoricalShape(where: string, shape: SymbolicShape, mode: CategoricalMode, depth: number): SymbolicShape {
  if (shape.length === 0) return mode === 'int' ? [] : mode === 'one_hot' ? [1, depth] : [depth];
  if (mode === 'int') return [...shape];
  if (mode === 'one_hot') return shape.length > 1 && shape[shape.length - 1] === 1 ? [...shape.slice(0, -1), depth] : [...shape, depth];
  if (shape.length < 2) {
    throw new Error(`${where}: outputMode '${mode}' reduces axis 1 (one sample's values), so it needs input (batch, values, ...), got ${kerasShape(shape)} (reshape it to (batch, 1))`);
  }
  return [shape[0], ...shape.slice(2), depth];
}

/**
 * Indices (one per input element, in the input's layout; -1 drops the element, as Keras drops a mask token outside
 * 'int' mode) encoded into mode with depth columns.
 */
export function encodeCategorical(where: string, indices: ArrayLike<number>, shape: readonly number[], mode: CategoricalMode, depth: number): Tensor {
  const outShape = categoricalShape(where, [...shape], mode, depth) as number[];
  const y = allocFloat(outShape.reduce((p, d) => p * d, 1));
  if (mode === 'int') {
    for (let i = 0; i < indices.length; i++) y[i] = indices[i];
    return new Tensor(y, outShape, 'float32');
  }
  // one_hot: one output row per element. multi_hot and count: element (b, j, r) of the input seen as
  // (batch, shape[1], inner) goes to output row (b, r), so axis 1 is the one reduced.
  const inner = mode === 'one_hot' ? 1 : shape.slice(2).reduce((p, d) => p * d, 1);
  const run = mode === 'one_hot' ? 1 : (shape[1] ?? 1) * inner;
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (k < 0) continue;
    const row = Math.floor(i / run) * inner + (i % inner);
    const at = row * depth + k;
    y[at] = mode === 'count' ? y[at] + 1 : 1;
  }
  return new Tensor(y, outShape, 'float32');
}

/** Every value of data (a tensor or nested arrays of numbers), flattened; anything else is an error naming what it got. */
export function flatNumbers(where: string, what: string, data: unknown): number[] {
  if (data instanceof Tensor) return Array.from(data.dataSync() as ArrayLike<number>);
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number') { out.push(v); return; }
    if (Array.isArray(v) || ArrayBuffer.isView(v)) { for (const e of Array.from(v as ArrayLike<unknown>)) walk(e); return; }
    throw new Error(`${where}: ${what} must be a tensor or (nested) arrays of numbers, got ${describe(v)}`);
  };
  walk(data);
  return out;
}
