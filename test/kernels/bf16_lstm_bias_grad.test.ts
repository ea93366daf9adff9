/**
 * The LSTM's bf16 backward adding the input bias's gradient (dxp's column sums) in the pass that packs dxp for dR
 * (lstmBf16Backward's biasGrad, DxpPackings.biasGrad): colSum's bits, accumulated, on 1 and 2 threads, at shapes where
 * colSum sums each column whole and where it sums row bands per thread (a narrow 4U), with masks and h0; the other
 * outputs unchanged; and the recurrent op's gradients the bits of its colSum path. Needs AVX512-BF16.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { Act, kernels, nativeKernels, type Kernels } from '../../src/backend/index.js';
import { dxpSharing, dxpSharingKernels, type DxpPackings, type SharedPackingAddon } from '../../src/backend/bf16_shared_packing.js';
import { WeightPackings } from '../../src/backend/bf16_weight_cache.js';
import { recurrent } from '../../src/autograd/recurrent_ops.js';
import { withTape } from '../../src/autograd/tape.js';
import { lossOp } from '../../src/autograd/loss_ops.js';
import { Tensor } from '../../src/tensor.js';
import { Rng, randF32 } from './util.js';

type Addon = SharedPackingAddon & Kernels & {
  gemmBf16: Kernels['gemm']; lstmBf16Forward: Kernels['lstmForward']; bf16Supported(): boolean; setThreads(n: number): void;
  info(): { threads: number };
};
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

interface Shape { B: number; T: number; U: number; D: number; masked?: boolean; h0?: boolean }
// 4U = 40: colSum's row bands on 2 threads (B*T*4U over its parallel minimum; the second starts at row 433, inside a
// pair of the packing); 4U = 148: whole columns per thread.
const shapes: Shape[] = [
  { B: 3, T: 37, U: 10, D: 13 },
  { B: 5, T: 173, U: 10, D: 7, masked: true },
  { B: 3, T: 97, U: 37, D: 5, masked: true, h0: true },
];

/** A forward pass and its backward's inputs. */
function lstmCase(s: Shape, seed: number) {
  const { B, T, U, D } = s, N = B * T, G4 = 4 * U, rng = new Rng(seed);
  const r = randF32(rng, U * G4, -0.5, 0.5), xp = randF32(rng, N * G4), w = randF32(rng, D * G4, -0.3, 0.3);
  const h0 = s.h0 ? randF32(rng, B * U) : null, c0 = s.h0 ? randF32(rng, B * U) : null;
  const mask = s.masked ? Uint8Array.from({ length: N }, (_, i) => (((i % T) * 7) % 5 ? 1 : 0)) : null;
  const dhs = randF32(rng, N * U);
  if (B >= 4 && !h0) {
    // Rows 0 and 3 get exactly opposite gate gradients of 2^40 or so, which cancel in the sums: what is left shows
    // the rounding of the smaller rows summed between them, hence the order of the sums (colSum's bands on 2 threads).
    xp.copyWithin(3 * T * G4, 0, T * G4);
    for (let i = 0; i < T * U; i++) {
      dhs[i] = i >= (T - 1) * U ? dhs[i] * 2 ** 40 : 0;
      dhs[3 * T * U + i] = -dhs[i];
    }
  }
  const hs = new Float32Array(N * U), cs = new Float32Array(N * U), gates = new Float32Array(N * G4);
  addon!.lstmBf16Forward(B, T, U, xp, r, h0, c0, mask, false, Act.tanh, Act.sigmoid, hs, cs, gates);
  return { r, h0, c0, mask, hs, cs, gates, w, x: randF32(rng, N * D), dhs, bias0: randF32(rng, G4) };
}
type Case = ReturnType<typeof lstmCase>;

/** lstmBf16Backward's outputs with dx made; with sums, biasGrad (starting at the case's bias0) and dxp's packing too. */
function backward(s: Shape, c: Case, sums: boolean) {
  const { B, T, U, D } = s, N = B * T, G4 = 4 * U;
  const o = {
    dxp: new Float32Array(N * G4), dr: new Float32Array(U * G4), dh0: new Float32Array(B * U), dc0: new Float32Array(B * U),
    dx: new Float32Array(N * D), biasGrad: Float32Array.from(c.bias0),
  };
  const asB = sums ? new Int32Array(addon!.gemmBf16PackedLength(N, G4)) : null;
  addon!.lstmBf16Backward(B, T, U, c.r, c.h0, c.c0, c.mask, false, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates, c.dhs,
    null, null, o.dxp, o.dr, o.dh0, o.dc0, null, asB, null, c.w, o.dx, sums ? o.biasGrad : null);
  return { ...o, asB };
}

describe.skipIf(!hasBf16)('LSTM bf16 backward adding the bias gradient as it packs dxp (needs AVX512-BF16)', () => {
  const threads = addon?.info().threads ?? 1;
  afterEach(() => {
    addon?.setThreads(threads);
    rl.mixedPrecision.setGlobalPolicy('float32');
  });

  it('adds colSum\'s bits into biasGrad and leaves the other outputs and dxp\'s packing as they were, on 1 and 2 threads', () => {
    for (const n of [1, 2]) {
      addon!.setThreads(n);
      for (const [i, s] of shapes.entries()) {
        const c = lstmCase(s, 20 + i), N = s.B * s.T, G4 = 4 * s.U;
        const plain = backward(s, c, false), made = backward(s, c, true);
        for (const k of ['dxp', 'dr', 'dh0', 'dc0', 'dx'] as const) expect(made[k]).toEqual(plain[k]);
        const want = Float32Array.from(c.bias0);
        addon!.colSum(N, G4, plain.dxp, want, true);
        expect(made.biasGrad).toEqual(want);
        const viaB = new Float32Array(s.D * G4), dw = new Float32Array(s.D * G4);
        addon!.gemmBf16PackedB(true, s.D, G4, N, 1, c.x, made.asB!, 0, viaB, null, Act.linear);
        addon!.gemmBf16(true, false, s.D, G4, N, 1, c.x, plain.dxp, 0, dw, null, Act.linear);
        expect(viaB).toEqual(dw);
      }
    }
  });

  it('lstmBackwardPacking sums only where no full copy is kept: dx made and no dhAll', () => {
    const k = dxpSharingKernels(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    const s = shapes[0], c = lstmCase(s, 5), N = s.B * s.T, G4 = 4 * s.U;
    const run = (withDx: boolean, dhAll: Float32Array | null) => {
      const dxp = new Float32Array(N * G4), biasGrad = Float32Array.from(c.bias0);
      const packs = k.lstmBackwardPacking(s.B, s.T, s.U, c.r, null, null, null, false, Act.tanh, Act.sigmoid, c.hs, c.cs,
        c.gates, c.dhs, null, null, dxp, new Float32Array(s.U * G4), null, null, dhAll,
        withDx ? { w: c.w, dx: new Float32Array(N * s.D) } : undefined, biasGrad) as DxpPackings;
      return { packs, dxp, biasGrad };
    };
    const summed = run(true, null);
    expect(summed.packs.biasGrad).toBe(summed.biasGrad);
    expect(summed.packs.asA).toBeNull();
    const want = Float32Array.from(c.bias0);
    addon!.colSum(N, G4, summed.dxp, want, true);
    expect(summed.biasGrad).toEqual(want);
    for (const other of [run(false, null), run(true, new Float32Array(N * s.U))]) {
      expect(other.packs.biasGrad).toBeNull();
      expect(other.packs.asA).not.toBeNull();
      expect(other.biasGrad).toEqual(c.bias0);
    }
  });

  it('gives the recurrent op\'s gradients the bits of its colSum path (taken with the states\' gradients asked for)', () => {
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    const sharing = dxpSharing(kernels())!;
    const inner = sharing.lstmBackwardPacking;
    const summed: boolean[] = [];
    sharing.lstmBackwardPacking = (...a) => {
      const packs = inner(...a);
      summed.push(packs?.biasGrad != null);
      return packs;
    };
    try {
      for (const n of [1, 2]) {
        addon!.setThreads(n);
        for (const s of shapes) {
          const grads = (withStates: boolean) => {
            const rng = new Rng(31);
            const param = (shape: number[], lo = -0.5, hi = 0.5) => {
              const t = new Tensor(randF32(rng, shape.reduce((p, q) => p * q), lo, hi), shape, 'float32');
              t.requiresGrad = true;
              return t;
            };
            const x = param([s.B, s.T, s.D]), w = param([s.D, 4 * s.U]), r = param([s.U, 4 * s.U]), bias = param([4 * s.U]);
            const spec = { cell: 'lstm' as const, units: s.U, act: Act.tanh, recAct: Act.sigmoid, goBackwards: false, resetAfter: false };
            const mask = s.masked ? Uint8Array.from({ length: s.B * s.T }, (_, i) => (i % 23 ? 1 : 0)) : null;
            const { value, backward } = withTape(() => {
              const out = recurrent(spec, x, w, r, bias, null, null, mask, withStates ? () => {} : undefined);
              return lossOp('meanSquaredError', out.sequence, new Tensor(randF32(rng, s.B * s.T * s.U), [s.B, s.T, s.U], 'float32'), false);
            });
            backward(value);
            return [x, w, r, bias].map((t) => Array.from(new Uint32Array((t.grad as Float32Array).buffer, t.grad!.byteOffset, t.grad!.length)));
          };
          expect(grads(false)).toEqual(grads(true));
        }
      }
    } finally {
      sharing.lstmBackwardPacking = inner;
    }
    expect(summed).toEqual(Array.from({ length: 2 * shapes.length }, () => [true, false]).flat());
  });

  it('names a bias gradient of the wrong length and one with goBackwards', () => {
    const s = shapes[0], c = lstmCase(s, 6), N = s.B * s.T, G4 = 4 * s.U;
    const call = (goBackwards: boolean, biasGrad: Float32Array) => addon!.lstmBf16Backward(s.B, s.T, s.U, c.r, null, null, null,
      goBackwards, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates, c.dhs, null, null, new Float32Array(N * G4),
      new Float32Array(s.U * G4), null, null, null, null, null, null, null, biasGrad);
    expect(() => call(false, new Float32Array(G4 - 1))).toThrow(/lstmBf16Backward: argument 'biasGrad' has 39 elements, needs 40/);
    expect(() => call(true, new Float32Array(G4))).toThrow(/lstmBf16Backward: argument 'biasGrad' needs goBackwards false/);
    const k = dxpSharingKernels(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    expect(() => k.lstmBackwardPacking(s.B, s.T, s.U, c.r, null, null, null, false, Act.tanh, Act.sigmoid, c.hs, c.cs, c.gates,
      c.dhs, null, null, new Float32Array(N * G4), new Float32Array(s.U * G4), null, null, null, undefined, new Float32Array(7)))
      .toThrow(/lstmBackwardPacking: the bias gradient has 7 values, not 4U = 40/);
  });
});
