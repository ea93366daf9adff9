/** NumPy/tfjs broadcasting: shapes align on the right; a dimension of 1 stretches. */
import type { Shape } from '../tensor.js';
import { strides } from './convert.js';
import { forEachStrided } from './strided.js';

/** op, when given, prefixes the error so a failing call names itself (tfjs's message alone does not). */
export function broadcastShape(a: Shape, b: Shape, op?: string): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`${op ? `${op}: ` : ''}Operands could not be broadcast together with shapes ${a.join(',')} and ${b.join(',')}.`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For each flat index of `out`, the flat index into a tensor of shape `from` broadcast to it. Returns null
 * when no index mapping is needed (same shape).
 */
export function broadcastIndex(from: Shape, out: Shape): Int32Array | null {
  if (from.length === out.length && from.every((d, i) => d === out[i])) return null;
  const src = strides(from);
  const offset = out.length - from.length;
  // Stride 0 on stretched dimensions.
  const step = out.map((_, i) => (i < offset || from[i - offset] === 1 ? 0 : src[i - offset]));
  const idx = new Int32Array(out.reduce((a, b) => a * b, 1));
  forEachStrided(out, step, (i, pos) => { idx[i] = pos; });
  return idx;
}
