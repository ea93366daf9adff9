/** Walking a strided view of flat row-major data: what transposes and broadcasts have in common. */
import type { Shape } from '../tensor.js';

/**
 * visit(i, pos) for each flat index i of `shape` in row-major order, where pos is that element's offset in data whose
 * axes advance by `step` (a permuted stride, or 0 on an axis that repeats): an odometer, no division per element.
 */
export function forEachStrided(shape: Shape, step: readonly number[], visit: (i: number, pos: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const counter = new Array<number>(shape.length).fill(0);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    visit(i, pos);
    for (let d = shape.length - 1; d >= 0; d--) {
      counter[d]++;
      pos += step[d];
      if (counter[d] < shape[d]) break;
      pos -= step[d] * counter[d];
      counter[d] = 0;
    }
  }
}
