/**
 * Reference forward-only LSTM / GRU (the mirror of native/rnn_infer.cc): the step inputs are gathered through the
 * row index into a full xp and the reference training forward runs on it, so by construction the inference kernels
 * compute exactly what training computes; only the last output (and cell) and, when asked, hs are handed back.
 */
import type { FArray, InferKernels } from '../kernels.js';
import { lstmKernels } from './lstm.js';
import { gruKernels } from './gru.js';
import { needAct, needArray, needDims } from './rnn_common.js';

function checkInfer(kernel: string, B: number, T: number, U: number, G: number, xp: FArray, rows: Int32Array | null, r: FArray,
  mask: Uint8Array | null, act: number, recAct: number, hs: FArray | null, hT: FArray): void {
  needDims(kernel, { B, T, U });
  needArray(kernel, 'xp', xp, rows ? G * U : B * T * G * U);
  needArray(kernel, 'rows', rows as unknown as Uint8Array, B * T, true);
  if (rows) {
    const n = Math.floor(xp.length / (G * U));
    for (let i = 0; i < B * T; i++) {
      if (rows[i] < 0 || rows[i] >= n) throw new RangeError(`${kernel}: argument 'rows' has index ${rows[i]} at ${i}, outside the ${n} rows of xp`);
    }
  }
  needArray(kernel, 'r', r, U * G * U); needArray(kernel, 'mask', mask, B * T, true);
  needAct(kernel, 'act', act); needAct(kernel, 'recAct', recAct);
  needArray(kernel, 'hs', hs, B * T * U, true); needArray(kernel, 'hT', hT, B * U);
}

/** xp as [B, T, G*U] in input time, gathered through rows. */
function fullXp(B: number, T: number, GU: number, xp: FArray, rows: Int32Array | null): FArray {
  if (!rows) return xp;
  const out = new (xp.constructor as Float32ArrayConstructor)(B * T * GU);
  for (let i = 0; i < B * T; i++) out.set(xp.subarray(rows[i] * GU, (rows[i] + 1) * GU), i * GU);
  return out;
}

/** Copies the last processed step of seq [B, T, U] into dst [B, U]. */
function lastRows(B: number, T: number, U: number, seq: FArray, dst: FArray): void {
  for (let b = 0; b < B; b++) dst.set(seq.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
}

export const inferKernels: InferKernels = {
  lstmInfer(B, T, U, xp, rows, r, h0, c0, mask, goBackwards, act, recAct, hs, hT, cT) {
    checkInfer('lstmInfer', B, T, U, 4, xp, rows, r, mask, act, recAct, hs, hT);
    needArray('lstmInfer', 'cT', cT, B * U, true);
    const Float = xp.constructor as Float32ArrayConstructor;
    const seq = hs ?? new Float(B * T * U), cs = new Float(B * T * U), gates = new Float(B * T * 4 * U);
    lstmKernels.lstmForward(B, T, U, fullXp(B, T, 4 * U, xp, rows), r, h0, c0, mask, goBackwards, act, recAct, seq, cs, gates);
    lastRows(B, T, U, seq, hT);
    if (cT) lastRows(B, T, U, cs, cT);
  },

  gruInfer(B, T, U, xp, rows, r, rb, h0, mask, goBackwards, act, recAct, hs, hT) {
    checkInfer('gruInfer', B, T, U, 3, xp, rows, r, mask, act, recAct, hs, hT);
    const Float = xp.constructor as Float32ArrayConstructor;
    const seq = hs ?? new Float(B * T * U), gates = new Float(B * T * 3 * U), hh = new Float(B * T * U);
    gruKernels.gruForward(B, T, U, fullXp(B, T, 3 * U, xp, rows), r, rb, h0, mask, goBackwards, true, act, recAct, seq, gates, hh);
    lastRows(B, T, U, seq, hT);
  },
};
