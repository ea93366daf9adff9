#!/usr/bin/env node
// npm run bench -- --fit [--steps 40] [--models addition,imdb_lstm]   (or node bench/fit.mjs ...; --help: the flags)
// The training loop's own cost: per-step time of model.fit against a manual trainOnBatch loop over the same
// batches, for the adder (LSTM 128, T = 7 in / 4 out, batch 128) and a small IMDb LSTM. One JSON line per model.
// bare_ms is the step alone (forward, backward, update on prepared batches): fit_ms - bare_ms is the loop's cost.
import * as rl from '../dist/index.js';
import { imdbModel, additionModel } from '../dist/experiments/lab_models.js';
import { withScratch } from '../dist/backend/index.js';
import { parseOrExit, isMain, runMain } from './flags.mjs';
import { checkCases, FIT } from './specs.mjs';

// name -> [batch, make the model, make n samples]
const CASES = {
  addition: [128, () => additionModel(), (n, r) => {
    const x = new Float32Array(n * 7 * 12), y = new Float32Array(n * 4 * 12);
    for (let i = 0; i < n * 7; i++) x[i * 12 + r.int(12)] = 1;
    for (let i = 0; i < n * 4; i++) y[i * 12 + r.int(12)] = 1;
    return [rl.tensor(x, [n, 7, 12]), rl.tensor(y, [n, 4, 12]), 'categoricalCrossentropy'];
  }],
  imdb_lstm: [64, () => imdbModel('lstm', { vocab: 2000, maxlen: 80, embeddingDim: 32, units: 32 }), (n, r) => {
    const ids = new Int32Array(n * 80);
    for (let i = 0; i < ids.length; i++) ids[i] = r.int(2000);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = r.int(2);
    return [rl.tensor(ids, [n, 80], 'int32'), rl.tensor(y, [n, 1]), 'binaryCrossentropy'];
  }],
};

checkCases('bench/fit.mjs', Object.keys(CASES), 'FIT_MODELS');

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

function compiled(name, loss) {
  rl.setSeed(0);
  const m = CASES[name][1]();
  m.compile({ optimizer: 'adam', loss, metrics: ['accuracy'] });
  return m;
}

/** Per-step ms of both loops, alternated over rounds so machine load hits them alike. */
async function timeCase(name, steps) {
  const [batch, , data] = CASES[name];
  const n = batch * steps;
  const [x, y, loss] = data(n, new rl.Random(1));
  // trainOnBatch gets its batches pre-sliced, so it pays no slicing: the difference is fit's own loop.
  const xb = [], yb = [];
  for (let s = 0; s < n; s += batch) {
    const rows = (t) => rl.tensor(t.values.slice(s * t.size / n, (s + batch) * t.size / n), [batch, ...t.shape.slice(1)], t.dtype);
    xb.push(rows(x)); yb.push(rows(y));
  }
  const manual = compiled(name, loss), fitted = compiled(name, loss), bare = compiled(name, loss);
  manual.trainOnBatch(xb[0], yb[0]);
  await fitted.fit(xb[0], yb[0], { epochs: 1, batchSize: batch, verbose: 0 });
  const prepared = xb.map((xt, b) => bare.prepareData(xt, yb[b], 'bench'));
  const bareStep = ({ xs, ys }) => withScratch(() => {
    const { loss: l, backward } = bare.batchLoss(xs, ys, { training: true, mask: null });
    backward(l);
    bare.optimizer.applyGradients(bare.trainableWeights);
  });
  bareStep(prepared[0]);
  const tob = [], fit = [], raw = [];
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    for (let b = 0; b < steps; b++) bareStep(prepared[b]);
    raw.push((performance.now() - t) / steps);
    t = performance.now();
    for (let b = 0; b < steps; b++) manual.trainOnBatch(xb[b], yb[b]);
    tob.push((performance.now() - t) / steps);
    t = performance.now();
    await fitted.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
    fit.push((performance.now() - t) / steps);
  }
  const a = median(tob), f = median(fit), r = median(raw);
  const info = rl.backendInfo();
  return { model: name, engine: `rnnlab ${info.backend}/${info.isa}`, threads: info.threads, batch, steps,
    bare_ms: +r.toFixed(3), trainOnBatch_ms: +a.toFixed(3), fit_ms: +f.toFixed(3),
    fit_over_trainOnBatch_ms: +(f - a).toFixed(3), fit_over_bare_ms: +(f - r).toFixed(3), fit_over_bare_pct: +((100 * (f - r)) / r).toFixed(1) };
}

/** Runs with argv (bench/run.mjs --fit passes its command line without --fit); exits 2 on a bad one. */
export async function main(argv) {
  const o = parseOrExit(FIT, argv);
  for (const name of o.models) console.log(JSON.stringify(await timeCase(name, o.steps)));
}

if (isMain(import.meta.url)) runMain(() => main(process.argv.slice(2)));
