#!/usr/bin/env node
// npm run bench [-- --vs-torch] [--models lstm,cnn] [--steps 20] [--budget 30] [--fit-seconds 3] [--no-gemm]
//                [--no-recurrent] [--torch-script PATH] [--soak] [--fit ...] [--inference ...] [--help]
// (the flags: bench/specs.mjs, or npm run bench -- --help)
// Times Adam training steps of the lab's models on random data of the lab's shapes (vocab 10000, length 500),
// printing one JSON line per case in the shape of ../shared/reference/torch_reference.py: ms_per_step through
// model.fit (an epoch of at least --steps batches, see timeFit), train_on_batch_ms_per_step the median of trainOnBatch on one batch
// (what the PyTorch script times: its step loop has no data pipeline). With --vs-torch the
// PyTorch reference runs in the same invocation, after rnnlab (never concurrently), and ratios are printed
// (rnnlab_over_torch from fit, which the targets judge, and train_on_batch_over_torch).
// Then (unless --no-recurrent) one line per recurrent kernel case (bench/recurrent.mjs): forward and backward
// GFLOP/s beside the GEMM's at the same sizes, with the ratio to it.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import * as rl from '../dist/index.js';
import { imdbModel, additionModel } from '../dist/experiments/lab_models.js';
import { exitOnError, parseOrExit, UsageError } from './flags.mjs';
import { checkCases, RUN } from './specs.mjs';
import { checkTorch, DEFAULT_TORCH_SCRIPT, ratioLines, runTorch, torchPython } from './vs_torch.mjs';

const VOCAB = 10000, LEN = 500;
// name -> [batch, samples per epoch, target ratio to PyTorch (issue #14's goals, judged through fit)]
const CASES = {
  ff_raw: [128, 25000, 0.5], ff_embed: [128, 25000, 0.35], cnn: [128, 25000, 0.22],
  simple_rnn: [16, 25000, 0.2], lstm: [64, 25000, 0.3], cnn_lstm: [64, 25000, 0.28], addition: [128, 45000, 0.35],
};
checkCases('bench/run.mjs', Object.keys(CASES), 'RUN_MODELS');
const GEMM_TARGET = 0.8;
const RECURRENT_OF_GEMM = 0.8; // issue 14: recurrent kernels at >= 80 % of the GEMM rate at similar sizes

/**
 * run.mjs's own flags (bench/specs.mjs); --fit and --inference hand the rest of the command line to bench/fit.mjs
 * and bench/inference.mjs, which parse it themselves. Exits 2 on a bad command line, before anything is timed.
 */
function parseArgs(argv) {
  const o = parseOrExit(RUN, argv);
  const fail = (m) => { throw new UsageError(`bench/run.mjs: ${m}`); };
  if (o.soak && o.given.size > 1) fail(`--soak takes no other flag (got ${[...o.given].filter((g) => g !== 'soak').map((g) => `--${g}`).join(', ')})`);
  if (o.vsTorch) {
    o.torchScript = path.resolve(o.torchScript ?? DEFAULT_TORCH_SCRIPT);
    o.python = torchPython();
    checkTorch({ script: o.torchScript, python: o.python, given: o.given.has('torch-script') });
  }
  return o;
}

// n random samples of the lab's shapes for the model (the same generator and seed on every call).
function samplesFor(name, n) {
  const r = new rl.Random(1);
  if (name === 'addition') {
    const x = new Float32Array(n * 7 * 12), y = new Float32Array(n * 4 * 12);
    for (let i = 0; i < n * 7; i++) x[i * 12 + r.int(12)] = 1;
    for (let i = 0; i < n * 4; i++) y[i * 12 + r.int(12)] = 1;
    return [rl.tensor(x, [n, 7, 12]), rl.tensor(y, [n, 4, 12])];
  }
  const ids = new Int32Array(n * LEN);
  for (let i = 0; i < ids.length; i++) ids[i] = r.int(VOCAB);
  const x = name === 'ff_raw' ? rl.tensor(Float32Array.from(ids), [n, LEN]) : rl.tensor(ids, [n, LEN], 'int32');
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = r.int(2);
  return [x, rl.tensor(y, [n, 1])];
}

function median(a) { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; }

function compiledModel(name) {
  rl.setSeed(0);
  const model = name === 'addition' ? additionModel() : imdbModel(name);
  model.compile({ optimizer: 'adam', loss: name === 'addition' ? 'categoricalCrossentropy' : 'binaryCrossentropy' });
  return model;
}

// What torch_reference.py times (median of Adam steps on one batch after 2 warm-up steps), with trainOnBatch.
function timeTrainOnBatch(name, steps, budget) {
  const batch = CASES[name][0];
  const model = compiledModel(name);
  const [x, y] = samplesFor(name, batch);
  for (let i = 0; i < 2; i++) model.trainOnBatch(x, y);
  const times = [];
  const start = performance.now();
  while (times.length < steps && (times.length < 3 || performance.now() - start < budget * 1000)) {
    const t = performance.now();
    model.trainOnBatch(x, y);
    times.push(performance.now() - t);
  }
  return { ms: median(times), steps: times.length };
}

// What users run: one epoch of model.fit (shuffled, verbose 0) over random samples, after a 2-batch warm-up fit;
// ms per step is the epoch's wall time over its batches, so fit's per-epoch costs count as they would in a real
// epoch. The epoch has --steps batches, or more, up to a real epoch's count, when they take under fitSeconds
// (judged from the warm-up: the adder's real epoch of 352 batches takes about a second), and never more than
// the budget allows (at least 3 batches).
async function timeFit(name, steps, budget, fitSeconds) {
  const [batch, perEpoch] = CASES[name];
  const model = compiledModel(name);
  const [wx, wy] = samplesFor(name, 2 * batch);
  let t = performance.now();
  await model.fit(wx, wy, { epochs: 1, batchSize: batch, verbose: 0 });
  const warmMs = (performance.now() - t) / 2;
  const wanted = Math.min(Math.ceil(perEpoch / batch), Math.max(steps, Math.floor((fitSeconds * 1000) / warmMs)));
  const n = Math.max(3, Math.min(wanted, Math.floor((budget * 1000) / warmMs)));
  const [x, y] = samplesFor(name, n * batch);
  t = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
  return { ms: (performance.now() - t) / n, steps: n, params: model.countParams() };
}

async function timeModel(name, steps, budget, fitSeconds) {
  const [batch, perEpoch] = CASES[name];
  const fit = await timeFit(name, steps, budget, fitSeconds);
  const tob = timeTrainOnBatch(name, steps, budget);
  const spe = Math.ceil(perEpoch / batch);
  const info = rl.backendInfo();
  return { model: name, engine: `rnnlab ${info.backend}/${info.isa}`, batch, threads: info.threads, params: fit.params,
    timed: 'fit', steps_timed: fit.steps, ms_per_step: +fit.ms.toFixed(2), steps_per_epoch: spe, s_per_epoch: +(fit.ms * spe / 1e3).toFixed(1),
    train_on_batch_steps_timed: tob.steps, train_on_batch_ms_per_step: +tob.ms.toFixed(2),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

// The last line: which CPU (family 23 is Zen 2, 25 Zen 3 or, with AVX-512, Zen 4, 26 Zen 5), which kernels it ran (the ISA in force and the
// CPU's SIMD features: an AVX2-only CPU runs other kernels, with other bits) and how loaded the machine was.
function machineLine() {
  let cpu = {};
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = Object.fromEntries(['model name', 'cpu family', 'model'].map((k) => [k.replace(' ', '_'), info.match(new RegExp(`^${k}\\s*: (.*)$`, 'm'))?.[1]]));
  } catch { /* not Linux: the load average alone */ }
  const info = rl.backendInfo();
  return { machine: cpu, isa: info.isa, cpu_features: info.cpuFeatures, threads: info.threads, load_average_at_end: loadavg().map((v) => +v.toFixed(2)) };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--fit') && argv.includes('--inference')) throw new UsageError('bench/run.mjs: --fit and --inference are two different benchmarks: give one');
  // fit-loop overhead and predict against ONNX Runtime: their own scripts, with their own flags.
  if (argv.includes('--fit')) return (await import('./fit.mjs')).main(argv.filter((a) => a !== '--fit'));
  if (argv.includes('--inference')) return (await import('./inference.mjs')).main(argv.filter((a) => a !== '--inference'));
  const o = parseArgs(argv);
  if (o.soak) {
    // The memory soak (bench/soak.mjs) instead of the timings.
    const { soak } = await import('./soak.mjs');
    console.log(JSON.stringify(await soak()));
    return;
  }
  const ours = {};
  for (const name of o.models) {
    ours[name] = await timeModel(name, o.steps, o.budget, o.fitSeconds);
    console.log(JSON.stringify(ours[name]));
  }
  let gemm = null;
  if (!o.noGemm) {
    const { gemmBench } = await import('./gemm.mjs');
    gemm = { model: 'gemm', engine: 'rnnlab', threads: rl.backendInfo().threads, gflops: await gemmBench() };
    console.log(JSON.stringify(gemm));
  }
  if (!o.noRecurrent) {
    const { benchRecurrent } = await import('./recurrent.mjs');
    const info = rl.backendInfo();
    for (const r of await benchRecurrent({ reps: 5 })) {
      console.log(JSON.stringify({ kernel: r.name, engine: `rnnlab ${info.backend}/${info.isa}`, threads: info.threads, B: r.B, T: r.T, U: r.U,
        forward_gflops: r.forwardGflops, backward_gflops: r.backwardGflops, gemm_gflops: r.gemmGflops,
        forward_of_gemm: r.forwardOfGemm, backward_of_gemm: r.backwardOfGemm, target: `>= ${RECURRENT_OF_GEMM}` }));
    }
  }
  if (!o.vsTorch) return console.log(JSON.stringify(machineLine()));
  const theirs = runTorch({ script: o.torchScript, python: o.python, steps: o.steps, budget: o.budget, names: [...o.models, ...(gemm ? ['gemm'] : [])] });
  for (const t of theirs) {
    console.log(JSON.stringify({ ...t, engine: t.engine ?? 'torch' }));
  }
  const targets = Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, c[2]]));
  for (const row of ratioLines({ ours, gemm, theirs, targets, gemmTarget: GEMM_TARGET })) console.log(JSON.stringify(row));
  console.log(JSON.stringify(machineLine()));
}

// As the CLI: a usage error exits 2, any other failure one line and exit 1 (RNNLAB_DEBUG=1 adds the stack).
main().catch((e) => exitOnError(e, 'bench/run.mjs'));
