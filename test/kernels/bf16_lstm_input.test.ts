/**
 * The bf16 LSTM forward that projects its own input (lstmBf16ForwardInput, kernels.ts's FusedInputKernels): its
 * outputs are, bit for bit, gemmBf16's xp = x W + bias followed by lstmBf16Forward, at shapes that take the packed
 * last unit block (U = 100, 4) and those that do not, odd and k-blocked D, masks, goBackwards, h0 and no bias, on
 * every threading plan and 1 and 2 threads; the reference agrees with the native kernel; the recurrent op routes
 * the mixed_bfloat16 LSTM through it. Native half: needs AVX512-BF16.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { Act, backendInfo, kernels, nativeKernels, setThreads, type Kernels } from '../../src/backend/index.js';
import type { FusedInputKernels } from '../../src/backend/kernels.js';
import { lstmBf16ForwardInput } from '../../src/backend/reference/bf16_lstm.js';
import { recurrent } from '../../src/autograd/recurrent_ops.js';
import { Tensor } from '../../src/tensor.js';
import { withEnv } from './recurrent_helpers.js';
import { Rng, randF32, relErr } from './util.js';

type Addon = Kernels & {
  gemmBf16: Kernels['gemm']; lstmBf16Forward: Kernels['lstmForward'];
  lstmBf16ForwardInput: FusedInputKernels['lstmForwardInput']; bf16Supported(): boolean;
};
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

interface Shape { B: number; T: number; U: number; D: number; mask?: boolean; back?: boolean; h0?: boolean; noBias?: boolean }
const SHAPES: Shape[] = [
  { B: 16, T: 9, U: 100, D: 100 },
  { B: 7, T: 6, U: 100, D: 37, mask: true, back: true, h0: true },
  { B: 4, T: 6, U: 4, D: 3, noBias: true },
  { B: 9, T: 5, U: 12, D: 8, mask: true },
  { B: 3, T: 4, U: 33, D: 17, back: true, h0: true, noBias: true },
  { B: 5, T: 3, U: 20, D: 515, mask: true },
];

function inputs(s: Shape, seed: number) {
  const rng = new Rng(seed);
  const N = s.B * s.T, G = 4 * s.U;
  // Padding at the start of every row (a different length each) and one row all padding.
  const mask = s.mask ? Uint8Array.from({ length: N }, (_, i) => (i % s.T >= Math.floor(i / s.T) % (s.T + 1) ? 1 : 0)) : null;
  return {
    x: randF32(rng, N * s.D, -2, 2), w: randF32(rng, s.D * G, -0.3, 0.3), r: randF32(rng, s.U * G, -0.4, 0.4),
    bias: s.noBias ? null : randF32(rng, G), h0: s.h0 ? randF32(rng, s.B * s.U) : null, c0: s.h0 ? randF32(rng, s.B * s.U) : null,
    mask,
  };
}
type Inputs = ReturnType<typeof inputs>;

function outputs(s: Shape) {
  const N = s.B * s.T;
  return { hs: new Float32Array(N * s.U), cs: new Float32Array(N * s.U), gates: new Float32Array(N * 4 * s.U) };
}
type Outputs = ReturnType<typeof outputs>;

/** gemmBf16's projection, then the forward on it: what the fused kernel must reproduce. */
function unfused(s: Shape, i: Inputs): Outputs {
  const o = outputs(s), N = s.B * s.T, G = 4 * s.U;
  const xp = new Float32Array(N * G);
  addon!.gemmBf16(false, false, N, G, s.D, 1, i.x, i.w, 0, xp, i.bias, Act.linear);
  addon!.lstmBf16Forward(s.B, s.T, s.U, xp, i.r, i.h0, i.c0, i.mask, !!s.back, Act.tanh, Act.sigmoid, o.hs, o.cs, o.gates);
  return o;
}

function fused(fn: FusedInputKernels['lstmForwardInput'], s: Shape, i: Inputs): Outputs {
  const o = outputs(s);
  fn(s.B, s.T, s.U, s.D, i.x, i.w, i.bias, i.r, i.h0, i.c0, i.mask, !!s.back, Act.tanh, Act.sigmoid, o.hs, o.cs, o.gates);
  return o;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectSameBits(got: Outputs, want: Outputs, label: string): void {
  for (const key of ['hs', 'cs', 'gates'] as const) expect(bits(got[key]), `${label} ${key}`).toEqual(bits(want[key]));
}

describe.skipIf(!hasBf16)('native lstmBf16ForwardInput (needs AVX512-BF16)', () => {
  const before = backendInfo().threads;
  afterEach(() => setThreads(before));

  it('gives the bits of gemmBf16 then lstmBf16Forward, on every plan and 1 and 2 threads', () => {
    let seed = 5;
    for (const s of SHAPES) {
      const i = inputs(s, seed++);
      for (const threads of [1, 2]) {
        setThreads(threads);
        const want = unfused(s, i);
        for (const split of ['serial', 'batch', 'unit']) {
          const got = withEnv({ RNNLAB_RNN_SPLIT: split }, () => fused(addon!.lstmBf16ForwardInput, s, i));
          expectSameBits(got, want, `${JSON.stringify(s)} threads ${threads} ${split}`);
        }
      }
    }
  });

  it('depends on every input: a changed bias or input row changes the outputs', () => {
    const s = SHAPES[0], i = inputs(s, 1);
    const base = fused(addon!.lstmBf16ForwardInput, s, i);
    const bias = Float32Array.from(i.bias!);
    bias[4 * s.U - 1] += 0.5;  // gate o of the last unit: the packed last block
    expect(bits(fused(addon!.lstmBf16ForwardInput, s, { ...i, bias }).hs)).not.toEqual(bits(base.hs));
    const x = Float32Array.from(i.x);
    x[s.D - 1] += 1;  // the last input column of row 0, step 0
    const moved = fused(addon!.lstmBf16ForwardInput, s, { ...i, x });
    expect(bits(moved.gates.subarray(0, 4 * s.U))).not.toEqual(bits(base.gates.subarray(0, 4 * s.U)));
  });

  it('agrees with the reference (the same roundings; activations may differ in their last bits)', () => {
    let seed = 40;
    for (const s of SHAPES.slice(1)) {
      const i = inputs(s, seed++);
      const got = fused(addon!.lstmBf16ForwardInput, s, i), want = fused(lstmBf16ForwardInput, s, i);
      for (const key of ['hs', 'cs', 'gates'] as const) expect(relErr(got[key], want[key]), `${JSON.stringify(s)} ${key}`).toBeLessThan(1e-2);
    }
  });

  it('names a bad D and a short array', () => {
    const f = new Float32Array(64);
    expect(() => addon!.lstmBf16ForwardInput(1, 2, 2, 0, f, f, null, f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16ForwardInput: argument 'D' must be an integer >= 1/);
    expect(() => addon!.lstmBf16ForwardInput(1, 2, 2, 3, new Float32Array(5), f, null, f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16ForwardInput: argument 'x' has 5 elements, needs 6/);
    expect(() => addon!.lstmBf16ForwardInput(1, 2, 2, 3, f, f, new Float32Array(7), f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16ForwardInput: argument 'bias' has 7 elements, needs 8/);
  });
});

describe('reference lstmBf16ForwardInput', () => {
  it('names a bad D and a short array', () => {
    const f = new Float32Array(64);
    expect(() => lstmBf16ForwardInput(1, 2, 2, 0, f, f, null, f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16ForwardInput: argument 'D' must be an integer >= 1/);
    expect(() => lstmBf16ForwardInput(1, 2, 2, 3, new Float32Array(5), f, null, f, null, null, null, false, 3, 2, f, f, f))
      .toThrow(/lstmBf16ForwardInput: argument 'x' has 5 elements, needs 6/);
  });
});

describe.skipIf(!hasBf16)('the recurrent op under mixed_bfloat16 (needs AVX512-BF16)', () => {
  afterEach(() => { rl.mixedPrecision.setGlobalPolicy('float32'); });

  it('runs the LSTM forward through lstmForwardInput, with the unfused bits, masked or not', () => {
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    const K = kernels() as Kernels & Partial<FusedInputKernels>;
    const inner = K.lstmForwardInput!;
    let calls = 0;
    K.lstmForwardInput = (...a) => { calls++; inner(...a); };
    try {
      for (const s of [SHAPES[0], SHAPES[1]]) {
        const i = inputs(s, 77);
        const spec = { cell: 'lstm' as const, units: s.U, act: Act.tanh, recAct: Act.sigmoid, goBackwards: !!s.back, resetAfter: false };
        const t = (d: Float32Array | null, shape: number[]) => (d ? new Tensor(d, shape, 'float32') : null);
        const out = recurrent(spec, t(i.x, [s.B, s.T, s.D])!, t(i.w, [s.D, 4 * s.U])!, t(i.r, [s.U, 4 * s.U])!,
          t(i.bias, [4 * s.U]), t(i.h0, [s.B, s.U]), t(i.c0, [s.B, s.U]), i.mask);
        const want = unfused(s, i);
        expect(bits(out.sequence.floatData() as Float32Array)).toEqual(bits(want.hs));
        expect(bits(out.gates as Float32Array)).toEqual(bits(want.gates));
      }
    } finally {
      K.lstmForwardInput = inner;
    }
    expect(calls).toBe(2);
  });
});
