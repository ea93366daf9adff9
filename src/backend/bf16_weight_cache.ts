/**
 * The packed bf16 copies of the weights, made once per optimizer step instead of on every product. The fp32 master
 * weights change only where Variable.assign and Optimizer.applyGradients write them, and both call
 * markWeightWritten; a product whose B operand is such a weight (Dense's and the recurrent input projections'
 * kernels, forward and, transposed, backward) reuses the packing made for the weight's current version. An array
 * never marked (activations, gradients, a weight not yet trained) is packed on every call as before. The cached
 * product gives the same bits as the uncached one: the packing is the same code (native/gemm_bf16_cached.cc). A new
 * version is packed into the previous version's array, so a training step allocates nothing here.
 */
import type { FArray, Kernels } from './kernels.js';

const versions = new WeakMap<FArray, number>();

/** Records that a weight's values changed in place, so its packed copies are made again at the next product. */
export function markWeightWritten(data: FArray): void {
  versions.set(data, (versions.get(data) ?? 0) + 1);
}

export interface Bf16PackAddon {
  /** Packs into `into` (an earlier packing of the same shape) when given, else into a new array. */
  gemmBf16PackB(transB: boolean, k: number, n: number, b: Float32Array, into?: Int32Array | null): Int32Array;
  gemmBf16PackedB(transA: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, packedB: Int32Array,
    beta: number, c: Float32Array, bias: Float32Array | null, act: number): void;
}

interface Packing { version: number; k: number; n: number; packed: Int32Array }
/** Per weight, its packings as op(B) untransposed [0] and transposed [1]. */
type Packings = [Packing | undefined, Packing | undefined];

/** op(B) (k x n) packed for the addon's bf16 products: the cached packing of a marked weight, else null. */
export type WeightPacking = (b: FArray, transB: boolean, k: number, n: number) => Int32Array | null;

/** The packings of the marked weights, one cache per addon. */
export function weightPackings(addon: Bf16PackAddon): WeightPacking {
  const packings = new WeakMap<FArray, Packings>();
  return (b, transB, k, n) => {
    const version = versions.get(b);
    if (version === undefined || !(b instanceof Float32Array)) return null;
    let own = packings.get(b);
    if (!own) packings.set(b, own = [undefined, undefined]);
    const slot = transB ? 1 : 0;
    let p = own[slot];
    if (!p || p.version !== version || p.k !== k || p.n !== n) {
      const reuse = p && p.k === k && p.n === n ? p.packed : null;
      p = { version, k, n, packed: addon.gemmBf16PackB(transB, k, n, b, reuse) };
      own[slot] = p;
    }
    return p.packed;
  };
}

/** The addon's gemmBf16 with the B operand's packing cached for marked weights. */
export function cachedBf16Gemm(addon: Bf16PackAddon, gemm: Kernels['gemm'], packingOf = weightPackings(addon)): Kernels['gemm'] {
  return (transA, transB, m, n, k, alpha, a, b, beta, c, bias, act) => {
    const packed = !(a instanceof Float32Array) || !(c instanceof Float32Array) ||
      (bias !== null && !(bias instanceof Float32Array)) || k <= 0 || alpha === 0 ? null : packingOf(b, transB, k, n);
    if (!packed) return gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias, act);
    addon.gemmBf16PackedB(transA, m, n, k, alpha, a as Float32Array, packed, beta, c as Float32Array,
      bias as Float32Array | null, act);
  };
}
