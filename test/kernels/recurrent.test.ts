/**
 * Native recurrent kernels (lstm/gru/simpleRnn, forward and backward) against the float64 reference, over the
 * option combinations (masks with leading, random and all-masked rows, goBackwards, h0/c0, dhT/dcT, dhAll,
 * activations, GRU resetAfter and rb), awkward sizes, every threading plan (forced through the addon's
 * RNNLAB_RNN_SPLIT hook) on every instruction set this CPU runs (setIsa), and bad arguments.
 * Without the addon these tests fail unless RNNLAB_ALLOW_NO_NATIVE=1.
 */
import { afterAll, expect, it } from 'vitest';
import { Act, type Kernels } from '../../src/backend/index.js';
import { describeNative, describeNativeEachIsa, referenceKernels, relErr } from './util.js';
import { describeCase, makeInputs, runCase, withEnv, type CaseCfg, type CellKind, type Outputs } from './recurrent_helpers.js';

const TOL = 1e-5;

function compare(nat: Kernels, c: CaseCfg, seed: number, label = ''): void {
  const inp = makeInputs(c, seed);
  const want = runCase(referenceKernels, c, inp, 64);
  const got = runCase(nat, c, inp, 32);
  for (const k of Object.keys(want) as (keyof Outputs)[]) {
    const w = want[k], g = got[k];
    if (!w) continue;
    expect(g, `${k} missing`).toBeTruthy();
    const e = relErr(g!, w);
    expect(e, `${label}${describeCase(c)}: ${k} relative error ${e}`).toBeLessThan(TOL);
  }
}

const KINDS: { kind: CellKind; extra?: Partial<CaseCfg> }[] = [
  { kind: 'lstm' },
  { kind: 'gru', extra: { resetAfter: true, rb: true } },
  { kind: 'gru', extra: { resetAfter: true, rb: false } },
  { kind: 'gru', extra: { resetAfter: false } },
  { kind: 'simpleRnn' },
];

/** Option sets that together cover every option (not the full cartesian product). */
const OPTIONS: Partial<CaseCfg>[] = [
  {},
  { h0: true, dT: true },
  { mask: 'lead', h0: true, back: true, dhAll: true },
  { mask: 'random', back: true, dT: true, dhAll: true },
  { mask: 'withEmptyRow', h0: true, dT: true, dh0: false },
  { act: Act.relu, recAct: Act.hardSigmoid, h0: true },
  { act: Act.linear, recAct: Act.sigmoid, mask: 'lead', dT: true },
  { act: Act.sigmoid, recAct: Act.tanh, back: true },
];

const SIZES: [number, number, number][] = [[1, 1, 1], [3, 7, 5], [1, 7, 17], [3, 1, 17], [2, 5, 100], [5, 9, 13]];

describeNativeEachIsa('recurrent kernels: native vs reference', (nat) => {
  for (const { kind, extra } of KINDS) {
    it(`${kind}${extra ? ' ' + JSON.stringify(extra) : ''}: all options at awkward sizes`, () => {
      let seed = 1;
      for (const [B, T, U] of SIZES) {
        for (const opt of OPTIONS) {
          // SimpleRNN has one activation; its recAct is ignored.
          compare(nat, { kind, B, T, U, ...extra, ...opt }, seed++);
        }
      }
    });
  }

  it('lab-sized shapes (B=64 U=100, B=16 U=100, B=128 U=128) with masks', () => {
    compare(nat, { kind: 'lstm', B: 64, T: 6, U: 100, mask: 'lead', h0: true, dT: true, dhAll: true }, 101);
    compare(nat, { kind: 'lstm', B: 128, T: 4, U: 128, back: true }, 102);
    compare(nat, { kind: 'simpleRnn', B: 16, T: 12, U: 100, mask: 'random', dT: true }, 103);
    compare(nat, { kind: 'gru', B: 64, T: 6, U: 100, rb: true, mask: 'lead', h0: true, back: true }, 104);
    compare(nat, { kind: 'gru', B: 64, T: 6, U: 100, resetAfter: false, mask: 'random', h0: true, dT: true }, 105);
  });

  // The forward packs the gates of a last unit block of nu units into one vector when G * nu fits its lanes
  // (16 with AVX-512, 8 otherwise): U = 20 and 10 fill the lanes exactly for LSTM, 21 and 11 do not fit.
  it('a last unit block packed into one vector, at the lane count and one unit over', () => {
    let seed = 150;
    for (const U of [10, 11, 18, 20, 21]) {
      for (const { kind, extra } of KINDS) {
        compare(nat, { kind, B: 9, T: 4, U, ...extra, mask: 'lead', h0: true, dT: true }, seed++);
        compare(nat, { kind, B: 2, T: 3, U, ...extra, back: true }, seed++);
      }
    }
  });

  // Every threading plan, each on the same representative cases.
  const SPLITS = ['serial', 'batch', 'unit'];
  const REP: Partial<CaseCfg>[] = [
    { B: 7, T: 6, U: 37, mask: 'withEmptyRow', h0: true, back: true, dT: true, dhAll: true },
    { B: 3, T: 5, U: 100, mask: 'random', act: Act.relu, recAct: Act.hardSigmoid },
    { B: 1, T: 3, U: 9 },
  ];
  for (const split of SPLITS) {
    it(`plan ${split}`, () => {
      withEnv({ RNNLAB_RNN_SPLIT: split }, () => {
        let seed = 200;
        for (const { kind, extra } of KINDS)
          for (const r of REP) compare(nat, { kind, B: 1, T: 1, U: 1, ...extra, ...r } as CaseCfg, seed++, `[${split}] `);
      });
    });
  }

  it('an odd thread count (3) splits rows and units unevenly', () => {
    const addon = nat as unknown as { setThreads?: (n: number) => void; info?: () => { threads: number } };
    expect(typeof addon.setThreads, 'the addon exports setThreads').toBe('function');
    expect(typeof addon.info, 'the addon exports info').toBe('function');
    const before = addon.info!().threads;
    try {
      addon.setThreads!(3);
      for (const split of ['batch', 'unit']) {
        withEnv({ RNNLAB_RNN_SPLIT: split }, () => {
          let seed = 300;
          for (const { kind, extra } of KINDS) {
            compare(nat, { kind, B: 5, T: 5, U: 41, mask: 'lead', h0: true, dT: true, ...extra }, seed++, `[3 threads ${split}] `);
            compare(nat, { kind, B: 2, T: 4, U: 9, back: true, ...extra }, seed++, `[3 threads ${split}] `);
          }
        });
      }
    } finally {
      addon.setThreads!(before);
    }
  });

  it('gate activations are accurate to 1e-6 relative, elementwise (SimpleRNN with r = 0)', () => {
    const n = 20001;
    const xp = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = -30 + (60 * i) / (n - 1);
      xp[i] = i % 3 === 0 ? v : Math.sign(v) * Math.exp(-Math.abs(v)); // wide values and tiny ones
    }
    const exact: Record<number, (v: number) => number> = {
      [Act.tanh]: Math.tanh, [Act.sigmoid]: (v) => 1 / (1 + Math.exp(-v)), [Act.relu]: (v) => Math.max(v, 0),
      [Act.hardSigmoid]: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1), [Act.linear]: (v) => v,
    };
    for (const act of [Act.tanh, Act.sigmoid, Act.relu, Act.hardSigmoid, Act.linear]) {
      const hs = new Float32Array(n);
      nat.simpleRnnForward(n, 1, 1, xp, new Float32Array(1), null, null, false, act, hs);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const want = exact[act](xp[i]);
        // hard_sigmoid's 0.2 x + 0.5 cancels near x = -2.5 in any float32 evaluation: judge it absolutely.
        const e = Math.abs(hs[i] - want) / (act === Act.hardSigmoid ? 0.2 : Math.max(Math.abs(want), 1e-30));
        if (!(e <= worst)) worst = e;
      }
      expect(worst, `act ${act}: max relative error ${worst}`).toBeLessThan(1e-6);
    }
  });

  it('repeatable bitwise; plans agree to float rounding', () => {
    const c: CaseCfg = { kind: 'lstm', B: 6, T: 5, U: 19, mask: 'lead', h0: true, dT: true };
    const inp = makeInputs(c, 400);
    const runs = ['serial', 'batch', 'unit', 'batch'].map((split) => withEnv({ RNNLAB_RNN_SPLIT: split }, () => runCase(nat, c, inp)));
    for (const k of ['hs', 'cs', 'gates', 'dxp', 'dr', 'dh0', 'dc0'] as const) {
      expect(Array.from(runs[3][k]!), `${k} batch twice`).toEqual(Array.from(runs[1][k]!));
      expect(relErr(runs[1][k]!, runs[0][k]!), `${k} batch vs serial`).toBeLessThan(1e-6);
      expect(relErr(runs[2][k]!, runs[0][k]!), `${k} unit vs serial`).toBeLessThan(1e-6);
    }
  });

  afterAll(() => {
    delete process.env.RNNLAB_RNN_SPLIT;
  });
});

describeNative('recurrent kernels: bad arguments throw RangeError', (nat) => {
  const B = 2, T = 3, U = 4;
  const f = (n: number) => new Float32Array(n);
  const lstmArgs = () => [B, T, U, f(B * T * 4 * U), f(U * 4 * U), null, null, null, false, Act.tanh, Act.sigmoid,
    f(B * T * U), f(B * T * U), f(B * T * 4 * U)] as unknown[];
  const call = (fn: unknown, args: unknown[]) => () => (fn as (...a: unknown[]) => void)(...args);

  it('a well-formed call works', () => {
    expect(call(nat.lstmForward, lstmArgs())).not.toThrow();
  });

  it('short arrays, wrong types, bad sizes and codes', () => {
    const bad: [number, unknown][] = [
      [3, f(B * T * 4 * U - 1)],  // xp too short
      [4, f(U * 4 * U - 1)],      // r too short
      [5, f(B * U - 1)],          // h0 too short
      [7, new Uint8Array(B * T - 1)], // mask too short
      [7, new Float32Array(B * T)],   // mask of the wrong type
      [3, new Float64Array(B * T * 4 * U)], // float64 to the native kernel
      [3, [1, 2, 3]],             // not a typed array
      [0, 0],                     // B = 0
      [1, -1],                    // T < 0
      [2, 1.5],                   // U not an integer
      [9, 5],                     // act out of range
      [10, -1],                   // recAct out of range
      [11, f(B * T * U - 1)],     // hs too short
      [13, null],                 // gates missing
    ];
    for (const [i, v] of bad) {
      const args = lstmArgs();
      args[i] = v;
      expect(call(nat.lstmForward, args), `argument ${i} = ${String(v)}`).toThrow(RangeError);
    }
    expect(call(nat.lstmForward, lstmArgs().slice(0, 8)), 'missing arguments').toThrow(RangeError);
  });

  it('every recurrent kernel checks its array lengths', () => {
    const G4 = 4 * U, G3 = 3 * U;
    const cases: [keyof Kernels, unknown[], number][] = [
      ['lstmBackward', [B, T, U, f(U * G4), null, null, null, false, 3, 2, f(B * T * U), f(B * T * U), f(B * T * G4), f(B * T * U),
        null, null, f(B * T * G4), f(U * G4), null, null, null], 16],
      ['gruForward', [B, T, U, f(B * T * G3), f(U * G3), f(G3), null, null, false, true, 3, 2, f(B * T * U), f(B * T * G3), f(B * T * U)], 12],
      ['gruBackward', [B, T, U, f(U * G3), f(G3), null, null, false, true, 3, 2, f(B * T * U), f(B * T * G3), f(B * T * U), f(B * T * U),
        null, f(B * T * G3), f(U * G3), f(G3), null, null], 17],
      ['simpleRnnForward', [B, T, U, f(B * T * U), f(U * U), null, null, false, 3, f(B * T * U)], 9],
      ['simpleRnnBackward', [B, T, U, f(U * U), null, null, false, 3, f(B * T * U), f(B * T * U), null, f(B * T * U), f(U * U), null, null], 11],
    ];
    for (const [name, args, shortIdx] of cases) {
      expect(call(nat[name], args), `${name} well-formed`).not.toThrow();
      const a = args.slice();
      a[shortIdx] = f((args[shortIdx] as Float32Array).length - 1);
      expect(call(nat[name], a), `${name} argument ${shortIdx} short`).toThrow(RangeError);
      for (const optIdx of args.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0)) {
        const b = args.slice();
        b[optIdx] = f(1);
        expect(call(nat[name], b), `${name} optional argument ${optIdx} too short`).toThrow(RangeError);
      }
    }
  });

  it('GRU without resetAfter rejects a recurrent bias', () => {
    const G3 = 3 * U;
    const args = [B, T, U, f(B * T * G3), f(U * G3), f(G3), null, null, false, false, 3, 2, f(B * T * U), f(B * T * G3), f(B * T * U)];
    expect(call(nat.gruForward, args)).toThrow(RangeError);
    expect(call(referenceKernels.gruForward, args)).toThrow(RangeError);
  });
});
