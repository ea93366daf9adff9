/** `rnnlab imdb --model NAME`: one of the lab's IMDb models, trained with the seed's hyper-parameters. */
import path from 'node:path';
import { IMDB_DEFAULTS, IMDB_MODELS, type ImdbModelName } from '../experiments/lab_models.js';
import { loadImdbArrays, trainImdb, type ImdbArrays, type ImdbRun, type OptimizerChoice } from '../experiments/imdb_task.js';
import type { ReportDoc } from '../report/html.js';
import type { ChartSpec } from '../report/svg.js';
import { seconds } from '../report/table.js';
import type { Flags } from './flags.js';
import type { Command } from 'commander';
import { percent as pct } from '../report/table.js';
import type { CliContext } from './context.js';
import { addFlags, helpExtras, IMDB_DATA_FLAGS, IMDB_MODEL_FLAGS, OUT_FLAG, TRAIN_FLAGS, VERBOSE_FLAG } from './flags.js';
import { applyThreads, argvOf, baseResults, finishRun, Printer } from './printer.js';
import { saveImdbModel } from './model_store.js';
import { defaultOutDir } from '../report/run.js';
import { runCheckpoint } from './run_checkpoint.js';

const defaultsText = IMDB_MODELS.map((m) => `${m} ${IMDB_DEFAULTS[m].epochs} epochs, batch ${IMDB_DEFAULTS[m].batchSize}`).join('; ');

const SUMMARY = 'Train one of the lab\'s IMDb sentiment models, print its summary, progress and test accuracy.';

export const IMDB_FLAGS = {
  model: { kind: 'choice', choices: IMDB_MODELS, required: true, metavar: 'NAME', help: `which model to train: ${IMDB_MODELS.join(', ')}` },
  ...TRAIN_FLAGS, ...IMDB_DATA_FLAGS, ...IMDB_MODEL_FLAGS, ...OUT_FLAG, ...VERBOSE_FLAG,
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
  examples: ['rnnlab imdb --model lstm', 'rnnlab imdb --model cnn --epochs 1 --limit 2000 --maxlen 200', 'rnnlab imdb --model gru --units 64 --lr 0.002 --out runs/gru'],
  });
  cmd.action(async (flags: Record<string, unknown>, c: Command) => { ctx.exitCode = await runImdb(flags, ctx, argvOf(c)); });
}

export function imdbDataOptions(f: Record<string, unknown>) {
  return { vocab: f.vocab as number, maxlen: f.maxlen as number, limit: (f.limit as number | undefined) ?? null, data: f.data as string | undefined };
}

export function describeData(d: ImdbArrays): string {
  return `${d.nTrain.toLocaleString('en-US')} training and ${d.nTest.toLocaleString('en-US')} test reviews, vocab ${d.vocab}, padded to ${d.maxlen} ids ` +
    `(mean length ${d.meanLength.toFixed(1)} before padding; loaded in ${d.loadSeconds.toFixed(1)} s)`;
}

export function curveCharts(h: Record<string, number[]>, what = ''): ChartSpec[] {
  const s = (k: string, name: string, dashed = false) => (h[k]?.length ? [{ name, y: h[k], dashed }] : []);
  return [
    { title: `Loss per epoch${what}`, xLabel: 'epoch', yLabel: 'loss', series: [...s('loss', 'train'), ...s('val_loss', 'test (validation)', true)] },
    { title: `Accuracy per epoch${what}`, xLabel: 'epoch', yLabel: 'accuracy', series: [...s('accuracy', 'train'), ...s('val_accuracy', 'test (validation)', true)] },
  ];
}

export function trainFlags(f: Record<string, unknown>, ctx: CliContext) {
  return {
    epochs: f.epochs as number | undefined, batchSize: f.batchSize as number | undefined, lr: f.lr as number | undefined,
    optimizer: f.optimizer as OptimizerChoice, seed: f.seed as number, embeddingDim: f.embeddingDim as number, units: f.units as number | undefined,
    maskZero: f.maskZero as boolean, validate: f.validate as boolean | undefined, verbose: f.verbose as 0 | 1 | 2, out: ctx.out,
  };
}

export function runRecord(r: Omit<ImdbRun, 'model'>): Record<string, unknown> {
  return {
    model: r.name, params: r.params, config: r.config, history: r.history,
    metrics: { testAccuracy: r.testAccuracy, testLoss: r.testLoss, trainAccuracy: r.trainAccuracy, trainLoss: r.trainLoss },
    timing: { secondsPerEpoch: r.epochSeconds, meanSecondsPerEpoch: r.meanEpochSeconds, evalSeconds: r.evalSeconds, totalSeconds: r.totalSeconds },
    summary: r.summary,
  };
}

export async function runImdb(f: Record<string, unknown>, ctx: CliContext, argv: readonly string[]): Promise<number> {
  applyThreads(f);
  const p = new Printer(ctx);
  const started = new Date();
  const name = f.model as ImdbModelName;
  const ckpt = runCheckpoint({ out: f.out as string | undefined, resume: f.resume as string | undefined, defaultOut: defaultOutDir(`imdb-${name}`, started), argv, err: ctx.err });
  f.out = ckpt.outDir;
  p.line(`Loading IMDb (vocab ${f.vocab}, maxlen ${f.maxlen}${f.limit ? `, first ${f.limit} reviews per split` : ''})...`);
  const data = await loadImdbArrays(imdbDataOptions(f));
  p.line(describeData(data));
  const run = await trainImdb(name, data, { ...trainFlags(f, ctx), callbacks: [ckpt.callback], onBuilt: (m) => { p.line(); m.summary(undefined, undefined, (l) => p.line(l)); } });
  p.line(`Accuracy: ${(run.testAccuracy * 100).toFixed(2)}%`);
  p.line(`(train accuracy ${pct(run.trainAccuracy)}, test loss ${run.testLoss.toFixed(4)}, ${seconds(run.meanEpochSeconds)} s per epoch, ${run.params.toLocaleString('en-US')} parameters)`);
  const results = { ...baseResults('imdb', argv, started), data: { nTrain: data.nTrain, nTest: data.nTest, vocab: data.vocab, maxlen: data.maxlen, limit: f.limit ?? null, meanLength: data.meanLength, loadSeconds: data.loadSeconds }, ...runRecord(run) };
  const finding = `${name} reaches ${pct(run.testAccuracy)} test accuracy after ${run.config.epochs} epoch(s) (train ${pct(run.trainAccuracy)}), at ${seconds(run.meanEpochSeconds)} s per epoch on ${data.nTrain} reviews.`;
  const doc: ReportDoc = {
    title: `IMDb sentiment: ${name}`,
    subtitle: describeData(data),
    finding,
    metrics: { 'test accuracy': pct(run.testAccuracy), 'test loss': run.testLoss.toFixed(4), 'train accuracy': pct(run.trainAccuracy), parameters: run.params.toLocaleString('en-US'), 'seconds per epoch': seconds(run.meanEpochSeconds) },
    sections: [
      { title: 'Curves', charts: curveCharts(run.history) },
      { title: 'Per epoch', tables: [{ columns: ['epoch', 'seconds', ...Object.keys(run.history)], rows: run.epochSeconds.map((s, e) => [e + 1, seconds(s), ...Object.values(run.history).map((v) => (v[e] ?? NaN).toFixed(4))]) }] },
      { title: 'Model summary', pre: run.summary.join('\n') },
    ],
    config: run.config,
  };
  const files = finishRun(p, f, `imdb-${name}`, started, results, doc);
  await saveImdbModel(path.join(files.dir, 'model'), run.model, name, { vocab: data.vocab, maxlen: data.maxlen, embeddingDim: f.embeddingDim as number, units: f.units as number | undefined, maskZero: f.maskZero as boolean },
    { testAccuracy: run.testAccuracy });
  p.line(`Saved the model in ${path.join(files.dir, 'model')} (rnnlab predict --model ${path.join(files.dir, 'model')} "some review")`);
  return 0;
}
