/** `rnnlab train --data PATH`: train a text classifier on the user's own labelled data and save it with its vectorizer. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { IMDB_DEFAULTS } from '../experiments/lab_models.js';
import type { Callback } from '../models/callback.js';
import { defaultOutDir, keepRunFolder, markRunBeingReplaced, startRecord } from '../report/run.js';
import { textTrainBody, textTrainDoc } from '../tasks/text_result.js';
import { TEXT_MODELS } from '../tasks/text_model.js';
import { trainTextClassifier, type TextTrainResult } from '../tasks/text_train.js';
import { addDataOptions, checkDataKindFlags, choice, dataOptions, fraction, integer, MAX_SIZE, nonNegativeInt, positiveInt, reportFailure, sizeOrAuto, TRAIN_OPTION_NAMES, type DataFlags } from './text_cli.js';
import { UsageError, type CliContext } from './context.js';
import { applyThreads, argvOf, finishRun, Printer } from './printer.js';
import { RunEndGuard } from './stop_signals.js';
import { addFlags, applyPrecision, PRECISION_FLAG, VERBOSE_FLAG } from './flags.js';
import { checkInputPath, checkNotAnotherRun, checkOutDir, checkOutNotInData, checkOutNotInModel, lockDefaultRunFolder, lockRunFolderFlag } from './paths.js';
import { checkRunNotOverInputs } from './out_file.js';

interface TrainFlags extends DataFlags {
  model: string; layers?: number; units?: number; embeddingDim?: number; dropout?: number; recurrentDropout?: number; maskZero?: boolean; bucket?: boolean;
  maxlen?: number | 'auto'; vocab?: number; lowercase: boolean; validationSplit?: number; validation?: string; earlyStopping?: number | true;
  classWeight?: 'balanced'; epochs?: number; batchSize?: number; seed?: number; limit?: number; out?: string; precision?: string; threads?: number;
}

/**
 * The stratified split rounds per class and holds out at least one example of each class of two or more: on small
 * data that can be far from the fraction asked, which is said rather than left to be noticed. The share is the
 * split's own (before --limit cut the training part), so the note never blames the split for the limit.
 */
function heldOutNote(r: TextTrainResult): string {
  const asked = r.config.validationSplit;
  if (typeof asked !== 'number' || !r.split) return '';
  const share = r.split.validation / (r.split.train + r.split.validation);
  // A fixed margin, not one that grows as the data shrinks: on tiny data the gap is largest and most worth saying.
  if (Math.abs(share - asked) <= 0.05) return '';
  return ` (${(share * 100).toFixed(0)}% held out for --validation-split ${asked}: the split is stratified and rounds per class, keeping at least one example of each class of two or more in each part)`;
}

/** Classes the validation part has no example of (one example in all, or absent from a --validation file): their scores there mean nothing. */
function unvalidatedNote(r: TextTrainResult): string {
  const none = r.validation.perClass.filter((c) => c.support === 0).map((c) => c.name);
  if (!none.length) return '';
  return `; no validation example of ${none.length === 1 ? 'class' : 'classes'} ${none.join(', ')}${r.split ? ` (a class of one example is trained on only)` : ''}`;
}

export function trainSummary(r: TextTrainResult, out: string): string[] {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return [
    `Validation accuracy: ${pct(r.validation.accuracy)}  (loss ${r.validation.loss.toFixed(4)}${r.validation.auc === null ? '' : `, ROC AUC ${r.validation.auc.toFixed(4)}`})`,
    `Classes: ${r.classes.join(', ')} (${r.classes.length === 2 ? 'sigmoid' : 'softmax'} head)`,
    `Examples: ${r.counts.train} train, ${r.counts.validation} validation${heldOutNote(r)}${unvalidatedNote(r)}${r.counts.skipped ? `, ${r.counts.skipped} bad rows skipped` : ''}`,
    `Model: ${r.config.model}, ${r.params.toLocaleString('en-US')} parameters, vocabulary ${r.vectorizer.vocabularySize}, maxlen ${r.vectorizer.maxlen}; ` +
      `${r.epochsRun} epoch(s)${r.stoppedEarly ? ' (stopped early)' : ''} in ${r.seconds.toFixed(1)} s`,
  ];
}

/** Said once model/ and every file of the run are written, never before. */
function savedLine(out: string): string {
  return `Saved: ${path.join(out, 'model')} and ${path.join(out, 'results.json')}`;
}

/**
 * An --epochs or --batch-size default as help and docs/CLI.md state it: the lab's for each model
 * (experiments/lab_models.ts), the most common first, e.g. "default 3; 2 for cnn, ff_embed; 20 for simple_rnn".
 */
function labDefaultWords(key: 'epochs' | 'batchSize'): string {
  const byValue = new Map<number, string[]>();
  for (const m of TEXT_MODELS) {
    const v = IMDB_DEFAULTS[m as keyof typeof IMDB_DEFAULTS][key];
    byValue.set(v, [...(byValue.get(v) ?? []), m]);
  }
  const [first, ...rest] = [...byValue].sort((a, b) => b[1].length - a[1].length);
  return [`default ${first[0]}`, ...rest.map(([v, ms]) => `${v} for ${[...ms].sort().join(', ')}`)].join('; ');
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('train')
    .description('Train a text classifier on your own labelled texts (CSV/TSV, JSON Lines, or a folder of class subfolders).');
  addDataOptions(cmd)
    .addOption(choice('--model <name>', 'architecture', TEXT_MODELS).default('lstm'))
    .option('--layers <n>', 'stacked recurrent layers (recurrent models only; default 1)', positiveInt('--layers'))
    .option('--units <n>', 'recurrent units, or the hidden Dense width of cnn / ff_embed (default 100; 250 for cnn, ff_embed)', positiveInt('--units', MAX_SIZE))
    .option('--embedding-dim <n>', 'embedding size (default 100)', positiveInt('--embedding-dim', MAX_SIZE))
    .option('--dropout <rate>', 'input dropout of the recurrent layers, before the output for cnn / ff_embed (default 0)', fraction('--dropout', false))
    .option('--recurrent-dropout <rate>', 'recurrent dropout of the recurrent layers: Keras recurrent_dropout, training composes each step, slower (default 0)', fraction('--recurrent-dropout', false))
    .option('--mask-zero', 'the embedding masks padding (id 0) for the recurrent layers')
    .option('--bucket', 'length-bucketed batches, each trimmed to its longest text (needs --mask-zero and a recurrent model; seeded)')
    .option('--maxlen <n|auto>', "words per text; 'auto': the 95th percentile of the training lengths", sizeOrAuto('--maxlen', MAX_SIZE), 'auto')
    .option('--vocab <n>', 'vocabulary size, padding and [UNK] included (default 10000)', positiveInt('--vocab'))
    .option('--lowercase', 'lowercase the text', true)
    .option('--no-lowercase', 'keep the case of words')
    .option('--validation-split <f>', 'fraction held out, stratified and seeded (default 0.1)', fraction('--validation-split'))
    .option('--validation <path>', 'a separate labelled validation set instead of a split')
    .option('--early-stopping [patience]', 'stop when val_loss stops improving for patience epochs (default 2; 0 as Keras: at the first epoch without improvement) and keep the best weights', nonNegativeInt('--early-stopping'))
    .addOption(choice('--class-weight <mode>', "'balanced': weigh classes by n / (classes * count)", ['balanced']))
    .option('--epochs <n>', `epochs, the lab's for the model (${labDefaultWords('epochs')})`, positiveInt('--epochs'))
    .option('--batch-size <n>', `batch size, the lab's for the model (${labDefaultWords('batchSize')})`, positiveInt('--batch-size'))
    .option('--seed <n>', 'seed for the split, the weights and the shuffles (any integer, default 1)', integer('--seed'))
    .option('--limit <n>', 'train on a stratified sample of exactly n examples (at least one per class)', positiveInt('--limit'))
    .option('--out <dir>', 'run folder for model/ and results.json (default runs/<timestamp>-train-<model>)', (v: string) => {
      checkOutDir(v, 'train', { model: true });
      checkOutNotInModel(v, 'train');
      checkNotAnotherRun(v, 'train', true);
      return v;
    })
    .addHelpText('after', [
      '', 'Examples:',
      '  rnnlab train --data reviews.csv --out runs/reviews',
      '  rnnlab train --data tickets.jsonl --model gru --layers 2 --class-weight balanced --early-stopping',
      '  rnnlab train --data aclImdb/train --classes pos,neg --model cnn_lstm --maxlen 500',
    ].join('\n'));
  addFlags(cmd, { ...PRECISION_FLAG, threads: VERBOSE_FLAG.threads }, 'train');
  cmd.action(async (f: TrainFlags) => {
    applyThreads({ ...f });
    const startedAt = new Date();
    checkInputPath('--data', f.data, 'train', f.format);
    if (f.validation !== undefined) checkInputPath('--validation', f.validation, 'train');
    checkDataKindFlags(f, 'train', [f.validation]);
    const defaultOut = defaultOutDir(`train-${f.model}`, startedAt);
    checkOutNotInData(f.out ?? defaultOut, f.out === undefined, [['--data', f.data], ['--validation', f.validation]], 'train', { model: true });
    if (f.out !== undefined) checkRunNotOverInputs(f.out, { model: true }, [{ flag: '--data', path: f.data }, { flag: '--validation', path: f.validation }], 'train');
    // mixed_bfloat16's fallback line is held until training begins: a refusal before then (a mistyped --data, a folder
    // another run holds, data that cannot train) is the one line said, not after a promise to run.
    const fallbackLines: string[] = [];
    applyPrecision({ ...f }, { ...ctx, err: { write: (s: string) => { fallbackLines.push(s); return true; } } });
    const sayFallback: Callback = { onTrainBegin: () => { for (const l of fallbackLines.splice(0)) ctx.err.write(l); } };
    // Without --out, a new folder of its own (suffixed when another run took the name), removed again with the lock if
    // the run fails, and runs/ with it when this run made it: a failed first run leaves the working folder as it was.
    // Another run writing the same folder now is refused here, before the data is read (docs/CLI.md, run folders).
    const made = f.out === undefined;
    const lock = made ? lockDefaultRunFolder(defaultOut, 'train', argvOf(cmd)) : lockRunFolderFlag(f.out!, 'train', argvOf(cmd));
    const out = lock.dir;
    const giveBack = () => lock.release();
    // train keeps nothing until its writes (no checkpoint), so from its start Ctrl-C is the guard's, as an experiment's:
    // a stop while it reads, trains or computes ends it at once saying so, one during the writes lets them finish.
    const end = new RunEndGuard((s) => ctx.err.write(`${s}\n`), {
      notWritten: `rnnlab: interrupted before the run was written; ${made ? 'nothing was written' : `nothing in ${out} was changed`} (train keeps no checkpoint: run the command again)`,
      written: () => `rnnlab: interrupted while the run was written; model/ and results.json were written whole to ${out}`,
    }, giveBack);
    end.arm();
    // An earlier run's record in out is marked running before the new model is saved over its model/ (a new folder
    // gets this run's running record), and put back if that save fails (the earlier model is then kept): a kill in
    // between leaves an interrupted run, never the earlier run's finished record beside the new model.
    // Should a write after the save fail, the copies keepRunFolder took put the folder back as it was before the run;
    // once the run is written (its record in), nothing undoes it, and removing the copies is tidying that cannot fail it.
    let unmark: (() => void) | null = null;
    let kept: ReturnType<typeof keepRunFolder> | null = null;
    let saved = false, written = false, copiesLeft = false;
    try {
      const r = await trainTextClassifier({
        data: f.data, ...dataOptions(f, TRAIN_OPTION_NAMES), validation: f.validation ?? null, validationSplit: f.validationSplit, limit: f.limit ?? null,
        model: f.model, layers: f.layers, units: f.units, embeddingDim: f.embeddingDim, dropout: f.dropout, recurrentDropout: f.recurrentDropout,
        maskZero: !!f.maskZero, bucket: !!f.bucket, maxlen: f.maxlen, vocab: f.vocab, lowercase: f.lowercase, earlyStopping: f.earlyStopping === true ? true : f.earlyStopping,
        classWeight: f.classWeight ?? null, epochs: f.epochs, batchSize: f.batchSize, seed: f.seed,
        saveTo: path.join(out, 'model'), verbose: 2, progress: ctx.out, callbacks: [sayFallback],
        beforeSave: async () => { await end.writing(); kept = keepRunFolder(out); unmark = markRunBeingReplaced(out, startRecord({ command: 'train', runName: `train-${f.model}`, argv: argvOf(cmd), startedAt, source: 'cli' })); },
      });
      saved = true;
      const body = textTrainBody(r, f.data);
      // On stderr, as a hint beside the results (results.json keeps them too): the classes stand as the data spells them.
      for (const note of (body.details?.notes as string[] | undefined) ?? []) ctx.err.write(`rnnlab train: ${note}\n`);
      for (const line of trainSummary(r, out)) ctx.out.write(`${line}\n`);
      finishRun(new Printer(ctx), { command: 'train', runName: `train-${f.model}`, argv: argvOf(cmd), startedAt, out }, body, textTrainDoc(r, body));
      written = true;
      ctx.out.write(`${savedLine(out)}\n`);
      ctx.exitCode = await end.finish(0);
    } catch (e) {
      const k = kept as ReturnType<typeof keepRunFolder> | null;
      let restored = false, notRestored = '';
      if (!saved) (unmark as (() => void) | null)?.();
      else if (k && !written) {
        try {
          k.restore();
          restored = true;
        } catch (re) {
          // The copies not yet renamed back stay for the next run's sweep; results.json, put back last, still reads running.
          copiesLeft = true;
          notRestored = `rnnlab train: ${out} could not be put back as it was before the run (${(re as Error)?.message ?? String(re)}): it reads as an interrupted run, which the next run into it replaces`;
        }
      }
      end.release();
      giveBack();
      if (e instanceof UsageError) throw e;
      reportFailure(ctx, 'train', e);
      // Said once the lock is given back, which removes a folder this run made (now empty again).
      if (restored) ctx.err.write(`rnnlab train: this run's model/ and files were removed; ${existsSync(out) ? `${out} holds what it held before the run` : `its folder ${out} was removed`}\n`);
      if (notRestored) ctx.err.write(`${notRestored}\n`);
    } finally {
      const left = copiesLeft ? [] : (kept as ReturnType<typeof keepRunFolder> | null)?.drop() ?? [];
      if (left.length) ctx.err.write(`rnnlab train: warning: could not remove the copies of the earlier run kept while it was replaced (${left.join(', ')}); the next run into ${out} removes them\n`);
      lock.release();
    }
  });
}
