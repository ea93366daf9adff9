/**
 * Helpers shared by the LSTM, GRU and SimpleRNN reference kernels (the TypeScript mirror of native/rnn_common.h):
 * argument checks, activations and the per-step masking bookkeeping, so the three kernels differ only in their cells.
 */
import { Act, type ActCode, type FArray } from '../kernels.js';
import { sigmoid } from './pointwise.js';

/** act(v) for one value. */
export function rnnAct(code: ActCode, v: number): number {
  switch (code) {
    case Act.tanh: return Math.tanh(v);
    case Act.sigmoid: return sigmoid(v);
    case Act.hardSigmoid: return Number.isNaN(v) ? v : Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    case Act.relu: return v > 0 ? v : (Number.isNaN(v) ? v : 0);
    default: return v;
  }
}

/** act'(.) from the activation's output y. */
export function rnnActGrad(code: ActCode, y: number): number {
  switch (code) {
    case Act.tanh: return 1 - y * y;
    case Act.sigmoid: return y * (1 - y);
    case Act.hardSigmoid: return y > 0 && y < 1 ? 0.2 : 0;
    case Act.relu: return y > 0 ? 1 : 0;
    default: return 1;
  }
}

/** Throws a RangeError naming the kernel and argument when a required array is missing or too short. */
export function needArray(kernel: string, name: string, a: FArray | Uint8Array | null | undefined, len: number, optional = false): void {
  if (a === null || a === undefined) {
    if (optional) return;
    throw new RangeError(`${kernel}: argument '${name}' is missing`);
  }
  if (a.length < len) throw new RangeError(`${kernel}: argument '${name}' has ${a.length} elements, needs ${len}`);
}

export function needDims(kernel: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${kernel}: argument '${k}' must be an integer >= 1`);
  }
}

export function needAct(kernel: string, name: string, code: number): void {
  if (!Number.isInteger(code) || code < 0 || code > 4) throw new RangeError(`${kernel}: argument '${name}' must be an activation code 0..4`);
}

/** Processing step of each row's first real step (T when the row is all masked). */
export function firstRealSteps(B: number, T: number, mask: Uint8Array | null, goBackwards: boolean): Int32Array {
  const first = new Int32Array(B);
  if (!mask) return first;
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (; s < T; s++) if (mask[b * T + (goBackwards ? T - 1 - s : s)]) break;
    first[b] = s;
  }
  return first;
}

/** dst[u] = src[b, u], or 0 when src is absent (an initial state h0/c0 or a final-state gradient dhT/dcT). */
export function loadRows(dst: Float64Array, src: FArray | null | undefined, b: number, U: number): void {
  for (let u = 0; u < U; u++) dst[u] = src ? src[b * U + u] : 0;
}

/** The hidden state before processing step s of row b: the stored output, or h0 (zero when absent) before the first real step. */
export function previousHidden(hs: FArray, h0: FArray | null | undefined, first: number, s: number, ho: number, b: number, U: number, u: number): number {
  return s > first ? hs[ho - U + u] : (h0 ? h0[b * U + u] : 0);
}

/**
 * Backward through a masked step: the state passes through; the repeated output's gradient reaches the previous
 * output (a constant zero before the first real step), and the step's input gets no gradient.
 */
function maskedBackwardStep(
  U: number, G: number, s: number, first: number, ho: number, xo: number,
  dh: Float64Array, dhs: FArray, dhAll: FArray | null | undefined, dxp: FArray,
): void {
  if (s > first) for (let u = 0; u < U; u++) dh[u] += dhs[ho + u];
  if (dhAll) for (let u = 0; u < U; u++) dhAll[ho + u] = dh[u];
  for (let j = 0; j < G; j++) dxp[xo + j] = 0;
}

/**
 * Row b's steps from the last to the first (processing order): step(s, ho, go, xo) for each real step, with the
 * offsets of its hidden row (ho), gate row (go) and input-time gate row (xo); masked steps go through
 * maskedBackwardStep.
 */
export function backwardSteps(
  b: number, T: number, U: number, G: number, goBackwards: boolean, mask: Uint8Array | null | undefined, first: number,
  dh: Float64Array, dhs: FArray, dhAll: FArray | null | undefined, dxp: FArray,
  step: (s: number, ho: number, go: number, xo: number) => void,
): void {
  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards ? T - 1 - s : s;
    const ho = (b * T + s) * U, go = (b * T + s) * G, xo = (b * T + t) * G;
    if (mask && !mask[b * T + t]) {
      maskedBackwardStep(U, G, s, first, ho, xo, dh, dhs, dhAll, dxp);
      continue;
    }
    step(s, ho, go, xo);
  }
}
