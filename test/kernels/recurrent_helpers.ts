/**
 * Helpers for the recurrent kernel tests: one description of a case (cell kind, sizes, options), random inputs
 * for it, and a runner that calls a kernel set's forward then backward and returns every output.
 */
import type { ActCode, FArray, Kernels } from '../../src/backend/index.js';
import { Rng } from './util.js';

export type CellKind = 'lstm' | 'gru' | 'simpleRnn';
export type MaskKind = 'none' | 'lead' | 'random' | 'withEmptyRow';

export interface CaseCfg {
  kind: CellKind;
  B: number;
  T: number;
  U: number;
  act?: ActCode;
  recAct?: ActCode;
  back?: boolean;
  mask?: MaskKind;
  h0?: boolean; // h0 (and c0 for the LSTM) given
  dT?: boolean; // dhT (and dcT) given
  dhAll?: boolean;
  resetAfter?: boolean; // GRU (default true)
  rb?: boolean; // GRU recurrent bias (resetAfter only)
  dh0?: boolean; // ask for dh0/dc0 (default true)
}

export function gatesOf(kind: CellKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

export function describeCase(c: CaseCfg): string {
  const o: string[] = [];
  if (c.act !== undefined) o.push(`act=${c.act}`);
  if (c.recAct !== undefined) o.push(`recAct=${c.recAct}`);
  if (c.back) o.push('goBackwards');
  if (c.mask && c.mask !== 'none') o.push(`mask=${c.mask}`);
  if (c.h0) o.push('h0');
  if (c.dT) o.push('dT');
  if (c.dhAll) o.push('dhAll');
  if (c.kind === 'gru') o.push(c.resetAfter === false ? 'resetBefore' : 'resetAfter');
  if (c.rb) o.push('rb');
  if (c.dh0 === false) o.push('no dh0');
  return `${c.kind} B=${c.B} T=${c.T} U=${c.U}${o.length ? ' ' + o.join(' ') : ''}`;
}

export interface Inputs {
  xp: Float32Array;
  r: Float32Array;
  rb: Float32Array | null;
  h0: Float32Array | null;
  c0: Float32Array | null;
  mask: Uint8Array | null;
  dhs: Float32Array;
  dhT: Float32Array | null;
  dcT: Float32Array | null;
}

export function makeMask(rng: Rng, B: number, T: number, kind: MaskKind): Uint8Array | null {
  if (kind === 'none') return null;
  const m = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) {
    const lead = rng.int(0, T);
    for (let t = 0; t < T; t++) {
      if (kind === 'random') m[b * T + t] = rng.next() < 0.7 ? 1 : 0;
      else m[b * T + t] = t >= lead ? 1 : 0;
    }
  }
  if (kind === 'withEmptyRow') {
    for (let t = 0; t < T; t++) m[(B - 1) * T + t] = 0; // a row with no real step
    if (B > 1 && T > 2) m[Math.floor(T / 2)] = 0; // a gap inside row 0
  }
  return m;
}

export function makeInputs(c: CaseCfg, seed: number): Inputs {
  const rng = new Rng(seed);
  const { B, T, U } = c;
  const G = gatesOf(c.kind) * U;
  const rnd = (n: number, s = 1) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = rng.uniform(-s, s); return a; };
  return {
    xp: rnd(B * T * G, 1.5),
    r: rnd(U * G, 1.5 / Math.sqrt(U)),
    rb: c.kind === 'gru' && c.rb && c.resetAfter !== false ? rnd(G, 0.5) : null,
    h0: c.h0 ? rnd(B * U) : null,
    c0: c.h0 && c.kind === 'lstm' ? rnd(B * U) : null,
    mask: makeMask(rng, B, T, c.mask ?? 'none'),
    dhs: rnd(B * T * U),
    dhT: c.dT ? rnd(B * U) : null,
    dcT: c.dT && c.kind === 'lstm' ? rnd(B * U) : null,
  };
}

export interface Outputs {
  hs: FArray;
  cs?: FArray;
  gates: FArray;
  hh?: FArray;
  dxp: FArray;
  dr: FArray;
  drb?: FArray;
  dh0?: FArray;
  dc0?: FArray;
  dhAll?: FArray;
}

type Alloc = (n: number) => FArray;
const conv = (a: FArray | null, alloc: Alloc): FArray | null => {
  if (!a) return null;
  const o = alloc(a.length);
  o.set(a);
  return o;
};

/**
 * Runs forward then backward (on this forward's outputs) with kernel set K. precision 64 copies the inputs into
 * Float64Arrays (the reference kernels' oracle mode).
 */
export function runCase(K: Kernels, c: CaseCfg, inp: Inputs, precision: 32 | 64 = 32): Outputs {
  const alloc: Alloc = precision === 64 ? (n) => new Float64Array(n) : (n) => new Float32Array(n);
  const { B, T, U } = c;
  const G = gatesOf(c.kind) * U;
  const act = (c.act ?? 3) as ActCode, recAct = (c.recAct ?? 2) as ActCode;
  const back = !!c.back;
  const xp = conv(inp.xp, alloc)!, r = conv(inp.r, alloc)!, rb = conv(inp.rb, alloc);
  const h0 = conv(inp.h0, alloc), c0 = conv(inp.c0, alloc), dhs = conv(inp.dhs, alloc)!;
  const dhT = conv(inp.dhT, alloc), dcT = conv(inp.dcT, alloc);
  const wantDh0 = c.dh0 !== false;
  const o: Outputs = {
    hs: alloc(B * T * U), gates: alloc(B * T * G), dxp: alloc(B * T * G), dr: alloc(U * G),
    dh0: wantDh0 ? alloc(B * U) : undefined, dhAll: c.dhAll ? alloc(B * T * U) : undefined,
  };
  // Poison the outputs: kernels must overwrite them fully.
  for (const a of [o.hs, o.gates, o.dxp, o.dr, o.dh0, o.dhAll]) a?.fill(NaN);
  if (c.kind === 'lstm') {
    o.cs = alloc(B * T * U).fill(NaN);
    o.dc0 = wantDh0 ? alloc(B * U).fill(NaN) : undefined;
    K.lstmForward(B, T, U, xp, r, h0, c0, inp.mask, back, act, recAct, o.hs, o.cs, o.gates);
    K.lstmBackward(B, T, U, r, h0, c0, inp.mask, back, act, recAct, o.hs, o.cs, o.gates, dhs, dhT, dcT,
      o.dxp, o.dr, o.dh0 ?? null, o.dc0 ?? null, o.dhAll ?? null);
  } else if (c.kind === 'gru') {
    const ra = c.resetAfter !== false;
    o.hh = alloc(B * T * U).fill(NaN);
    o.drb = rb ? alloc(G).fill(NaN) : undefined;
    K.gruForward(B, T, U, xp, r, rb, h0, inp.mask, back, ra, act, recAct, o.hs, o.gates, o.hh);
    K.gruBackward(B, T, U, r, rb, h0, inp.mask, back, ra, act, recAct, o.hs, o.gates, o.hh, dhs, dhT,
      o.dxp, o.dr, o.drb ?? null, o.dh0 ?? null, o.dhAll ?? null);
  } else {
    K.simpleRnnForward(B, T, U, xp, r, h0, inp.mask, back, act, o.hs);
    K.simpleRnnBackward(B, T, U, r, h0, inp.mask, back, act, o.hs, dhs, dhT, o.dxp, o.dr, o.dh0 ?? null, o.dhAll ?? null);
    o.gates = new Float32Array(0);
  }
  return o;
}

/** The final state h of each row (what dhT is the gradient of): the last real step's output, else h0 (or 0). */
export function finalState(B: number, T: number, U: number, hs: FArray, h0: FArray | null, mask: Uint8Array | null): Float64Array {
  const out = new Float64Array(B * U);
  for (let b = 0; b < B; b++) {
    const anyReal = !mask || mask.subarray(b * T, b * T + T).some((v) => v !== 0);
    for (let u = 0; u < U; u++) out[b * U + u] = anyReal ? hs[(b * T + T - 1) * U + u] : (h0 ? h0[b * U + u] : 0);
  }
  return out;
}

/** Sets environment variables for the duration of fn (the native recurrent kernels read their test hooks per call). */
export function withEnv<R>(vars: Record<string, string | undefined>, fn: () => R): R {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
