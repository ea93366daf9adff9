// SGEMM throughput of the native addon on the shapes torch_reference.py's gemm_peak measures:
// "M x K x N" is A [M, K] @ B [K, N], with beta = 0, no bias, linear activation, about a second each.
// `node bench/gemm.mjs` prints one JSON line; other scripts import gemmBench(). For before/after figures:
//   node bench/gemm.mjs --shapes 128x50000x250,100x32000x400t --cpu [--addon COPY.node]
// times other shapes (a trailing t transposes A, T transposes B: the lab's dW and dX products), per CPU-second
// (--cpu: all threads' CPU time, steadier on a shared machine, with or without --shapes; RNNLAB_THREADS=1 for one core), each after a
// first timing that is discarded (fresh memory costs page faults on some VMs), with another build of the addon.
// --against OLD.node [--rounds N] (with --shapes) times the build and OLD in alternating rounds of 0.3 s per shape
// (default 8 rounds) and gives each one's best and median round and the ratio of the medians: on a VM whose speed
// drifts, only such interleaved figures show a change of a few percent. --help lists the flags (bench/specs.mjs).
import { createRequire } from 'node:module';
import { loadAddonFlag, parseOrExit, isMain, runMain } from './flags.mjs';
import { GEMM, GEMM_SHAPE } from './specs.mjs';

const require = createRequire(import.meta.url);

export const GEMM_SHAPES = [
  [2048, 2048, 2048],
  [64, 200, 400],
  [32000, 100, 400],
];

function loadAddon(file) {
  return require(file ?? '../build/Release/rnnlab.node');
}

function randomArray(n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/**
 * GFLOP/s of C = A B for one shape, timed over about `seconds` after a warm-up. With cpu, the time is the process's
 * CPU time (all threads), so the figure is GFLOP per CPU-second: steadier than wall time on a shared machine.
 */
export function measureGemm(addon, M, K, N, { transA = false, transB = false, seconds = 1, cpu = false } = {}) {
  const a = randomArray(M * K), b = randomArray(K * N), c = new Float32Array(M * N);
  const flops = 2 * M * N * K;
  const run = () => addon.gemm(transA, transB, M, N, K, 1, a, b, 0, c, null, 0);
  // Warm up (first-touch of buffers, packing scratch, thread wake-up) for ~10% of the time.
  let t0 = process.hrtime.bigint();
  do run(); while (Number(process.hrtime.bigint() - t0) < seconds * 1e8);
  let iters = 0;
  t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let elapsed = 0;
  do {
    run();
    iters++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < seconds);
  if (cpu) {
    const u = process.cpuUsage(c0);
    elapsed = (u.user + u.system) / 1e6;
  }
  return (flops * iters) / elapsed / 1e9;
}

/** GFLOP/s on GEMM_SHAPES, keyed 'MxKxN'; cpu: per CPU-second (see measureGemm). */
export async function gemmBench({ addon = loadAddon(), cpu = false } = {}) {
  const out = {};
  for (const [M, K, N] of GEMM_SHAPES) out[`${M}x${K}x${N}`] = Math.round(measureGemm(addon, M, K, N, { cpu }) * 10) / 10;
  return out;
}

async function main() {
  const o = parseOrExit(GEMM, process.argv.slice(2));
  const addon = o.addon ? loadAddonFlag(GEMM, '--addon', o.addon) : loadAddon();
  const against = o.against ? loadAddonFlag(GEMM, '--against', o.against) : null;
  const rounds = o.rounds;
  const { threads, isa } = addon.info();
  if (against) against.setThreads(threads);
  let gflops;
  if (o.shapes) {
    gflops = {};
    for (const shape of o.shapes) {
      const m = GEMM_SHAPE.exec(shape);
      const dims = [+m[1], +m[2], +m[3]], opts = { transA: m[4] === 't', transB: m[5] === 'T', cpu: o.cpu };
      measureGemm(addon, ...dims, opts); // discarded: fresh memory costs page faults on some VMs
      if (!against) {
        gflops[shape] = Math.round(measureGemm(addon, ...dims, opts) * 10) / 10;
        continue;
      }
      measureGemm(against, ...dims, opts);
      const runs = [[], []];
      for (let r = 0; r < rounds; r++) {
        [addon, against].forEach((x, i) => runs[i].push(measureGemm(x, ...dims, { ...opts, seconds: 0.3 })));
      }
      const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
      const round1 = (v) => Math.round(v * 10) / 10;
      const [mine, theirs] = runs.map((v) => ({ best: round1(Math.max(...v)), median: round1(med(v)) }));
      gflops[shape] = { this: mine, against: theirs, median_ratio: Math.round((mine.median / theirs.median) * 1000) / 1000 };
    }
  } else {
    gflops = await gemmBench({ addon, cpu: o.cpu });
  }
  console.log(JSON.stringify({ model: 'gemm', engine: 'rnnlab', threads, isa, ...(o.cpu ? { per: 'cpu second' } : {}),
    ...(o.addon ? { addon: o.addon } : {}), ...(against ? { against: o.against, rounds } : {}), gflops }));
}

if (isMain(import.meta.url)) runMain(main);
