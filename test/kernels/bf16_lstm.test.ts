/**
 * The bf16 LSTM (mixed_bfloat16): native/lstm_bf16.cc against reference/bf16_lstm.ts (same rounding and sum order;
 * they differ only where the fp32 cell's activations differ in their last bits and that flips a bf16 rounding of
 * h or of a gate gradient), under every threading plan; the reference against the float64 oracle within bf16's
 * tolerance, forward and gradients. Native half: needs AVX512-BF16.
 */
import { describe, expect, it } from 'vitest';
import { nativeKernels, referenceKernels, type Kernels } from '../../src/backend/index.js';
import { lstmBf16Backward, lstmBf16Forward } from '../../src/backend/reference/bf16_lstm.js';
import { describeCase, makeInputs, runCase, withEnv, type CaseCfg, type Outputs } from './recurrent_helpers.js';
import { relErr } from './util.js';

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

describe.skipIf(!hasBf16)('native bf16 LSTM against the reference (needs AVX512-BF16)', () => {
  const nativeBf16 = () => ({ ...referenceKernels, lstmForward: addon!.lstmBf16Forward!, lstmBackward: addon!.lstmBf16Backward! });

  for (const split of ['serial', 'batch', 'unit']) {
    it(`agrees on every case with the ${split} threading plan`, () => {
      let seed = 11, largest = 0;
      for (const c of CASES) {
        const inp = makeInputs(c, seed++);
        const nat = withEnv({ RNNLAB_RNN_SPLIT: split }, () => runCase(nativeBf16(), c, inp));
        largest = Math.max(largest, compare(nat, runCase(referenceBf16, c, inp), `${split} ${describeCase(c)}`, 2e-3));
      }
      console.log(`native vs reference bf16 LSTM (${split}): largest relative difference ${largest.toExponential(2)}`);
    });
  }

  it('names a short array', () => {
    const f = new Float32Array(64);
    expect(() => addon!.lstmBf16Forward!(1, 2, 2, new Float32Array(3), f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16Forward: argument 'xp' has 3 elements, needs 16/);
  });
});
