/** Stacking dataset elements into batches the way tfjs.data's batch() does. */
import { Tensor, toTensor } from '../tensor.js';

function isNumericArray(x: unknown): boolean {
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number' || isNumericArray(x[0]) || ArrayBuffer.isView(x[0]));
}

/** Numbers -> 1-D tensor; arrays and tensors -> a tensor with a new batch axis; objects and tuples key by key. */
export function batchElements(items: unknown[]): unknown {
  const first = items[0];
  if (typeof first === 'number') return new Tensor(Float32Array.from(items as number[]), [items.length], 'float32');
  if (first instanceof Tensor || isNumericArray(first) || ArrayBuffer.isView(first)) {
    const rows = items.map((x, i) => toTensor(x as never, `batch element ${i}`));
    const shape = rows[0].shape;
    rows.forEach((r, i) => {
      if (r.shape.length !== shape.length || r.shape.some((d, k) => d !== shape[k])) {
        throw new Error(`dataset.batch: element ${i} has shape [${r.shape.join(', ')}] but element 0 has [${shape.join(', ')}]`);
      }
    });
    const per = rows[0].size;
    const out = rows[0].dtype === 'int32' ? new Int32Array(per * rows.length) : new Float32Array(per * rows.length);
    rows.forEach((r, i) => out.set(r.values, i * per));
    return new Tensor(out, [rows.length, ...shape], rows[0].dtype);
  }
  if (Array.isArray(first)) return first.map((_, k) => batchElements(items.map((x) => (x as unknown[])[k])));
  if (typeof first === 'object' && first !== null) {
    return Object.fromEntries(Object.keys(first).map((k) => [k, batchElements(items.map((x) => (x as Record<string, unknown>)[k]))]));
  }
  throw new Error(`dataset.batch: cannot batch elements of type ${typeof first}`);
}
