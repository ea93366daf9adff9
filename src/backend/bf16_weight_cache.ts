/**
 * The packed bf16 copies of the weights, made once per optimizer step instead of on every product. The fp32 master
 * weights change only where Variable.assign and Optimizer.applyGradients write them, and both call
 * markWeightWritten; a product whose B operand is such a weight (Dense's and the recurrent input projections'
 * kernels, forward and, transposed, backward) reuses the packing made for the weight's current version. An array
 * never marked (activations, gradients, a weight not yet trained) is packed on every call as before. The cached
 * product gives the same bits as the uncached one: the packing is the same code (native/gemm_bf16_cached.cc). A new
 * version is packed into the previous version's array, so a training step allocates nothing here.
 *
 * The optimizer makes the next version's packings itself: its update kernel (adam, rmsprop, sgd) already reads and
 * writes every weight, so for a weight that has packings it also rounds and packs each block of updated weights while
 * the block is in cache (native/optim.cc), instead of the next product reading the whole weight again once per
 * orientation (the CNN head: 12.5 M weights, two orientations). Those packings become the new version's when
 * applyGradients records the write with nothing changed in between (no constraint); any other write leaves them stale.
 */
import type { FArray, Kernels } from './kernels.js';

const versions = new WeakMap<FArray, number>();
/** Packings an update kernel made from the values it wrote, until that write is recorded (markWeightWritten). */
const madeByUpdate = new WeakMap<FArray, Packing[]>();

/**
 * Records that a weight's values changed in place, so its packed copies are made again at the next product.
 * `asUpdated`: the values are exactly what the optimizer's update kernel just wrote (nothing changed them after it),
 * so the packings that kernel made are the new version's.
 */
export function markWeightWritten(data: FArray, asUpdated = false): void {
  const version = (versions.get(data) ?? 0) + 1;
  versions.set(data, version);
  const made = madeByUpdate.get(data);
  if (!made) return;
  madeByUpdate.delete(data);
  if (asUpdated) for (const p of made) p.version = version;
}

export interface Bf16PackAddon {
  /** Packs into `into` (an earlier packing of the same shape) when given, else into a new array. */
  gemmBf16PackB(transB: boolean, k: number, n: number, b: Float32Array, into?: Int32Array | null): Int32Array;
  gemmBf16PackedB(transA: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, packedB: Int32Array,
    beta: number, c: Float32Array, bias: Float32Array | null, act: number): void;
}

/** The optimizer kernels with their trailing packing arguments (native/optim.cc). */
type Packs = [rows: number, cols: number, packed: Int32Array | null, packedT: Int32Array | null];
export interface Bf16UpdateAddon {
  adam(...args: [...Parameters<Kernels['adam']>, ...Packs]): void;
  rmsprop(...args: [...Parameters<Kernels['rmsprop']>, ...Packs]): void;
  sgd(...args: [...Parameters<Kernels['sgd']>, ...Packs]): void;
}

interface Packing { version: number; k: number; n: number; packed: Int32Array }
/** Per weight, its packings as op(B) untransposed [0] and transposed [1]. */
type Packings = [Packing | undefined, Packing | undefined];

/** The packings of the marked weights, one cache per addon. */
export class WeightPackings {
  private readonly packings = new WeakMap<FArray, Packings>();
  constructor(private readonly addon: Bf16PackAddon) {}

  /** op(B) (k x n) packed for the addon's bf16 products: the cached packing of a marked weight, else null. */
  of(b: FArray, transB: boolean, k: number, n: number): Int32Array | null {
    const version = versions.get(b);
    if (version === undefined || !(b instanceof Float32Array)) return null;
    let own = this.packings.get(b);
    if (!own) this.packings.set(b, own = [undefined, undefined]);
    const slot = transB ? 1 : 0;
    let p = own[slot];
    if (!p || p.version !== version || p.k !== k || p.n !== n) {
      const reuse = p && p.k === k && p.n === n ? p.packed : null;
      p = { version, k, n, packed: this.addon.gemmBf16PackB(transB, k, n, b, reuse) };
      own[slot] = p;
    }
    return p.packed;
  }

  /**
   * The update kernels of `k` that also remake the packings a weight has (see the module comment): the addon's,
   * with the packings' buffers, where the weight has packings of one shape (rows x cols, as op(B) = W or W^T).
   */
  updating(addon: Bf16UpdateAddon, k: Kernels): Pick<Kernels, 'adam' | 'rmsprop' | 'sgd'> {
    const run = <A extends unknown[]>(p: FArray, plain: (...a: A) => void, packing: (...a: [...A, ...Packs]) => void, args: A) => {
      const own = p instanceof Float32Array ? this.packings.get(p) : undefined;
      const shape = own && shapeOf(own, p.length);
      if (!own || !shape) return plain(...args);
      packing(...args, shape.rows, shape.cols, own[0]?.packed ?? null, own[1]?.packed ?? null);
      madeByUpdate.set(p, own.filter((q): q is Packing => q !== undefined));
    };
    return {
      adam: (...a) => run(a[0], k.adam, addon.adam, a),
      rmsprop: (...a) => run(a[0], k.rmsprop, addon.rmsprop, a),
      sgd: (...a) => run(a[0], k.sgd, addon.sgd, a),
    };
  }
}

/** W's rows x cols from its packings (op(B) = W is k x n, op(B) = W^T is n x k), or null where they disagree. */
function shapeOf([plain, transposed]: Packings, length: number): { rows: number; cols: number } | null {
  const a = plain && { rows: plain.k, cols: plain.n }, b = transposed && { rows: transposed.n, cols: transposed.k };
  const s = a ?? b;
  if (!s || s.rows * s.cols !== length || (a && b && (a.rows !== b.rows || a.cols !== b.cols))) return null;
  return s;
}

/** The addon's gemmBf16 with the B operand's packing cached for marked weights. */
export function cachedBf16Gemm(addon: Bf16PackAddon, gemm: Kernels['gemm'], packings: WeightPackings): Kernels['gemm'] {
  return (transA, transB, m, n, k, alpha, a, b, beta, c, bias, act) => {
    const packed = !(a instanceof Float32Array) || !(c instanceof Float32Array) ||
      (bias !== null && !(bias instanceof Float32Array)) || k <= 0 || alpha === 0 ? null : packings.of(b, transB, k, n);
    if (!packed) return gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias, act);
    addon.gemmBf16PackedB(transA, m, n, k, alpha, a as Float32Array, packed, beta, c as Float32Array,
      bias as Float32Array | null, act);
  };
}
