/**
 * The forward-only recurrent kernels (lstmInfer, gruInfer) against the training forward kernels: on every
 * instruction set the native ones must give exactly the training forward's bits (same xp, same cell arithmetic),
 * whether xp is read directly or through a row index (a projected table); the reference ones equal the reference
 * training forward; native and reference agree within float tolerance; bad calls fail alike on both.
 */
import { expect, it } from 'vitest';
import { Act, backendInfo, setThreads, type FArray, type Kernels } from '../../src/backend/index.js';
import { describeNativeEachIsa, referenceKernels, relErr } from '../kernels/util.js';
import { makeInputs, type CaseCfg, type Inputs } from '../kernels/recurrent_helpers.js';

interface Trained { hs: Float32Array; hT: Float32Array; cT: Float32Array | null }

/** The training forward's outputs: every step, the last output, the final cell (LSTM). */
function training(K: Kernels, c: CaseCfg, inp: Inputs): Trained {
  const { B, T, U } = c;
  const hs = new Float32Array(B * T * U), hT = new Float32Array(B * U);
  let cT: Float32Array | null = null;
  if (c.kind === 'lstm') {
    const cs = new Float32Array(B * T * U), gates = new Float32Array(B * T * 4 * U);
    K.lstmForward(B, T, U, inp.xp, inp.r, inp.h0, inp.c0, inp.mask, !!c.back, c.act ?? Act.tanh, c.recAct ?? Act.sigmoid, hs, cs, gates);
    cT = new Float32Array(B * U);
    for (let b = 0; b < B; b++) cT.set(cs.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
  } else {
    const gates = new Float32Array(B * T * 3 * U), hh = new Float32Array(B * T * U);
    K.gruForward(B, T, U, inp.xp, inp.r, inp.rb, inp.h0, inp.mask, !!c.back, true, c.act ?? Act.tanh, c.recAct ?? Act.sigmoid, hs, gates, hh);
  }
  for (let b = 0; b < B; b++) hT.set(hs.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
  return { hs, hT, cT };
}

/** The inference kernel's outputs; with `indexed`, xp is handed over reversed and read back through a row index. */
function inferred(K: Kernels, c: CaseCfg, inp: Inputs, withSeq: boolean, indexed: boolean): Trained {
  const { B, T, U } = c;
  const GU = (c.kind === 'lstm' ? 4 : 3) * U;
  let xp: FArray = inp.xp, rows: Int32Array | null = null;
  if (indexed) {
    const N = B * T;
    xp = new Float32Array(N * GU);
    rows = new Int32Array(N);
    for (let i = 0; i < N; i++) { rows[i] = N - 1 - i; xp.set(inp.xp.subarray(i * GU, (i + 1) * GU), (N - 1 - i) * GU); }
  }
  const hs = withSeq ? new Float32Array(B * T * U) : null, hT = new Float32Array(B * U);
  let cT: Float32Array | null = null;
  if (c.kind === 'lstm') {
    cT = new Float32Array(B * U);
    K.lstmInfer(B, T, U, xp, rows, inp.r, inp.h0, inp.c0, inp.mask, !!c.back, c.act ?? Act.tanh, c.recAct ?? Act.sigmoid, hs, hT, cT);
  } else {
    K.gruInfer(B, T, U, xp, rows, inp.r, inp.rb, inp.h0, inp.mask, !!c.back, c.act ?? Act.tanh, c.recAct ?? Act.sigmoid, hs, hT);
  }
  return { hs: hs ?? new Float32Array(0), hT, cT };
}

const OPTIONS: Partial<CaseCfg>[] = [
  {},
  { h0: true },
  { mask: 'lead', h0: true, back: true },
  { mask: 'random', back: true },
  { mask: 'withEmptyRow', h0: true },
  { act: Act.relu, recAct: Act.hardSigmoid, h0: true },
  { act: Act.sigmoid, recAct: Act.tanh, back: true, mask: 'random' },
];
// [1, 1, 1] and odd sizes exercise the partial unit blocks; [16, 30, 40] is large enough for the threads to split rows;
// [1, 2, 32], [2, 3, 48], [1, 3, 112] and [1, 7, 128] (the adder's encoder at batch 1) are few row-steps of whole unit
// blocks, where the kernels read R in place, unpacked, several blocks per register tile: 112 and 128 units split into
// more than one tile, of unequal sizes for 112, on every instruction set.
const SIZES: [number, number, number][] = [[1, 1, 1], [3, 7, 5], [2, 5, 100], [5, 9, 13], [16, 30, 40], [1, 2, 32], [2, 3, 48],
  [1, 3, 112], [1, 7, 128]];
const CELLS: Partial<CaseCfg>[] = [{ kind: 'lstm' }, { kind: 'gru', resetAfter: true, rb: true }, { kind: 'gru', resetAfter: true, rb: false }];

function cases(): CaseCfg[] {
  const out: CaseCfg[] = [];
  for (const cell of CELLS) for (const [B, T, U] of SIZES) for (const o of OPTIONS) out.push({ B, T, U, ...cell, ...o } as CaseCfg);
  return out;
}

function expectSame(got: Trained, want: Trained, withSeq: boolean, label: string): void {
  expect(Array.from(got.hT), `${label}: hT`).toEqual(Array.from(want.hT));
  if (want.cT) expect(Array.from(got.cT!), `${label}: cT`).toEqual(Array.from(want.cT));
  if (withSeq) expect(Array.from(got.hs), `${label}: hs`).toEqual(Array.from(want.hs));
}

describeNativeEachIsa('inference kernels: forward-only equals the training forward', (nat) => {
  it('lstmInfer / gruInfer give the training forward bits, direct or row-indexed, with and without hs', () => {
    let seed = 1;
    for (const c of cases()) {
      const inp = makeInputs(c, seed++);
      const want = training(nat, c, inp);
      for (const [withSeq, indexed] of [[true, false], [false, true], [false, false]] as const) {
        expectSame(inferred(nat, c, inp, withSeq, indexed), want, withSeq, `${JSON.stringify(c)} hs=${withSeq} indexed=${indexed}`);
      }
    }
  });

  // Many rows: threads split the rows; two rows run on one thread; one row reads R in place.
  for (const c of [{ kind: 'lstm', B: 24, T: 40, U: 33, mask: 'random', h0: true }, { kind: 'gru', B: 2, T: 130, U: 64, mask: 'lead', rb: true },
    { kind: 'lstm', B: 1, T: 7, U: 128, h0: true }] as CaseCfg[]) {
    it(`threads (${c.B} rows) give the serial bits`, () => {
      const inp = makeInputs(c, 7);
      const threaded = inferred(nat, c, inp, true, false);
      const threads = backendInfo().threads;
      setThreads(1);
      let serial: Trained;
      try { serial = inferred(nat, c, inp, true, false); } finally { setThreads(threads); }
      expectSame(threaded, serial, true, `threads ${JSON.stringify(c)}`);
      expectSame(threaded, training(nat, c, inp), true, `training ${JSON.stringify(c)}`);
    });
  }

  it('native agrees with the reference within float tolerance', () => {
    let seed = 100;
    for (const c of cases().filter((_, i) => i % 3 === 0)) {
      const inp = makeInputs(c, seed++);
      const want = inferred(referenceKernels, c, inp, true, true), got = inferred(nat, c, inp, true, false);
      expect(relErr(got.hT, want.hT), JSON.stringify(c)).toBeLessThan(1e-5);
      expect(relErr(got.hs, want.hs), JSON.stringify(c)).toBeLessThan(1e-5);
    }
  });

  it('bad calls name the argument on both backends', () => {
    const c: CaseCfg = { kind: 'lstm', B: 2, T: 3, U: 4 };
    const inp = makeInputs(c, 3);
    for (const K of [nat, referenceKernels]) {
      const hT = new Float32Array(8);
      const rows = new Int32Array(6).fill(1);
      rows[4] = 99;
      expect(() => K.lstmInfer(2, 3, 4, inp.xp.subarray(0, 32), rows, inp.r, null, null, null, false, Act.tanh, Act.sigmoid, null, hT, null))
        .toThrow(/lstmInfer: argument 'rows' has index 99 at 4/);
      expect(() => K.lstmInfer(2, 3, 4, inp.xp, null, inp.r, null, null, null, false, Act.tanh, Act.sigmoid, null, new Float32Array(7), null))
        .toThrow(/lstmInfer: argument 'hT' has 7 elements, needs 8/);
      expect(() => K.gruInfer(2, 3, 4, inp.xp.subarray(0, 10), null, inp.r, null, null, null, false, Act.tanh, 9 as never, null, hT))
        .toThrow(/gruInfer: argument 'xp' has 10 elements, needs 72/);
    }
  });
});

it('the reference inference kernels equal the reference training forward', () => {
  let seed = 500;
  for (const c of cases().filter((_, i) => i % 4 === 0)) {
    const inp = makeInputs(c, seed++);
    expectSame(inferred(referenceKernels, c, inp, true, true), training(referenceKernels, c, inp), true, JSON.stringify(c));
  }
});
