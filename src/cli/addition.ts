/** `rnnlab addition`: the lab's part 2, an encoder–decoder that learns to add numbers written as text. */
import { MAX_TRAINING_SIZE } from '../data/addition.js';
import { maxAdditionPairs } from '../data/index.js';
import { additionBody, additionDoc, sampleLine } from '../experiments/addition_result.js';
import { ADDITION_DEFAULTS, trainAddition, type RnnKind } from '../experiments/addition_task.js';
import type { OptimizerChoice } from '../experiments/imdb_task.js';
import type { Command } from 'commander';
import { percent as pct } from '../report/table.js';
import { UsageError, type CliContext } from './context.js';
import { addFlags, helpExtras, OUT_FLAG, PRECISION_FLAG, TRAIN_FLAGS, VERBOSE_FLAG, applyPrecision, type Flags } from './flags.js';
import { applyThreads, argvOf, errorOf, failRun, finishRun, notRecordedWords, Printer } from './printer.js';
import { curveCharts } from '../experiments/imdb_result.js';
import type { RecordBody } from '../report/record.js';
import { RunEndGuard } from './stop_signals.js';
import { withRunFolder, type RunFolder } from './paths.js';

export const ADDITION_FLAGS: Flags = {
  digits: { kind: 'int', min: 1, max: 7, default: ADDITION_DEFAULTS.digits, help: 'digits per operand' },
  'training-size': { kind: 'int', min: 10, max: MAX_TRAINING_SIZE, default: ADDITION_DEFAULTS.trainingSize, help: 'distinct questions generated (10% are held out for validation)' },
  rnn: { kind: 'choice', choices: ['lstm', 'gru', 'simple_rnn'], default: ADDITION_DEFAULTS.rnn, help: 'recurrent layer of the encoder and decoder' },
  hidden: { kind: 'int', min: 1, max: 100000, default: ADDITION_DEFAULTS.hidden, help: 'units per recurrent layer' },
  layers: { kind: 'int', min: 1, max: 100, default: ADDITION_DEFAULTS.layers, help: 'stacked decoder layers' },
  ...TRAIN_FLAGS,
  epochs: { ...TRAIN_FLAGS.epochs, default: ADDITION_DEFAULTS.epochs },
  'batch-size': { ...TRAIN_FLAGS['batch-size'], default: ADDITION_DEFAULTS.batchSize },
};

export const ADDITION_COMMAND_FLAGS: Flags = {
  ...ADDITION_FLAGS,
  reverse: { kind: 'bool', default: false, help: 'feed the queries reversed (Keras\'s addition_rnn trick)' },
  samples: { kind: 'int', min: 0, max: 10000, default: ADDITION_DEFAULTS.samples, help: 'validation questions to print' },
  ...PRECISION_FLAG, ...OUT_FLAG, ...VERBOSE_FLAG,
};

const SUMMARY = 'Teach a seq2seq RNN to add: "231+432" -> "663". Prints sample guesses, per-character and exact-match accuracy.';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('addition').summary(SUMMARY).description(SUMMARY);
  addFlags(cmd, ADDITION_COMMAND_FLAGS, 'addition');
  helpExtras(cmd, { examples: ['rnnlab addition', 'rnnlab addition --reverse --epochs 5', 'rnnlab addition --rnn gru --layers 2 --digits 2 --training-size 4000'] });
  cmd.action(async (flags: Record<string, unknown>, c: Command) => {
    // The flags first: a usage error is said as itself, not behind the default folder's.
    checkAdditionFlags(flags, 'addition');
    ctx.exitCode = await withRunFolder(flags.out as string | undefined, 'addition', 'addition', argvOf(c), (folder) => runAddition({ ...flags, out: folder.dir }, folder, ctx, argvOf(c)));
  });
}

const shape = (s: readonly number[]) => `(${s.join(', ')})`;

/** The checks the data generator would make, as usage errors. */
export function checkAdditionFlags(f: Record<string, unknown>, cmd: string): void {
  const digits = f.digits as number, size = f.trainingSize as number;
  const max = maxAdditionPairs(digits);
  if (size > max) throw new UsageError(`--training-size ${size} is more than the ${max.toLocaleString('en-US')} distinct questions --digits ${digits} allows`, cmd);
}

export function additionOptions(f: Record<string, unknown>, p: Printer) {
  return {
    digits: f.digits as number, trainingSize: f.trainingSize as number, rnn: f.rnn as RnnKind, hidden: f.hidden as number, layers: f.layers as number,
    epochs: f.epochs as number, batchSize: f.batchSize as number, lr: f.lr as number | undefined, optimizer: f.optimizer as OptimizerChoice, seed: f.seed as number,
    verbose: f.verbose as 0 | 1 | 2, out: p.ctx.out, log: (l: string) => p.line(l),
  };
}

async function runAddition(f: Record<string, unknown>, folder: RunFolder, ctx: CliContext, argv: readonly string[]): Promise<number> {
  applyThreads(f);
  // mixed_bfloat16's fallback line is held until training begins, as the other training commands hold it: said after
  // the data and the model it is about, and never before a failure that stops the run first.
  const fallbackLines: string[] = [];
  applyPrecision(f, { ...ctx, err: { write: (s: string) => { fallbackLines.push(s); return true; } } });
  const p = new Printer(ctx);
  const startedAt = new Date();
  p.line(`Generating ${(f.trainingSize as number).toLocaleString('en-US')} addition questions with up to ${String(f.digits)} digits${f.reverse ? ' (queries reversed)' : ''}...`);
  let dir = '';
  // addition keeps nothing until its writes (no checkpoint), so from its start Ctrl-C is the guard's, as an experiment's:
  // a stop while it trains or computes ends it at once saying so, one during the writes lets them finish.
  const end = new RunEndGuard((s) => ctx.err.write(`${s}\n`), {
    notWritten: `rnnlab: interrupted before the run was written; nothing was written${folder.isDefault ? '' : ` to ${folder.dir}`} (addition keeps no checkpoint: run the command again)`,
    written: () => `rnnlab: interrupted while the run was written; results.json and the report were written whole to ${dir}`,
  });
  end.arm();
  const cliRun = { command: 'addition', runName: 'addition', argv, startedAt, out: f.out as string | undefined };
  // What training got through, epoch by epoch, for the record of a run that fails before its end.
  const sofar = { built: null as { params: number; summary: string[]; data: RecordBody['data'] } | null, history: {} as Record<string, number[]>, seconds: [] as number[] };
  try {
    const run = await trainAddition({
      ...additionOptions(f, p), reverse: f.reverse as boolean, samples: f.samples as number,
      onTrainBegin: () => { for (const l of fallbackLines.splice(0)) ctx.err.write(l); },
      onEpochEnd: (_epoch, logs, seconds) => {
        for (const [k, v] of Object.entries(logs)) if (typeof v === 'number') (sofar.history[k] ??= []).push(v);
        sofar.seconds.push(seconds);
      },
      onBuilt: (m, summary, d) => {
        sofar.built = { params: m.countParams(), summary, data: { trainingQuestions: d.train.answers.length, validationQuestions: d.val.answers.length } };
        p.line(`Training data: X ${shape(d.train.x.shape)}, Y ${shape(d.train.y.shape)}; validation: ${d.val.answers.length} questions`);
        // The input as the model reads it (the lab's decode of x_train[0]); reversed, the question it asks follows.
        const q = d.train.questions[0];
        const asked = f.reverse && q !== undefined ? ` (reversed input of ${[...q].reverse().join('').trim()})` : '';
        if (q !== undefined) p.line(`Sample question (decoded): '${q}'${asked}  answer: '${d.train.answers[0]}'`);
        p.line();
        p.lines(summary);
        p.line();
      },
    }).catch((e: unknown) => {
      // Training threw: the epochs it finished are recorded as a failed run, and the error goes on (exit code 1); in a
      // folder that held an earlier run's record, that record is kept (a failure, like a stop, replaces nothing written before).
      if (sofar.built && folder.heldRecord) p.warn(notRecordedWords(folder.dir));
      else if (sofar.built) {
        const built = sofar.built;
        end.arm('writing');
        failRun(p, cliRun, e, (failure) => {
          const body = failedAdditionBody(f, built, sofar.history, sofar.seconds, e);
          dir = finishRun(p, cliRun, body, { title: 'Addition seq2seq (failed)', finding: body.finding, sections: [{ title: 'Curves', charts: curveCharts(sofar.history) }], config: body.config }, null, failure).dir;
        });
      }
      throw e;
    });
    p.line();
    for (const s of run.samples) p.line(sampleLine(s, f.digits as number));
    // Samples are drawn from the validation questions (with replacement, as the lab does), at most as many as it holds.
    if ((f.samples as number) > run.samples.length) p.line(`(--samples ${String(f.samples)} asked; the validation set holds ${run.data.val.answers.length} question(s), so ${run.samples.length} are shown)`);
    const right = run.samples.filter((s) => s.correct).length;
    if (run.samples.length) p.line(`The model scored ${((right * 100) / run.samples.length).toFixed(1)} % in its test (${right} of ${run.samples.length} samples).`);
    p.line(`Validation accuracy per character (Keras): ${pct(run.perChar)}`);
    p.line(`Validation exact-match accuracy (whole answer right): ${pct(run.exact)}`);
    const body = additionBody(run);
    await end.writing();
    dir = finishRun(p, cliRun, body, additionDoc(run, body)).dir;
    return await end.finish(0);
  } finally {
    end.release();
  }
}

/** The record of an addition run whose training threw: the flags, the model, its finished epochs and the error. */
function failedAdditionBody(f: Record<string, unknown>, built: { params: number; summary: string[]; data: RecordBody['data'] },
  history: Record<string, number[]>, seconds: number[], e: unknown): RecordBody {
  const epochs = history.loss?.length ?? 0;
  const config = { digits: f.digits, trainingSize: f.trainingSize, reverse: f.reverse, rnn: f.rnn, hidden: f.hidden, layers: f.layers, epochs: f.epochs,
    batchSize: f.batchSize, optimizer: f.optimizer, lr: f.lr ?? null, seed: f.seed };
  return {
    config, data: built.data, models: [{ name: `${String(f.rnn)} seq2seq`, params: built.params, history, secondsPerEpoch: seconds, summary: built.summary }],
    metrics: {}, finding: `The run failed after ${epochs} of ${String(f.epochs)} epoch(s): ${errorOf(e).name}: ${errorOf(e).message}`,
  };
}
