/** `rnnlab evaluate --model DIR --data PATH`: measure a saved text classifier on labelled data. */
import path from 'node:path';
import type { Command } from 'commander';
import { textEvaluateBody, textEvaluateDoc } from '../tasks/text_result.js';
import { evaluateTextClassifier } from '../tasks/text_evaluate.js';
import { evaluationLines } from '../tasks/text_format.js';
import { addDataOptions, checkDataKindFlags, dataOptions, notAClassifier, EVALUATE_OPTION_NAMES, positiveInt, reportFailure, type DataFlags } from './text_cli.js';
import { UsageError, type CliContext } from './context.js';
import { stopAfterTheWrites } from './stop_signals.js';
import { applyThreads, argvOf, finishRun, Printer } from './printer.js';
import { addFlags, VERBOSE_FLAG } from './flags.js';
import { checkInputFile, checkInputPath, checkOutDir, checkOutNotInData, checkOutNotInModel, realPathOf, runRecordCommand, statOf, withRunFolder } from './paths.js';
import { checkRunNotOverInputs } from './out_file.js';
import { RESULTS_FILE } from '../report/record.js';
import { DataError } from '../data/errors.js';
import { findModelDir } from '../tasks/text_classifier_file.js';
import { labelMappedTwice } from '../data/text_labels.js';
import { defaultOutDir } from '../report/run.js';
import { findSeq2SeqDir } from '../seq2seq/store.js';
import { addSeq2SeqEvaluateOptions, checkFlagsForModel, evaluateSeq2Seq } from './evaluate_seq2seq.js';
import type { PairFormat } from '../seq2seq/pairs.js';

interface EvaluateFlags extends DataFlags {
  model: string; worst: number; labelMap?: Record<string, string>; out?: string; threads?: number;
  pairsFormat?: PairFormat; beam?: number; samples?: number;
}

/**
 * Two entries for one label would be applied row by row by spelling (or the first one would win), so a label given
 * twice, or two spellings of one number ('1' and '1.0', one class as the data reader counts them), is refused.
 */
function labelMapArg(v: string): Record<string, string> {
  const map: Record<string, string> = {};
  const labels: string[] = [];
  for (const pair of v.split(',')) {
    const m = /^([^=]+)=(.+)$/.exec(pair.trim());
    if (!m) throw new UsageError(`--label-map takes label=class pairs, e.g. 0=neg,1=pos; got '${pair}'`);
    const label = m[1].trim();
    const cls = m[2].trim();
    if (Object.hasOwn(map, label)) throw new UsageError(`--label-map maps the label '${label}' twice (to '${map[label]}' and '${cls}'); give it once`);
    map[label] = cls;
    labels.push(label);
  }
  const twice = labelMappedTwice(labels, map);
  if (twice) throw new UsageError(`--label-map ${twice}`);
  return map;
}

/**
 * --model names a saved model before any data is read: a usage error (exit 2) naming the flag, as predict and
 * translate do. A seq2seq model's folder (its rnnlab-seq2seq.json) is scored on pairs; any other is a classifier's.
 */
function checkModelFlag(model: string): { dir: string; seq2seq: boolean } {
  if (model === '') throw new UsageError("--model expects a folder, got ''", 'evaluate');
  if (!statOf(model)) throw new UsageError(`--model: no such file or folder: ${model}`, 'evaluate');
  const seq2seqDir = findSeq2SeqDir(model);
  if (seq2seqDir !== null) return { dir: seq2seqDir, seq2seq: true };
  let dir: string;
  try { dir = findModelDir(model); } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--model: ${e.message}; train one with rnnlab train, rnnlab imdb or rnnlab seq2seq`, 'evaluate');
    throw e;
  }
  const other = notAClassifier(dir);
  if (other) throw new UsageError(`--model: ${other}`, 'evaluate');
  return { dir, seq2seq: false };
}

/**
 * The report is not written among the model's files, in its folder or any folder inside it: a model folder holding
 * anything else is one `rnnlab train --out` refuses to replace, so the model's own run could no longer be redone there.
 */
function checkOutOfModel(out: string | undefined, modelDir: string): void {
  if (out === undefined) return;
  const rel = path.relative(realPathOf(modelDir), realPathOf(out));
  if (rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))) {
    const where = rel === '' ? 'is the folder' : 'is inside the folder';
    throw new UsageError(`--out: ${out} ${where} of the model being evaluated; give a folder outside it for results.json and the report`, 'evaluate');
  }
}

/**
 * An earlier evaluate run's folder may be written again (docs/CLI.md's --out rules), but another command's run folder
 * (the model's training run, an experiment) would lose its record to evaluate's: refused, naming that command.
 */
function checkNotAnotherRun(out: string): void {
  const command = runRecordCommand(path.join(out, RESULTS_FILE), '--out', 'evaluate');
  if (command === null || command === 'evaluate') return;
  throw new UsageError(`--out: ${out} holds the results.json of an earlier 'rnnlab ${command}' run, which evaluate's record would replace; nothing was changed. ` +
    `Give --out a new folder (e.g. ${path.join(out, 'evaluate')}) or an earlier evaluate run's`, 'evaluate');
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('evaluate')
    .description('Measure a saved text classifier on labelled data: accuracy, loss, per-class scores, confusion matrix, ROC AUC, worst examples; ' +
      'or a seq2seq model on source/target pairs: per-token and exact-match accuracy.');
  cmd.requiredOption('--model <dir>', 'the model folder (or the run folder holding model/)');
  addDataOptions(cmd)
    .option('--label-map <a=x,b=y>', "data label = model class, e.g. 0=neg,1=pos (default: sentiment labels matched by polarity)", labelMapArg)
    .option('--worst <n>', 'how many worst-scored examples to show', positiveInt('--worst'), 10)
    .option('--out <dir>', 'folder for results.json (default runs/<timestamp>-evaluate)', (v: string) => {
      checkOutDir(v, 'evaluate');
      checkNotAnotherRun(v);
      return v;
    })
    .addHelpText('after', [
      '', 'Examples:',
      '  rnnlab evaluate --model runs/reviews --data test.csv',
      '  rnnlab evaluate --model runs/imdb-lstm --data aclImdb/test --classes pos,neg',
      '  rnnlab evaluate --model runs/reviews --data other.tsv --label-map 0=neg,1=pos',
      '  rnnlab evaluate --model runs/date --data held-out.tsv --beam 4   # a seq2seq model on pairs',
    ].join('\n'));
  addSeq2SeqEvaluateOptions(cmd);
  addFlags(cmd, { threads: VERBOSE_FLAG.threads }, 'evaluate')
    .action(async (f: EvaluateFlags) => {
      applyThreads({ ...f });
      const startedAt = new Date();
      const model = checkModelFlag(f.model);
      checkFlagsForModel(cmd, model.seq2seq, model.dir);
      checkOutOfModel(f.out, model.dir);
      // After checkOutOfModel, whose words fit the evaluated model's own folder better.
      if (f.out !== undefined) checkOutNotInModel(f.out, 'evaluate', '--out', false);
      // The data checks before the run folder is made and locked: a usage error is said as itself, and the default
      // folder is never made inside the --data folder.
      if (model.seq2seq) checkInputFile('--data', f.data, 'evaluate');
      else {
        checkInputPath('--data', f.data, 'evaluate', f.format);
        checkDataKindFlags(f, 'evaluate');
        checkOutNotInData(f.out ?? defaultOutDir('evaluate', startedAt), f.out === undefined, [['--data', f.data]], 'evaluate');
      }
      if (f.out !== undefined) checkRunNotOverInputs(f.out, {}, [{ flag: '--data', path: f.data }], 'evaluate');
      await withRunFolder(f.out, 'evaluate', 'evaluate', argvOf(cmd), (folder) => evaluateModel({ ...f, out: folder.dir }, model.seq2seq, cmd, ctx, startedAt));
    });
}

/** evaluate once its run folder is its own: a seq2seq model on pairs, or a classifier on labelled texts. */
async function evaluateModel(f: EvaluateFlags, seq2seq: boolean, cmd: Command, ctx: CliContext, startedAt: Date): Promise<void> {
  if (seq2seq) {
    ctx.exitCode = await evaluateSeq2Seq(f, cmd, ctx, startedAt);
    await stopAfterTheWrites('evaluate', f.out!, ctx);
    return;
  }
  try {
    const r = await evaluateTextClassifier({ model: f.model, data: f.data, ...dataOptions(f, EVALUATE_OPTION_NAMES), labelMap: f.labelMap ?? null, worst: f.worst });
    for (const line of evaluationLines(r.metrics, r.worst)) ctx.out.write(`${line}\n`);
    if (r.labelMap) ctx.out.write(`\nLabels mapped: ${Object.entries(r.labelMap).map(([a, b]) => `${a} -> ${b}`).join(', ')}\n`);
    if (r.skipped) ctx.out.write(`\n${r.skipped} bad rows skipped\n`);
    const body = textEvaluateBody(r);
    finishRun(new Printer(ctx), { command: 'evaluate', runName: 'evaluate', argv: argvOf(cmd), startedAt, out: f.out }, body, textEvaluateDoc(r, body));
    ctx.exitCode = 0;
    await stopAfterTheWrites('evaluate', f.out!, ctx);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    reportFailure(ctx, 'evaluate', e);
  }
}

