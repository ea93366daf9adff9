/**
 * The LSTM's packing of its gate gradients shared with the input kernel's gradient (src/backend/bf16_shared_packing.ts,
 * lstmBf16Backward's packedDxp): the packing is gemmBf16PackB's, the shared product gives gemmBf16's bits, it is
 * used only while dxp is unchanged, and never with goBackwards. Needs AVX512-BF16 (the packing is native).
 */
import { describe, expect, it } from 'vitest';
import { Act, nativeKernels, referenceKernels, type Kernels } from '../../src/backend/index.js';
import { withSharedDxpPacking, type SharedPackingAddon } from '../../src/backend/bf16_shared_packing.js';
import { Rng, randF32 } from './util.js';

type Addon = SharedPackingAddon & Kernels & {
  gemmBf16: Kernels['gemm']; lstmBf16Forward: Kernels['lstmForward']; lstmBf16Backward: Kernels['lstmBackward']; bf16Supported(): boolean;
};
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

const [B, T, U, D] = [3, 37, 10, 13];
const N = B * T, G4 = 4 * U;

/** A forward pass and the arguments of its backward pass (dxp and dr fresh). */
function lstmCase(seed: number, goBackwards: boolean) {
  const rng = new Rng(seed);
  const r = randF32(rng, U * G4, -0.5, 0.5), xp = randF32(rng, N * G4);
  const hs = new Float32Array(N * U), cs = new Float32Array(N * U), gates = new Float32Array(N * G4);
  addon!.lstmBf16Forward(B, T, U, xp, r, null, null, null, goBackwards, Act.tanh, Act.sigmoid, hs, cs, gates);
  return { r, hs, cs, gates, dhs: randF32(rng, N * U), dxp: new Float32Array(N * G4), dr: new Float32Array(U * G4), x: randF32(rng, N * D), goBackwards };
}
type Case = ReturnType<typeof lstmCase>;

function backward(fn: (...a: never[]) => void, c: Case, packed?: Int32Array | null): void {
  (fn as (...a: unknown[]) => void)(B, T, U, c.r, null, null, null, c.goBackwards, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates, c.dhs,
    null, null, c.dxp, c.dr, null, null, null, ...(packed === undefined ? [] : [packed]));
}

/** dW = xᵀ dxp [D, 4U] by `gemm`. */
function inputKernelGrad(gemm: Kernels['gemm'], c: Case): Float32Array {
  const dw = new Float32Array(D * G4);
  gemm(true, false, D, G4, N, 1, c.x, c.dxp, 0, dw, null, Act.linear);
  return dw;
}

/** The shared-packing kernels over the addon, counting the products that used a packing made elsewhere. */
function counted(): { k: Kernels; packedProducts: () => number } {
  let n = 0;
  const spy = { ...addon!, gemmBf16PackedB: (...a: Parameters<Addon['gemmBf16PackedB']>) => { n++; addon!.gemmBf16PackedB(...a); } } as Addon;
  const base = { ...referenceKernels, gemm: addon!.gemmBf16, lstmForward: addon!.lstmBf16Forward, lstmBackward: addon!.lstmBf16Backward };
  return { k: withSharedDxpPacking(spy, base as Kernels), packedProducts: () => n };
}

describe.skipIf(!hasBf16)('LSTM gate gradients packed once for two products (needs AVX512-BF16)', () => {
  it('lstmBf16Backward with packedDxp gives the same outputs and gemmBf16PackB\'s packing of dxp', () => {
    const plain = lstmCase(1, false), shared = lstmCase(1, false);
    backward(addon!.lstmBf16Backward, plain);
    const packed = new Int32Array(addon!.gemmBf16PackedLength(N, G4));
    backward(addon!.lstmBf16Backward, shared, packed);
    expect(shared.dxp).toEqual(plain.dxp);
    expect(shared.dr).toEqual(plain.dr);
    const viaPacked = new Float32Array(D * G4);
    addon!.gemmBf16PackedB(true, D, G4, N, 1, shared.x, packed, 0, viaPacked, null, Act.linear);
    expect(viaPacked).toEqual(inputKernelGrad(addon!.gemmBf16, plain));
  });

  it('the next GEMM with dxp as B uses the packing and gives gemmBf16\'s bits', () => {
    const { k, packedProducts } = counted();
    const c = lstmCase(2, false);
    backward(k.lstmBackward, c);
    const got = inputKernelGrad(k.gemm, c);
    expect(packedProducts()).toBe(1);
    expect(got).toEqual(inputKernelGrad(addon!.gemmBf16, c));
  });

  it('drops the packing once another kernel runs or a GEMM writes dxp, so a changed dxp is packed afresh', () => {
    const { k, packedProducts } = counted();
    const c = lstmCase(3, false);
    backward(k.lstmBackward, c);
    c.dxp.fill(0.25);
    k.colSum(N, G4, c.dxp, new Float32Array(G4), false);
    expect(inputKernelGrad(k.gemm, c)).toEqual(inputKernelGrad(addon!.gemmBf16, c));
    backward(k.lstmBackward, c);
    k.gemm(false, false, N, G4, 1, 1, new Float32Array(N), new Float32Array(G4).fill(2), 0, c.dxp, null, Act.linear);
    expect(inputKernelGrad(k.gemm, c)).toEqual(inputKernelGrad(addon!.gemmBf16, c));
    expect(packedProducts()).toBe(0);
  });

  it('with goBackwards the steps are packed in reverse, so nothing is shared (and the kernel refuses packedDxp)', () => {
    const { k, packedProducts } = counted();
    const c = lstmCase(4, true);
    backward(k.lstmBackward, c);
    expect(inputKernelGrad(k.gemm, c)).toEqual(inputKernelGrad(addon!.gemmBf16, c));
    expect(packedProducts()).toBe(0);
    expect(() => backward(addon!.lstmBf16Backward, lstmCase(4, true), new Int32Array(addon!.gemmBf16PackedLength(N, G4))))
      .toThrow(/lstmBf16Backward: argument 'packedDxp' needs goBackwards false/);
  });

  it('names a packedDxp too short for the packing', () => {
    expect(() => backward(addon!.lstmBf16Backward, lstmCase(5, false), new Int32Array(8)))
      .toThrow(/lstmBf16Backward: argument 'packedDxp' has 8 elements, needs \d+/);
  });
});
