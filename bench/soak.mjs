// The memory soak: a 20-epoch training run on small data, with a checkpoint written every epoch (the way
// `rnnlab imdb` trains), sampling the resident set size after each epoch. Memory is flat when RSS after epoch 2
// stays within 10 % of its value at epoch 2. Run with `npm run bench -- --soak` or `node bench/soak.mjs` (no flags).
//
// glibc's malloc keeps freed blocks in per-thread arenas and raises its mmap threshold as the kernels free large
// scratch buffers, so with its defaults RSS drifts up by tens of MB over the first epochs and wobbles from epoch
// to epoch, leak or not. The soak therefore runs in a child process with a fixed allocator policy (2 arenas, a
// 128 KiB mmap and trim threshold), where RSS tracks what is really alive; the same run under the default
// policy is reported beside it for reference.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseOrExit, isMain, runMain } from './flags.mjs';
import { SOAK } from './specs.mjs';

const self = fileURLToPath(import.meta.url);
const mb = (b) => +(b / 2 ** 20).toFixed(1);
const FIXED_ALLOCATOR = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };

/** A full GC (the --expose-gc flag is set at run time). */
function collect() {
  try {
    v8.setFlagsFromString('--expose-gc');
    vm.runInNewContext('gc')();
  } catch { /* no GC available: sample as is */ }
}

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

/** The training run itself, in this process. */
export async function soakHere({ epochs = 20, samples = 2000, maxlen = 100, vocab = 2000, units = 32, batchSize = 64, tolerance = 0.1, checkpoint = true } = {}) {
  const rl = await import('../dist/index.js');
  rl.setSeed(1);
  const r = new rl.Random(1);
  const ids = new Int32Array(samples * maxlen);
  for (let i = 0; i < ids.length; i++) ids[i] = 1 + r.int(vocab - 1);
  const x = rl.tensor(ids, [samples, maxlen], 'int32');
  const y = rl.tensor(Float32Array.from({ length: samples }, () => r.int(2)), [samples, 1]);
  const model = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: vocab, outputDim: 32, inputLength: maxlen }),
    rl.layers.lstm({ units, dropout: 0.1 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-soak-'));
  const rss = [], heap = [], buffers = [];
  const sample = {
    // V8 frees ArrayBuffer memory on a background thread after a GC: give it a moment before reading RSS.
    onEpochEnd: async () => {
      collect();
      await new Promise((res) => setTimeout(res, 100));
      collect();
      const m = process.memoryUsage();
      rss.push(mb(m.rss));
      heap.push(mb(m.heapUsed));
      buffers.push(mb(m.arrayBuffers));
    },
  };
  const t0 = performance.now();
  try {
    const ckpt = checkpoint ? [rl.callbacks.backupAndRestore({ backupDir: path.join(dir, 'backup'), verbose: 0, handleInterrupt: false })] : [];
    await model.fit(x, y, { epochs, batchSize, verbose: 0, validationSplit: 0.2, callbacks: [...ckpt, sample] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rss[1];
  const after = rss.slice(2);
  const growth = (Math.max(...after) - base) / base;
  const info = rl.backendInfo();
  return {
    bench: 'soak', model: 'lstm', engine: `rnnlab ${info.backend}/${info.isa}`, threads: info.threads, epochs, samples, maxlen, batch: batchSize,
    checkpoint_every_epoch: checkpoint, seconds: +((performance.now() - t0) / 1000).toFixed(1),
    rss_mb_per_epoch: rss, heap_mb_per_epoch: heap, array_buffers_mb_per_epoch: buffers,
    rss_epoch2_mb: base, rss_max_after_epoch2_mb: Math.max(...after), rss_growth_pct: +(growth * 100).toFixed(2),
    rss_late_median_mb: median(rss.slice(-5)), heap_growth_mb: +(heap[heap.length - 1] - heap[1]).toFixed(2),
    limit_pct: tolerance * 100, flat: growth <= tolerance,
  };
}

function child(env, opts) {
  const r = spawnSync(process.execPath, [self], { encoding: 'utf8', env: { ...process.env, ...env, RNNLAB_SOAK_CHILD: JSON.stringify(opts) } });
  if (r.status !== 0) throw new Error(`soak: the child run failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The soak under the fixed allocator policy, with the default-policy run beside it. */
export async function soak(opts = {}) {
  const fixed = child(FIXED_ALLOCATOR, opts);
  const dflt = child({}, opts);
  return {
    ...fixed,
    allocator: 'glibc malloc, MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=MALLOC_TRIM_THRESHOLD_=131072',
    default_allocator: { rss_mb_per_epoch: dflt.rss_mb_per_epoch, rss_growth_pct: dflt.rss_growth_pct, rss_late_median_mb: dflt.rss_late_median_mb,
      heap_growth_mb: dflt.heap_growth_mb },
  };
}

if (isMain(import.meta.url)) {
  if (process.env.RNNLAB_SOAK_CHILD) {
    soakHere(JSON.parse(process.env.RNNLAB_SOAK_CHILD)).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.stack ?? e); process.exit(1); });
  } else {
    // Run directly: the same soak as npm run bench -- --soak (it used to exit silently, having done nothing).
    parseOrExit(SOAK, process.argv.slice(2));
    runMain(async () => console.log(JSON.stringify(await soak())));
  }
}
