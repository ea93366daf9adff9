/** Keras's output length and left padding for 'valid', 'same' and (convolutions only) 'causal' windows over time. */
export type Padding = 'valid' | 'same';
/** Conv1D also takes 'causal': the output at step t sees input steps up to t only. */
export type ConvPadding = Padding | 'causal';

/**
 * size is the window's span: for a convolution with dilation d, (kernelSize - 1) * d + 1 steps. 'causal' pads
 * that span minus one on the left only, then slides as 'valid' (Keras's Conv1D).
 */
export function windowGeometry(T: number, size: number, stride: number, padding: ConvPadding): { outSteps: number; padLeft: number } {
  if (padding === 'same') {
    const outSteps = Math.ceil(T / stride);
    const total = Math.max((outSteps - 1) * stride + size - T, 0);
    return { outSteps, padLeft: Math.floor(total / 2) };
  }
  if (padding === 'causal') return { outSteps: Math.max(Math.floor((T - 1) / stride) + 1, 0), padLeft: size - 1 };
  return { outSteps: Math.max(Math.floor((T - size) / stride) + 1, 0), padLeft: 0 };
}

function shownPadding(p: unknown): string {
  return typeof p === 'string' ? `'${p}'` : JSON.stringify(p) ?? String(p);
}

export function checkPadding(layer: string, p: unknown): Padding {
  if (p !== 'valid' && p !== 'same') throw new Error(`${layer}: padding must be 'valid' or 'same', got ${shownPadding(p)}`);
  return p;
}

export function checkConvPadding(layer: string, p: unknown): ConvPadding {
  if (p !== 'valid' && p !== 'same' && p !== 'causal') throw new Error(`${layer}: padding must be 'valid', 'same' or 'causal', got ${shownPadding(p)}`);
  return p;
}

/** Keras writes kernel_size, strides and the like as one-element lists; both spellings are accepted. */
export function oneInt(layer: string, what: string, v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v.length !== 1) throw new Error(`${layer}: ${what} must be a number or a one-element list, got ${JSON.stringify(v)}`);
  return v[0];
}
