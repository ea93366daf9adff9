/**
 * One packing of the LSTM's gate gradients for two products. The bf16 lstmBackward rounds and packs dxp [B*T, 4U]
 * as the B operand of dR = Σ h_prevᵀ dgates; the layer's next product, the input kernel's gradient xᵀ·dxp
 * (src/autograd/recurrent_ops.ts), needs exactly that packing (same operand, same row order when goBackwards is
 * false). So the native kernel writes its packing into a buffer kept here, and the GEMM that follows with dxp as
 * its B operand uses it instead of rounding and packing the 51 MB again (lab shapes: ~6 ms of a ~90 ms step).
 *
 * The packing is valid only while dxp is unchanged: it is offered to GEMMs until any other kernel runs, except a
 * GEMM that does not write dxp (a GEMM writes only c). JavaScript that writes dxp between lstmBackward and the GEMM
 * would make it stale; the recurrent op writes nothing there. Bits are gemmBf16's: the packing is the same code.
 */
import type { FArray, Kernels } from './kernels.js';
import { KERNEL_NAMES } from './kernels.js';
import type { Bf16PackAddon } from './bf16_weight_cache.js';

export interface SharedPackingAddon extends Bf16PackAddon {
  gemmBf16PackedLength(k: number, n: number): number;
  lstmBf16Backward(...args: [...Parameters<Kernels['lstmBackward']>, Int32Array | null]): void;
}

interface Offer { dxp: FArray; k: number; n: number; packed: Int32Array }

/** The GEMM, lstmBackward and the other kernels of `k` with dxp's packing shared (see the module comment). */
export function withSharedDxpPacking(addon: SharedPackingAddon, k: Kernels): Kernels {
  let offer: Offer | null = null;
  let buffer: Int32Array | null = null;  // reused from step to step: a 26 MB allocation costs a zero fill

  const lstmBackward: Kernels['lstmBackward'] = (B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates,
    dhs, dhT, dcT, dxp, dr, dh0, dc0, dhAll) => {
    offer = null;
    const share = !goBackwards && dxp instanceof Float32Array && B * T > 0;
    let packed: Int32Array | null = null;
    if (share) {
      const length = addon.gemmBf16PackedLength(B * T, 4 * U);
      if (!buffer || buffer.length !== length) buffer = new Int32Array(length);
      packed = buffer;
    }
    addon.lstmBf16Backward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
      dxp, dr, dh0, dc0, dhAll, packed);
    if (packed) offer = { dxp, k: B * T, n: 4 * U, packed };
  };

  const gemm: Kernels['gemm'] = (transA, transB, m, n, kk, alpha, a, b, beta, c, bias, act) => {
    const o = offer;
    if (o && c === o.dxp) offer = null;
    if (o && b === o.dxp && c !== o.dxp && !transB && kk === o.k && n === o.n && alpha !== 0 &&
        a instanceof Float32Array && c instanceof Float32Array && (bias === null || bias instanceof Float32Array)) {
      addon.gemmBf16PackedB(transA, m, n, kk, alpha, a, o.packed, beta, c, bias, act);
      return;
    }
    k.gemm(transA, transB, m, n, kk, alpha, a, b, beta, c, bias, act);
  };

  const dropping = Object.fromEntries(KERNEL_NAMES.filter((name) => name !== 'gemm' && name !== 'lstmBackward').map((name) => {
    const fn = k[name] as (...args: unknown[]) => unknown;
    return [name, (...args: unknown[]) => { offer = null; return fn(...args); }];
  }));
  return { ...k, ...dropping, gemm, lstmBackward } as Kernels;
}
