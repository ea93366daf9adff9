// Each benchmark script's flags (read by bench/flags.mjs for parsing and --help). Kept apart from the scripts,
// which load the addon when imported, so tests can check command lines without loading kernels.

// bench/run.mjs's cases; run.mjs holds their batch sizes and targets.
export const RUN_MODELS = ['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm', 'addition'];
export const FIT_MODELS = ['addition', 'imdb_lstm'];
export const INFERENCE_MODELS = ['lstm', 'cnn_lstm', 'gru', 'addition'];
export const BF16_MODELS = ['ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm', 'gru', 'bilstm'];

// The addon-comparison flags recurrent.mjs and gemm.mjs share.
const ADDON_FLAG = { kind: 'file', value: 'PATH', help: 'time this build of the addon instead of build/Release/rnnlab.node' };
const ROUNDS_FLAG = { kind: 'int', min: 1, value: 'N', default: 8, needs: ['against'], help: 'rounds of --against' };

export const RECURRENT_CASES = ['lstm', 'gru', 'simpleRnn', 'addition'];

/**
 * A script's own case table against the names listed here for its flag (this file cannot import the scripts, which
 * load the addon): a case added to one and not the other throws before anything runs.
 */
export function checkCases(script, caseNames, listName) {
  const lists = { RUN_MODELS, FIT_MODELS, INFERENCE_MODELS, BF16_MODELS, RECURRENT_CASES };
  if (caseNames.join() !== lists[listName].join()) throw new Error(`${script}: CASES and specs.mjs ${listName} differ`);
}
export const GEMM_SHAPE = /^(\d+)x(\d+)x(\d+)(t?)(T?)$/;

export const RUN = {
  name: 'bench/run.mjs',
  usage: 'npm run bench -- [flags]   (= node bench/run.mjs [flags])',
  summary: 'Times Adam training steps of the lab\'s models (fit and trainOnBatch), then the GEMM and the recurrent kernels;\n'
    + 'one JSON line per case, and with --vs-torch the PyTorch reference in the same invocation and the ratios.',
  flags: {
    'vs-torch': { kind: 'bool', help: 'run the PyTorch reference (/usr/bin/python3 with torch, or RNNLAB_TORCH_PYTHON) after rnnlab and print the ratios' },
    'torch-script': { kind: 'file', value: 'PATH', needs: ['vs-torch'], help: 'the reference script (default ../shared/reference/torch_reference.py beside the checkout)' },
    models: { kind: 'list', value: 'NAME,...', choices: RUN_MODELS, default: RUN_MODELS, help: 'the models to time' },
    steps: { kind: 'int', min: 1, value: 'N', default: 20, help: 'batches per timed fit epoch (at least) and trainOnBatch steps' },
    budget: { kind: 'positive', value: 'SECONDS', default: 30, help: 'the most seconds of timed steps per model (3 steps at least)' },
    'fit-seconds': { kind: 'positive', value: 'SECONDS', default: 3, help: 'a fit epoch runs more than --steps batches, up to a real epoch, while they take under this' },
    'no-gemm': { kind: 'bool', help: 'leave out the GEMM GFLOP/s line (and its ratios)' },
    'no-recurrent': { kind: 'bool', help: 'leave out the recurrent kernel lines' },
    soak: { kind: 'bool', help: 'run the memory soak (bench/soak.mjs) instead of the timings; takes no other flag' },
    fit: { kind: 'bool', help: 'run bench/fit.mjs instead (its flags follow: npm run bench -- --fit --help)' },
    inference: { kind: 'bool', help: 'run bench/inference.mjs instead (its flags follow: npm run bench -- --inference --help)' },
  },
};

export const SOAK = {
  name: 'bench/soak.mjs',
  usage: 'node bench/soak.mjs   (= npm run bench -- --soak)',
  summary: 'The memory soak: RSS after each of 20 epochs of a small LSTM with a checkpoint every epoch; one JSON line.',
  flags: {},
};

export const FIT = {
  name: 'bench/fit.mjs',
  usage: 'node bench/fit.mjs [flags]   (= npm run bench -- --fit [flags])',
  summary: 'The training loop\'s own cost: per-step ms of the bare step, a trainOnBatch loop and model.fit over the same batches.',
  flags: {
    steps: { kind: 'int', min: 4, value: 'N', default: 40, help: 'batches per timed loop' },
    models: { kind: 'list', value: 'NAME,...', choices: FIT_MODELS, default: FIT_MODELS, help: 'the models to time' },
  },
};

export const INFERENCE = {
  name: 'bench/inference.mjs',
  usage: 'node bench/inference.mjs [flags]   (= npm run bench -- --inference [flags])',
  summary: 'rnnlab\'s predict against ONNX Runtime on the same exported model, inputs and thread count.',
  flags: {
    models: { kind: 'list', value: 'NAME,...', choices: INFERENCE_MODELS, default: INFERENCE_MODELS, help: 'the models to time' },
    threads: { kind: 'int', min: 1, value: 'N', help: 'threads of both engines (default: rnnlab\'s thread count)' },
    budget: { kind: 'positive', value: 'SECONDS', default: 5, help: 'seconds of calls per engine and batch size, about' },
    batches: { kind: 'list', item: 'int', min: 1, value: 'N,...', default: [1, 64, 1024], help: 'batch sizes (1: latency; larger: throughput)' },
  },
};

export const RECURRENT = {
  name: 'bench/recurrent.mjs',
  usage: 'node bench/recurrent.mjs [flags]',
  summary: 'The fused recurrent kernels (forward and backward over a sequence) at the lab\'s shapes, beside the GEMM\'s rate.',
  flags: {
    reps: { kind: 'int', min: 1, value: 'N', help: 'timed repetitions per kernel (default 5; 3 per round with --against)' },
    threads: { kind: 'int', min: 1, value: 'N', help: 'the kernel thread pool\'s size (default: the addon\'s)' },
    cpu: { kind: 'bool', help: 'time CPU seconds of the process (all threads) instead of wall seconds' },
    mask: { kind: 'fraction', value: 'FRACTION', default: 0, help: 'mask this leading fraction of every sequence' },
    case: { kind: 'list', value: 'NAME,...', choices: RECURRENT_CASES, help: 'only these cases (default: all)' },
    json: { kind: 'bool', help: 'print one JSON object instead of the table' },
    addon: ADDON_FLAG,
    against: { kind: 'file', value: 'PATH', help: 'time this build and the one at PATH in alternating rounds' },
    rounds: ROUNDS_FLAG,
  },
};

export const GEMM = {
  name: 'bench/gemm.mjs',
  usage: 'node bench/gemm.mjs [flags]',
  summary: 'SGEMM GFLOP/s of the addon, by default on the shapes torch_reference.py\'s gemm measures; one JSON line.',
  flags: {
    shapes: { kind: 'list', pattern: GEMM_SHAPE, itemHelp: 'MxKxN shapes with an optional t (A transposed) and T (B transposed)', value: 'MxKxN,...', help: 'time these shapes instead (trailing t: A transposed, T: B transposed)' },
    cpu: { kind: 'bool', help: 'GFLOP per CPU-second of the process (all threads) instead of per wall second' },
    addon: ADDON_FLAG,
    against: { kind: 'file', value: 'PATH', needs: ['shapes'], help: 'time this build and the one at PATH in alternating rounds of 0.3 s per shape' },
    rounds: ROUNDS_FLAG,
  },
};

export const BF16_STEP = {
  name: 'bench/bf16_step.mjs',
  usage: 'node bench/bf16_step.mjs [flags]   (RNNLAB_THREADS=1 for one kernel thread)',
  summary: 'One trainOnBatch step under float32 and mixed_bfloat16, with the largest kernels\' share; one JSON line each.',
  flags: {
    models: { kind: 'list', value: 'NAME,...', choices: BF16_MODELS, default: ['lstm', 'cnn'], help: 'the lab models to time' },
    steps: { kind: 'int', min: 1, value: 'N', default: 4, help: 'timed steps after the warm-up steps' },
    warmup: { kind: 'int', min: 0, value: 'N', default: 5, help: 'untimed steps per precision first (the bf16 weight packings are made in the second, and the first few after it run slower)' },
    rounds: { kind: 'int', min: 1, value: 'N', default: 1, help: 'turns of `steps` steps per precision, taken alternately; the mixed_bfloat16 line gives the median speedup' },
    top: { kind: 'int', min: 1, value: 'N', default: 8, help: 'how many of the largest kernels each line lists' },
    wall: { kind: 'bool', help: 'wall time instead of the process\'s CPU time' },
  },
};

export const BF16_GRADIENTS = {
  name: 'bench/bf16_gradients.mjs',
  usage: 'node bench/bf16_gradients.mjs --data aclImdb_v1.tar.gz [flags]',
  summary: 'The lab LSTM\'s gradients under float32 and mixed_bfloat16 at the same weights on real IMDb batches.',
  flags: {
    data: { kind: 'path', value: 'PATH', help: 'aclImdb_v1.tar.gz or a folder holding it (default: $RNNLAB_DATA)' },
    model: { kind: 'dir', value: 'DIR', help: 'a saved model or checkpoint folder (default: the lab\'s LSTM initialised with --seed)' },
    batches: { kind: 'int', min: 1, value: 'N', default: 8, help: 'training batches of 64 to compare on' },
    seed: { kind: 'int', min: 0, value: 'N', default: 2, help: 'the seed of the fresh model\'s weights' },
  },
};

export const SWEEP = {
  name: 'bench/sweep.mjs',
  usage: 'node bench/sweep.mjs --data aclImdb_v1.tar.gz [flags]',
  summary: 'Sweep throughput: the local pool, then a Redis queue (Debian\'s redis-server) with 1, 2, 4 worker processes.',
  flags: {
    data: { kind: 'path', value: 'PATH', help: 'aclImdb_v1.tar.gz or a folder holding it (default: $RNNLAB_DATA)' },
    runs: { kind: 'int', min: 1, value: 'N', default: 8, help: 'runs (seeds) per case' },
    workers: { kind: 'list', item: 'int', min: 1, value: 'N,...', default: [1, 2, 4], help: 'worker process counts of the Redis cases' },
    'spec-flags': { kind: 'json', value: 'JSON', default: {}, help: 'flags of `rnnlab imdb` over the defaults {"limit":2000,"epochs":1,"maxlen":200,"model":"lstm","units":32}' },
  },
};
