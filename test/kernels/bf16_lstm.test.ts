/**
 * The bf16 LSTM (mixed_bfloat16): native/lstm_bf16.cc against reference/bf16_lstm.ts (same rounding and sum order;
 * they differ only where the fp32 cell's activations differ in their last bits and that flips a bf16 rounding of
 * h or of a gate gradient), under every threading plan; the reference against the float64 oracle within bf16's
 * tolerance, forward and gradients; the policy's routing to them, and a tiny LSTM model that trains under it to its
 * float32 accuracy. Native half: needs AVX512-BF16.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { kernels, nativeKernels, referenceKernels, setBackend, type Kernels } from '../../src/backend/index.js';
import { lstmBf16Backward, lstmBf16Forward } from '../../src/backend/reference/bf16_lstm.js';
import { describeCase, makeInputs, runCase, withEnv, type CaseCfg, type Outputs } from './recurrent_helpers.js';
import { Rng, randF32, relErr } from './util.js';
import { lcg, trainTiny, type TinyRun } from './bf16_tiny_model.js';

const addon = nativeKernels() as unknown as (Kernels & {
  lstmBf16Forward?: Kernels['lstmForward']; lstmBf16Backward?: Kernels['lstmBackward']; bf16Supported?: () => boolean;
}) | null;
const hasBf16 = !!addon?.bf16Supported?.();

const referenceBf16: Kernels = { ...referenceKernels, lstmForward: lstmBf16Forward, lstmBackward: lstmBf16Backward };
const KEYS = ['hs', 'cs', 'gates', 'dxp', 'dr', 'dh0', 'dc0', 'dhAll'] as const;

const CASES: CaseCfg[] = [
  { kind: 'lstm', B: 3, T: 7, U: 5 },
  { kind: 'lstm', B: 4, T: 9, U: 16, h0: true, dT: true, dhAll: true },
  { kind: 'lstm', B: 5, T: 11, U: 21, back: true, mask: 'lead', h0: true },
  { kind: 'lstm', B: 6, T: 8, U: 33, mask: 'withEmptyRow', dT: true, dhAll: true },
  { kind: 'lstm', B: 2, T: 6, U: 7, mask: 'random', back: true, h0: true, dT: true, act: 4, recAct: 1 },
  { kind: 'lstm', B: 9, T: 12, U: 40, h0: true, dh0: false },
];

function compare(got: Outputs, want: Outputs, label: string, tol: number, floor = 0): number {
  let largest = 0;
  for (const key of KEYS) {
    if (want[key] === undefined) continue;
    const e = relErr(got[key]!, want[key]!);
    largest = Math.max(largest, e);
    expect(e, `${label} ${key}`).toBeLessThan(tol);
    if (floor > 0 && (key === 'hs' || key === 'dr')) expect(e, `${label} ${key} is really rounded`).toBeGreaterThan(floor);
  }
  return largest;
}

describe('reference bf16 LSTM', () => {
  it('stays within bf16 tolerance of the float64 oracle, forward and gradients, and really rounds', () => {
    let seed = 11;
    for (const c of CASES) {
      const inp = makeInputs(c, seed++);
      compare(runCase(referenceBf16, c, inp), runCase(referenceKernels, c, inp, 64), describeCase(c), 3e-2, 1e-5);
    }
  });

  it('names a bad size and a short array', () => {
    const f = new Float32Array(64);
    expect(() => lstmBf16Forward(1, 0, 2, f, f, null, null, null, false, 3, 2, f, f, f)).toThrow(/lstmBf16Forward: argument 'T' must be an integer >= 1/);
    expect(() => lstmBf16Backward(1, 2, 2, new Float32Array(3), null, null, null, false, 3, 2, f, f, f, f, null, null, f, f, null, null, null))
      .toThrow(/lstmBf16Backward: argument 'r' has 3 elements, needs 16/);
  });
});

const nativeBf16Twins = (): Kernels => ({ ...referenceKernels, lstmForward: addon!.lstmBf16Forward!, lstmBackward: addon!.lstmBf16Backward! });

describe.skipIf(!hasBf16)('native bf16 LSTM against the reference (needs AVX512-BF16)', () => {

  for (const split of ['serial', 'batch', 'unit']) {
    it(`agrees on every case with the ${split} threading plan`, () => {
      let seed = 11, largest = 0;
      for (const c of CASES) {
        const inp = makeInputs(c, seed++);
        const nat = withEnv({ RNNLAB_RNN_SPLIT: split }, () => runCase(nativeBf16Twins(), c, inp));
        largest = Math.max(largest, compare(nat, runCase(referenceBf16, c, inp), `${split} ${describeCase(c)}`, 2e-3));
      }
      console.log(`native vs reference bf16 LSTM (${split}): largest relative difference ${largest.toExponential(2)}`);
    });
  }

  // dR has its own GEMM (5 x 80 tiles, k blocks of 256 pairs): its bits must be gemmBf16's of Hprev^T dxp, here
  // over several k blocks and at sizes that fill neither its tiles nor gemmBf16's (and B*T odd).
  it('dR is gemmBf16 of the shifted states and the gate gradients, bit for bit', () => {
    const gemm = (addon as unknown as { gemmBf16: Kernels['gemm'] }).gemmBf16;
    for (const [B, T, U] of [[9, 61, 23], [33, 33, 50], [4, 130, 12]]) {
      const N = B * T, G4 = 4 * U, rng = new Rng(B + T + U);
      const r = randF32(rng, U * G4, -0.5, 0.5), h0 = randF32(rng, B * U);
      const hs = new Float32Array(N * U), cs = new Float32Array(N * U), gates = new Float32Array(N * G4);
      addon!.lstmBf16Forward!(B, T, U, randF32(rng, N * G4), r, h0, null, null, false, 3, 2, hs, cs, gates);
      const dxp = new Float32Array(N * G4), dr = new Float32Array(U * G4);
      addon!.lstmBf16Backward!(B, T, U, r, h0, null, null, false, 3, 2, hs, cs, gates, randF32(rng, N * U), null, null,
        dxp, dr, null, null, null);
      const hPrev = new Float32Array(N * U);
      for (let b = 0; b < B; b++) {
        hPrev.set(h0.subarray(b * U, (b + 1) * U), b * T * U);
        hPrev.set(hs.subarray(b * T * U, ((b + 1) * T - 1) * U), (b * T + 1) * U);
      }
      const want = new Float32Array(U * G4);
      gemm(true, false, U, G4, N, 1, hPrev, dxp, 0, want, null, 0);
      expect(dr, `${B}x${T}x${U}`).toEqual(want);
    }
  });

  it('names a short array', () => {
    const f = new Float32Array(64);
    expect(() => addon!.lstmBf16Forward!(1, 2, 2, new Float32Array(3), f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16Forward: argument 'xp' has 3 elements, needs 16/);
  });
});

describe('mixed_bfloat16 routes the LSTM to its bf16 kernels', () => {
  afterEach(() => {
    rl.mixedPrecision.setGlobalPolicy('float32');
    if (addon) setBackend('native');
  });

  it('swaps lstmForward/lstmBackward (the native twins where AVX512-BF16 is there, else the emulation)', () => {
    if (!hasBf16) setBackend('reference');
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    const k = kernels();
    if (!hasBf16) {
      expect(k.lstmForward).toBe(lstmBf16Forward);
      expect(k.lstmBackward).toBe(lstmBf16Backward);
    }
    // Native: the twins behind the shared packing of dxp (bf16_shared_packing.ts), with the twins' outputs.
    const c = CASES[1], inp = makeInputs(c, 3);
    const twins = hasBf16 ? nativeBf16Twins() : referenceBf16;
    expect(runCase({ ...twins, lstmForward: k.lstmForward, lstmBackward: k.lstmBackward }, c, inp)).toEqual(runCase(twins, c, inp));
    expect(runCase(twins, c, inp)).not.toEqual(runCase(referenceKernels, c, inp));
    rl.mixedPrecision.setGlobalPolicy('float32');
    expect(kernels().lstmForward).not.toBe(k.lstmForward);
  });

  /** Sequences of tokens 2..9; the label says whether token 2 comes before token 3 (order matters). */
  function data(n: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
    const T = 10, next = lcg(seed);
    const x = new Float32Array(n * T), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const a = Math.floor(next() * T), b = Math.floor(next() * T);
      for (let t = 0; t < T; t++) x[i * T + t] = 4 + Math.floor(next() * 6);
      if (a !== b) { x[i * T + a] = 2; x[i * T + b] = 3; }
      y[i] = a < b ? 1 : 0;
    }
    return { x: rl.tensor(x, [n, T]), y: rl.tensor(y, [n, 1]) };
  }

  const lstm: TinyRun = {
    layers: () => [
      rl.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: 10 }),
      rl.layers.lstm({ units: 16 }),
      rl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
    data, epochs: 10, seed: 5, learningRate: 0.02, weight: 2,
  };

  it('a tiny LSTM model trains under mixed_bfloat16 to its float32 accuracy', async () => {
    if (!hasBf16) setBackend('reference');
    const fp32 = await trainTiny('float32', lstm);
    const bf16 = await trainTiny('mixed_bfloat16', lstm);
    console.log(`tiny LSTM test accuracy: float32 ${fp32.acc.toFixed(3)}, mixed_bfloat16 ${bf16.acc.toFixed(3)}`);
    expect(fp32.acc).toBeGreaterThan(0.85);
    expect(bf16.acc).toBeGreaterThan(0.85);
    expect(Math.abs(bf16.acc - fp32.acc)).toBeLessThan(0.06);
    expect([...bf16.weights]).not.toEqual([...fp32.weights]); // the recurrent products really were rounded
  }, 120_000);
});
