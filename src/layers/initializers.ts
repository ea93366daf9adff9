/** Keras's initializers, drawing from rnnlab's seeded generator. */
import { globalRandom } from '../random.js';
import type { Shape } from '../tensor.js';

export type InitializerName = 'glorotUniform' | 'orthogonal' | 'zeros' | 'ones' | 'uniform' | 'glorotNormal' | 'heUniform';

/** Keras's fan computation: the kernel's last two axes are (in, out); earlier axes are the receptive field. */
function fans(shape: Shape): [number, number] {
  if (shape.length === 1) return [shape[0], shape[0]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

export function initialize(name: InitializerName, shape: Shape, out: { length: number; [i: number]: number }): void {
  const n = out.length;
  switch (name) {
    case 'zeros': for (let i = 0; i < n; i++) out[i] = 0; return;
    case 'ones': for (let i = 0; i < n; i++) out[i] = 1; return;
    case 'uniform': for (let i = 0; i < n; i++) out[i] = globalRandom.uniform(-0.05, 0.05); return;
    case 'glorotUniform': {
      const [fi, fo] = fans(shape);
      const limit = Math.sqrt(6 / (fi + fo));
      for (let i = 0; i < n; i++) out[i] = globalRandom.uniform(-limit, limit);
      return;
    }
    case 'heUniform': {
      const limit = Math.sqrt(6 / fans(shape)[0]);
      for (let i = 0; i < n; i++) out[i] = globalRandom.uniform(-limit, limit);
      return;
    }
    case 'glorotNormal': {
      // Keras truncates at two standard deviations and rescales by 0.8796 to keep the variance.
      const [fi, fo] = fans(shape);
      const std = Math.sqrt(2 / (fi + fo)) / 0.87962566103423978;
      for (let i = 0; i < n; i++) {
        let v: number;
        do v = globalRandom.normal(); while (Math.abs(v) > 2);
        out[i] = v * std;
      }
      return;
    }
    case 'orthogonal': {
      orthogonal(shape, out);
      return;
    }
    default:
      throw new Error(`unknown initializer '${String(name)}'`);
  }
}

/**
 * Keras's Orthogonal: a random normal matrix of shape (rows, cols) = (prod(shape[:-1]), shape[-1]),
 * orthonormalised (QR with the sign fix), so rows or columns are orthonormal, whichever are fewer.
 */
function orthogonal(shape: Shape, out: { [i: number]: number }): void {
  const cols = shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  // Orthonormalise the shorter side's vectors with modified Gram–Schmidt on the transposed problem if needed.
  const tall = rows >= cols;
  const nVec = tall ? cols : rows, len = tall ? rows : cols;
  const v: Float64Array[] = [];
  for (let i = 0; i < nVec; i++) {
    const a = new Float64Array(len);
    for (let j = 0; j < len; j++) a[j] = globalRandom.normal();
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
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = tall ? v[c][r] : v[r][c];
}
