/**
 * Window geometry for channels-last convolutions and pools over n spatial dims (tfjs's conv_util rules): output
 * sizes and leading pads for 'valid', 'same', a number (every side) with dimRoundingMode, or explicit pads; and
 * the flat input position each (output position, window offset) reads, or -1 where it falls in the padding.
 */
import { shownArg } from './convert.js';

export type PadSpec = 'valid' | 'same' | number | number[][];
export type RoundingMode = 'floor' | 'round' | 'ceil';
export interface WindowPlan { inSizes: number[]; window: number[]; strides: number[]; dilations: number[]; out: number[]; before: number[] }

/** A size list: one number for every dim, or one per dim. */
export function perDim(v: unknown, n: number, name: string, op: string): number[] {
  const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  if (!Array.isArray(list) || list.length !== n || list.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${op}: ${name} must be a positive integer or ${n} of them, got ${shownArg(v)}`);
  }
  return list as number[];
}

function rounded(v: number, mode: RoundingMode | undefined): number {
  if (mode === undefined) return Math.trunc(v);
  return mode === 'round' ? Math.round(v) : mode === 'ceil' ? Math.ceil(v) : Math.floor(v);
}

export function windowPlan(inSizes: number[], window: number[], strides: number[], dilations: number[], pad: PadSpec,
  op: string, dimRoundingMode?: RoundingMode): WindowPlan {
  const n = inSizes.length;
  if (strides.some((s, i) => s > 1 && dilations[i] > 1)) throw new Error(`${op}: either strides or dilations must be 1, got strides [${strides.join(', ')}] and dilations [${dilations.join(', ')}]`);
  if (dimRoundingMode !== undefined) {
    if (!['floor', 'round', 'ceil'].includes(dimRoundingMode)) throw new Error(`${op}: dimRoundingMode must be 'floor', 'round' or 'ceil', got ${shownArg(dimRoundingMode)}`);
    if (typeof pad !== 'number' && !Array.isArray(pad)) throw new Error(`${op}: dimRoundingMode is only used with a numeric or explicit pad, got pad ${shownArg(pad)}`);
  }
  const eff = window.map((k, i) => (k - 1) * dilations[i] + 1);
  let out: number[], before: number[];
  if (pad === 'valid') {
    out = inSizes.map((s, i) => Math.ceil((s - eff[i] + 1) / strides[i]));
    before = new Array<number>(n).fill(0);
  } else if (pad === 'same') {
    out = inSizes.map((s, i) => Math.ceil(s / strides[i]));
    before = out.map((o, i) => Math.floor(Math.max(0, (o - 1) * strides[i] + eff[i] - inSizes[i]) / 2));
  } else if (typeof pad === 'number') {
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`${op}: a numeric pad must be a non-negative integer, got ${pad}`);
    out = inSizes.map((s, i) => rounded((s - eff[i] + 2 * pad) / strides[i] + 1, dimRoundingMode));
    before = new Array<number>(n).fill(pad);
  } else if (Array.isArray(pad)) {
    const ok = pad.length === n + 2 && pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))
      && pad[0].every((v) => v === 0) && pad[n + 1].every((v) => v === 0);
    if (!ok) throw new Error(`${op}: explicit pad must be ${n + 2} [before, after] pairs of non-negative integers, zero for the batch and channel dims, got ${shownArg(pad)}`);
    const sp = pad.slice(1, n + 1);
    out = inSizes.map((s, i) => rounded((s - eff[i] + sp[i][0] + sp[i][1]) / strides[i] + 1, dimRoundingMode));
    before = sp.map((p) => p[0]);
  } else {
    throw new Error(`${op}: unknown pad ${shownArg(pad)} (use 'valid', 'same', a number or explicit pairs)`);
  }
  if (out.some((o) => o < 0)) throw new Error(`${op}: the window [${window.join(', ')}] does not fit the input [${inSizes.join(', ')}] with this padding`);
  return { inSizes, window, strides, dilations, out, before };
}

/**
 * For output position o (flat over plan.out) and window offset w (flat over plan.window), the flat spatial input
 * index it reads, or -1 in the padding: [outCount * windowCount].
 */
export function windowIndices(plan: WindowPlan): Int32Array {
  const { inSizes, window, strides, dilations, out, before } = plan;
  const n = inSizes.length;
  const outCount = out.reduce((a, b) => a * b, 1), winCount = window.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(outCount * winCount);
  const o = new Array<number>(n), w = new Array<number>(n);
  for (let oi = 0; oi < outCount; oi++) {
    let r = oi;
    for (let d = n - 1; d >= 0; d--) { o[d] = r % out[d]; r = Math.floor(r / out[d]); }
    for (let wi = 0; wi < winCount; wi++) {
      let q = wi;
      for (let d = n - 1; d >= 0; d--) { w[d] = q % window[d]; q = Math.floor(q / window[d]); }
      let flat = 0, inside = true;
      for (let d = 0; d < n; d++) {
        const at = o[d] * strides[d] + w[d] * dilations[d] - before[d];
        if (at < 0 || at >= inSizes[d]) { inside = false; break; }
        flat = flat * inSizes[d] + at;
      }
      idx[oi * winCount + wi] = inside ? flat : -1;
    }
  }
  return idx;
}
