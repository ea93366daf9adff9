/** Axis permutation of flat row-major data, shared by transpose and the reductions. */
import type { Shape } from '../tensor.js';
import { strides } from './convert.js';
import { forEachStrided } from './strided.js';

/** out[permuted index] = data[index]; out's shape is perm.map(p => shape[p]). */
export function permute<A extends { length: number; [i: number]: number }>(data: A, shape: Shape, perm: number[], out: A): A {
  const src = strides(shape);
  forEachStrided(perm.map((p) => shape[p]), perm.map((p) => src[p]), (i, pos) => { out[i] = data[pos]; });
  return out;
}
