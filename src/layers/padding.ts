/** Keras's output length and left padding for 'valid' and 'same' windows over time. */
export type Padding = 'valid' | 'same';

export function windowGeometry(T: number, size: number, stride: number, padding: Padding): { outSteps: number; padLeft: number } {
  if (padding === 'same') {
    const outSteps = Math.ceil(T / stride);
    const total = Math.max((outSteps - 1) * stride + size - T, 0);
    return { outSteps, padLeft: Math.floor(total / 2) };
  }
  return { outSteps: Math.max(Math.floor((T - size) / stride) + 1, 0), padLeft: 0 };
}

export function checkPadding(layer: string, p: unknown): Padding {
  if (p !== 'valid' && p !== 'same') throw new Error(`${layer}: padding must be 'valid' or 'same', got ${typeof p === 'string' ? `'${p}'` : JSON.stringify(p) ?? String(p)}`);
  return p;
}

/** Keras writes kernel_size, strides and the like as one-element lists; both spellings are accepted. */
export function oneInt(layer: string, what: string, v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v.length !== 1) throw new Error(`${layer}: ${what} must be a number or a one-element list, got ${JSON.stringify(v)}`);
  return v[0];
}
