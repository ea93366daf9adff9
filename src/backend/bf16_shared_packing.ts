/**
 * One rounding of the LSTM's gate gradients for three products. The bf16 lstmBackward rounds every step's gate
 * gradients (dxp [B*T, 4U]) to bf16 for its own products, and packs them as the B operand of dR = Σ h_prevᵀ dgates.
 * The layer's next two products (src/autograd/recurrent_ops.ts) need the same roundings: the input kernel's gradient
 * xᵀ·dxp (the very same B packing, when goBackwards is false) and the input's gradient dxp·Wᵀ (dxp as A, row by
 * row). So the native kernel writes both packings into buffers kept here, and the GEMMs that follow with dxp as an
 * operand use them instead of reading the 51 MB dxp again (lab shapes: ~10 ms of a ~90 ms step).
 *
 * The packings are valid only while dxp is unchanged: they are offered to GEMMs until any other kernel runs, except a
 * GEMM or colSum (the bias gradient, between the two GEMMs) that does not write dxp (both write only their output).
 * JavaScript that wrote dxp between lstmBackward and the GEMMs would make them stale; the recurrent op writes nothing
 * there. Bits are gemmBf16's: the roundings are the same.
 */
import type { FArray, Kernels } from './kernels.js';
import { KERNEL_NAMES } from './kernels.js';
import { weightPackings, type Bf16PackAddon, type WeightPacking } from './bf16_weight_cache.js';

export interface SharedPackingAddon extends Bf16PackAddon {
  gemmBf16PackedLength(k: number, n: number): number;
  gemmBf16PackedALength(m: number, k: number): number;
  gemmBf16PackedAB(m: number, n: number, k: number, alpha: number, packedA: Int32Array, packedB: Int32Array, beta: number,
    c: Float32Array, bias: Float32Array | null, act: number): void;
  lstmBf16Backward(...args: [...Parameters<Kernels['lstmBackward']>, Int32Array | null, Int32Array | null]): void;
}

interface Offer { dxp: FArray; steps: number; gates: number; asB: Int32Array; asA: Int32Array }

/** A buffer kept from call to call (a fresh 26 MB Int32Array would cost a zero fill every step). */
function reusable(): (length: number) => Int32Array {
  let buffer: Int32Array | null = null;
  return (length) => (buffer && buffer.length === length ? buffer : (buffer = new Int32Array(length)));
}

/**
 * The GEMM, lstmBackward and the other kernels of `k` with dxp's packings shared (see the module comment);
 * `packingOf` gives the B operand of dxp·Wᵀ (the weight cache's packing of W, else a fresh one).
 */
export function withSharedDxpPacking(addon: SharedPackingAddon, k: Kernels, packingOf: WeightPacking = weightPackings(addon)): Kernels {
  let offer: Offer | null = null;
  const bufferB = reusable(), bufferA = reusable();

  const lstmBackward: Kernels['lstmBackward'] = (B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates,
    dhs, dhT, dcT, dxp, dr, dh0, dc0, dhAll) => {
    offer = null;
    const N = B * T, G4 = 4 * U;
    const share = !goBackwards && dxp instanceof Float32Array && N > 0;
    const asB = share ? bufferB(addon.gemmBf16PackedLength(N, G4)) : null;
    const asA = share ? bufferA(addon.gemmBf16PackedALength(N, G4)) : null;
    addon.lstmBf16Backward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
      dxp, dr, dh0, dc0, dhAll, asB, asA);
    if (asB && asA) offer = { dxp, steps: N, gates: G4, asB, asA };
  };

  const gemm: Kernels['gemm'] = (transA, transB, m, n, kk, alpha, a, b, beta, c, bias, act) => {
    const o = offer;
    if (o && c === o.dxp) offer = null;
    const plain = !o || c === o.dxp || alpha === 0 || !(a instanceof Float32Array) || !(c instanceof Float32Array) ||
      (bias !== null && !(bias instanceof Float32Array));
    if (!plain && b === o.dxp && !transB && kk === o.steps && n === o.gates) {
      addon.gemmBf16PackedB(transA, m, n, kk, alpha, a, o.asB, beta, c, bias, act);
      return;
    }
    if (!plain && a === o.dxp && !transA && m === o.steps && kk === o.gates && b instanceof Float32Array) {
      const packedB = packingOf(b, transB, kk, n) ?? addon.gemmBf16PackB(transB, kk, n, b, null);
      addon.gemmBf16PackedAB(m, n, kk, alpha, o.asA, packedB, beta, c, bias, act);
      return;
    }
    k.gemm(transA, transB, m, n, kk, alpha, a, b, beta, c, bias, act);
  };

  const colSum: Kernels['colSum'] = (rows, cols, x, out, accumulate) => {
    if (offer && out === offer.dxp) offer = null;
    k.colSum(rows, cols, x, out, accumulate);
  };

  const kept = new Set<string>(['gemm', 'lstmBackward', 'colSum']);
  const dropping = Object.fromEntries(KERNEL_NAMES.filter((name) => !kept.has(name)).map((name) => {
    const fn = k[name] as (...args: unknown[]) => unknown;
    return [name, (...args: unknown[]) => { offer = null; return fn(...args); }];
  }));
  return { ...k, ...dropping, gemm, lstmBackward, colSum } as Kernels;
}
