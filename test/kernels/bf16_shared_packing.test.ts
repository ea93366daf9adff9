/**
 * The LSTM's bf16 gate gradients shared with the input projection's two gradients (src/backend/bf16_shared_packing.ts,
 * lstmBf16Backward's packedDxp and packedGates): the packings are gemmBf16's, the shared products give gemmBf16's
 * bits (masked steps included), the packings are handed over explicitly and refused once a later call has
 * overwritten them, and never made with goBackwards. Needs AVX512-BF16 (the packing is native).
 */
import { describe, expect, it } from 'vitest';
import { Act, nativeKernels, referenceKernels, type Kernels } from '../../src/backend/index.js';
import { dxpSharingKernels, type DxpPackings, type SharedPackingAddon } from '../../src/backend/bf16_shared_packing.js';
import { WeightPackings } from '../../src/backend/bf16_weight_cache.js';
import { Rng, randF32 } from './util.js';

type Addon = SharedPackingAddon & Kernels & {
  gemmBf16: Kernels['gemm']; lstmBf16Forward: Kernels['lstmForward']; lstmBf16Backward: Kernels['lstmBackward']; bf16Supported(): boolean;
};
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

const [B, T, U, D] = [3, 37, 10, 13];
const N = B * T, G4 = 4 * U;

/** A forward pass and the arguments of its backward pass (dxp and dr fresh); masked: the first steps of each row are padding. */
function lstmCase(seed: number, goBackwards: boolean, masked = false) {
  const rng = new Rng(seed);
  const r = randF32(rng, U * G4, -0.5, 0.5), xp = randF32(rng, N * G4);
  const mask = masked ? Uint8Array.from({ length: N }, (_, i) => (i % T >= 5 * (1 + Math.floor(i / T)) ? 1 : 0)) : null;
  const hs = new Float32Array(N * U), cs = new Float32Array(N * U), gates = new Float32Array(N * G4);
  addon!.lstmBf16Forward(B, T, U, xp, r, null, null, mask, goBackwards, Act.tanh, Act.sigmoid, hs, cs, gates);
  return {
    r, mask, hs, cs, gates, dhs: randF32(rng, N * U), dxp: new Float32Array(N * G4), dr: new Float32Array(U * G4),
    x: randF32(rng, N * D), w: randF32(rng, D * G4), goBackwards,
  };
}
type Case = ReturnType<typeof lstmCase>;

function backward(fn: (...a: never[]) => void, c: Case, ...packed: (Int32Array | null)[]): void {
  (fn as (...a: unknown[]) => void)(B, T, U, c.r, null, null, c.mask, c.goBackwards, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates, c.dhs,
    null, null, c.dxp, c.dr, null, null, null, ...packed);
}

/** The input projection's two gradients by `gemm`: dW = xᵀ dxp [D, 4U], then (after the bias's column sums, as the
 * recurrent op runs them) dX = dxp Wᵀ [N, D]. */
function inputGrads(k: Pick<Kernels, 'gemm' | 'colSum'>, c: Case): Float32Array[] {
  const dw = new Float32Array(D * G4), dx = new Float32Array(N * D);
  k.gemm(true, false, D, G4, N, 1, c.x, c.dxp, 0, dw, null, Act.linear);
  k.colSum(N, G4, c.dxp, new Float32Array(G4), false);
  k.gemm(false, true, N, D, G4, 1, c.dxp, c.w, 0, dx, null, Act.linear);
  return [dw, dx];
}
const plainGrads = (c: Case) => inputGrads({ gemm: addon!.gemmBf16, colSum: referenceKernels.colSum }, c);
const lengths = () => [new Int32Array(addon!.gemmBf16PackedLength(N, G4)), new Int32Array(addon!.gemmBf16PackedALength(N, G4))];

/** The sharing kernels over the addon, counting the products that used a packing made by lstmBackwardPacking. */
function counted() {
  let n = 0;
  const spy = {
    ...addon!,
    gemmBf16PackedB: (...a: Parameters<Addon['gemmBf16PackedB']>) => { n++; addon!.gemmBf16PackedB(...a); },
    gemmBf16PackedAB: (...a: Parameters<Addon['gemmBf16PackedAB']>) => { n++; addon!.gemmBf16PackedAB(...a); },
  } as Addon;
  return { k: dxpSharingKernels(spy, addon!.gemmBf16, new WeightPackings(addon!)), packedProducts: () => n };
}
/** lstmBackwardPacking on a case. */
function backwardPacking(k: ReturnType<typeof counted>['k'], c: Case): DxpPackings | null {
  return k.lstmBackwardPacking(B, T, U, c.r, null, null, c.mask, c.goBackwards, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates,
    c.dhs, null, null, c.dxp, c.dr, null, null, null);
}
/** The input gradients by the GEMM that takes the packings. */
const sharedGrads = (k: ReturnType<typeof counted>['k'], packs: DxpPackings, c: Case) =>
  inputGrads({ gemm: (...a) => k.gemmPackedDxp(packs, ...a), colSum: referenceKernels.colSum }, c);

describe.skipIf(!hasBf16)('LSTM gate gradients packed once for two products (needs AVX512-BF16)', () => {
  it('lstmBf16Backward with packedDxp and packedGates gives the same outputs and gemmBf16\'s packings of dxp', () => {
    for (const masked of [false, true]) {
      const plain = lstmCase(1, false, masked), shared = lstmCase(1, false, masked);
      backward(addon!.lstmBf16Backward, plain);
      const [asB, asA] = lengths();
      asB.fill(0x3f803f80); // bf16 pairs of ones: every word the products read must be written (masked steps: zeros)
      asA.fill(0x3f803f80);
      backward(addon!.lstmBf16Backward, shared, asB, asA);
      expect(shared.dxp).toEqual(plain.dxp);
      expect(shared.dr).toEqual(plain.dr);
      const [dw, dx] = plainGrads(plain);
      const viaB = new Float32Array(D * G4), viaA = new Float32Array(N * D);
      addon!.gemmBf16PackedB(true, D, G4, N, 1, shared.x, asB, 0, viaB, null, Act.linear);
      addon!.gemmBf16PackedAB(N, D, G4, 1, asA, addon!.gemmBf16PackB(true, G4, D, shared.w, null), 0, viaA, null, Act.linear);
      expect(viaB).toEqual(dw);
      expect(viaA).toEqual(dx);
    }
  });

  it('the two GEMMs with dxp as an operand use the packings handed to them and give gemmBf16\'s bits', () => {
    for (const masked of [false, true]) {
      const { k, packedProducts } = counted();
      const c = lstmCase(2, false, masked), plain = lstmCase(2, false, masked);
      backward(addon!.lstmBf16Backward, plain);
      const packs = backwardPacking(k, c)!;
      expect(packs.dxp).toBe(c.dxp);
      expect(c.dxp).toEqual(plain.dxp);
      expect(c.dr).toEqual(plain.dr);
      expect(sharedGrads(k, packs, c)).toEqual(plainGrads(c));
      expect(packedProducts()).toBe(2);
    }
  });

  it('runs any other product plainly, and refuses packings a later call has overwritten', () => {
    const { k, packedProducts } = counted();
    const c = lstmCase(3, false);
    const packs = backwardPacking(k, c)!;
    const rng = new Rng(9), a = randF32(rng, N * 7), b = Float32Array.from(c.dxp); // dxp's values, another array
    const out = new Float32Array(7 * G4), want = new Float32Array(7 * G4);
    k.gemmPackedDxp(packs, true, false, 7, G4, N, 1, a, b, 0, out, null, Act.linear);
    addon!.gemmBf16(true, false, 7, G4, N, 1, a, b, 0, want, null, Act.linear);
    expect(out).toEqual(want);
    expect(packedProducts()).toBe(0);
    backwardPacking(k, lstmCase(6, false));
    expect(() => sharedGrads(k, packs, c)).toThrow(/gemmPackedDxp: dxp's packings were overwritten by a later lstmBackwardPacking/);
  });

  it('with goBackwards the steps are packed in reverse, so nothing is shared (and the kernel refuses the buffers)', () => {
    const { k, packedProducts } = counted();
    const c = lstmCase(4, true), plain = lstmCase(4, true);
    expect(backwardPacking(k, c)).toBeNull();
    backward(addon!.lstmBf16Backward, plain);
    expect(c.dxp).toEqual(plain.dxp);
    expect(c.dr).toEqual(plain.dr);
    expect(packedProducts()).toBe(0);
    const [asB, asA] = lengths();
    expect(() => backward(addon!.lstmBf16Backward, lstmCase(4, true), asB))
      .toThrow(/lstmBf16Backward: argument 'packedDxp' needs goBackwards false/);
    expect(() => backward(addon!.lstmBf16Backward, lstmCase(4, true), null, asA))
      .toThrow(/lstmBf16Backward: argument 'packedGates' needs goBackwards false/);
  });

  it('names a buffer too short for its packing', () => {
    expect(() => backward(addon!.lstmBf16Backward, lstmCase(5, false), new Int32Array(8)))
      .toThrow(/lstmBf16Backward: argument 'packedDxp' has 8 elements, needs \d+/);
    expect(() => backward(addon!.lstmBf16Backward, lstmCase(5, false), null, new Int32Array(8)))
      .toThrow(/lstmBf16Backward: argument 'packedGates' has 8 elements, needs \d+/);
    const c = new Float32Array(4);
    expect(() => addon!.gemmBf16PackedAB(2, 2, 2, 1, new Int32Array(3), new Int32Array(3), 0, c, null, Act.linear))
      .toThrow(/gemmBf16PackedAB: argument 'packedA' has 3 elements, needs \d+/);
  });
});
