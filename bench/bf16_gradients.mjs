// Does mixed_bfloat16 bias the lab LSTM's gradients? Gradients under float32 and mixed_bfloat16 at the same weights
// on real IMDb batches (docs/RESULTS.md, "Mixed bfloat16"):
//   node bench/bf16_gradients.mjs --data aclImdb_v1.tar.gz [--model DIR] [--batches 8] [--seed 2]   (--help: the flags)
// --model: a saved model or checkpoint folder (e.g. a run's checkpoint/); without it, the lab's LSTM freshly
// initialised with --seed. A gradient is read as the weight change of one SGD step with learning rate 1.
import { bf16Support } from '../dist/backend/index.js';
import { loadModel } from '../dist/io/files.js';
import { imdbModel } from '../dist/experiments/lab_models.js';
import { loadImdbArrays } from '../dist/experiments/imdb_task.js';
import { imdbPathProblem } from '../dist/data/imdb_source.js';
import { setGlobalPolicy } from '../dist/mixed_precision.js';
import { Tensor } from '../dist/tensor.js';
import { setSeed } from '../dist/random.js';
import * as rl from '../dist/index.js';
import { dataFileOrExit, exitUnlessBf16, parseOrExit } from './flags.mjs';
import { BF16_GRADIENTS } from './specs.mjs';

const o = parseOrExit(BF16_GRADIENTS, process.argv.slice(2));
const data = dataFileOrExit(BF16_GRADIENTS, o.data, imdbPathProblem);
exitUnlessBf16(BF16_GRADIENTS, bf16Support());
const nb = o.batches, dir = o.model ?? null;
setSeed(o.seed);
const model = dir ? await loadModel(dir) : imdbModel('lstm');
const d = await loadImdbArrays({ data });
const B = 64, T = d.maxlen;
if (nb * B > d.nTrain) {
  console.error(`bench/bf16_gradients.mjs: --batches ${nb} needs ${nb * B} training reviews; ${data} has ${d.nTrain}`);
  process.exit(2);
}
// Batches spread over the (label-sorted) training set, so both classes appear.
const batches = Array.from({ length: nb }, (_, i) => {
  const start = Math.floor((i + 0.5) * d.nTrain / nb) - B / 2;
  return {
    x: new Tensor(d.xTrain.values.slice(start * T, (start + B) * T), [B, T], 'int32'),
    y: new Tensor(d.yTrain.values.slice(start, start + B), [B, 1], 'float32'),
  };
});
const w0 = model.getWeights().map((w) => Float32Array.from(w.values));

async function gradients(precision, batch) {
  setGlobalPolicy(precision);
  model.compile({ optimizer: rl.optimizers.sgd({ learningRate: 1 }), loss: 'binaryCrossentropy' });
  model.setWeights(w0);
  await model.trainOnBatch(batch.x, batch.y);
  const g = model.getWeights().map((w, i) => w0[i].map((v, j) => v - w.values[j]));
  model.setWeights(w0);
  return g;
}
const dot = (a, b) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
const norm = (a) => Math.sqrt(dot(a, a));
const total = (gs, i) => { const out = new Float64Array(gs[0][i].length); for (const g of gs) for (let j = 0; j < out.length; j++) out[j] += g[i][j]; return out; };

const g32 = [], g16 = [];
for (const b of batches) { g32.push(await gradients('float32', b)); g16.push(await gradients('mixed_bfloat16', b)); }
model.weights.forEach((v, i) => {
  let cos = 0, rel = 0, across = 0;
  for (let k = 0; k < nb; k++) {
    const a = g32[k][i], b = g16[k][i], next = g32[(k + 1) % nb][i];
    cos += dot(a, b) / (norm(a) * norm(b) || 1) / nb;
    rel += norm(a.map((x, j) => x - b[j])) / (norm(a) || 1) / nb;
    across += dot(a, next) / (norm(a) * norm(next) || 1) / nb;
  }
  const s32 = total(g32, i), s16 = total(g16, i);
  console.log(JSON.stringify({
    weight: v.name, cosine: +cos.toFixed(7), relError: +rel.toExponential(2),
    relErrorOfSum: +(norm(s32.map((x, j) => x - s16[j])) / norm(s32)).toExponential(2),
    normRatio: +(norm(s16) / norm(s32)).toFixed(5), float32CosineBetweenBatches: +across.toFixed(3),
  }));
});
