/**
 * Golden values from an independent implementation: test/fixtures/recurrent/recurrent.json is written by
 * scripts/gen_recurrent_fixtures.py with PyTorch (nn.LSTM / nn.GRU / nn.RNN and their cells, Keras masking and
 * go_backwards, autograd gradients of a fixed linear loss). Both the reference kernels (in float64) and the native
 * kernels (float32) must reproduce them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ActCode, FArray, Kernels } from '../../src/backend/index.js';
import { describeNativeEachIsa, referenceKernels, relErr } from './util.js';
import { finalState } from './recurrent_helpers.js';

interface Fixture {
  name: string;
  kind: 'lstm' | 'gru' | 'simpleRnn';
  B: number; T: number; U: number;
  act: number; recAct?: number;
  goBackwards: boolean; resetAfter?: boolean;
  mask: number[] | null;
  xp: number[]; r: number[]; rb?: number[] | null; h0: number[] | null; c0?: number[] | null;
  dhs: number[]; dhT: number[] | null; dcT?: number[] | null;
  hs: number[]; hT: number[]; cT?: number[];
  dxp: number[]; dr: number[]; drb?: number[] | null; dh0: number[] | null; dc0?: number[] | null;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const doc = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/recurrent/recurrent.json'), 'utf8')) as { cases: Fixture[] };

function run(K: Kernels, fx: Fixture, precision: 32 | 64): Record<string, FArray> {
  const A = (a: number[] | null | undefined): FArray | null =>
    a ? (precision === 64 ? Float64Array.from(a) : Float32Array.from(a)) : null;
  const Z = (n: number): FArray => (precision === 64 ? new Float64Array(n) : new Float32Array(n));
  const { B, T, U } = fx;
  const G = (fx.kind === 'lstm' ? 4 : fx.kind === 'gru' ? 3 : 1) * U;
  const mask = fx.mask ? Uint8Array.from(fx.mask) : null;
  const act = fx.act as ActCode, rec = (fx.recAct ?? 2) as ActCode;
  const xp = A(fx.xp)!, r = A(fx.r)!, rb = A(fx.rb), h0 = A(fx.h0), c0 = A(fx.c0);
  const dhs = A(fx.dhs)!, dhT = A(fx.dhT), dcT = A(fx.dcT);
  const hs = Z(B * T * U), cs = Z(B * T * U), gates = Z(B * T * G), hh = Z(B * T * U);
  const dxp = Z(B * T * G), dr = Z(U * G), drb = Z(G), dh0 = Z(B * U), dc0 = Z(B * U);
  if (fx.kind === 'lstm') {
    K.lstmForward(B, T, U, xp, r, h0, c0, mask, fx.goBackwards, act, rec, hs, cs, gates);
    K.lstmBackward(B, T, U, r, h0, c0, mask, fx.goBackwards, act, rec, hs, cs, gates, dhs, dhT, dcT, dxp, dr, dh0, dc0, null);
  } else if (fx.kind === 'gru') {
    const ra = fx.resetAfter !== false;
    K.gruForward(B, T, U, xp, r, rb, h0, mask, fx.goBackwards, ra, act, rec, hs, gates, hh);
    K.gruBackward(B, T, U, r, rb, h0, mask, fx.goBackwards, ra, act, rec, hs, gates, hh, dhs, dhT, dxp, dr, rb ? drb : null, dh0, null);
  } else {
    K.simpleRnnForward(B, T, U, xp, r, h0, mask, fx.goBackwards, act, hs);
    K.simpleRnnBackward(B, T, U, r, h0, mask, fx.goBackwards, act, hs, dhs, dhT, dxp, dr, dh0, null);
  }
  const out: Record<string, FArray> = { hs, hT: finalState(B, T, U, hs, h0, mask), dxp, dr, dh0 };
  if (fx.kind === 'lstm') {
    const cT = Z(B * U);
    for (let b = 0; b < B; b++) for (let u = 0; u < U; u++) cT[b * U + u] = cs[(b * T + T - 1) * U + u];
    out.cT = cT;
    out.dc0 = dc0;
  }
  if (rb) out.drb = drb;
  return out;
}

function compare(K: Kernels, precision: 32 | 64, tol: number): void {
  for (const fx of doc.cases) {
    const got = run(K, fx, precision);
    for (const [k, v] of Object.entries(got)) {
      const want = (fx as unknown as Record<string, number[] | null | undefined>)[k];
      if (!want) continue; // e.g. dh0 of a case without h0
      const e = relErr(v, want);
      expect(e, `${fx.name}: ${k} relative error ${e}`).toBeLessThan(tol);
    }
  }
}

describe('recurrent golden values (PyTorch fixtures)', () => {
  it('has fixtures for every cell', () => {
    const kinds = new Set(doc.cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['gru', 'lstm', 'simpleRnn']);
  });
  it('reference kernels (float64) reproduce them', () => compare(referenceKernels, 64, 1e-8));
});

describeNativeEachIsa('recurrent golden values (PyTorch fixtures), native', (nat) => {
  it('native kernels (float32) reproduce them', () => compare(nat, 32, 1e-5));
});
