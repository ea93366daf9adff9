#!/usr/bin/env node
// Timings of the fused recurrent kernels (forward + backward over a whole sequence) at the lab's shapes, on the
// built addon directly (build/Release/rnnlab.node, `npm run build` first).
//
//   node bench/recurrent.mjs [--reps N] [--threads N] [--json] [--mask FRACTION] [--cpu] [--case NAME,...]
//                            [--addon PATH] [--against PATH [--rounds N]] [--help]
//
// Prints, per case, the median and best wall time of forward and of backward in ms, and the recurrent GFLOP/s
// (forward 2*B*T*U*G*U, backward twice that: dh_prev = dgates R^T per step and dR over all steps; with --mask
// the figure still counts every step, so it reads as the effective rate). Beside them, the GEMM's GFLOP/s at the
// same sizes, the better of one step's product (B x U x G*U) and the whole sequence's in one call (B*T x U x G*U,
// the same FLOPs as the forward), and each kernel's share of it (forward and backward from their best runs).
// --mask F masks the first F of every sequence (IMDb-like leading padding) to show what skipping padding buys.
// --cpu times CPU seconds of the process (all threads) instead of wall seconds, for kernels and GEMM alike: the
// rates are then per core and far less disturbed by other processes on a shared machine.
// --case runs only the named cases (lstm, gru, simpleRnn, addition); --addon times another build of the addon
// (e.g. a copy of the previous build, for before/after figures from the same minutes).
// --against OLD.node times this build and OLD in alternating rounds (default 8, --rounds) in one process and
// prints, per case, the lowest and the median of the rounds' forward and backward figures for each, and this
// build's over OLD's: on a VM whose speed drifts by tens of percent within minutes, only such interleaved figures
// show changes of a few percent. Use it with --threads 1 --cpu (with more threads, the idle build's pool may
// still be spinning when the other's round starts, and --cpu would count that).
// --json prints one JSON object (with --against, the comparison's rows) instead of the table.
// As a module: `import { benchRecurrent } from './bench/recurrent.mjs'` returns the same figures as objects.
import { createRequire } from 'node:module';
import { measureGemm } from './gemm.mjs';
import { loadAddonFlag, parseOrExit, isMain, runMain } from './flags.mjs';
import { checkCases, RECURRENT } from './specs.mjs';

const require = createRequire(import.meta.url);

export const CASES = [
  { name: 'lstm', B: 64, T: 500, U: 100 },
  { name: 'gru', B: 64, T: 500, U: 100 },
  { name: 'simpleRnn', B: 16, T: 500, U: 100 },
  { name: 'lstm (addition encoder)', cell: 'lstm', B: 128, T: 7, U: 128 },
];

// The short name --case takes.
const caseKey = (c) => (c.cell ? 'addition' : c.name);
checkCases('bench/recurrent.mjs', CASES.map(caseKey), 'RECURRENT_CASES');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rand(next, n, scale) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (next() * 2 - 1) * scale;
  return a;
}

function time(fn, reps, cpu) {
  fn(); // warm-up (page faults, pool start)
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    fn();
    if (cpu) {
      const u = process.cpuUsage(c0);
      ts.push((u.user + u.system) / 1e3);
    } else {
      ts.push(performance.now() - t0);
    }
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)], best: ts[0] };
}

/**
 * Runs the cases; returns [{ name, B, T, U, forwardMs, backwardMs, totalMs, bestTotalMs, gflops, forwardGflops,
 * backwardGflops, gemmGflops, forwardOfGemm, backwardOfGemm }].
 * Options: reps (timed repetitions, default 5), threads (pool size; default: the addon's), mask (fraction of
 * leading masked steps, default 0), addon (an already loaded addon), gemmSeconds (time per GEMM shape, default
 * 0.3; 0 measures no GEMM, and gemmGflops, forwardOfGemm and backwardOfGemm are then null, not a made-up figure),
 * cpu (time CPU seconds instead of wall seconds, see --cpu).
 */
export async function benchRecurrent({ reps = 5, threads, mask = 0, addon, gemmSeconds = 0.3, cpu = false, cases } = {}) {
  const nat = addon ?? require('../build/Release/rnnlab.node');
  if (threads) nat.setThreads(threads);
  const next = rng(1234);
  const results = [];
  for (const c of CASES) {
    if (cases && !cases.includes(caseKey(c))) continue;
    const cell = c.cell ?? c.name;
    const { B, T, U } = c;
    const G = (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1) * U;
    const xp = rand(next, B * T * G, 1), r = rand(next, U * G, 1 / Math.sqrt(U)), dhs = rand(next, B * T * U, 0.01);
    const rb = cell === 'gru' ? rand(next, G, 0.1) : null;
    let m = null;
    if (mask > 0) {
      m = new Uint8Array(B * T);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) m[b * T + t] = t >= Math.floor(mask * T) ? 1 : 0;
    }
    const hs = new Float32Array(B * T * U), cs = new Float32Array(B * T * U), gates = new Float32Array(B * T * G);
    const hh = new Float32Array(B * T * U), dxp = new Float32Array(B * T * G), dr = new Float32Array(U * G);
    const drb = new Float32Array(G), dh0 = new Float32Array(B * U), dc0 = new Float32Array(B * U);
    let fwd, bwd;
    if (cell === 'lstm') {
      fwd = () => nat.lstmForward(B, T, U, xp, r, null, null, m, false, 3, 2, hs, cs, gates);
      bwd = () => nat.lstmBackward(B, T, U, r, null, null, m, false, 3, 2, hs, cs, gates, dhs, null, null, dxp, dr, dh0, dc0, null);
    } else if (cell === 'gru') {
      fwd = () => nat.gruForward(B, T, U, xp, r, rb, null, m, false, true, 3, 2, hs, gates, hh);
      bwd = () => nat.gruBackward(B, T, U, r, rb, null, m, false, true, 3, 2, hs, gates, hh, dhs, null, dxp, dr, drb, dh0, null);
    } else {
      fwd = () => nat.simpleRnnForward(B, T, U, xp, r, null, m, false, 3, hs);
      bwd = () => nat.simpleRnnBackward(B, T, U, r, null, m, false, 3, hs, dhs, null, dxp, dr, dh0, null);
    }
    const f = time(fwd, reps, cpu);
    fwd();
    const b = time(bwd, reps, cpu);
    const flops = 2 * B * T * U * G * 3;
    const fwdGflops = (2 * B * T * U * G) / (f.best * 1e6), bwdGflops = (4 * B * T * U * G) / (b.best * 1e6);
    const gemm = gemmSeconds > 0
      ? Math.max(measureGemm(nat, B, U, G, { seconds: gemmSeconds, cpu }), measureGemm(nat, B * T, U, G, { seconds: gemmSeconds, cpu }))
      : null;
    results.push({
      name: c.name, B, T, U,
      forwardMs: +f.median.toFixed(2), backwardMs: +b.median.toFixed(2), totalMs: +(f.median + b.median).toFixed(2),
      bestTotalMs: +(f.best + b.best).toFixed(2), gflops: +(flops / ((f.median + b.median) * 1e6)).toFixed(1),
      forwardGflops: +fwdGflops.toFixed(1), backwardGflops: +bwdGflops.toFixed(1), gemmGflops: gemm === null ? null : +gemm.toFixed(1),
      forwardOfGemm: gemm === null ? null : +(fwdGflops / gemm).toFixed(2), backwardOfGemm: gemm === null ? null : +(bwdGflops / gemm).toFixed(2),
    });
  }
  return results;
}

/**
 * Times builds ([[label, addon], ...]) in alternating rounds of benchRecurrent (reps each, default 3; no GEMM figures);
 * returns [{ name, builds: [{ label, forward: {min, median}, backward: {min, median} }] }] over the rounds' medians.
 */
export async function compareBuilds(builds, { rounds = 8, reps = 3, threads, mask = 0, cpu = false, cases } = {}) {
  const runs = builds.map(() => new Map());
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, addon]] of builds.entries()) {
      for (const x of await benchRecurrent({ reps, threads, mask, addon, gemmSeconds: 0, cpu, cases })) {
        const seen = runs[i].get(x.name) ?? { forward: [], backward: [] };
        seen.forward.push(x.forwardMs);
        seen.backward.push(x.backwardMs);
        runs[i].set(x.name, seen);
      }
    }
  }
  const summary = (a) => ({ min: Math.min(...a), median: [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] });
  return [...runs[0].keys()].map((name) => ({
    name,
    builds: builds.map(([label], i) => ({
      label, forward: summary(runs[i].get(name).forward), backward: summary(runs[i].get(name).backward),
    })),
  }));
}

function printComparison(rows, cpu) {
  console.log(`recurrent kernels, builds in alternating rounds (${cpu ? 'CPU ms, all threads' : 'ms'}; lowest and median round)`);
  console.log('case                       build                 fwd min  fwd med  bwd min  bwd med');
  const f = (v) => v.toFixed(2).padStart(8);
  for (const r of rows) {
    for (const b of r.builds) {
      console.log(`${r.name.padEnd(26)} ${b.label.slice(-20).padEnd(20)} ${f(b.forward.min)} ${f(b.forward.median)}`
        + ` ${f(b.backward.min)} ${f(b.backward.median)}`);
    }
    const [a, o] = r.builds;
    const q = (x, y) => (x / y).toFixed(3).padStart(8);
    console.log(`${''.padEnd(26)} ${'this / against'.padEnd(20)} ${q(a.forward.min, o.forward.min)} ${q(a.forward.median, o.forward.median)}`
      + ` ${q(a.backward.min, o.backward.min)} ${q(a.backward.median, o.backward.median)}`);
  }
}

async function main() {
  const o = parseOrExit(RECURRENT, process.argv.slice(2));
  const nat = o.addon ? loadAddonFlag(RECURRENT, '--addon', o.addon) : require('../build/Release/rnnlab.node');
  const run = { threads: o.threads, mask: o.mask, cpu: o.cpu, cases: o.case };
  if (o.against) {
    const builds = [['this build', nat], [o.against, loadAddonFlag(RECURRENT, '--against', o.against)]];
    const rows = await compareBuilds(builds, { ...run, rounds: o.rounds, reps: o.reps ?? 3 });
    if (o.json) console.log(JSON.stringify({ info: nat.info(), rounds: o.rounds, comparison: rows }));
    else printComparison(rows, o.cpu);
    return;
  }
  const results = await benchRecurrent({ ...run, reps: o.reps ?? 5, addon: nat });
  if (o.json) {
    console.log(JSON.stringify({ info: nat.info(), results }));
    return;
  }
  const info = nat.info();
  console.log(`recurrent kernels, ${info.threads} threads (median of timed runs; ${o.cpu ? 'CPU ms, all threads' : 'ms'})`);
  console.log('case                          B    T    U   forward  backward     total   best  GFLOP/s'
    + '   fwd GF/s  bwd GF/s  GEMM GF/s  fwd/GEMM  bwd/GEMM');
  for (const r of results) {
    console.log(`${r.name.padEnd(26)} ${String(r.B).padStart(4)} ${String(r.T).padStart(4)} ${String(r.U).padStart(4)}`
      + ` ${r.forwardMs.toFixed(2).padStart(9)} ${r.backwardMs.toFixed(2).padStart(9)} ${r.totalMs.toFixed(2).padStart(9)}`
      + ` ${r.bestTotalMs.toFixed(1).padStart(6)} ${r.gflops.toFixed(1).padStart(8)}`
      + ` ${r.forwardGflops.toFixed(1).padStart(10)} ${r.backwardGflops.toFixed(1).padStart(9)} ${r.gemmGflops.toFixed(1).padStart(10)}`
      + ` ${r.forwardOfGemm.toFixed(2).padStart(9)} ${r.backwardOfGemm.toFixed(2).padStart(9)}`);
  }
}

if (isMain(import.meta.url)) runMain(main);
