// SGEMM throughput of the native addon on the shapes torch_reference.py's gemm_peak measures:
// "M x K x N" is A [M, K] @ B [K, N], with beta = 0, no bias, linear activation, about a second each.
// `node bench/gemm.mjs` prints one JSON line; other scripts import gemmBench(). For before/after figures:
//   node bench/gemm.mjs --shapes 128x50000x250,100x32000x400t --cpu [--addon COPY.node]
// times other shapes (a trailing t transposes A, T transposes B: the lab's dW and dX products), per CPU-second
// (--cpu: all threads' CPU time, steadier on a shared machine; RNNLAB_THREADS=1 for one core), each after a
// first timing that is discarded (fresh memory costs page faults on some VMs), with another build of the addon.
// --against OLD.node [--rounds N] (with --shapes) times the build and OLD in alternating rounds of 0.3 s per shape
// (default 8 rounds) and gives each one's best and median round and the ratio of the medians: on a VM whose speed
// drifts, only such interleaved figures show a change of a few percent.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export async function gemmBench() {
  const addon = loadAddon();
  const out = {};
  for (const [M, K, N] of GEMM_SHAPES) out[`${M}x${K}x${N}`] = Math.round(measureGemm(addon, M, K, N) * 10) / 10;
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  for (const a of argv) {
    if (a.startsWith('--') && !['--shapes', '--cpu', '--addon', '--against', '--rounds'].includes(a)) {
      throw new Error(`bench/gemm: unknown flag ${a} (use --shapes, --cpu, --addon, --against, --rounds)`);
    }
  }
  if (flag('--against') && !flag('--shapes')) throw new Error('bench/gemm: --against needs --shapes');
  if (flag('--rounds') && !flag('--against')) throw new Error('bench/gemm: --rounds needs --against');
  const addonFile = flag('--addon');
  const addon = loadAddon(addonFile ? path.resolve(addonFile) : undefined);
  const { threads, isa } = addon.info();
  const against = flag('--against') ? loadAddon(path.resolve(flag('--against'))) : null;
  const rounds = Number(flag('--rounds') ?? 8);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error('bench/gemm: --rounds must be an integer >= 1');
  if (against) against.setThreads(threads);
  let gflops;
  if (flag('--shapes')) {
    const cpu = argv.includes('--cpu');
    gflops = {};
    for (const shape of flag('--shapes').split(',')) {
      const m = /^(\d+)x(\d+)x(\d+)(t?)(T?)$/.exec(shape);
      if (!m) throw new Error(`bench/gemm: --shapes: '${shape}' is not MxKxN with an optional t (A transposed) and T (B transposed)`);
      const o = { transA: m[4] === 't', transB: m[5] === 'T', cpu };
      measureGemm(addon, +m[1], +m[2], +m[3], o);
      if (!against) {
        gflops[shape] = Math.round(measureGemm(addon, +m[1], +m[2], +m[3], o) * 10) / 10;
        continue;
      }
      measureGemm(against, +m[1], +m[2], +m[3], o);
      const runs = [[], []];
      for (let r = 0; r < rounds; r++) {
        [addon, against].forEach((x, i) => runs[i].push(measureGemm(x, +m[1], +m[2], +m[3], { ...o, seconds: 0.3 })));
      }
      const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
      const round1 = (v) => Math.round(v * 10) / 10;
      const [mine, theirs] = runs.map((v) => ({ best: round1(Math.max(...v)), median: round1(med(v)) }));
      gflops[shape] = { this: mine, against: theirs, median_ratio: Math.round((mine.median / theirs.median) * 1000) / 1000 };
    }
  } else {
    gflops = await gemmBench();
  }
  console.log(JSON.stringify({ model: 'gemm', engine: 'rnnlab', threads, isa, ...(addonFile ? { addon: addonFile } : {}),
    ...(against ? { against: flag('--against'), rounds } : {}), gflops }));
}
