/** Keras's Orthogonal initializer's draw, shared by the built-in 'orthogonal' and rl.initializers.orthogonal. */
import type { Random } from '../random.js';
import type { Shape } from '../tensor.js';

/**
 * Keras's Orthogonal: a random normal matrix of shape (rows, cols) = (prod(shape[:-1]), shape[-1]),
 * orthonormalised (QR with the sign fix), so rows or columns are orthonormal, whichever are fewer.
 */
export function orthogonal(shape: Shape, out: { [i: number]: number }, rng: Random, gain = 1): void {
  const cols = shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  // Orthonormalise the shorter side's vectors with modified Gram–Schmidt on the transposed problem if needed.
  const tall = rows >= cols;
  const nVec = tall ? cols : rows, len = tall ? rows : cols;
  const v: Float64Array[] = [];
  for (let i = 0; i < nVec; i++) {
    const a = new Float64Array(len);
    for (let j = 0; j < len; j++) a[j] = rng.normal();
    for (const q of v) {
      let d = 0;
      for (let j = 0; j < len; j++) d += a[j] * q[j];
      for (let j = 0; j < len; j++) a[j] -= d * q[j];
    }
    let norm = 0;
    for (let j = 0; j < len; j++) norm += a[j] * a[j];
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < len; j++) a[j] /= norm;
    v.push(a);
  }
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? v[c][r] : v[r][c]);
}
