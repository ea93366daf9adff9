/**
 * One sigmoid rule on every path: sigmoid(x) is exactly 0 for x below native/simd_math.h's kSigmoidZeroBelow
 * (-88.7228317, where e^-x overflows float32) and 1 / (1 + e^-x), a subnormal down to 2.9e-39, above it. The
 * paths used to disagree on [-104, -87]: the scalar activation gave 0 below -88.72, the recurrent cells below -88.3,
 * the AVX2 GEMM epilogue below -88, the reference kernels only where the float32 subnormal rounds to 0 (-103.3).
 * A sweep of [-110, -80] goes through the activation kernel, the Dense GEMM epilogue (tile, one-row and bias-only
 * ways; bf16 too), the SimpleRNN, LSTM and GRU sigmoid gates (bf16 LSTM too) and the reference kernels, on every
 * instruction set this CPU runs; each must give 0 exactly where the reference does, and the reference's value
 * elsewhere. tanh, which shares the GEMM epilogue's exp, must give the same ±1 at the far ends as the reference.
 */
import { expect, it } from 'vitest';
import type { ActCode } from '../../src/backend/kernels.js';
import { SIGMOID_ZERO_BELOW } from '../../src/backend/reference/pointwise.js';
import { describeNativeEachIsa, native, referenceKernels as ref, type FArray, type Kernels } from './util.js';

const SIGMOID = 2 as ActCode, TANH = 3 as ActCode, LINEAR = 0 as ActCode;

/** The float32 just above / below v. */
function nextUp(v: number): number {
  const f = new Float32Array([v]), i = new Int32Array(f.buffer);
  i[0] += v < 0 ? -1 : 1;
  return f[0];
}
function nextDown(v: number): number {
  const f = new Float32Array([v]), i = new Int32Array(f.buffer);
  i[0] += v < 0 ? 1 : -1;
  return f[0];
}

/** [-110, -80] in steps of 0.05, the threshold and its float neighbours, and the old per-path clamps. */
const sweep: Float32Array = (() => {
  const v: number[] = [];
  for (let i = 0; i <= 600; i++) v.push(-110 + i * 0.05);
  const t = SIGMOID_ZERO_BELOW;
  v.push(t, nextUp(t), nextDown(t), nextUp(nextUp(t)), nextDown(nextDown(t)), -88.3, -88, -89, -87.3, -87, -103.3, -104);
  return Float32Array.from(v);
})();
const N = sweep.length;

type Addon = Partial<Kernels> & {
  gemmBf16?: Kernels['gemm']; lstmBf16Forward?: Kernels['lstmForward']; bf16Supported?: () => boolean;
};
const addon = native as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

/** act through every GEMM epilogue: C = act(ones [m x 1] · x [1 x N]) for m = 3 (tiles) and 1 (row kernel), and
 * C = act(bias = x) with nothing to multiply (k = 0: the row finisher); the bf16 GEMM's C = act(0 · 0 + x). */
function gemmPaths(k: Kernels, act: ActCode, x: Float32Array, bf16: Kernels['gemm'] | null): [string, FArray][] {
  const out: [string, FArray][] = [];
  for (const m of [3, 1]) {
    const c = new Float32Array(m * N);
    k.gemm(false, false, m, N, 1, 1, new Float32Array(m).fill(1), x, 0, c, null, act);
    for (let i = 0; i < m; i++) out.push([`gemm m=${m} row ${i}`, c.subarray(i * N, (i + 1) * N)]);
  }
  const c0 = new Float32Array(2 * N);
  k.gemm(false, false, 2, N, 0, 1, new Float32Array(0), new Float32Array(0), 0, c0, x, act);
  out.push(['gemm k=0 (bias only)', c0.subarray(N)]);
  if (bf16) {
    const cb = new Float32Array(3 * N);
    bf16(false, false, 3, N, 1, 1, new Float32Array(3), new Float32Array(N), 0, cb, x, act);
    out.push(['gemmBf16 (bias)', cb.subarray(2 * N)]);
  }
  return out;
}

/** Units per row: a whole AVX-512 vector and a tail, so both the vector and the tail lanes see the sweep. */
const U = 19, B = Math.ceil(N / U);
/** The sweep laid out as B rows of U units (0 past its end) and read back. */
function rows(x: Float32Array): Float32Array { const v = new Float32Array(B * U); v.set(x); return v; }
function gatesOf(g: FArray, G: number, gate: number): Float32Array {
  const v = new Float32Array(N);
  for (let i = 0; i < N; i++) v[i] = g[Math.floor(i / U) * G * U + gate * U + (i % U)];
  return v;
}
/** xp [B, 1, G*U] with the sweep in the given gates' slots and 0 in the others. */
function xpWith(x: Float32Array, G: number, gates: number[]): Float32Array {
  const xs = rows(x), xp = new Float32Array(B * G * U);
  for (let b = 0; b < B; b++) for (const g of gates) xp.set(xs.subarray(b * U, (b + 1) * U), b * G * U + g * U);
  return xp;
}

/** The recurrent sigmoid gates (recurrent weights 0, so each gate is sigmoid of its xp slot), and SimpleRNN's h. */
function recurrentPaths(k: Kernels, x: Float32Array, lstmBf16: Kernels['lstmForward'] | null): [string, FArray][] {
  const out: [string, FArray][] = [];
  const hs = new Float32Array(B * U);
  k.simpleRnnForward(B, 1, U, rows(x), new Float32Array(U * U), null, null, false, SIGMOID, hs);
  out.push(['simpleRnn h', hs.subarray(0, N)]);
  const lstm = (f: Kernels['lstmForward'], label: string) => {
    const g = new Float32Array(B * 4 * U);
    f(B, 1, U, xpWith(x, 4, [0, 1, 3]), new Float32Array(U * 4 * U), null, null, null, false, LINEAR, SIGMOID,
      new Float32Array(B * U), new Float32Array(B * U), g);
    for (const [gate, name] of [[0, 'i'], [1, 'f'], [3, 'o']] as const) out.push([`${label} gate ${name}`, gatesOf(g, 4, gate)]);
  };
  lstm(k.lstmForward, 'lstm');
  if (lstmBf16) lstm(lstmBf16, 'lstmBf16');
  const g = new Float32Array(B * 3 * U);
  k.gruForward(B, 1, U, xpWith(x, 3, [0, 1]), new Float32Array(U * 3 * U), null, null, null, false, true, LINEAR,
    SIGMOID, new Float32Array(B * U), g, new Float32Array(B * U));
  for (const [gate, name] of [[0, 'z'], [1, 'r']] as const) out.push([`gru gate ${name}`, gatesOf(g, 3, gate)]);
  return out;
}

/** Every path's values: 0 exactly where want is 0, and want's value (relative 1e-5, subnormals included) elsewhere. */
function expectAgree(paths: [string, FArray][], want: FArray): void {
  for (const [label, got] of paths) {
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      const g = got[i], w = want[i];
      const ok = w === 0 ? g === 0 : g !== 0 && Math.abs(g - w) <= 1e-5 * Math.abs(w);
      if (!ok && bad.length < 4) bad.push(`x = ${sweep[i]}: ${g} against ${w}`);
    }
    expect(bad, label).toEqual([]);
  }
}

const referenceSigmoid = (): Float32Array => { const y = new Float32Array(N); ref.activation(SIGMOID, sweep, y); return y; };

it('the reference sigmoid is 0 exactly below SIGMOID_ZERO_BELOW, at either precision and in its recurrent gates', () => {
  const y = referenceSigmoid();
  for (let i = 0; i < N; i++) expect(y[i] === 0, `x = ${sweep[i]}: ${y[i]}`).toBe(sweep[i] < SIGMOID_ZERO_BELOW);
  // The threshold itself keeps its subnormal, the float below it is 0.
  expect(y[601]).toBeGreaterThan(2.9e-39);
  expect(y[603]).toBe(0);
  const y64 = new Float64Array(N);
  ref.activation(SIGMOID, Float64Array.from(sweep), y64);
  expectAgree([['reference float64', y64], ...gemmPaths(ref, SIGMOID, sweep, null), ...recurrentPaths(ref, sweep, null)], y);
});

describeNativeEachIsa('sigmoid 0-or-not across [-110, -80], native against reference', (nat, isa) => {
  it('activation, Dense GEMM epilogues and recurrent gates give 0 exactly where the reference does', () => {
    const want = referenceSigmoid();
    const y = new Float32Array(N);
    nat.activation(SIGMOID, sweep, y);
    const bf16 = hasBf16 && isa === 'avx512';  // the bf16 kernels run only on the avx512 kernels
    expectAgree([
      ['activation', y],
      ...gemmPaths(nat, SIGMOID, sweep, bf16 && addon?.gemmBf16 ? addon.gemmBf16 : null),
      ...recurrentPaths(nat, sweep, bf16 && addon?.lstmBf16Forward ? addon.lstmBf16Forward : null),
    ], want);
  });

  it('tanh through the same GEMM epilogues and the SimpleRNN is exactly ±1 at both ends, as the reference', () => {
    for (const x of [sweep, sweep.map((v) => -v), sweep.map((v) => v / 2)]) {
      const want = new Float32Array(N);
      ref.activation(TANH, x, want);
      for (const w of want) expect(Math.abs(w)).toBe(1);
      const y = new Float32Array(N), hs = new Float32Array(B * U);
      nat.activation(TANH, x, y);
      nat.simpleRnnForward(B, 1, U, rows(x), new Float32Array(U * U), null, null, false, TANH, hs);
      for (const [label, got] of [['activation', y], ['simpleRnn h', hs.subarray(0, N)], ...gemmPaths(nat, TANH, x, null)] as [string, FArray][]) {
        expect([...got], label).toEqual([...want]);
      }
    }
  });
});

