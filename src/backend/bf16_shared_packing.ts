/**
 * One rounding of the LSTM's gate gradients for three products. The bf16 lstmBackward rounds every step's gate
 * gradients (dxp [B*T, 4U]) to bf16 for its own products, and packs them as the B operand of dR = Σ h_prevᵀ dgates.
 * The layer's next two products (src/autograd/recurrent_ops.ts) need the same roundings: the input kernel's gradient
 * xᵀ·dxp (the very same B packing, when goBackwards is false) and the input's gradient dxp·Wᵀ (dxp as A, row by
 * row). So the native kernel can write both packings into buffers kept here, and the recurrent op hands them
 * explicitly to the GEMMs that take dxp as an operand, instead of those reading the 51 MB dxp again (lab shapes:
 * ~10 ms of a ~90 ms step). Bits are gemmBf16's: the roundings are the same.
 *
 * The input's gradient dxp·Wᵀ can skip the packing altogether: given W and dx, lstmBackwardPacking has the kernel make
 * dx in BPTT, each step's product on its rounded gate gradients while they are in cache (gemm's bits; lab shapes:
 * the 7.4 ms product adds ~6.4 ms to the kernel). Then nothing needs dxp as an A operand (unless dhAll's product
 * does), so the kernel keeps no full bf16 copy of it, and given the bias's gradient it packs dxp as B straight from the
 * float rows, adding their column sums to that gradient in the same read (colSum's bits): the bias then costs no
 * 51 MB colSum pass.
 *
 * The handoff is explicit: lstmBackwardPacking returns the packings, gemmPackedDxp takes them. Buffers are reused
 * from call to call, so a later lstmBackwardPacking overwrites them: packings used after that are refused with an
 * error rather than read stale.
 */
import type { FArray, Kernels } from './kernels.js';
import type { Bf16PackAddon, WeightPackings } from './bf16_weight_cache.js';

export interface SharedPackingAddon extends Bf16PackAddon {
  gemmBf16PackedLength(k: number, n: number): number;
  gemmBf16PackedALength(m: number, k: number): number;
  gemmBf16PackedAB(m: number, n: number, k: number, alpha: number, packedA: Int32Array, packedB: Int32Array, beta: number,
    c: Float32Array, bias: Float32Array | null, act: number): void;
  lstmBf16Backward(...args: [...Parameters<Kernels['lstmBackward']>, Int32Array | null, Int32Array | null,
    Float32Array | null, Float32Array | null, (Float32Array | null)?]): void;
}

/** The input's gradient dx = dxp·Wᵀ ([B*T, D]) for lstmBackwardPacking to make: W is the input kernel [D, 4U]. */
export interface InputGradient {
  readonly w: FArray;
  readonly dx: FArray;
}

/** dxp's bf16 packings, made by lstmBackwardPacking: as a B operand over the steps, and as an A operand row by row. */
export interface DxpPackings {
  readonly dxp: FArray;
  readonly steps: number;
  readonly gates: number;
  readonly asB: Int32Array;
  /** Null when the kernel made dx and no dhAll was asked for: then nothing else takes dxp as an A operand, and BPTT
   * keeps no full copy of its rounded rows (products with dxp as A run plainly, with the same bits). */
  readonly asA: Int32Array | null;
  /** Which lstmBackwardPacking call made them (a later one overwrites the buffers). */
  readonly call: number;
  /** The InputGradient's dx when the kernel made it (gemm(false, true, B*T, D, 4U, 1, dxp, W, 0, dx)'s bits), else null. */
  readonly inputGrad: FArray | null;
  /** The bias gradient the kernel added dxp's column sums into (colSum(B*T, 4U, dxp, biasGrad, true)'s bits), else null. */
  readonly biasGrad: FArray | null;
}

/** What a native bf16 kernel set adds to share dxp's packings (absent from the float32 and reference sets). */
export interface DxpSharingKernels {
  /** lstmBackward, also returning dxp's packings; null (and plain lstmBackward) where they cannot be made: goBackwards
   * (the steps would be packed in reverse), a dxp that is not a Float32Array, or no steps. With an InputGradient it
   * also makes dx where the packings are made and W and dx are Float32Arrays of [D, 4U] and at least [B*T, D]
   * (DxpPackings.inputGrad says whether it did); a W whose length is not a multiple of 4U is an error. With a bias
   * gradient biasGrad (a Float32Array of 4U) and dx made without dhAll, it adds dxp's column sums into biasGrad as
   * colSum(B*T, 4U, dxp, biasGrad, true) would, in the pass that packs dxp (DxpPackings.biasGrad says whether it
   * did); any other length is an error. */
  lstmBackwardPacking(...args: [...Parameters<Kernels['lstmBackward']>, InputGradient?, FArray?]): DxpPackings | null;
  /** gemm, reading packs in place of packs.dxp where that is the untransposed B operand over the steps (xᵀ·dxp) or
   * the untransposed A operand (dxp·op(B)); any other call is the plain GEMM's. */
  gemmPackedDxp(packs: DxpPackings, ...args: Parameters<Kernels['gemm']>): void;
}

/** The sharing kernels of `k`, or null where the kernel set has none. */
export function dxpSharing(k: Kernels): DxpSharingKernels | null {
  const s = k as Kernels & Partial<DxpSharingKernels>;
  return typeof s.lstmBackwardPacking === 'function' && typeof s.gemmPackedDxp === 'function' ? s as DxpSharingKernels : null;
}

/** Lengths kept at once: one per LSTM layer shape of a model, without keeping one per sequence length seen. */
const KEPT_LENGTHS = 4;

/**
 * A buffer per length kept from call to call (a fresh 26 MB Int32Array would cost a zero fill every step), the
 * KEPT_LENGTHS most recently used: batches of varying length (bucketing, seq2seq) must not each pin one.
 */
function reusable(): (length: number) => Int32Array {
  const kept = new Map<number, Int32Array>();
  return (length) => {
    let b = kept.get(length);
    if (b) kept.delete(length);
    else b = new Int32Array(length);
    kept.set(length, b);
    if (kept.size > KEPT_LENGTHS) kept.delete(kept.keys().next().value!);
    return b;
  };
}

/**
 * The sharing kernels over the addon; `gemm` runs the products that do not take a packing, and `packings` gives
 * the B operand of dxp·Wᵀ (the weight cache's packing of W, else a fresh one).
 */
export function dxpSharingKernels(addon: SharedPackingAddon, gemm: Kernels['gemm'], packings: WeightPackings): DxpSharingKernels {
  const bufferB = reusable(), bufferA = reusable();
  let calls = 0;

  const lstmBackwardPacking: DxpSharingKernels['lstmBackwardPacking'] = (B, T, U, r, h0, c0, mask, goBackwards, act,
    recAct, hs, cs, gates, dhs, dhT, dcT, dxp, dr, dh0, dc0, dhAll, input, biasGrad) => {
    const call = ++calls;
    const N = B * T, G4 = 4 * U;
    const share = !goBackwards && dxp instanceof Float32Array && N > 0;
    if (input && input.w.length % G4 !== 0) {
      throw new Error(`lstmBackwardPacking: the input gradient's W has ${input.w.length} values, not D rows of 4U = ${G4}`);
    }
    if (biasGrad && biasGrad.length !== G4) {
      throw new Error(`lstmBackwardPacking: the bias gradient has ${biasGrad.length} values, not 4U = ${G4}`);
    }
    const made = share && input && input.w instanceof Float32Array && input.dx instanceof Float32Array &&
      input.w.length > 0 && input.dx.length >= N * (input.w.length / G4) ? input : null;
    // Only dx and dhAll's products take dxp as A: with dx made and no dhAll, BPTT keeps no full copy, and the pass
    // that packs dxp as B from the float rows also makes the bias's sums.
    const needA = !made || dhAll !== null;
    const sums = share && !needA && biasGrad instanceof Float32Array ? biasGrad : null;
    const asB = share ? bufferB(addon.gemmBf16PackedLength(N, G4)) : null;
    const asA = share && needA ? bufferA(addon.gemmBf16PackedALength(N, G4)) : null;
    addon.lstmBf16Backward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
      dxp, dr, dh0, dc0, dhAll, asB, asA, (made?.w ?? null) as Float32Array | null, (made?.dx ?? null) as Float32Array | null,
      sums);
    return asB ? { dxp, steps: N, gates: G4, asB, asA, call, inputGrad: made?.dx ?? null, biasGrad: sums } : null;
  };

  const gemmPackedDxp: DxpSharingKernels['gemmPackedDxp'] = (o, transA, transB, m, n, kk, alpha, a, b, beta, c, bias, act) => {
    if (o.call !== calls) {
      throw new Error(`gemmPackedDxp: dxp's packings were overwritten by a later lstmBackwardPacking (call ${calls}, packings of call ${o.call})`);
    }
    const packable = c !== o.dxp && alpha !== 0 && a instanceof Float32Array && c instanceof Float32Array &&
      (bias === null || bias instanceof Float32Array);
    if (packable && b === o.dxp && !transB && kk === o.steps && n === o.gates) {
      addon.gemmBf16PackedB(transA, m, n, kk, alpha, a, o.asB, beta, c, bias, act);
      return;
    }
    if (packable && o.asA && a === o.dxp && !transA && m === o.steps && kk === o.gates && b instanceof Float32Array) {
      const packedB = packings.of(b, transB, kk, n) ?? addon.gemmBf16PackB(transB, kk, n, b, null);
      addon.gemmBf16PackedAB(m, n, kk, alpha, o.asA, packedB, beta, c, bias, act);
      return;
    }
    gemm(transA, transB, m, n, kk, alpha, a, b, beta, c, bias, act);
  };

  return { lstmBackwardPacking, gemmPackedDxp };
}
