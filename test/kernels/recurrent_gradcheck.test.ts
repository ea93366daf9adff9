/**
 * The reference recurrent backward kernels against central finite differences of their forward kernels, in
 * float64. The loss is a random linear functional of every output and of the final states:
 *   L = sum(wh * hs) + sum(wT * hT) (+ sum(wc * cT) for the LSTM),
 * where hT/cT are the states after the last step (hT is the last real step's output, or h0 for a row with none).
 * Its gradient w.r.t. hs is wh (= dhs), w.r.t. the final states wT/wc (= dhT/dcT).
 */
import { describe, expect, it } from 'vitest';
import { Act } from '../../src/backend/index.js';
import { numericGrad, referenceKernels as K, relErr } from './util.js';
import { describeCase, finalState, gatesOf, makeInputs, type CaseCfg } from './recurrent_helpers.js';

function check(c: CaseCfg, seed: number): void {
  const { B, T, U } = c;
  const G = gatesOf(c.kind) * U;
  const i32 = makeInputs(c, seed);
  const f64 = (a: Float32Array | null) => (a ? Float64Array.from(a) : null);
  const xp = f64(i32.xp)!, r = f64(i32.r)!, rb = f64(i32.rb), h0 = f64(i32.h0), c0 = f64(i32.c0);
  const mask = i32.mask, wh = f64(i32.dhs)!, wT = f64(i32.dhT), wc = f64(i32.dcT);
  const act = c.act ?? Act.tanh, recAct = c.recAct ?? Act.sigmoid, back = !!c.back, ra = c.resetAfter !== false;
  const hs = new Float64Array(B * T * U), cs = new Float64Array(B * T * U), gates = new Float64Array(B * T * G);
  const hh = new Float64Array(B * T * U);

  // L as a function of the inputs, with hInit as the initial state h0 (null: zeros).
  const lossWith = (hInit: Float64Array | null) => (): number => {
    if (c.kind === 'lstm') K.lstmForward(B, T, U, xp, r, hInit, c0, mask, back, act, recAct, hs, cs, gates);
    else if (c.kind === 'gru') K.gruForward(B, T, U, xp, r, rb, hInit, mask, back, ra, act, recAct, hs, gates, hh);
    else K.simpleRnnForward(B, T, U, xp, r, hInit, mask, back, act, hs);
    let L = 0;
    for (let i = 0; i < hs.length; i++) L += wh[i] * hs[i];
    if (wT) {
      const hT = finalState(B, T, U, hs, hInit, mask);
      for (let i = 0; i < hT.length; i++) L += wT[i] * hT[i];
    }
    if (wc) for (let b = 0; b < B; b++) for (let u = 0; u < U; u++) L += wc[b * U + u] * cs[(b * T + T - 1) * U + u];
    return L;
  };
  const loss = lossWith(h0);

  loss();
  const dxp = new Float64Array(B * T * G), dr = new Float64Array(U * G), drb = rb ? new Float64Array(G) : null;
  const dh0 = new Float64Array(B * U), dc0 = new Float64Array(B * U);
  if (c.kind === 'lstm') K.lstmBackward(B, T, U, r, h0, c0, mask, back, act, recAct, hs, cs, gates, wh, wT, wc, dxp, dr, dh0, dc0, null);
  else if (c.kind === 'gru') K.gruBackward(B, T, U, r, rb, h0, mask, back, ra, act, recAct, hs, gates, hh, wh, wT, dxp, dr, drb, dh0, null);
  else K.simpleRnnBackward(B, T, U, r, h0, mask, back, act, hs, wh, wT, dxp, dr, dh0, null);

  const name = describeCase(c);
  const expectGrad = (label: string, analytic: Float64Array, x: Float64Array) => {
    const numeric = numericGrad(loss, x);
    const e = relErr(analytic, numeric);
    expect(e, `${name}: d${label} relative error ${e}`).toBeLessThan(1e-6);
  };
  expectGrad('xp', dxp, xp);
  expectGrad('r', dr, r);
  if (rb && drb) expectGrad('rb', drb, rb);
  if (h0) expectGrad('h0', dh0, h0);
  if (c0) expectGrad('c0', dc0, c0);
  // With no h0 given, dh0 is still the gradient w.r.t. the (zero) initial state.
  if (!h0) {
    const z = new Float64Array(B * U);
    const e = relErr(dh0, numericGrad(lossWith(z), z));
    expect(e, `${name}: dh0 (zero h0) relative error ${e}`).toBeLessThan(1e-6);
  }
}

const CASES: CaseCfg[] = [];
for (const kind of ['lstm', 'gru', 'simpleRnn'] as const) {
  const variants: Partial<CaseCfg>[] = kind === 'gru'
    ? [{ resetAfter: true, rb: true }, { resetAfter: true, rb: false }, { resetAfter: false }]
    : [{}];
  for (const v of variants) {
    CASES.push({ kind, B: 2, T: 4, U: 3, dT: true, ...v });
    CASES.push({ kind, B: 3, T: 5, U: 3, h0: true, dT: true, mask: 'withEmptyRow', back: true, ...v });
    CASES.push({ kind, B: 2, T: 5, U: 2, h0: true, mask: 'lead', ...v });
    CASES.push({ kind, B: 2, T: 4, U: 3, mask: 'random', dT: true, act: Act.relu, recAct: Act.hardSigmoid, ...v });
    CASES.push({ kind, B: 1, T: 3, U: 4, h0: true, act: Act.sigmoid, recAct: Act.tanh, back: true, ...v });
    CASES.push({ kind, B: 1, T: 1, U: 2, h0: true, dT: true, act: Act.linear, ...v });
  }
}

describe('recurrent reference backward vs finite differences (float64)', () => {
  let seed = 1;
  for (const c of CASES) {
    it(describeCase(c), () => check(c, seed++));
  }
});
