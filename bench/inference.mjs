#!/usr/bin/env node
// node bench/inference.mjs [--models lstm,cnn_lstm,gru,addition] [--threads N] [--budget SECONDS] [--batches 1,64,1024]
//   (or npm run bench -- --inference ...; --help: the flags)
// Times rnnlab's predict against ONNX Runtime on the same model (exported by rnnlab), the same inputs and the same
// thread count, in one run (alternating blocks of calls, so both see the same load): batch 1 latency (p50/p99, ms) and larger batches' throughput (samples/s). Lab shapes:
// IMDb models with vocab 10000, length 500, embedding 100, 100 units; the addition seq2seq with 3 digits, 128 units.
// Weights are the initial random ones (speed does not depend on their values). Needs dist/ (npm run build).
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import * as rl from '../dist/index.js';
import { imdbModel, additionModel } from '../dist/experiments/lab_models.js';
import { parseOrExit, isMain, runMain } from './flags.mjs';
import { INFERENCE } from './specs.mjs';

function parseArgs(argv) {
  const o = parseOrExit(INFERENCE, argv);
  o.threads ??= rl.backendInfo().threads || availableParallelism();
  return o;
}

function input(name, batch) {
  const r = new rl.Random(1);
  if (name === 'addition') {
    const x = new Float32Array(batch * 7 * 12);
    for (let i = 0; i < batch * 7; i++) x[i * 12 + r.int(12)] = 1;
    return { x: rl.tensor(x, [batch, 7, 12]), feed: new ort.Tensor('float32', x, [batch, 7, 12]) };
  }
  const ids = new Int32Array(batch * 500);
  for (let i = 0; i < ids.length; i++) ids[i] = 1 + r.int(9999);
  return { x: rl.tensor(ids, [batch, 500], 'int32'), feed: new ort.Tensor('int32', ids, [batch, 500]) };
}

/**
 * Per-call times (ms) of a() and b(), warm, in alternating blocks (a for a while, then b, four rounds), so that both
 * see the same machine load. Blocks rather than single calls: a thread pool keeps spinning for a moment after its
 * work, and right after the other engine's call those spinning threads would take the cores. The first call of each
 * block is not counted. At least 3 counted calls each; each list comes back sorted.
 */
async function pairedTimes(a, b, budgetMs) {
  const ta = [], tb = [];
  const block = async (run, out) => {
    await run();
    const t0 = performance.now();
    while (out.length < 3 || (performance.now() - t0 < budgetMs / 8 && out.length < 2000)) {
      const s = performance.now();
      await run();
      out.push(performance.now() - s);
    }
  };
  for (let round = 0; round < 4; round++) {
    await block(a, ta);
    await block(b, tb);
  }
  return [ta.sort((x, y) => x - y), tb.sort((x, y) => x - y)];
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** The CPU as /proc/cpuinfo names it (family 26 is Zen 5), where there is one. */
function machine() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (k) => info.match(new RegExp(`^${k}\\s*: (.*)$`, 'm'))?.[1] ?? '?';
    return `CPU ${field('model name')} (family ${field('cpu family')}, model ${field('model')})`;
  } catch {
    return 'CPU unknown';
  }
}

/** Runs with argv (bench/run.mjs --inference passes its command line without --inference); exits 2 on a bad one. */
export async function main(argv) {
  const o = parseArgs(argv);
  rl.setThreads(o.threads);
  const rows = [];
  for (const name of o.models) {
    rl.setSeed(0);
    const model = name === 'addition' ? additionModel() : imdbModel(name);
    const session = await ort.InferenceSession.create(rl.toOnnx(model), { intraOpNumThreads: o.threads, interOpNumThreads: 1, executionMode: 'sequential' });
    for (const batch of o.batches) {
      const { x, feed } = input(name, batch);
      const [ours, theirs] = await pairedTimes(async () => model.predict(x, { batchSize: batch }),
        () => session.run({ [session.inputNames[0]]: feed }), 2 * o.budget * 1000);
      const row = { model: name, batch, threads: o.threads, calls: [ours.length, theirs.length] };
      if (batch === 1) Object.assign(row, { rnnlab_p50_ms: pct(ours, 0.5), rnnlab_p99_ms: pct(ours, 0.99), ort_p50_ms: pct(theirs, 0.5), ort_p99_ms: pct(theirs, 0.99), ratio_p50: pct(ours, 0.5) / pct(theirs, 0.5) });
      else Object.assign(row, { rnnlab_per_s: (1000 * batch) / pct(ours, 0.5), ort_per_s: (1000 * batch) / pct(theirs, 0.5), ratio_throughput: pct(theirs, 0.5) / pct(ours, 0.5) });
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  // Three decimals below 1: the adder's batch-1 latency is a few hundredths of a millisecond.
  const f = (v) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
  console.log(`\n${machine()}; ${o.threads} thread(s); load average at the end ${loadavg().map((v) => v.toFixed(2)).join(', ')}`);
  console.log('\n| model | batch | rnnlab | ONNX Runtime | rnnlab / ORT |\n|---|---|---|---|---|');
  for (const r of rows) {
    if (r.batch === 1) console.log(`| ${r.model} | 1 | p50 ${f(r.rnnlab_p50_ms)} ms, p99 ${f(r.rnnlab_p99_ms)} ms | p50 ${f(r.ort_p50_ms)} ms, p99 ${f(r.ort_p99_ms)} ms | ${r.ratio_p50.toFixed(2)}x latency |`);
    else console.log(`| ${r.model} | ${r.batch} | ${f(r.rnnlab_per_s)} /s | ${f(r.ort_per_s)} /s | ${r.ratio_throughput.toFixed(2)}x throughput |`);
  }
}

if (isMain(import.meta.url)) runMain(() => main(process.argv.slice(2)));
