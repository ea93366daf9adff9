/** Slicing sample rows out of tensors for mini-batches, and the checks fit/evaluate/predict share. */
import { allocFloat } from '../backend/index.js';
import { Tensor, toTensor, shapeStr, type TensorLike } from '../tensor.js';

/** Rows idx[start..end) of t (axis 0), copied into a new tensor. */
export function takeRows(t: Tensor, idx: Int32Array | null, start: number, end: number): Tensor {
  const rowSize = t.size / t.shape[0];
  const n = end - start;
  if (!idx) {
    return new Tensor(t.data.subarray(start * rowSize, end * rowSize), [n, ...t.shape.slice(1)], t.dtype);
  }
  const out = t.dtype === 'int32' ? new Int32Array(n * rowSize) : allocFloat(n * rowSize);
  for (let i = 0; i < n; i++) {
    const r = idx[start + i];
    out.set(t.data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return new Tensor(out, [n, ...t.shape.slice(1)], t.dtype);
}

export function asInput(x: TensorLike, what: string): Tensor {
  const t = toTensor(x, what);
  if (t.rank < 1 || t.shape[0] === 0) throw new Error(`${what}: expected at least one sample, got shape ${shapeStr(t.shape)}`);
  if (t.dtype === 'float32') {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) throw new Error(`${what}: value ${d[i]} at flat index ${i} is not finite (NaN or Inf in features)`);
    }
  }
  return t;
}

export function checkBatchSize(v: unknown, what = 'batchSize'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return v;
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
