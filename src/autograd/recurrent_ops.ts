/**
 * The recurrent op: one GEMM projects every step's input, one kernel call runs the whole sequence, and
 * backward is one BPTT kernel call plus the two GEMMs that carry gradients to the input and its weights. Under
 * mixed_bfloat16 the LSTM kernel projects the input itself (lstmForwardInput), with the GEMM's bits.
 */
import { Act, allocFloat, bf16ProductsActive, kernels, type ActCode, type FArray, type Kernels } from '../backend/index.js';
import type { FusedInputKernels } from '../backend/kernels.js';
import { dxpSharing } from '../backend/bf16_shared_packing.js';
import { Tensor } from '../tensor.js';
import { accumulate, gradBuffer, readOnlyZeros, record } from './tape.js';
import { repeatedFrom } from './ops.js';
import { inferable, inferenceActive, recurrentInfer, type CellKind, type RecurrentSpec } from './recurrent_infer.js';
import { rnnAct, rnnActGrad } from '../backend/reference/rnn_common.js';
import { selectRows } from './recurrent_dropout_ops.js';

export type { CellKind, RecurrentSpec };

const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, simple_rnn: 1 };

export interface RecurrentOutputs {
  /** [B, T, U]: the output after every processed step (processing order). */
  sequence: Tensor;
  /** [B, U]: the final output: zeros for a row with no real step (Keras's loop starts from a zero output). */
  last: Tensor;
  /**
   * [B, U]: the final h state. It equals last except on a row with no real step, which keeps h0 (Keras carries the
   * states over masked steps), as the LSTM cell state keeps c0.
   */
  state: Tensor;
  /** LSTM final cell state [B, U]; null for other cells. */
  cell: Tensor | null;
  /** Raw saved activations, for introspection (LSTM: i, f, c~, o interleaved per step; GRU: z, r, n). */
  gates: FArray | null;
}

/** Extra per-step gradients handed to onStateGrad: the LSTM cell state (processing order) and the layer input (input time). */
export interface StateGradExtras {
  dc: FArray | null;
  dx: FArray;
}

export function recurrent(spec: RecurrentSpec, x: Tensor, w: Tensor, r: Tensor, bias: Tensor | null,
  h0: Tensor | null, c0: Tensor | null, mask: Uint8Array | null, onStateGrad?: (dh: FArray, more: StateGradExtras) => void): RecurrentOutputs {
  // Under mixed_bfloat16 the LSTM's training kernels run the recurrence in bf16 and the forward-only lstmInfer has no
  // bf16 twin: predict takes the training forward then, so it computes what apply, evaluate and val_loss compute.
  if (inferenceActive() && !onStateGrad && inferable(spec) && !(spec.cell === 'lstm' && bf16ProductsActive())) {
    const inferred = recurrentInfer(spec, x, w, r, bias, h0, c0, mask);
    return { ...inferred, state: finalState(inferred.last, h0, mask, x.shape[1]), gates: null };
  }
  const K = kernels();
  const [B, T, D] = x.shape;
  const U = spec.units;
  const GU = GATES[spec.cell] * U;
  const N = B * T;
  const xd = x.floatData();
  const wd = w.values as FArray;
  const rd = r.values as FArray;
  const bd = (bias?.values as FArray | undefined) ?? null;
  const inputBias = bd ? bd.subarray(0, GU) : null;
  const recBias = spec.cell === 'gru' && spec.resetAfter && bd ? bd.subarray(GU, 2 * GU) : null;

  // With a mask only real steps need an input projection (and, backward, its gradients): padding is often more
  // than half of IMDb's steps, so the three big GEMMs run on the gathered real rows.
  const rows = mask ? realRows(mask) : null;
  const compact = rows !== null && rows.length < 0.9 * N;
  const Na = compact ? rows!.length : N;
  const xa = compact ? gatherRows(xd, rows!, D) : xd;
  // Input that repeats one vector per sample (RepeatVector): project the B source rows once and broadcast.
  const repeat = !mask ? repeatedFrom.get(x) : undefined;
  const srcd = repeat ? repeat.source.floatData() : null;
  const hs = allocFloat(N * U, false);
  const h0d = (h0?.floatData() as FArray | undefined) ?? null;
  const c0d = (c0?.floatData() as FArray | undefined) ?? null;
  let cs: FArray | null = null;
  let gates: FArray | null = null;
  let hh: FArray | null = null;
  const fused = spec.cell === 'lstm' && !repeat ? fusedInput(K, xd, wd, inputBias) : null;
  if (fused) {
    // mixed_bfloat16: the kernel projects each step's input itself (same bits as the GEMM), so xp is never stored.
    cs = allocFloat(N * U, false);
    gates = allocFloat(N * GU, false);
    fused(B, T, U, D, xd, wd, inputBias, rd, h0d, c0d, mask, spec.goBackwards, spec.act, spec.recAct, hs, cs, gates);
  } else {
    const xp = project(K, x, xd, wd, inputBias, repeat, srcd, compact ? { rows: rows!, xa } : null, GU);
    if (spec.cell === 'lstm') {
      cs = allocFloat(N * U, false);
      gates = allocFloat(N * GU, false);
      K.lstmForward(B, T, U, xp, rd, h0d, c0d, mask, spec.goBackwards, spec.act, spec.recAct, hs, cs, gates);
    } else if (spec.cell === 'gru') {
      gates = allocFloat(N * GU, false);
      hh = allocFloat(N * U, false);
      K.gruForward(B, T, U, xp, rd, recBias, h0d, mask, spec.goBackwards, spec.resetAfter, spec.act, spec.recAct, hs, gates, hh);
    } else {
      K.simpleRnnForward(B, T, U, xp, rd, h0d, mask, spec.goBackwards, spec.act, hs);
    }
  }

  const sequence = new Tensor(hs, [B, T, U], 'float32');
  let dcT: FArray | null = null;
  // The final output's gradient, when it is the only one the sequence receives: the kernels take it as dhT.
  let dhT: FArray | null = null;
  record(sequence, [x, w, r, bias, h0, c0], () => {
    const dhs = sequence.grad!;
    const dxp = allocFloat(N * GU, false);
    const dr = allocFloat(rd.length, false); // the kernels overwrite it
    const dh0 = h0?.requiresGrad ? allocFloat(B * U) : null;
    const dc0 = c0?.requiresGrad ? allocFloat(B * U) : null;
    const dhAll = onStateGrad ? allocFloat(N * U) : null;
    // The products below that take dxp whole: under mixed_bfloat16 the LSTM's backward hands them its bf16 packings
    // of dxp, made while rounding it for dR (src/backend/bf16_shared_packing.ts).
    let dxpGemm: Kernels['gemm'] = K.gemm;
    // The input's gradient, when the LSTM's bf16 backward makes it in BPTT (bf16_shared_packing.ts): then no GEMM.
    let dxMade: FArray | null = null;
    // The input bias's gradient, when that kernel adds dxp's column sums into it as it packs dxp: then no colSum.
    let biasSummed = false;
    if (spec.cell === 'lstm') {
      const args = [B, T, U, rd, h0d, c0d, mask, spec.goBackwards, spec.act, spec.recAct, hs, cs!, gates!, dhs, dhT, dcT,
        dxp, dr, dh0, dc0, dhAll] as const;
      const sharing = !repeat && (!compact || dhAll) ? dxpSharing(K) : null;
      const input = sharing && x.requiresGrad && !compact && !spec.goBackwards ? { w: wd, dx: allocFloat(N * D, false) } : undefined;
      const biasGrad = input && !dhAll && N > 0 && bias?.requiresGrad ? gradBuffer(bias).subarray(0, GU) : undefined;
      const packs = sharing ? sharing.lstmBackwardPacking(...args, input, biasGrad) : (K.lstmBackward(...args), null);
      if (packs) dxpGemm = (...a) => sharing!.gemmPackedDxp(packs, ...a);
      dxMade = packs?.inputGrad ?? null;
      biasSummed = packs?.biasGrad != null;
    } else if (spec.cell === 'gru') {
      const drb = recBias ? allocFloat(GU) : null;
      K.gruBackward(B, T, U, rd, recBias, h0d, mask, spec.goBackwards, spec.resetAfter, spec.act, spec.recAct, hs, gates!, hh!,
        dhs, dhT, dxp, dr, drb, dh0, dhAll);
      if (drb && bias?.requiresGrad) K.axpy(1, drb, gradBuffer(bias).subarray(GU, 2 * GU));
    } else {
      K.simpleRnnBackward(B, T, U, rd, h0d, mask, spec.goBackwards, spec.act, hs, dhs, dhT, dxp, dr, dh0, dhAll);
    }
    if (dhAll) {
      const dc = spec.cell === 'lstm' ? cellStateGrads(B, T, U, mask, spec.goBackwards, spec.act, cs!, gates!, dhAll, dcT) : null;
      const dxAll = allocFloat(N * D, false);
      dxpGemm(false, true, N, D, GU, 1, dxp, wd, 0, dxAll, null, Act.linear);
      onStateGrad!(dhAll, { dc, dx: dxAll });
    }
    accumulate(r, dr, true);
    if (repeat) {
      // The steps share one projection: sum their gradients per sample, then two GEMMs on B rows.
      const dxps = allocFloat(B * GU, false);
      K.colSum(T, GU, dxp, dxps, false, B);
      if (w.requiresGrad) K.gemm(true, false, D, GU, B, 1, srcd!, dxps, w.grad ? 1 : 0, gradBuffer(w, false), null, Act.linear);
      if (bias?.requiresGrad) K.colSum(B, GU, dxps, gradBuffer(bias).subarray(0, GU), true);
      if (repeat.source.requiresGrad) {
        const ds = allocFloat(B * D, false);
        K.gemm(false, true, B, D, GU, 1, dxps, wd, 0, ds, null, Act.linear);
        accumulate(repeat.source, ds, true);
      }
      if (dh0) accumulate(h0, dh0, true);
      if (dc0) accumulate(c0, dc0, true);
      return;
    }
    // Masked steps get no gradient, so their dxp rows are zero and can be left out.
    const dxpa = compact ? gatherRows(dxp, rows!, GU) : dxp;
    if (Na > 0) {
      if (w.requiresGrad) dxpGemm(true, false, D, GU, Na, 1, xa, dxpa, w.grad ? 1 : 0, gradBuffer(w, false), null, Act.linear);
      if (bias?.requiresGrad && !biasSummed) K.colSum(Na, GU, dxpa, gradBuffer(bias).subarray(0, GU), true);
    }
    if (x.requiresGrad) {
      const dxa = dxMade ?? allocFloat(Na * D, false);
      if (Na > 0 && !dxMade) dxpGemm(false, true, Na, D, GU, 1, dxpa, wd, 0, dxa, null, Act.linear);
      let dx = dxa;
      if (compact) { dx = allocFloat(N * D); scatterRows(dxa, rows!, D, dx); }
      accumulate(x, dx, true);
    }
    if (dh0) accumulate(h0, dh0, true);
    if (dc0) accumulate(c0, dc0, true);
  });

  // Unmasked, every row's last step is real, so dhT adds to the last step's gradient exactly as dhs would.
  const last = lastStep(sequence, mask ? null : (g) => { dhT = g; });
  let cell: Tensor | null = null;
  if (cs) {
    const cd = allocFloat(B * U);
    for (let b = 0; b < B; b++) cd.set(cs.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
    cell = new Tensor(cd, [B, U], 'float32');
    // Replayed before `sequence` (recorded later): hand the final-cell gradient to the BPTT call.
    record(cell, [sequence], () => {
      dcT = cell!.grad;
      gradBuffer(sequence);
    });
  }
  return { sequence, last, state: finalState(last, h0, mask, T), cell, gates };
}

/**
 * The final h state from the last output last [B, U]: rows with no real step (all masked) take h0's row instead, with
 * its gradient (their output is zeros, yet Keras carries every state over masked steps). Unchanged without a mask or
 * h0 (then such a row's h is zero either way).
 */
export function finalState(last: Tensor, h0: Tensor | null, mask: Uint8Array | null, T: number): Tensor {
  if (!mask || !h0) return last;
  const B = last.shape[0];
  const real = new Uint8Array(B);
  let empty = false;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) if (mask[b * T + t]) { real[b] = 1; break; }
    if (!real[b]) empty = true;
  }
  return empty ? selectRows(real, last, h0) : last;
}

/**
 * d loss / d c_t for every step, rebuilt from the kernel's total dh_t with the same recursion lstmBackward uses
 * (dc_t = dc_{t+1} f_{t+1} + dh_t o_t act'(c_t)); only the introspection path pays for it.
 */
function cellStateGrads(B: number, T: number, U: number, mask: Uint8Array | null, goBackwards: boolean, act: ActCode,
  cs: FArray, gates: FArray, dhAll: FArray, dcT: FArray | null): FArray {
  const G = 4 * U;
  const out = allocFloat(B * T * U, false);
  const dc = new Float64Array(U);
  for (let b = 0; b < B; b++) {
    for (let u = 0; u < U; u++) dc[u] = dcT ? dcT[b * U + u] : 0;
    for (let s = T - 1; s >= 0; s--) {
      const t = goBackwards ? T - 1 - s : s;
      const ho = (b * T + s) * U, go = (b * T + s) * G;
      if (mask && !mask[b * T + t]) {
        for (let u = 0; u < U; u++) out[ho + u] = dc[u];
        continue;
      }
      for (let u = 0; u < U; u++) {
        const tc = rnnAct(act, cs[ho + u]);
        const dct = dc[u] + dhAll[ho + u] * gates[go + 3 * U + u] * rnnActGrad(act, tc);
        out[ho + u] = dct;
        dc[u] = dct * gates[go + U + u];
      }
    }
  }
  return out;
}

/**
 * x[:, T-1, :] of [B, T, U]. handOff, when given, takes the gradient whenever nothing else gave x one (so far the
 * usual case: a layer returning only its last output), and x gets read-only zeros instead of a [B, T, U] buffer
 * written in one step.
 */
function lastStep(x: Tensor, handOff: ((g: FArray) => void) | null): Tensor {
  const [B, T, U] = x.shape;
  const xd = x.floatData();
  const y = allocFloat(B * U);
  for (let b = 0; b < B; b++) y.set(xd.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
  const out = new Tensor(y, [B, U], 'float32');
  return record(out, [x], () => {
    if (handOff && !x.grad) {
      handOff(out.grad!);
      x.grad = readOnlyZeros(x.size);
      return;
    }
    const g = gradBuffer(x);
    const go = out.grad!;
    for (let b = 0; b < B; b++) for (let u = 0; u < U; u++) g[(b * T + T - 1) * U + u] += go[b * U + u];
  });
}

/** The kernel set's fused LSTM forward (mixed_bfloat16 sets only), where its operands are float32 arrays. */
function fusedInput(K: Kernels, x: FArray, w: FArray, bias: FArray | null): FusedInputKernels['lstmForwardInput'] | null {
  const f = (K as Kernels & Partial<FusedInputKernels>).lstmForwardInput;
  const f32 = x instanceof Float32Array && w instanceof Float32Array && (bias === null || bias instanceof Float32Array);
  return f && f32 && x.length > 0 ? f : null;
}

/**
 * xp = x W + b for every step [B*T, GU]: one GEMM, on the real rows only when the mask leaves out enough of them
 * (compact: padding is often more than half of IMDb's steps), or on the B source rows of a repeated input.
 */
function project(K: Kernels, x: Tensor, xd: FArray, wd: FArray, inputBias: FArray | null,
  repeat: { source: Tensor } | undefined, srcd: FArray | null, compact: { rows: Int32Array; xa: FArray } | null,
  GU: number): FArray {
  const [B, T, D] = x.shape;
  const N = B * T;
  const xp = allocFloat(N * GU, compact !== null);
  if (repeat) {
    const xps = allocFloat(B * GU, false);
    K.gemm(false, false, B, GU, D, 1, srcd!, wd, 0, xps, inputBias, Act.linear);
    // One subarray per sample, the other steps copied within xp.
    for (let b = 0; b < B; b++) {
      const row = b * T * GU;
      xp.set(xps.subarray(b * GU, (b + 1) * GU), row);
      for (let t = 1; t < T; t++) xp.copyWithin(row + t * GU, row, row + GU);
    }
  } else if (compact) {
    const Na = compact.rows.length;
    const xpa = allocFloat(Na * GU, false);
    if (Na > 0) K.gemm(false, false, Na, GU, D, 1, compact.xa, wd, 0, xpa, inputBias, Act.linear);
    scatterRows(xpa, compact.rows, GU, xp);
  } else {
    K.gemm(false, false, N, GU, D, 1, xd, wd, 0, xp, inputBias, Act.linear);
  }
  return xp;
}

/** Flat indices b*T + t of the real (unmasked) steps. */
function realRows(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const rows = new Int32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) rows[k++] = i;
  return rows;
}

function gatherRows(src: FArray, rows: Int32Array, width: number): FArray {
  const out = allocFloat(rows.length * width, false);
  for (let i = 0; i < rows.length; i++) out.set(src.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return out;
}

function scatterRows(src: FArray, rows: Int32Array, width: number, dst: FArray): void {
  for (let i = 0; i < rows.length; i++) dst.set(src.subarray(i * width, (i + 1) * width), rows[i] * width);
}
