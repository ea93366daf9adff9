/** Axis permutation of flat row-major data, shared by transpose and the reductions. */
import type { Shape } from '../tensor.js';
import { strides } from './convert.js';

/** out[permuted index] = data[index]; out's shape is perm.map(p => shape[p]). */
export function permute<A extends { length: number; [i: number]: number }>(data: A, shape: Shape, perm: number[], out: A): A {
  const n = data.length;
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const src = strides(shape);
  const step = perm.map((p) => src[p]);
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    out[i] = data[pos];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      pos += step[d];
      if (counter[d] < outShape[d]) break;
      pos -= step[d] * counter[d];
      counter[d] = 0;
    }
  }
  return out;
}
