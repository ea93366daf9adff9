/** `rnnlab imdb --model NAME`: one of the lab's IMDb models, trained with the seed's hyper-parameters. */
import { constants as bufferLimits } from 'node:buffer';
import { closeSync, openSync } from 'node:fs';
import { totalmem } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { IMDB_DEFAULTS, IMDB_MODELS, IMDB_RUN_DEFAULTS, imdbLayers, maxlenProblem, STACKABLE_MODELS, unusedModelOptions, type ImdbModelName } from '../experiments/lab_models.js';
import { withNamesGivenBack } from '../layers/layer.js';
import { planStack } from '../models/param_plan.js';
import { describeData, imdbBody, imdbDoc, imdbTestClassification, perEpochText } from '../experiments/imdb_result.js';
import { imdbBucketBlocker, imdbTrainingModel, loadImdbArrays, makeOptimizer, SEED_VALIDATES, trainImdb, type ImdbRun, type OptimizerChoice } from '../experiments/imdb_task.js';
import { ResumedEpochTimes } from '../experiments/train_hooks.js';
import { checkpointMismatch } from '../io/checkpoint.js';
import { resolveImdbTarball } from '../data/imdb_source.js';
import { holdTarball, tarballSha256 } from '../data/imdb_cache.js';
import { imdbInputFile, INPUT_FILE } from '../experiments/model_store.js';
import { defaultOutDir, markRunBeingReplaced, startRecord } from '../report/run.js';
import { saveModelFolder } from '../tasks/text_output.js';
import { isRunRecordFile, RESULTS_FILE } from '../report/record.js';
import { percent } from '../report/table.js';
import { UsageError, type CliContext } from './context.js';
import { addFlags, applyPrecision, BUCKET_FLAG, helpExtras, IMDB_DATA_FLAGS, IMDB_MODEL_FLAGS, OUT_FLAG, PRECISION_FLAG, TRAIN_FLAGS, VERBOSE_FLAG, type Flags } from './flags.js';
import { applyThreads, argvOf, errorOf, failRun, finishRun, notRecordedWords, Printer } from './printer.js';
import { shellQuote } from './paths.js';
import { checkRunNotOverInputs } from './out_file.js';
import { checkSameOptions, runCheckpoint, type SameOption } from './run_checkpoint.js';
import { RunEndGuard } from './stop_signals.js';
import type { Callback } from '../models/callback.js';
import type { RunFolderLock } from '../report/run_lock.js';
import { bf16Support } from '../backend/index.js';
import type { PolicyName } from '../mixed_precision.js';

const SUMMARY = 'Train one of the lab\'s IMDb sentiment models, print its summary, progress and test accuracy.';
const defaultsText = IMDB_MODELS.map((m) => `${m} ${IMDB_DEFAULTS[m].epochs} epochs, batch ${IMDB_DEFAULTS[m].batchSize}`).join('; ');

/** Model 4's exercise, "stacking multiple layers, applying dropouts"; no defaults, so that one a model cannot use is refused. */
export const IMDB_EXERCISE_FLAGS: Flags = {
  layers: { kind: 'int', min: 1, max: 100, help: 'stacked recurrent layers (default 1; simple_rnn, lstm, cnn_lstm, gru, bilstm)' },
  dropout: { kind: 'number', min: 0, below: 1, help: 'input dropout of each recurrent layer (Keras dropout), or a Dropout after the hidden Dense of ff_raw, ff_embed, cnn (default 0)' },
};

export const IMDB_FLAGS = {
  model: { kind: 'choice', choices: IMDB_MODELS, required: true, metavar: 'NAME', help: `which model to train: ${IMDB_MODELS.join(', ')}` },
  ...TRAIN_FLAGS, ...IMDB_DATA_FLAGS, ...IMDB_MODEL_FLAGS, ...IMDB_EXERCISE_FLAGS, ...BUCKET_FLAG, ...PRECISION_FLAG, ...OUT_FLAG, ...VERBOSE_FLAG,
  // --out also gets <out>/model and <out>/checkpoint: either holding what rnnlab did not write is refused up front.
  out: { ...OUT_FLAG.out, runFolder: { model: true, checkpoint: true }, help: 'the run folder: results.json, report.html, report.png, model/ and checkpoint/ (default runs/<timestamp>-imdb-<model>/)' },
  resume: { kind: 'path', mustExist: true, metavar: 'DIR', help: 'continue an interrupted run from its checkpoint (the run folder or its checkpoint/ folder), with the same options' },
} satisfies Flags;

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('imdb').summary(SUMMARY).description(SUMMARY).usage('--model NAME [options]');
  addFlags(cmd, IMDB_FLAGS, 'imdb');
  helpExtras(cmd, {
    description: [
      'Models: ff_raw (Dense on raw ids), ff_embed (Embedding + Dense), cnn, simple_rnn, lstm, cnn_lstm, gru, bilstm.',
      `Defaults follow the seed: ${defaultsText}.`,
      'The trained model is saved in <out>/model for `rnnlab predict`.',
      'A checkpoint is written to <out>/checkpoint after every epoch; Ctrl-C saves one and exits, --resume DIR continues.',
    ],
    examples: ['rnnlab imdb --model lstm', 'rnnlab imdb --model lstm --layers 2 --dropout 0.2 --units 128', 'rnnlab imdb --model cnn --epochs 1 --limit 2000 --maxlen 200', 'rnnlab imdb --model gru --units 64 --lr 0.002 --out runs/gru'],
  });
  cmd.action(async (flags: Record<string, unknown>, c: Command) => { ctx.exitCode = await runImdb(flags, ctx, argvOf(c), c); });
}

export function imdbDataOptions(f: Record<string, unknown>) {
  return { vocab: f.vocab as number, maxlen: f.maxlen as number, limit: (f.limit as number | undefined) ?? null, data: f.data as string | undefined };
}

export function trainFlags(f: Record<string, unknown>, ctx: CliContext) {
  return {
    epochs: f.epochs as number | undefined, batchSize: f.batchSize as number | undefined, lr: f.lr as number | undefined,
    optimizer: f.optimizer as OptimizerChoice, seed: f.seed as number, embeddingDim: f.embeddingDim as number, units: f.units as number | undefined,
    maskZero: f.maskZero as boolean, layers: f.layers as number | undefined, dropout: f.dropout as number | undefined,
    validate: f.validate as boolean | undefined, verbose: f.verbose as 0 | 1 | 2, out: ctx.out,
  };
}

/**
 * Refuses --mask-zero, --embedding-dim, --layers that none of `models` would use, a --maxlen they cannot take, and
 * sizes that make one of them too large to build (checkModelSizes). `takes`: the command's flag table.
 */
export function checkModelFlags(models: readonly ImdbModelName[], f: Record<string, unknown>, c: Command, cmd: string, takes: Flags): void {
  const problems = unusedModelOptions(models, { maskZero: f.maskZero as boolean, embeddingDimGiven: c.getOptionValueSource('embeddingDim') === 'cli', layers: f.layers as number | undefined });
  const short = maxlenProblem(models, f.maxlen as number);
  if (short) problems.push(short);
  if (problems.length) throw new UsageError(problems.join('; '), cmd);
  checkModelSizes(models, f, cmd, takes);
}

/**
 * Refuses, before any data is read or folder made, the models of `models` these flags make too large to build.
 * `takes`: the command's flag table, so that the refusal names only flags the command has.
 */
export function checkModelSizes(models: readonly ImdbModelName[], f: Record<string, unknown>, cmd: string, takes: Flags, use?: ModelUse): void {
  const tooLarge = models.map((m) => modelSizeProblem(m, f, use, takes)).filter((why) => why !== null);
  if (tooLarge.length) throw new UsageError(tooLarge.join('; '), cmd);
}

/** The flags that size a model's weights, as a refusal names them: those of `takes` (a command's flag table). */
function sizingFlags(m: ImdbModelName, takes: Flags): string {
  const sizing = m === 'ff_raw' ? ['maxlen', 'units']
    : STACKABLE_MODELS.includes(m) ? ['vocab', 'embedding-dim', 'units', 'layers'] : ['vocab', 'embedding-dim', 'maxlen', 'units'];
  const named = sizing.filter((k) => Object.hasOwn(takes, k)).map((k) => `--${k}`);
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}` : named.join('');
}

/**
 * What a model's memory is counted for: only built (its weights), its gradients taken (experiment gradients before any
 * training), or trained by an optimizer (the gradients and the optimizer's slots, one weight-sized array each, too).
 */
export type ModelUse = 'build' | 'gradients' | OptimizerChoice;

/**
 * Why the model these flags make cannot be built for `use` (default: trained by --optimizer) here, or null, naming the
 * sizing flags of `takes` (default imdb's): counted from the layers' weight specs before
 * anything is allocated, so a model too large fails now, naming the flags, rather than after the reviews are read
 * (or compare's models before it trained), as JavaScript's own "Invalid typed array length" or an out-of-memory kill.
 */
export function modelSizeProblem(m: ImdbModelName, f: Record<string, unknown>,
  use: ModelUse = (f.optimizer as OptimizerChoice | undefined) ?? IMDB_RUN_DEFAULTS.optimizer, takes: Flags = IMDB_FLAGS): string | null {
  const plan = withNamesGivenBack(() => planStack(imdbLayers(m, {
    vocab: f.vocab as number, maxlen: f.maxlen as number, embeddingDim: f.embeddingDim as number, units: f.units as number | undefined,
    layers: STACKABLE_MODELS.includes(m) ? f.layers as number | undefined : undefined, dropout: f.dropout as number | undefined, maskZero: f.maskZero as boolean | undefined,
  })));
  const weights = plan.layers.flatMap((l) => l.layer.weightSpecsFor([l.inputShape]).map((w) => ({ layer: l.layer.name, shape: w.shape, size: w.shape.reduce((a, b) => a * b, 1) })));
  const largest = weights.reduce((a, b) => (b.size > a.size ? b : a), { layer: '', shape: [] as number[], size: 0 });
  const n = (v: number) => v.toLocaleString('en-US');
  if (largest.size > bufferLimits.MAX_LENGTH) {
    return `${m}'s layer ${largest.layer} would hold a weight of ${largest.shape.map(n).join(' × ')} = ${n(largest.size)} numbers, ` +
      `more than one array can hold (${n(bufferLimits.MAX_LENGTH)}): lower ${sizingFlags(m, takes)}`;
  }
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
  // What no run can do without: a float32 array as large as the weights for each of them, their gradients and the
  // optimizer's slots (Adam's m and v); the activations and the data come on top.
  const slots = use === 'build' || use === 'gradients' ? 0 : makeOptimizer(use, f.lr as number | undefined).slotCount;
  const held = use === 'build' ? 'weights' : slots === 0 ? 'weights and gradients' : `weights, gradients and ${use}'s ${slots} slot${slots > 1 ? 's' : ''}`;
  const bytes = plan.params * 4 * (use === 'build' ? 1 : 2 + slots);
  if (bytes > totalmem()) {
    return `${m} would have ${n(plan.params)} parameters, whose ${held} alone take ${gb(bytes)}, ` +
      `more than this machine's ${gb(totalmem())} of memory: lower ${sizingFlags(m, takes)}`;
  }
  return null;
}

export function loadingLine(f: Record<string, unknown>, limit = f.limit): string {
  return `Loading IMDb (vocab ${String(f.vocab)}, maxlen ${String(f.maxlen)}${limit ? `, first ${String(limit)} reviews per split` : ''})...`;
}

/**
 * What a resumed imdb run must share with the run it continues, besides the model (which checkpointMismatch
 * compares): fit would go on with another value, while the record keeps one for the whole run. The batch size and
 * the learning rate are in every checkpoint; whether it validated shows in its history.
 */
function imdbSameOptions(f: Record<string, unknown>, c: Command, name: ImdbModelName, inForce: PolicyName): SameOption[] {
  const given = (key: string) => c.getOptionValueSource(key) === 'cli';
  return [
    { flag: '--batch-size', value: (f.batchSize as number | undefined) ?? IMDB_DEFAULTS[name].batchSize, given: given('batchSize'), legacy: (ck) => ck.state.batchSize },
    { flag: '--limit', value: (f.limit as number | undefined) ?? null, given: given('limit') },
    { flag: '--vocab', value: f.vocab as number, given: given('vocab') },
    // With --bucket the model's length is free, so only this tells another --maxlen apart.
    { flag: '--maxlen', value: f.maxlen as number, given: given('maxlen') },
    { flag: '--lr', value: makeOptimizer(f.optimizer as OptimizerChoice, f.lr as number | undefined).learningRate, given: given('lr'),
      legacy: (ck) => { const lr = ck.optimizer?.config.learning_rate; return typeof lr === 'number' ? lr : undefined; } },
    { flag: '--seed', value: f.seed as number, given: given('seed') },
    // A checkpoint of an earlier rnnlab does not keep it: the model comparison then tells the two apart by the input length.
    { flag: '--bucket', value: f.bucket === true, given: given('bucket') },
    { flag: '--precision', value: f.precision as string, given: given('precision') },
    // The precision the run trains in: --precision mixed_bfloat16 falls back to float32 where the bf16 kernels cannot
    // run (RNNLAB_ISA=avx2, an older CPU), so the same flag can train a resumed run in another precision.
    { flag: 'precisionInForce', value: inForce, given: true, refusal: (then) => precisionRefusal(f.precision as string, inForce, String(then), f.resume as string) },
    { flag: '--validate', value: (f.validate as boolean | undefined) ?? SEED_VALIDATES[name], given: given('validate'),
      legacy: (ck) => (ck.state.history.epoch.length ? Object.hasOwn(ck.state.history.history, 'val_loss') : undefined) },
  ];
}

/** Why a resume whose --precision agrees with its checkpoint's would still train in another precision. */
function precisionRefusal(flag: string, inForce: string, then: string, resume: string): string {
  const why = flag !== inForce ? ` (mixed_bfloat16 needs ${bf16Support().reason || 'the bf16 kernels'} and falls back to float32)` : '';
  const where = then === 'mixed_bfloat16'
    ? 'where mixed_bfloat16 runs (a CPU with AVX512-BF16 and the avx512 kernels in force: no RNNLAB_ISA=avx2 or portable)'
    : 'where mixed_bfloat16 falls back to float32 as it did (e.g. RNNLAB_ISA=avx2)';
  return `--precision ${flag} trains in ${inForce} here${why}, but the checkpoint in ${resume} is of a run that trained in ${then}; --resume continues a run in the precision it trained in, so resume it ${where} (or leave out --resume to start a new run)`;
}

/**
 * The reviews' identity as a resumed run compares it: the tarball's SHA-256, so the same file moved or renamed is the
 * same data, and another one (or one changed since) is not. Hashing the 80 MB tarball takes a fraction of a second,
 * so it is done once (the data cache's write, hashing the same file first, serves: holdTarball) and only when asked
 * for (a checkpoint written, a resume compared), not at every start (a run refused, or stopped before its first
 * checkpoint, never needs it); from the file as opened when the run found it, so that one moved or removed during
 * training is still the one hashed. close() once the run is over.
 */
class TarballDigest {
  private fd: number | null = null;
  private hex: string | null = null;
  private release: () => void = () => {};

  /** Opens the tarball --data (or RNNLAB_DATA, the cache) names; false while none is here yet (one to be downloaded). */
  async find(data: string | undefined): Promise<boolean> {
    if (this.fd !== null) return true;
    let tar: string;
    try { tar = await resolveImdbTarball({ path: data, download: false }); } catch { return false; }
    this.fd = openSync(tar, 'r');
    this.release = holdTarball(this.fd);
    return true;
  }

  get found(): boolean {
    return this.fd !== null || this.hex !== null;
  }

  /** The SHA-256 in hex, hashed now if not yet (unless the data cache's write hashed this file already); null while no tarball was found. */
  value(): string | null {
    if (this.hex === null && this.fd !== null) this.hex = tarballSha256(this.fd);
    return this.hex;
  }

  close(): void {
    this.release();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The reviews, as imdbSameOptions compares them: results.json records one --data for the run, so a resume on another
 * tarball (or one changed since) is refused. A checkpoint of an earlier rnnlab does not keep it, and is not compared.
 * Its value is read (and the tarball hashed) only when a checkpoint is written or a resume compared.
 */
function dataOption(f: Record<string, unknown>, digest: TarballDigest): SameOption {
  const data = f.data !== undefined ? `--data ${String(f.data)}` : 'the IMDb tarball found (RNNLAB_DATA, the cache)';
  return { flag: '--data', get value() { return digest.value(); }, given: true, refusal: () => `--resume: ${data} holds other reviews than the tarball the run the checkpoint in ${String(f.resume)} ` +
    `trained on (another file, or one changed since); --resume continues a run on the data it started with, so give its --data (or leave out --resume to start a new run); nothing was changed` };
}

async function runImdb(f: Record<string, unknown>, ctx: CliContext, argv: readonly string[], c: Command): Promise<number> {
  applyThreads(f);
  const p = new Printer(ctx);
  const startedAt = new Date();
  const name = f.model as ImdbModelName;
  const bucketBlocker = f.bucket ? imdbBucketBlocker(name, { maskZero: f.maskZero as boolean }) : null;
  if (bucketBlocker) throw new UsageError(`--bucket cannot apply to --model ${name}: ${bucketBlocker}`, 'imdb');
  checkModelFlags([name], f, c, 'imdb', IMDB_FLAGS);
  // The precision is set now, as --resume compares the one in force (a fallback trains in float32), but its fallback
  // line is held until training begins: a refusal before then (the --resume checks, a tarball that cannot be read) is
  // the one line said, not after a promise to run.
  const fallbackLines: string[] = [];
  const inForce = applyPrecision(f, { ...ctx, err: { write: (s: string) => { fallbackLines.push(s); return true; } } });
  const epochTimes = new ResumedEpochTimes();
  const digest = new TarballDigest();
  await digest.find(f.data as string | undefined);
  try {
    return await checkAndTrain(f, ctx, argv, c, { p, startedAt, name, inForce, epochTimes, digest, fallbackLines });
  } finally {
    digest.close();
  }
}

/** imdb once its flags are checked and its tarball found (digest): the run folder's checks and lock, the resume's, then the run. */
async function checkAndTrain(f: Record<string, unknown>, ctx: CliContext, argv: readonly string[], c: Command,
  o: { p: Printer; startedAt: Date; name: ImdbModelName; inForce: PolicyName; epochTimes: ResumedEpochTimes; digest: TarballDigest; fallbackLines: string[] }): Promise<number> {
  const { p, startedAt, name, inForce, epochTimes, digest, fallbackLines } = o;
  const data = dataOption(f, digest);
  const sameOptions = [...imdbSameOptions(f, c, name, inForce), data];
  // A run never replaces a file it reads (src/cli/out_file.ts): into --out, or without it the folder --resume continues.
  const reads = [{ flag: '--data', path: f.data as string | undefined }];
  if (f.out !== undefined) checkRunNotOverInputs(f.out as string, IMDB_FLAGS.out.runFolder!, reads, 'imdb');
  const ckpt = runCheckpoint({ command: 'imdb', out: f.out as string | undefined, resume: f.resume as string | undefined, runFolder: IMDB_FLAGS.out.runFolder, epochs: (f.epochs as number | undefined) ?? IMDB_DEFAULTS[name].epochs, defaultOut: defaultOutDir(`imdb-${name}`, startedAt), argv, err: ctx.err,
    sameOptions, epochTimes, shuffles: true });
  if (f.resume !== undefined) {
    try {
      if (f.out === undefined) checkRunNotOverInputs(ckpt.outDir, IMDB_FLAGS.out.runFolder!, reads, 'imdb', '--resume', '--out');
      // --bucket frees the model's input length, so the model comparison below would also tell it apart, but by the
      // Embedding's shape fields: compared first, it is named as the flag.
      checkSameOptions(ckpt.checkpointDir, sameOptions.filter((o) => o.flag === '--bucket'), f.resume as string, 'imdb');
      // A checkpoint of another model would be found only after the reviews are read (minutes): build this run's model
      // now, without the data, and compare.
      // Its layers are thrown away: their automatic names are given back, so the run's own model is named as an
      // uninterrupted run's (sequential, gru; not sequential_1, gru_1) in the model/ it saves.
      const other = checkpointMismatch(ckpt.checkpointDir, withNamesGivenBack(() =>
        imdbTrainingModel(name, { vocab: f.vocab as number, maxlen: f.maxlen as number }, { ...trainFlags(f, ctx), bucket: f.bucket as boolean })));
      if (other) throw new UsageError(`--resume: ${other}; give the model flags of the run it continues (--model, --units, --layers, --embedding-dim, --vocab, --maxlen, --mask-zero, --bucket, --optimizer, ...)`, 'imdb');
      // A tarball still to be downloaded is compared once it is here (trainAndWrite).
      checkSameOptions(ckpt.checkpointDir, sameOptions.filter((x) => x !== data || digest.found), f.resume as string, 'imdb');
    } catch (e) { ckpt.release(); throw e; }
  }
  // Another run writing the same folder (or, resumed elsewhere, the checkpoint's) now is refused here, before the
  // reviews are read (docs/CLI.md, run folders).
  let lock: RunFolderLock;
  try { lock = ckpt.lock(); } catch (e) { ckpt.release(); throw e; }
  try {
    return await trainAndWrite(f, ctx, argv, { p, startedAt, name, epochTimes, data, digest, fallbackLines, ckpt: { ...ckpt, release: () => { lock.release(); ckpt.release(); } } });
  } finally {
    lock.release();
  }
}

/** imdb once its run folder is its own: read the reviews, train, write the run. */
async function trainAndWrite(f: Record<string, unknown>, ctx: CliContext, argv: readonly string[],
  o: { p: Printer; startedAt: Date; name: ImdbModelName; epochTimes: ResumedEpochTimes; data: SameOption; digest: TarballDigest; fallbackLines: string[]; ckpt: ReturnType<typeof runCheckpoint> }): Promise<number> {
  const { p, startedAt, name, epochTimes, ckpt } = o;
  // Whether the folder held an earlier run's record (a completed one, or one this run resumes) as the run starts: a
  // failed run then records nothing, so the folder never holds a failed record beside another run's model/.
  const heldRecord = isRunRecordFile(path.join(ckpt.outDir, RESULTS_FILE));
  p.line(loadingLine(f));
  const data = await loadImdbArrays(imdbDataOptions(f)).catch((e: unknown) => { ckpt.release(); throw e; });
  if (!o.digest.found) {
    // No tarball was here as the run started (it was downloaded): found now, for the checkpoints, and a resume is
    // compared now, before any training.
    try {
      await o.digest.find(f.data as string | undefined);
      if (f.resume !== undefined) checkSameOptions(ckpt.checkpointDir, [o.data], f.resume as string, 'imdb');
    } catch (e) { ckpt.release(); throw e; }
  }
  p.line(describeData(data));
  // After fit (the test passes, the writes) Ctrl-C is the guard's: armed as fit ends, before the checkpoint's handler goes.
  const end = new RunEndGuard((s) => ctx.err.write(`${s}\n`), {
    notWritten: `rnnlab: interrupted after training, before its results were written (results.json, the report and model/ in ${ckpt.outDir} are as they were); ` +
      `the checkpoint in ${ckpt.checkpointDir} holds the finished training\nrnnlab: to write the results: ${ckpt.resumeHint}`,
    written: () => `rnnlab: interrupted while the results were written; they were written whole to ${ckpt.outDir}`,
  });
  const armAtFitEnd: Callback = { onTrainEnd: () => end.arm() };
  // After the checkpoint's callback: a checkpoint it cannot restore is refused alone too.
  const sayFallback: Callback = { onTrainBegin: () => { for (const l of o.fallbackLines.splice(0)) ctx.err.write(l); } };
  const cliRun = { command: 'imdb', runName: `imdb-${name}`, argv, startedAt, out: ckpt.outDir };
  let failed: ImdbRun | null = null;
  const run = await trainImdb(name, data, { ...trainFlags(f, ctx), bucket: f.bucket as boolean, callbacks: [armAtFitEnd, ckpt.callback, sayFallback], epochTimes,
    onBuilt: (m) => { p.line(); m.summary(undefined, undefined, (l) => p.line(l)); }, onFailed: (r) => { failed = r; } })
    .catch((e: unknown) => {
      try {
        // Training threw (a non-finite loss, a checkpoint that could not be written...): the epochs it finished are
        // recorded as a failed run beside its checkpoint, no model/ is saved, and the error goes on (exit code 1).
        if (failed && heldRecord) {
          // The earlier run's record and model/ are kept; its checkpoint/ is not: every epoch this run finished wrote
          // its own checkpoint there, which is what --resume now continues.
          // One that failed before finishing an epoch (a damaged checkpoint to resume from) changed nothing there: the
          // error alone says it.
          const done = (failed as ImdbRun).history.loss?.length ?? 0;
          if (done > 0) p.warn(notRecordedWords(ckpt.outDir, `, but ${ckpt.checkpointDir} now holds the failed run's checkpoint (after epoch ${done}), which --resume would continue`));
        } else if (failed) {
          const r: ImdbRun = failed;
          end.arm('writing');
          failRun(p, cliRun, e, (failure) => {
            const body = { ...imdbBody(r, data, (f.limit as number | undefined) ?? null), finding: failedFinding(r, e) };
            finishRun(p, cliRun, body, imdbDoc(r, data, body, { failed: true }), null, failure);
          });
        }
        throw e;
      } finally { end.release(); ckpt.release(); }
    });
  try {
    p.line(`Accuracy: ${(run.testAccuracy * 100).toFixed(2)}%`);
    p.line(`(train accuracy ${percent(run.trainAccuracy)}, test loss ${run.testLoss.toFixed(4)}, ${perEpochText(run)}, ${run.params.toLocaleString('en-US')} parameters)`);
    // The confusion matrix and misclassified reviews the dashboard shows for the run (one more pass over the test reviews).
    const body = imdbBody(run, data, (f.limit as number | undefined) ?? null, run.cancelled ? undefined : imdbTestClassification(run.model, data));
    await end.writing();
    // The model first, staged and swapped in whole, then the record, as train does: an earlier run's record is marked
    // running before its model/ is replaced (put back if the save fails), so a kill between the two never leaves the
    // new run's finished record beside the earlier model, nor the earlier record beside the new one.
    const modelDir = path.join(ckpt.outDir, 'model');
    const input = imdbInputFile(name, { vocab: data.vocab, maxlen: data.maxlen, embeddingDim: f.embeddingDim as number, units: f.units as number | undefined, maskZero: f.maskZero as boolean,
      ...(f.layers !== undefined ? { layers: f.layers as number } : {}), ...(f.dropout !== undefined ? { dropout: f.dropout as number } : {}) }, { testAccuracy: run.testAccuracy });
    const unmark = markRunBeingReplaced(ckpt.outDir, startRecord({ command: 'imdb', runName: `imdb-${name}`, argv, startedAt, source: 'cli' }));
    try { await saveModelFolder(modelDir, run.model, { [INPUT_FILE]: input }); } catch (e) { unmark?.(); throw e; }
    finishRun(p, cliRun, body, imdbDoc(run, data, body));
    p.line(`Saved the model in ${modelDir} (rnnlab predict --model ${shellQuote(modelDir)} "some review")`);
    return await end.finish(0);
  } finally {
    end.release();
  }
}

/** A failed imdb run's finding: how far it got and why it stopped. */
function failedFinding(r: ImdbRun, e: unknown): string {
  const epochs = r.history.loss?.length ?? 0;
  return `${r.name} failed after ${epochs} of ${String(r.config.epochs)} epoch(s)` +
    `${epochs ? ` (train accuracy ${percent(r.trainAccuracy)}, ${perEpochText(r)})` : ''}: ${errorOf(e).name}: ${errorOf(e).message}`;
}
