/**
 * The LSTM's bf16 backward making the input's gradient dx = dxp·Wᵀ in BPTT (lstmBf16Backward's w and dx,
 * lstmBackwardPacking's InputGradient): gemmBf16's bits on every path the kernel takes (masks, goBackwards, h0,
 * threads split by rows or by units), the other outputs unchanged, and bad arguments named. Needs AVX512-BF16.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Act, nativeKernels, type Kernels } from '../../src/backend/index.js';
import { dxpSharingKernels, type SharedPackingAddon } from '../../src/backend/bf16_shared_packing.js';
import { WeightPackings } from '../../src/backend/bf16_weight_cache.js';
import { Rng, randF32 } from './util.js';

type Addon = SharedPackingAddon & Kernels & {
  gemmBf16: Kernels['gemm']; lstmBf16Forward: Kernels['lstmForward']; bf16Supported(): boolean; setThreads(n: number): void;
  info(): { threads: number };
};
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

interface Shape { B: number; T: number; U: number; D: number; masked?: boolean; goBackwards?: boolean; h0?: boolean }

/** A forward pass and its backward's inputs. */
function lstmCase(s: Shape, seed: number) {
  const { B, T, U, D } = s, N = B * T, G4 = 4 * U, rng = new Rng(seed);
  const r = randF32(rng, U * G4, -0.5, 0.5), xp = randF32(rng, N * G4), w = randF32(rng, D * G4, -0.3, 0.3);
  const h0 = s.h0 ? randF32(rng, B * U) : null, c0 = s.h0 ? randF32(rng, B * U) : null;
  const mask = s.masked ? Uint8Array.from({ length: N }, (_, i) => ((i * 7) % 5 ? 1 : 0)) : null;
  const hs = new Float32Array(N * U), cs = new Float32Array(N * U), gates = new Float32Array(N * G4);
  addon!.lstmBf16Forward(B, T, U, xp, r, h0, c0, mask, !!s.goBackwards, Act.tanh, Act.sigmoid, hs, cs, gates);
  return { r, h0, c0, mask, hs, cs, gates, w, dhs: randF32(rng, N * U), dhT: randF32(rng, B * U) };
}
type Case = ReturnType<typeof lstmCase>;

/** lstmBf16Backward's outputs, with dx made by the kernel when withDx. */
function backward(s: Shape, c: Case, withDx: boolean, dxLength?: number, w: Float32Array = c.w) {
  const { B, T, U, D } = s, N = B * T, G4 = 4 * U;
  const o = { dxp: new Float32Array(N * G4), dr: new Float32Array(U * G4), dh0: new Float32Array(B * U), dc0: new Float32Array(B * U) };
  const dx = withDx ? new Float32Array(dxLength ?? N * D).fill(Number.NaN) : null;
  addon!.lstmBf16Backward(B, T, U, c.r, c.h0, c.c0, c.mask, !!s.goBackwards, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates, c.dhs,
    c.dhT, null, o.dxp, o.dr, o.dh0, o.dc0, null, null, null, withDx ? w : null, dx);
  return { ...o, dx };
}

const shapes: Shape[] = [
  { B: 3, T: 37, U: 10, D: 13 },
  { B: 5, T: 9, U: 50, D: 7, masked: true, h0: true },
  { B: 4, T: 11, U: 17, D: 33, goBackwards: true, masked: true },
  { B: 2, T: 6, U: 40, D: 1, h0: true },
  { B: 16, T: 12, U: 64, D: 20 },
];

describe.skipIf(!hasBf16)('LSTM bf16 backward making the input gradient in BPTT (needs AVX512-BF16)', () => {
  const threads = addon?.info().threads ?? 1;
  afterEach(() => {
    addon?.setThreads(threads);
    delete process.env.RNNLAB_RNN_SPLIT;
  });

  it('dx is gemmBf16(dxp, Wᵀ) bit for bit, and the other outputs are those of the call without it', () => {
    for (const [i, s] of shapes.entries()) {
      const c = lstmCase(s, 10 + i);
      const plain = backward(s, c, false), made = backward(s, c, true);
      for (const k of ['dxp', 'dr', 'dh0', 'dc0'] as const) expect(made[k]).toEqual(plain[k]);
      const want = new Float32Array(s.B * s.T * s.D);
      addon!.gemmBf16(false, true, s.B * s.T, s.D, 4 * s.U, 1, plain.dxp, c.w, 0, want, null, Act.linear);
      expect(made.dx).toEqual(want);
    }
  });

  it('gives the same bits with the threads splitting the batch rows or the units', () => {
    const s: Shape = { B: 4, T: 9, U: 64, D: 21, masked: true, h0: true };
    const c = lstmCase(s, 3);
    addon!.setThreads(1);
    const one = backward(s, c, true);
    addon!.setThreads(2);
    for (const split of ['batch', 'unit']) {
      process.env.RNNLAB_RNN_SPLIT = split;
      expect(backward(s, c, true)).toEqual(one);
    }
  });

  it('lstmBackwardPacking makes dx for an InputGradient and says so; the GEMM path is left for goBackwards', () => {
    const k = dxpSharingKernels(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    for (const goBackwards of [false, true]) {
      const s: Shape = { B: 3, T: 8, U: 12, D: 5, goBackwards };
      const c = lstmCase(s, 7), N = s.B * s.T, G4 = 4 * s.U;
      const dxp = new Float32Array(N * G4), dx = new Float32Array(N * s.D).fill(Number.NaN);
      const packs = k.lstmBackwardPacking(s.B, s.T, s.U, c.r, null, null, null, goBackwards, Act.tanh, Act.sigmoid, c.hs, c.cs,
        c.gates, c.dhs, c.dhT, null, dxp, new Float32Array(s.U * G4), null, null, null, { w: c.w, dx });
      if (goBackwards) {
        expect(packs).toBeNull();
        expect(dx.every(Number.isNaN)).toBe(true);
        continue;
      }
      expect(packs!.inputGrad).toBe(dx);
      const want = new Float32Array(N * s.D);
      addon!.gemmBf16(false, true, N, s.D, G4, 1, dxp, c.w, 0, want, null, Act.linear);
      expect(dx).toEqual(want);
    }
  });

  it('names a W that is not D rows of 4U and a dx too short', () => {
    const s: Shape = { B: 2, T: 5, U: 8, D: 3 };
    const c = lstmCase(s, 5);
    expect(() => backward(s, c, true, undefined, new Float32Array(4 * s.U * s.D + 1)))
      .toThrow(/lstmBf16Backward: argument 'w' must hold D rows of 4U = 32 floats/);
    expect(() => backward(s, c, true, s.B * s.T * s.D - 1)).toThrow(/lstmBf16Backward: argument 'dx' has 29 elements, needs 30/);
    const k = dxpSharingKernels(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    expect(() => k.lstmBackwardPacking(s.B, s.T, s.U, c.r, null, null, null, false, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates,
      c.dhs, null, null, new Float32Array(s.B * s.T * 32), new Float32Array(s.U * 32), null, null, null,
      { w: new Float32Array(33), dx: new Float32Array(30) })).toThrow(/lstmBackwardPacking: the input gradient's W has 33 values/);
  });
});
