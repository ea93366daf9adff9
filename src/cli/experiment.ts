/** `rnnlab experiment NAME`: the lab's exercises, each ending in a one-sentence finding and its numbers. */
import { additionDataFor } from '../experiments/addition_task.js';
import { commutativityExperiment, commutativityPairs } from '../experiments/commutativity.js';
import { DIGITWISE_DEFAULTS, digitwiseExperiment, MAX_DIGITWISE_STEPS, maxDigitwiseSums } from '../experiments/digitwise.js';
import { gradientsExperiment, RECURRENT_MODELS } from '../experiments/gradients.js';
import { loadImdbArrays, type ImdbArrays, type OptimizerChoice } from '../experiments/imdb_task.js';
import { IMDB_MODELS, maxlenProblem, type ImdbModelName } from '../experiments/lab_models.js';
import { paramsExperiment } from '../experiments/params.js';
import { reverseExperiment } from '../experiments/reverse.js';
import { shapesExperiment } from '../experiments/shapes.js';
import { experimentBody, experimentDoc } from '../experiments/experiment_result.js';
import { describeData } from '../experiments/imdb_result.js';
import type { ExperimentResult } from '../experiments/types.js';
import type { AdditionData } from '../data/index.js';
import { formatCell, formatTable, type Table } from '../report/table.js';
import type { Command } from 'commander';
import { ADDITION_FLAGS, additionOptions, checkAdditionFlags } from './addition.js';
import { UsageError, type CliContext } from './context.js';
import { addFlags, applyPrecision, helpExtras, IMDB_DATA_FLAGS, IMDB_MODEL_FLAGS, OUT_FLAG, PRECISION_FLAG, TRAIN_FLAGS, VERBOSE_FLAG, type Flags } from './flags.js';
import { checkModelSizes, imdbDataOptions, loadingLine } from './imdb.js';
import { applyThreads, argvOf, errorOf, failRun, finishRun, notRecordedWords, Printer, type CliRun } from './printer.js';
import type { ReportDoc } from '../report/html.js';
import type { ModelRecord, RecordBody } from '../report/record.js';
import { RunEndGuard } from './stop_signals.js';
import { withRunFolder, type RunFolder } from './paths.js';
import { checkRunNotOverInputs } from './out_file.js';

/**
 * checked: what the experiment's check returned (data it made to check the flags, so the run need not make it again),
 * or its load's data; onModelDone: each model's record as the experiment finishes it, which a failed run keeps.
 */
type Runner = (f: Record<string, unknown>, p: Printer, checked: unknown, onModelDone: (m: ModelRecord) => void) => Promise<ExperimentResult> | ExperimentResult;

interface ExperimentSpec { summary: string; flags: Flags; examples: string[] }

/**
 * check: refuses flag combinations with a UsageError before anything is printed or run, and returns what run gets as
 * `checked`; onCommandLine(flag): whether the flag was given rather than defaulted.
 */
interface Experiment {
  spec: ExperimentSpec;
  check?: (f: Record<string, unknown>, onCommandLine: (flag: string) => boolean) => unknown;
  /**
   * Reads the experiment's input data, handed to run as `checked`: an error here (a corrupt or missing IMDb file) is
   * said as imdb and compare say theirs, with no run recorded, since nothing ran.
   */
  load?: (f: Record<string, unknown>, p: Printer) => Promise<unknown>;
  run: Runner;
}

/** trains: the experiment trains a model, so it has training output to set with --verbose and a --precision to train in. */
const exp = (summary: string, flags: Flags, examples: string[], trains = true): ExperimentSpec =>
  ({ summary, flags: { ...flags, ...(trains ? PRECISION_FLAG : {}), ...OUT_FLAG, ...(trains ? VERBOSE_FLAG : { threads: VERBOSE_FLAG.threads }) }, examples });

// Named, so that their checks can read the flags each takes (a size refusal names only those).
const GRADIENTS_SPEC = exp('||d loss / d h_t||, ||d loss / d c_t|| and ||d loss / d x_t|| against t for SimpleRNN and LSTM on IMDb batches and on the long-range sign task: the vanishing gradient, measured.', {
  models: { kind: 'list', choices: RECURRENT_MODELS, default: ['simple_rnn', 'lstm'], help: 'models to measure' },
  ...IMDB_DATA_FLAGS,
  'embedding-dim': IMDB_MODEL_FLAGS['embedding-dim'],
  units: { kind: 'int', min: 1, max: 100000, default: 100, help: 'recurrent units' },
  'batch-size': { kind: 'int', min: 1, max: 100000, default: 32, help: 'reviews per batch' },
  batches: { kind: 'int', min: 1, max: 10000, default: 4, help: 'batches to average over' },
  epochs: { kind: 'int', min: 0, max: 1000, default: 0, help: 'train this many epochs before measuring (0: at initialisation)' },
  'long-range-epochs': { kind: 'int', min: 0, max: 1000, default: 30, help: 'also train an LSTM and a SimpleRNN this many epochs on the long-range sign task and measure them before and after (0: skip it)' },
  lr: { ...TRAIN_FLAGS.lr, help: 'learning rate of the --epochs of IMDb training (optimizer default: 0.001 for adam, rmsprop and adamw, 0.01 for sgd)' },
  // No default, so that one given with --epochs 0 (nothing trained on IMDb) can be refused rather than ignored.
  optimizer: { ...TRAIN_FLAGS.optimizer, default: undefined, help: 'optimizer of the --epochs of IMDb training (default: adam)' },
  seed: TRAIN_FLAGS.seed,
}, ['rnnlab experiment gradients', 'rnnlab experiment gradients --models simple_rnn,lstm,gru --maxlen 200']);

const PARAMS_SPEC = exp('Calculate the number of parameters: the formula and the count for each layer of each lab model.', {
  vocab: IMDB_DATA_FLAGS.vocab, maxlen: IMDB_DATA_FLAGS.maxlen,
  'embedding-dim': IMDB_MODEL_FLAGS['embedding-dim'],
  units: { kind: 'int', min: 1, max: 100000, help: 'recurrent units (100) / Dense width (250)' },
}, ['rnnlab experiment params', 'rnnlab experiment params --vocab 5000 --units 64'], false);

export const EXPERIMENTS: Record<string, Experiment> = {
  reverse: {
    spec: exp('The addition model with and without reversed queries: accuracy per epoch side by side.', ADDITION_FLAGS,
      ['rnnlab experiment reverse --epochs 10', 'rnnlab experiment reverse --digits 2 --training-size 3000 --epochs 3']),
    check: (f) => checkAdditionFlags(f, 'experiment reverse'),
    run: (f, p, _checked, onModelDone) => reverseExperiment({ ...additionOptions(f, p), onModelDone }),
  },
  commutativity: {
    spec: exp('Is a+b = b+a learned? Cosine similarity of the encoder\'s final states, and accuracy on swapped operands.', {
      ...ADDITION_FLAGS,
      reverse: { kind: 'bool', default: false, help: 'train on reversed queries' },
      pairs: { kind: 'int', min: 1, max: 100000, default: 500, help: 'validation pairs to compare' },
    }, ['rnnlab experiment commutativity --epochs 10']),
    check: checkCommutativityFlags,
    run: (f, p, data, onModelDone) => commutativityExperiment({ ...additionOptions(f, p), reverse: f.reverse as boolean, pairs: f.pairs as number, onModelDone }, data as AdditionData),
  },
  digitwise: {
    spec: exp('Addition the way we do it by hand: two digits per step, least significant first, one sum digit out per step.', {
      digits: { kind: 'int', min: 1, max: 50, default: DIGITWISE_DEFAULTS.trainDigits, help: 'digits per operand in training' },
      'test-digits': { kind: 'int', min: 1, max: 100, default: DIGITWISE_DEFAULTS.testDigits, help: 'evaluate on every operand length up to this' },
      rnn: { kind: 'choice', choices: ['simple_rnn', 'lstm', 'gru'], default: DIGITWISE_DEFAULTS.rnn, help: 'recurrent layer' },
      hidden: { kind: 'int', min: 1, max: 10000, default: DIGITWISE_DEFAULTS.hidden, help: 'recurrent units' },
      'training-size': { kind: 'int', min: 1, default: DIGITWISE_DEFAULTS.trainingSize, help: 'training sums' },
      'test-size': { kind: 'int', min: 1, default: DIGITWISE_DEFAULTS.testSize, help: 'test sums per length' },
      ...TRAIN_FLAGS,
      epochs: { ...TRAIN_FLAGS.epochs, default: DIGITWISE_DEFAULTS.epochs },
      'batch-size': { ...TRAIN_FLAGS['batch-size'], default: DIGITWISE_DEFAULTS.batchSize },
      lr: { ...TRAIN_FLAGS.lr, default: DIGITWISE_DEFAULTS.lr, help: 'learning rate, whichever the optimizer' },
    }, ['rnnlab experiment digitwise', 'rnnlab experiment digitwise --digits 4 --test-digits 10 --rnn lstm']),
    check: checkDigitwiseFlags,
    run: (f, p, _checked, onModelDone) => digitwiseExperiment({
      trainDigits: f.digits as number, testDigits: f.testDigits as number, rnn: f.rnn as never, hidden: f.hidden as number,
      trainingSize: f.trainingSize as number, testSize: f.testSize as number, epochs: f.epochs as number, batchSize: f.batchSize as number,
      lr: f.lr as number, optimizer: f.optimizer as OptimizerChoice, seed: f.seed as number, verbose: f.verbose as 0 | 1 | 2, out: p.ctx.out, log: (l) => p.line(l), onModelDone,
    }),
  },
  gradients: {
    spec: GRADIENTS_SPEC,
    check: checkGradientsFlags,
    load: async (f, p) => {
      const limit = gradientsLimit(f);
      p.line(loadingLine(f, limit));
      const data = await loadImdbArrays({ ...imdbDataOptions(f), limit });
      p.line(describeData(data));
      return data;
    },
    run: (f, p, data, onModelDone) => gradientsExperiment(data as ImdbArrays, {
      models: f.models as ImdbModelName[], units: f.units as number, embeddingDim: f.embeddingDim as number, batchSize: f.batchSize as number, batches: f.batches as number,
      epochs: f.epochs as number, lr: f.lr as number | undefined, optimizer: (f.optimizer ?? 'adam') as OptimizerChoice, seed: f.seed as number, limit: gradientsLimit(f),
      verbose: f.verbose as 0 | 1 | 2, out: p.ctx.out, log: (l) => p.line(l), onModelDone,
      longRange: (f.longRangeEpochs as number) > 0 ? { epochs: f.longRangeEpochs as number, seed: f.seed as number, verbose: f.verbose as 0 | 1 | 2, out: p.ctx.out } : false,
    }),
  },
  shapes: {
    spec: exp('The TimeDistributed and RepeatVector demos with their printed shapes.', { seed: TRAIN_FLAGS.seed }, ['rnnlab experiment shapes'], false),
    run: (f) => shapesExperiment({ seed: f.seed as number }),
  },
  params: {
    spec: PARAMS_SPEC,
    check: (f) => {
      checkMaxlen(IMDB_MODELS, f, 'experiment params');
      // It builds every model (to count what each reports), but trains none.
      checkModelSizes(IMDB_MODELS, f, 'experiment params', PARAMS_SPEC.flags, 'build');
    },
    run: (f) => paramsExperiment({ vocab: f.vocab as number, maxlen: f.maxlen as number, embeddingDim: f.embeddingDim as number, units: f.units as number | undefined }),
  },
};

/** The reviews experiment gradients reads: only the measured batches, unless the models train first. */
function gradientsLimit(f: Record<string, unknown>): number | null {
  return (f.limit as number | undefined) ?? ((f.epochs as number) > 0 ? null : (f.batchSize as number) * (f.batches as number));
}

/** Combinations of digitwise's flags that its ranges alone cannot refuse. */
function checkDigitwiseFlags(f: Record<string, unknown>): void {
  const digits = f.digits as number, testDigits = f.testDigits as number, size = f.trainingSize as number;
  if (testDigits < digits) throw new UsageError(`--test-digits ${testDigits} is below --digits ${digits}: it evaluates every length up to --test-digits, so give at least ${digits}`, 'experiment digitwise');
  if (size < digits) throw new UsageError(`--training-size ${size} is below --digits ${digits}: training needs at least one sum of each length from 1 to ${digits}`, 'experiment digitwise');
  for (const [flag, n, lengthFlag, d] of [['--training-size', size, '--digits', digits], ['--test-size', f.testSize as number, '--test-digits', testDigits]] as const) {
    const max = maxDigitwiseSums(d);
    if (n > max) {
      throw new UsageError(`${flag} ${n} is over ${max.toLocaleString('en-US')}, the most sums that fit in memory with ${lengthFlag} ${d} ` +
        `(each sum is ${d + 1} digit steps; at most ${MAX_DIGITWISE_STEPS.toLocaleString('en-US')} are held at once)`, 'experiment digitwise');
    }
  }
}

/**
 * The validation questions come from the flags alone (seeded), so a set with no a != b pair to compare is refused
 * before training; they are returned for the run, which would make the same ones.
 */
function checkCommutativityFlags(f: Record<string, unknown>): AdditionData {
  checkAdditionFlags(f, 'experiment commutativity');
  const data = additionDataFor({ digits: f.digits as number, trainingSize: f.trainingSize as number, reverse: f.reverse as boolean, seed: f.seed as number });
  if (commutativityPairs(data, f.reverse as boolean, 1).length === 0) {
    throw new UsageError(`--training-size ${String(f.trainingSize)} leaves ${data.val.questions.length} validation question(s) and none with a != b to compare with b+a; raise --training-size`, 'experiment commutativity');
  }
  return data;
}

/** A --maxlen the pooling models cannot take, as a usage error before anything is loaded or built. */
function checkMaxlen(models: readonly ImdbModelName[], f: Record<string, unknown>, cmd: string): void {
  const problem = maxlenProblem(models, f.maxlen as number);
  if (problem) throw new UsageError(problem, cmd);
}

/**
 * --lr and --optimizer set the IMDb training of --epochs; with --epochs 0 they would change nothing. --verbose 1 or 2
 * shows the progress of both trainings (IMDb and long-range); with neither it would change nothing.
 */
function checkGradientsFlags(f: Record<string, unknown>, onCommandLine: (flag: string) => boolean): void {
  checkMaxlen(f.models as ImdbModelName[], f, 'experiment gradients');
  // Measured at initialisation, a model holds its weights and their gradients; trained first, the optimizer's slots too.
  checkModelSizes(f.models as ImdbModelName[], f, 'experiment gradients', GRADIENTS_SPEC.flags, (f.epochs as number) > 0 ? (f.optimizer as OptimizerChoice | undefined) ?? 'adam' : 'gradients');
  if ((f.epochs as number) > 0) return;
  const given = (['lr', 'optimizer'] as const).filter((k) => f[k] !== undefined).map((k) => `--${k}`);
  if (given.length) {
    throw new UsageError(`${given.join(' and ')} set${given.length === 1 ? 's' : ''} the training of --epochs, but --epochs is 0 (the models are measured at initialisation; the long-range task trains with its own Adam): give --epochs N or leave ${given.length === 1 ? 'it' : 'them'} out`, 'experiment gradients');
  }
  // --verbose 0 asks for no training output, which holds; 1 or 2 asks for output that nothing would print.
  if ((f.longRangeEpochs as number) === 0 && onCommandLine('verbose') && f.verbose !== 0) {
    throw new UsageError(`--verbose ${String(f.verbose)} shows training progress, but nothing is trained: --epochs and --long-range-epochs are 0 (the models are measured at initialisation); leave --verbose out or train with --epochs N or --long-range-epochs N`, 'experiment gradients');
  }
}

const SUMMARY = 'Run one of the lab\'s exercises; it prints its finding in a sentence and its numbers, and writes a report.';
const NAMES = Object.keys(EXPERIMENTS).join(', ');

export function register(program: Command, ctx: CliContext): void {
  const parent = program.command('experiment').summary(`${SUMMARY.split(';')[0]} (${NAMES}).`).description(SUMMARY).usage('NAME [options]')
    .argument('[name]', 'the experiment')
    .helpCommand(false).allowUnknownOption().allowExcessArguments();
  helpExtras(parent, { description: ['rnnlab experiment NAME --help lists its options.'] });
  for (const [name, e] of Object.entries(EXPERIMENTS)) {
    // The parent takes any words (to name an unknown experiment); each experiment takes none after its name.
    const cmd = parent.command(name).summary(e.spec.summary).description(e.spec.summary).allowExcessArguments(false);
    addFlags(cmd, e.spec.flags, `experiment ${name}`);
    helpExtras(cmd, { examples: e.spec.examples });
    cmd.action(async (flags: Record<string, unknown>, c: Command) => {
      // The flags first: a usage error is said as itself, not behind the default folder's.
      const checked = e.check?.(flags, (flag) => c.getOptionValueSource(flag) === 'cli');
      if (flags.out !== undefined) checkRunNotOverInputs(flags.out as string, {}, [{ flag: '--data', path: flags.data as string | undefined }], `experiment ${name}`);
      ctx.exitCode = await withRunFolder(flags.out as string | undefined, `experiment-${name}`, `experiment ${name}`, argvOf(c),
        (folder) => runExperiment(name, e, checked, { ...flags, out: folder.dir }, folder, ctx, argvOf(c)));
    });
  }
  // Reached only when no experiment name matched.
  parent.action((first: string | undefined) => {
    if (first === undefined) throw new UsageError(`name an experiment: ${NAMES}`, 'experiment');
    throw new UsageError(first.startsWith('-') ? `the experiment name comes first: rnnlab experiment NAME [options] (${NAMES})`
      : `unknown experiment '${first}'; choose one of ${NAMES}`, 'experiment');
  });
}

async function runExperiment(name: string, e: Experiment, checked: unknown, f: Record<string, unknown>, folder: RunFolder,
  ctx: CliContext, argv: readonly string[]): Promise<number> {
  applyThreads(f);
  const p = new Printer(ctx);
  const startedAt = new Date();
  const out = f.out as string | undefined;
  let dir = '';
  // An experiment keeps nothing until its files are written (no checkpoint): a stop while it trains or computes ends
  // it at once with nothing written, one during the writes lets them finish, so --out never mixes two runs.
  const end = new RunEndGuard((s) => ctx.err.write(`${s}\n`), {
    notWritten: `rnnlab: interrupted before the experiment's files were written; ${folder.isDefault ? 'nothing was written' : `nothing in ${folder.dir} was changed`} (an experiment keeps no checkpoint: run it again)`,
    written: () => `rnnlab: interrupted while the experiment's files were written; they were written whole to ${dir}`,
  });
  end.arm();
  const cliRun: CliRun = { command: `experiment ${name}`, runName: `experiment-${name}`, argv, startedAt, out };
  try {
    p.line(`Experiment ${name}: ${e.spec.summary}`);
    const input = e.load ? await e.load(f, p) : checked;
    // Set for every experiment that trains, float32 included, so a policy an earlier in-process command set is not
    // inherited; after the input is read (which does not depend on it), so a data error is not said after
    // mixed_bfloat16's fallback message.
    if ('precision' in e.spec.flags) applyPrecision(f, ctx);
    const finished: ModelRecord[] = [];
    // Through then(): a runner that throws before its first await (params, shapes run synchronously) is caught too.
    const r = await Promise.resolve().then(() => e.run(f, p, input, (m) => finished.push(m))).catch((err: unknown) => {
      // It threw (a non-finite loss...): recorded as a failed run naming the error, as imdb, compare and addition record
      // theirs, and the error goes on (exit code 1). An experiment hands back its numbers only whole, so the record keeps
      // the options, the error and the models it finished before it; in a folder that held an earlier run's record,
      // that one is kept.
      if (folder.heldRecord) { p.warn(notRecordedWords(folder.dir)); throw err; }
      end.arm('writing');
      return failRun(p, cliRun, err, (failure) => {
        const body = failedExperimentBody(name, f, err, finished);
        const keeps = finished.length ? `they record its options, the error and the ${finished.length} model(s) it finished before it` : 'they record its options and the error';
        dir = finishRun(p, cliRun, body, failedExperimentDoc(name, e.spec.summary, body), null, { ...failure, keeps }).dir;
      });
    });
    p.line();
    if (r.lines?.length) { p.lines(r.lines); p.line(); }
    for (const t of r.tables) { p.lines(formatTable(t)); p.line(); }
    p.line(`Finding: ${r.finding}`);
    await end.writing();
    dir = finishRun(p, cliRun, experimentBody(r), experimentDoc(r)).dir;
    return await end.finish(0);
  } finally {
    end.release();
  }
}

/**
 * A failed experiment's record: the options it was given (its own config comes only with its result), the error, and
 * the models it finished before the error as its result would list them, named in details.finishedBeforeFailure.
 */
function failedExperimentBody(name: string, f: Record<string, unknown>, err: unknown, finished: readonly ModelRecord[]): RecordBody {
  const { out: _out, ...config } = f;
  const { name: errorName, message } = errorOf(err);
  const names = finished.map((m) => m.name);
  const kept = names.length ? `; the model(s) it finished before the error are recorded: ${names.join(', ')}` : '';
  return {
    config, data: null, models: [...finished], metrics: {},
    finding: `Experiment ${name} failed before its finding: ${errorName}: ${message} (an experiment records its numbers only when it finishes: run it again)${kept}`,
    ...(names.length ? { details: { finishedBeforeFailure: names } } : {}),
  };
}

function failedExperimentDoc(name: string, summary: string, body: RecordBody): ReportDoc {
  const finished: Table = {
    caption: 'Models finished before the failure',
    columns: ['model', 'parameters', 'epochs', 'final metrics'],
    rows: body.models.map((m) => [m.name, m.params ?? '-', m.secondsPerEpoch.length,
      Object.entries(m.metrics ?? {}).map(([k, v]) => `${k} ${formatCell(v)}`).join(', ') || '-']),
  };
  return { title: `Experiment ${name} (failed)`, subtitle: summary, finding: body.finding, sections: body.models.length ? [{ title: 'Models finished before the failure', tables: [finished] }] : [], config: body.config };
}
