/** `rnnlab compare`: the lab's six IMDb models (or the ones given) on the same data, side by side. */
import type { Command } from 'commander';
import { compareBody, compareModels, LAB_MODELS } from '../experiments/compare.js';
import { describeData } from '../experiments/imdb_result.js';
import { loadImdbArrays } from '../experiments/imdb_task.js';
import { EMBEDDING_MODELS, IMDB_DEFAULTS, IMDB_MODELS, MASK_READING_MODELS, STACKABLE_MODELS, type ImdbModelName } from '../experiments/lab_models.js';
import type { ReportDoc } from '../report/html.js';
import { formatTable } from '../report/table.js';
import type { CliContext } from './context.js';
import { addFlags, helpExtras, IMDB_DATA_FLAGS, IMDB_MODEL_FLAGS, OUT_FLAG, PRECISION_FLAG, TRAIN_FLAGS, VERBOSE_FLAG, applyPrecision, type Flags } from './flags.js';
import { checkModelFlags, IMDB_EXERCISE_FLAGS, imdbDataOptions, loadingLine, trainFlags } from './imdb.js';
import { applyThreads, argvOf, failRun, finishRun, notRecordedWords, Printer } from './printer.js';
import { onStopSignals, RunEndGuard } from './stop_signals.js';
import { withRunFolder, type RunFolder } from './paths.js';
import { checkRunNotOverInputs } from './out_file.js';

const SUMMARY = 'Train several IMDb models on the same data and print params, seconds per epoch, train and test accuracy.';

export const COMPARE_FLAGS: Flags = {
  models: { kind: 'list', choices: IMDB_MODELS, default: LAB_MODELS, help: 'models to train' },
  ...TRAIN_FLAGS, ...IMDB_DATA_FLAGS, ...IMDB_MODEL_FLAGS, ...IMDB_EXERCISE_FLAGS, ...PRECISION_FLAG, ...OUT_FLAG, ...VERBOSE_FLAG,
};

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('compare').summary(SUMMARY).description(SUMMARY).usage('[--models a,b,...] [options]');
  addFlags(cmd, COMPARE_FLAGS, 'compare');
  helpExtras(cmd, {
    description: ['Each model keeps its own seed epochs and batch size unless --epochs / --batch-size are given.'],
    examples: ['rnnlab compare', 'rnnlab compare --models cnn,lstm,gru --epochs 1 --limit 2000'],
  });
  cmd.action(async (flags: Record<string, unknown>, c: Command) => {
    // The flags first: a usage error is said as itself, not behind the default folder's.
    const models = [...new Set(flags.models as ImdbModelName[])];
    checkModelFlags(models, flags, c, 'compare', COMPARE_FLAGS);
    if (flags.out !== undefined) checkRunNotOverInputs(flags.out as string, {}, [{ flag: '--data', path: flags.data as string | undefined }], 'compare');
    ctx.exitCode = await withRunFolder(flags.out as string | undefined, 'compare', 'compare', argvOf(c), (folder) => runCompare(models, { ...flags, out: folder.dir }, folder, ctx, argvOf(c), c));
  });
}

async function runCompare(models: ImdbModelName[], f: Record<string, unknown>, folder: RunFolder, ctx: CliContext, argv: readonly string[], c: Command): Promise<number> {
  applyThreads(f);
  const p = new Printer(ctx);
  const startedAt = new Date();
  // Given for several models, an option some of them cannot use is said once, so the table is read right.
  const partly = (flag: string, users: readonly ImdbModelName[]) => {
    const without = models.filter((m) => !users.includes(m));
    if (without.length && without.length < models.length) p.line(`(${flag} applies to ${models.filter((m) => users.includes(m)).join(', ')}; not to ${without.join(', ')})`);
  };
  if (f.maskZero) partly('--mask-zero', MASK_READING_MODELS);
  if (c.getOptionValueSource('embeddingDim') === 'cli') partly('--embedding-dim', EMBEDDING_MODELS);
  if (f.layers !== undefined) partly('--layers', STACKABLE_MODELS);
  p.line(loadingLine(f));
  const data = await loadImdbArrays(imdbDataOptions(f));
  p.line(describeData(data));
  // Once the reviews are read (they do not depend on it): a data error is the one line said, not after mixed_bfloat16's
  // fallback message.
  applyPrecision(f, ctx);
  // Ctrl-C stops the model in training at its next batch; the models trained so far still go into the report.
  const stop = onStopSignals((s) => p.line(s), () => 'Stopping: the model in training stops at its next batch; the report keeps the models trained so far. Ctrl-C again stops at once.');
  let dir = '';
  const end = new RunEndGuard((s) => ctx.err.write(`${s}\n`), { notWritten: '', written: () => `rnnlab: interrupted while the run was written; results.json and the report were written whole to ${dir}` });
  const res = await compareModels(data, models, {
    ...trainFlags(f, ctx),
    signal: stop.signal,
    onBuilt: (m) => { m.summary(undefined, undefined, (l) => p.line(l)); },
  }, (name, i) => {
    const d = IMDB_DEFAULTS[name];
    p.line();
    p.line(`[${i + 1}/${models.length}] ${name}: ${String(f.epochs ?? d.epochs)} epoch(s), batch ${String(f.batchSize ?? d.batchSize)}`);
  }).finally(() => {
    // Handed over without a gap: a Ctrl-C now lets the run's files be written whole (they keep the models trained).
    end.arm('writing');
    stop.release();
  }).catch((e: unknown) => { end.release(); throw e; });
  try {
    // Whole epochs of the model stopped, as its row counts them; a stop between two models interrupts no epoch.
    const stoppedIn = res.rows[res.runs.findIndex((r) => r.cancelled)];
    const cancellation = stop.signal.aborted ? { afterEpochs: stoppedIn?.epochs ?? 0, partialLastEpoch: stoppedIn?.partialLastEpoch ?? false } : null;
    p.line();
    p.lines(formatTable(res.table));
    p.line();
    p.line(res.finding);
    const config = { models, vocab: data.vocab, maxlen: data.maxlen, limit: f.limit ?? null, epochs: f.epochs ?? 'seed defaults', batchSize: f.batchSize ?? 'seed defaults',
      embeddingDim: f.embeddingDim, units: f.units ?? null, optimizer: f.optimizer, lr: f.lr ?? null, seed: f.seed, maskZero: f.maskZero, layers: f.layers ?? 1, dropout: f.dropout ?? 0, validate: f.validate ?? 'seed defaults' };
    const body = compareBody(res, data, config);
    const doc: ReportDoc = {
      title: 'IMDb sentiment: the lab\'s models compared',
      subtitle: describeData(data),
      finding: res.finding,
      sections: [
        { title: 'Comparison', tables: [res.table] },
        { title: 'Curves', charts: res.charts },
        ...res.runs.map((r) => ({ title: `Model summary: ${r.name}`, pre: r.summary.join('\n') })),
      ],
      config,
    };
    const cliRun = { command: 'compare', runName: 'compare', argv, startedAt, out: f.out as string | undefined };
    // A model that failed: the models trained before it are recorded, the run as failed, and its error goes on (exit 1);
    // in a folder that held an earlier run's record, that record is kept (a failure replaces nothing written before).
    if (res.failure && folder.heldRecord) { p.warn(notRecordedWords(folder.dir)); throw res.failure.error; }
    if (res.failure) failRun(p, cliRun, res.failure.error, (failure) => { dir = finishRun(p, cliRun, body, doc, null, failure).dir; });
    dir = finishRun(p, cliRun, body, doc, cancellation).dir;
    return await end.finish(cancellation ? 130 : 0);
  } finally {
    end.release();
  }
}
