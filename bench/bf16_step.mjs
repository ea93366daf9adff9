// Mixed bfloat16 against float32, one training step of the lab's models at their shapes (docs/BENCHMARKS.md):
//   RNNLAB_THREADS=1 node bench/bf16_step.mjs [--models lstm,cnn] [--steps 4] [--top 8] [--wall]   (--help: the flags)
// Steps are trainOnBatch on synthetic ids after two warm-up steps. Times are the process's CPU time (robust on a
// shared, loaded machine; meaningful with one kernel thread) unless --wall. Each line also lists the largest
// kernels per step, the GEMMs split by shape (transposes, m, n, k), and `other`: the step's time outside kernels.
import { imdbModel, IMDB_DEFAULTS } from '../dist/experiments/lab_models.js';
import { bf16Support, kernels } from '../dist/backend/index.js';
import { setGlobalPolicy } from '../dist/mixed_precision.js';
import { Tensor } from '../dist/tensor.js';
import { setSeed } from '../dist/random.js';
import { exitUnlessBf16, parseOrExit } from './flags.mjs';
import { BF16_STEP } from './specs.mjs';

const { models, steps, top, wall } = parseOrExit(BF16_STEP, process.argv.slice(2));
exitUnlessBf16(BF16_STEP, bf16Support());
const now = wall ? () => performance.now() : () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

// Times every kernel of the kernel set in force (the objects kernels() returns are reused, so wrapping their
// functions once per precision is enough); a GEMM is labelled with its shape.
const totals = new Map();
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

for (const name of models) {
  for (const precision of ['float32', 'mixed_bfloat16']) {
    setSeed(1);
    const policy = setGlobalPolicy(precision);
    timeKernels();
    const model = imdbModel(name);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const B = IMDB_DEFAULTS[name].batchSize, T = 500;
    const ids = new Int32Array(B * T).map((_, i) => (i * 7919) % 9999 + 1);
    const x = new Tensor(ids, [B, T], 'int32'), y = new Tensor(new Float32Array(B).map((_, i) => i % 2), [B, 1]);
    for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
    totals.clear();
    timing = true;
    const t0 = now();
    for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
    const ms = (now() - t0) / steps;
    timing = false;
    const rows = [...totals].sort((a, b) => b[1] - a[1]);
    const inKernels = rows.reduce((s, [, v]) => s + v, 0) / steps;
    const split = Object.fromEntries(rows.slice(0, top).map(([k, v]) => [k, +(v / steps).toFixed(1)]));
    console.log(JSON.stringify({ model: name, precision: policy.name, msPerStep: +ms.toFixed(1), ...split, other: +(ms - inKernels).toFixed(1) }));
  }
}
