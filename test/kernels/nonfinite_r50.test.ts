/**
 * NaN and ±Inf take the same way through the native and the reference kernels, and the way Keras/TensorFlow take
 * them, on every instruction set and with one and two threads:
 * - Conv1D pads with zeros that are multiplied like any input (TF pads, then convolves): a NaN or infinite weight
 *   over padding gives NaN in y, and a NaN dy gives NaN in the dw of a tap that read padding;
 * - the GRU mixes h = z * h_prev + (1 - z) * n (Keras's form), so an infinite candidate n (linear or relu
 *   activation) gives an infinite h, not inf - inf = NaN;
 * - sigmoid(-inf) is exactly 0 (not the 2.9e-39 of a clamped exp), so in an LSTM with a linear activation the
 *   closed gates' 0 * (-inf) is NaN.
 */
import { expect, it } from 'vitest';
import type { ActCode } from '../../src/backend/kernels.js';
import { lstmBf16Forward } from '../../src/backend/reference/bf16_lstm.js';
import { describeNativeEachIsa, native, referenceKernels as ref, type FArray, type Kernels } from './util.js';

const LINEAR = 0 as ActCode, RELU = 1 as ActCode, SIGMOID = 2 as ActCode;
const f32 = (a: number[]): Float32Array => Float32Array.from(a);
const f64 = (a: number[]): Float64Array => Float64Array.from(a);
/** The addon's bf16 LSTM (mixed_bfloat16), where this CPU has AVX512-BF16 (it then runs under the avx512 kernels). */
const bf16 = (() => {
  const addon = native as unknown as { lstmBf16Forward?: Kernels['lstmForward']; bf16Supported?: () => boolean } | null;
  return addon?.bf16Supported?.() && addon.lstmBf16Forward ? { lstmBf16Forward: addon.lstmBf16Forward } : null;
})();

/** got equals want value by value: NaN where NaN, the same infinity, finite values within rel. */
function expectSame(got: FArray, want: FArray, label: string, rel = 1e-5): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i], at = `${label}[${i}]: ${g} against ${w}`;
    if (Number.isNaN(w)) expect(Number.isNaN(g), at).toBe(true);
    else if (!Number.isFinite(w)) expect(g, at).toBe(w);
    else expect(Math.abs(g - w), at).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(w)));
  }
}

/** fn once with one thread and once with two (the addon's setThreads), restoring the count. */
function eachThreads(nat: Kernels, fn: (threads: number) => void): void {
  const addon = nat as unknown as { setThreads(n: number): void; info(): { threads: number } };
  const before = addon.info().threads;
  try {
    for (const n of [1, 2]) {
      addon.setThreads(n);
      fn(n);
    }
  } finally {
    addon.setThreads(before);
  }
}

describeNativeEachIsa('non-finite values, native against reference', (nat, isa) => {
  it('conv1d: a NaN or infinite weight tap over padding gives NaN (padding zeros are multiplied)', () => {
    eachThreads(nat, (th) => {
      // B=1 T=1 Cin=Cout=1 K=3 'same' (padLeft 1): taps 0 and 2 read padding, tap 1 reads x[0].
      for (const w0 of [NaN, Infinity, -Infinity]) {
        const w = [w0, 0.5, 0];
        const y = new Float32Array(1), yr = new Float64Array(1);
        nat.conv1d(1, 1, 1, 1, 3, 1, 1, 1, f32([2]), f32(w), null, y, LINEAR);
        ref.conv1d(1, 1, 1, 1, 3, 1, 1, 1, f64([2]), f64(w), null, yr, LINEAR);
        expect(Number.isNaN(yr[0]), `reference y, w0 = ${w0}`).toBe(true);
        expectSame(y, yr, `y, w0 = ${w0}, threads ${th}`);
        const dx = new Float32Array(1), dw = new Float32Array(3), dxr = new Float64Array(1), dwr = new Float64Array(3);
        nat.conv1dBackward(1, 1, 1, 1, 3, 1, 1, 1, f32([2]), f32(w), f32([1]), dx, dw, null);
        ref.conv1dBackward(1, 1, 1, 1, 3, 1, 1, 1, f64([2]), f64(w), f64([1]), dxr, dwr, null);
        expectSame(dx, dxr, `dx, w0 = ${w0}, threads ${th}`);
        expectSame(dw, dwr, `dw, w0 = ${w0}, threads ${th}`);
      }
      // Several channels and steps, padding on both sides: only the outputs whose padded tap has the NaN weight.
      const B = 2, T = 5, Cin = 2, Cout = 3, K = 3, To = 5;
      const x = Array.from({ length: B * T * Cin }, (_, i) => Math.sin(i + 1));
      const w = Array.from({ length: K * Cin * Cout }, (_, i) => Math.cos(i + 1) / 2);
      w[(0 * Cin + 1) * Cout + 2] = NaN;  // tap 0, ci 1, co 2: reads padding at o = 0
      w[(2 * Cin + 0) * Cout + 0] = Infinity;  // tap 2, ci 0, co 0: reads padding at o = To - 1
      const y = new Float32Array(B * To * Cout), yr = new Float64Array(B * To * Cout);
      nat.conv1d(B, T, Cin, Cout, K, 1, 1, To, f32(x), f32(w), null, y, LINEAR);
      ref.conv1d(B, T, Cin, Cout, K, 1, 1, To, f64(x), f64(w), null, yr, LINEAR);
      for (let b = 0; b < B; b++) expect(Number.isNaN(yr[(b * To + 0) * Cout + 2]) && Number.isNaN(yr[(b * To + To - 1) * Cout + 0])).toBe(true);
      expectSame(y, yr, `y of the [${B}, ${T}, ${Cin}] case, threads ${th}`);
    });
  });

  it('conv1dBackward: a NaN dy reaches the dw of a tap that read padding for it', () => {
    eachThreads(nat, (th) => {
      // T=2 K=3 padLeft 1: at output 0 tap 0 reads padding, so dw[0] sums 0 * dy[0] = NaN.
      const x = [1, 2], w = [0.1, 0.2, 0.3];
      for (const d0 of [NaN, Infinity]) {
        const dy = [d0, 1];
        const dx = new Float32Array(2), dw = new Float32Array(3), dxr = new Float64Array(2), dwr = new Float64Array(3);
        nat.conv1dBackward(1, 2, 1, 1, 3, 1, 1, 2, f32(x), f32(w), f32(dy), dx, dw, null);
        ref.conv1dBackward(1, 2, 1, 1, 3, 1, 1, 2, f64(x), f64(w), f64(dy), dxr, dwr, null);
        expect(Number.isNaN(dwr[0]), `reference dw[0], dy[0] = ${d0}`).toBe(true);
        expectSame(dw, dwr, `dw, dy[0] = ${d0}, threads ${th}`);
        expectSame(dx, dxr, `dx, dy[0] = ${d0}, threads ${th}`);
      }
    });
  });

  it('GRU: an infinite candidate gives an infinite h (h = z h_prev + (1 - z) n), training and predict kernels', () => {
    eachThreads(nat, (th) => {
      for (const act of [LINEAR, RELU]) {
        for (const resetAfter of [true, false]) {
          for (const h0 of [null, [0.5]]) {
            const xp = [0.3, 0.3, Infinity], r = [0.5, 0.5, 0.5];
            const run = (k: Kernels, F: Float32ArrayConstructor | Float64ArrayConstructor) => {
              const o = { hs: new F(1), g: new F(3), hh: new F(1) };
              k.gruForward(1, 1, 1, F.from(xp), F.from(r), null, h0 && F.from(h0), null, false, resetAfter, act, SIGMOID, o.hs, o.g, o.hh);
              return o;
            };
            const got = run(nat, Float32Array), want = run(ref, Float64Array);
            const label = `act ${act}, resetAfter ${resetAfter}, h0 ${h0}, threads ${th}`;
            expect(want.hs[0], `reference h, ${label}`).toBe(Infinity);
            expectSame(got.hs, want.hs, `h, ${label}`);
            expectSame(got.g, want.g, `gates, ${label}`);
            if (!resetAfter) continue;
            const hT = new Float32Array(1), hTr = new Float64Array(1);
            nat.gruInfer(1, 1, 1, f32(xp), null, f32(r), null, h0 && f32(h0), null, false, act, SIGMOID, null, hT);
            ref.gruInfer(1, 1, 1, f64(xp), null, f64(r), null, h0 && f64(h0), null, false, act, SIGMOID, null, hTr);
            expect(hTr[0]).toBe(Infinity);
            expectSame(hT, hTr, `gruInfer h, ${label}`);
          }
        }
      }
    });
  });

  it('sigmoid(-inf) is exactly 0: activation, a dense sigmoid epilogue, and an LSTM (fp32, bf16) whose closed gates meet -inf', () => {
    eachThreads(nat, (th) => {
      const x = f32([-Infinity, -1000, -89, 0]), y = new Float32Array(4);
      nat.activation(SIGMOID, x, y);
      expect([...y.slice(0, 3)], `activation, threads ${th}`).toEqual([0, 0, 0]);
      expect(y[3]).toBe(0.5);
      // c = x [1 x 1] times b [1 x 16] with a sigmoid epilogue: a whole vector and a tail.
      for (const n of [16, 19]) {
        const c = new Float32Array(n);
        nat.gemm(false, false, 1, n, 1, 1, f32([-Infinity]), new Float32Array(n).fill(1), 0, c, null, SIGMOID);
        expect([...c], `gemm epilogue n ${n}, threads ${th}`).toEqual(new Array(n).fill(0));
      }
      // 1 unit, 2 steps, linear activation: step 0 makes c = h = -inf; at step 1 every gate's input is -inf, so
      // i = f = o = 0 and c = 0 * (-inf) + 0 * (-inf) = NaN.
      const xp = [0.3, 0.3, -Infinity, 0.3, 0.3, 0.3, 0.3, 0.3], r = [0.5, 0.5, 0.5, 0.5];
      const run = (k: Kernels, F: Float32ArrayConstructor | Float64ArrayConstructor) => {
        const o = { hs: new F(2), cs: new F(2), g: new F(8) };
        k.lstmForward(1, 2, 1, F.from(xp), F.from(r), null, null, null, false, LINEAR, SIGMOID, o.hs, o.cs, o.g);
        return o;
      };
      const got = run(nat, Float32Array), want = run(ref, Float64Array);
      expect([...want.hs]).toEqual([-Infinity, NaN]);
      expectSame(got.hs, want.hs, `LSTM h, threads ${th}`);
      expectSame(got.cs, want.cs, `LSTM c, threads ${th}`);
      expectSame(got.g, want.g, `LSTM gates, threads ${th}`);
      const hT = new Float32Array(1), hTr = new Float64Array(1);
      nat.lstmInfer(1, 2, 1, f32(xp), null, f32(r), null, null, null, false, LINEAR, SIGMOID, null, hT, null);
      ref.lstmInfer(1, 2, 1, f64(xp), null, f64(r), null, null, null, false, LINEAR, SIGMOID, null, hTr, null);
      expect(Number.isNaN(hTr[0])).toBe(true);
      expectSame(hT, hTr, `lstmInfer h, threads ${th}`);
      if (!bf16 || isa !== 'avx512') return;  // the bf16 LSTM runs only on the avx512 kernels
      const gb = { hs: new Float32Array(2), cs: new Float32Array(2), g: new Float32Array(8) };
      const wb = { hs: new Float32Array(2), cs: new Float32Array(2), g: new Float32Array(8) };
      bf16.lstmBf16Forward(1, 2, 1, f32(xp), f32(r), null, null, null, false, LINEAR, SIGMOID, gb.hs, gb.cs, gb.g);
      lstmBf16Forward(1, 2, 1, f32(xp), f32(r), null, null, null, false, LINEAR, SIGMOID, wb.hs, wb.cs, wb.g);
      expect(Number.isNaN(wb.hs[1])).toBe(true);
      expectSame(gb.hs, wb.hs, `bf16 LSTM h, threads ${th}`);
      expectSame(gb.cs, wb.cs, `bf16 LSTM c, threads ${th}`);
    });
  });
});
