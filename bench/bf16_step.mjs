// Mixed bfloat16 against float32, one training step of the lab's models at their shapes (docs/BENCHMARKS.md):
//   RNNLAB_THREADS=1 node bench/bf16_step.mjs [--models lstm,cnn] [--steps 4] [--wall]
// Steps are trainOnBatch on synthetic ids after two warm-up steps, with the per-kernel split of setProfiling. Times
// are the process's CPU time (robust on a shared, loaded machine; meaningful with one kernel thread) unless --wall.
import { imdbModel, IMDB_DEFAULTS } from '../dist/experiments/lab_models.js';
import { setProfiling, profileReport } from '../dist/backend/index.js';
import { setGlobalPolicy } from '../dist/mixed_precision.js';
import { Tensor } from '../dist/tensor.js';
import { setSeed } from '../dist/random.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const models = opt('--models', 'lstm,cnn').split(','), steps = Number(opt('--steps', '4'));
if (!argv.includes('--wall')) performance.now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

for (const name of models) {
  for (const precision of ['float32', 'mixed_bfloat16']) {
    setSeed(1);
    const policy = setGlobalPolicy(precision);
    const model = imdbModel(name);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const B = IMDB_DEFAULTS[name].batchSize, T = 500;
    const ids = new Int32Array(B * T).map((_, i) => (i * 7919) % 9999 + 1);
    const x = new Tensor(ids, [B, T], 'int32'), y = new Tensor(new Float32Array(B).map((_, i) => i % 2), [B, 1]);
    for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
    setProfiling(true);
    profileReport(true);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
    const ms = (performance.now() - t0) / steps;
    const split = profileReport(true).slice(0, 4).map((r) => `${r.kernel} ${(r.ms / steps).toFixed(1)}`).join(', ');
    setProfiling(false);
    console.log(JSON.stringify({ model: name, precision: policy.name, msPerStep: +ms.toFixed(1), top: split }));
  }
}
