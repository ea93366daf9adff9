// Mixed bfloat16 against float32, one training step of the lab's models at their shapes (docs/BENCHMARKS.md):
//   RNNLAB_THREADS=1 node bench/bf16_step.mjs [--models lstm,cnn] [--steps 4] [--warmup 5] [--rounds 1] [--top 8] [--wall]
// (--help: the flags). Steps are trainOnBatch on synthetic ids after --warmup untimed steps (five by default: with two,
// the cnn's mixed_bfloat16 figure at 2 threads read ~15 % above its steady steps). Times are the process's CPU
// time (robust on a shared, loaded machine; meaningful with one kernel thread) unless --wall. msPerStep is the
// median of the rounds' mean steps (with --rounds > 1 each round's is listed, and the mixed_bfloat16 line gives
// `speedup`, the median of the rounds' float32 / mixed_bfloat16 ratios). Each line also lists the largest kernels
// per step, the GEMMs split by shape (transposes, m, n, k), and `other`: the mean step's time outside kernels.
import { imdbModel, IMDB_DEFAULTS } from '../dist/experiments/lab_models.js';
import { bf16Support, kernels } from '../dist/backend/index.js';
import { setGlobalPolicy } from '../dist/mixed_precision.js';
import { Tensor } from '../dist/tensor.js';
import { setSeed } from '../dist/random.js';
import { exitUnlessBf16, parseOrExit } from './flags.mjs';
import { BF16_STEP } from './specs.mjs';

const { models, steps, warmup, top, wall, rounds } = parseOrExit(BF16_STEP, process.argv.slice(2));
exitUnlessBf16(BF16_STEP, bf16Support());
const now = wall ? () => performance.now() : () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

// Times every kernel of the kernel set in force (the objects kernels() returns are reused, so wrapping their
// functions once per precision is enough); a GEMM is labelled with its shape.
let totals = new Map();  // the kernels' times of the run being timed
let timing = false;
// The bf16 kernel set wraps some fp32 kernels (bf16_shared_packing.ts), whose functions are wrapped here too: only
// the outermost call is timed, else a wrapped kernel would count twice.
let depth = 0;
const wrapped = new WeakSet();
function timeKernels() {
  const k = kernels();
  if (wrapped.has(k)) return;
  wrapped.add(k);
  for (const [name, fn] of Object.entries(k)) {
    if (typeof fn !== 'function') continue;
    k[name] = (...a) => {
      if (!timing || depth > 0) return fn(...a);
      const t = now();
      depth++;
      try { return fn(...a); } finally {
        depth--;
        // A GEMM by its shape (gemmPackedDxp's arguments are gemm's after the packings).
        const g = name === 'gemm' ? a : name === 'gemmPackedDxp' ? a.slice(1) : null;
        const label = g ? `gemm ${g[2]}x${g[3]} k${g[4]}${g[0] ? ' Aᵀ' : ''}${g[1] ? ' Bᵀ' : ''}` : name;
        totals.set(label, (totals.get(label) ?? 0) + now() - t);
      }
    };
  }
}

// Each precision's model is built once; with --rounds N the two take turns, `steps` steps each, N times, so a machine
// whose speed drifts (a shared host) slows both alike; a round's speedup is its float32 ms over its mixed_bfloat16 ms.
const median = (v) => { const s = [...v].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
for (const name of models) {
  const runs = [];
  for (const precision of ['float32', 'mixed_bfloat16']) {
    setSeed(1);
    const policy = setGlobalPolicy(precision);
    timeKernels();
    const model = imdbModel(name);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const B = IMDB_DEFAULTS[name].batchSize, T = 500;
    const ids = new Int32Array(B * T).map((_, i) => (i * 7919) % 9999 + 1);
    const x = new Tensor(ids, [B, T], 'int32'), y = new Tensor(new Float32Array(B).map((_, i) => i % 2), [B, 1]);
    for (let i = 0; i < warmup; i++) await model.trainOnBatch(x, y);
    runs.push({ precision, policy, model, x, y, ms: [], kernels: new Map() });
  }
  for (let r = 0; r < rounds; r++) {
    for (const run of runs) {
      setGlobalPolicy(run.precision);
      totals = run.kernels;
      timing = true;
      const t0 = now();
      for (let i = 0; i < steps; i++) await run.model.trainOnBatch(run.x, run.y);
      run.ms.push((now() - t0) / steps);
      timing = false;
    }
  }
  for (const run of runs) {
    const n = steps * rounds, mean = run.ms.reduce((a, b) => a + b, 0) / rounds;
    const rows = [...run.kernels].sort((a, b) => b[1] - a[1]);
    const inKernels = rows.reduce((s, [, v]) => s + v, 0) / n;
    const split = Object.fromEntries(rows.slice(0, top).map(([k, v]) => [k, +(v / n).toFixed(1)]));
    const turns = rounds > 1 ? { rounds: run.ms.map((v) => +v.toFixed(1)) } : {};
    const speedup = run === runs[1] ? { speedup: +median(runs[0].ms.map((v, i) => v / run.ms[i])).toFixed(2) } : {};
    console.log(JSON.stringify({ model: name, precision: run.policy.name, warmup, msPerStep: +median(run.ms).toFixed(1), ...turns, ...speedup,
      ...split, other: +(mean - inKernels).toFixed(1) }));
  }
}
