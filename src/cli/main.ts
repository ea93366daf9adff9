/**
 * The rnnlab command. main(argv) builds the commander program, lets every command file register its command,
 * runs the one asked for and resolves to its exit code: 0 done, 1 failed, 2 usage error (a bad flag or value,
 * named in the message).
 */
import { Command, CommanderError } from 'commander';
import { checkEnv, envFlag, EnvError } from '../env.js';
import { isProfiling } from '../backend/index.js';
import { writeProfile } from './profile.js';
import { rnnlabVersion } from '../report/run.js';
import { register as registerAddition } from './addition.js';
import { register as registerCache } from './cache.js';
import { register as registerCompare } from './compare.js';
import { register as registerEvaluate } from './evaluate.js';
import { failureKind, processContext, UsageError, type CliContext } from './context.js';
import { addNegations, booleanValues } from './flags.js';
import { register as registerExperiment } from './experiment.js';
import { register as registerExport } from './export.js';
import { register as registerImdb } from './imdb.js';
import { register as registerPredict } from './predict.js';
import { register as registerSeq2Seq } from './seq2seq.js';
import { register as registerServe } from './serve.js';
import { register as registerSweep } from './sweep.js';
import { register as registerTokenize } from './tokenize.js';
import { register as registerTrain } from './train.js';
import { register as registerTranslate } from './translate.js';
import { register as registerVersion } from './version.js';
import { register as registerWorker } from './worker.js';

export type { CliContext, Writer } from './context.js';

/** One entry per command file; a new command is one import and one line here. */
const COMMANDS: ((program: Command, ctx: CliContext) => void)[] = [
  registerImdb, registerCompare, registerAddition, registerExperiment, registerTokenize, registerPredict, registerServe,
  registerTrain, registerEvaluate, registerSweep, registerWorker, registerExport, registerCache, registerVersion,
  registerSeq2Seq, registerTranslate,
];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('rnnlab')
    .usage('<command> [options]')
    .description(`rnnlab ${rnnlabVersion()}: recurrent neural networks in TypeScript, and CS109B Lab 8 on real data.`)
    .version(rnnlabVersion(), '-v, --version', 'print the version')
    // Worded as the commands' own descriptions beside it (commander's is 'display help for command').
    .helpCommand('help [command]', 'Show the help of a command.')
    .exitOverride()
    // Errors are printed by main, with the command they belong to.
    .configureOutput({ writeOut: (s) => ctx.out.write(s), writeErr: (s) => ctx.err.write(s), outputError: () => {} })
    .showSuggestionAfterError(true)
    .addHelpText('after', [
      '',
      'Every training run writes results.json, report.html and report.png to --out (default runs/<timestamp>-<name>/).',
      'rnnlab <command> --help shows a command\'s options; rnnlab --version its version.',
    ].join('\n'));
  for (const register of COMMANDS) register(program, ctx);
  for (const command of program.commands) addNegations(command);
  return program;
}

/** The command argv names ("imdb", "experiment reverse"), for messages and its flags. */
function commandOf(program: Command, argv: readonly string[]): { command: Command; path: string } | null {
  const top = program.commands.find((c) => c.name() === argv[0]);
  if (!top) return null;
  const sub = top.commands.find((c) => c.name() === argv[1]);
  return sub ? { command: sub, path: `${top.name()} ${sub.name()}` } : { command: top, path: top.name() };
}

const namesOf = (c: Command) => c.commands.map((x) => x.name()).join(', ');

/** What is wrong with `rnnlab help WORDS` (a command that does not exist, words after it), or null. */
function helpProblem(program: Command, words: readonly string[]): string | null {
  if (words[0].startsWith('-')) return words.length === 1 && (words[0] === '--help' || words[0] === '-h') ? null : `help takes a command, got '${words.join(' ')}'`;
  const top = program.commands.find((c) => c.name() === words[0]);
  if (!top) return `help: unknown command '${words[0]}'; commands are ${namesOf(program)}`;
  const sub = words.length > 1 && top.commands.length ? top.commands.find((c) => c.name() === words[1]) : undefined;
  if (words.length > 1 && top.commands.length && !sub) return `help: unknown command '${words[0]} ${words[1]}'; ${words[0]}'s commands are ${namesOf(top)}`;
  const extra = words.slice(sub ? 2 : 1);
  return extra.length ? `help takes a command, got '${extra.join(' ')}' after '${words.slice(0, sub ? 2 : 1).join(' ')}'` : null;
}

const HELP_AND_VERSION_FLAGS = new Set(['-h', '--help', '-v', '--version']);

/**
 * Whether argv names a command, or a sub-command of one that has them, that does not exist. commander shows the help
 * or the version for such words with --help or --version (exit code 0), so a script checking `rnnlab X --help` would
 * take X for a command; without those flags they are the unknown-command error.
 */
function namesUnknownCommand(program: Command, argv: readonly string[]): boolean {
  const known = (c: Command, word: string) => word === 'help' || c.commands.some((x) => x.name() === word || x.aliases().includes(word));
  if (!argv.length || argv[0].startsWith('-')) return false;
  if (!known(program, argv[0])) return true;
  const top = program.commands.find((c) => c.name() === argv[0] || c.aliases().includes(argv[0]));
  const word = argv[1];
  return !!top && top.commands.length > 0 && word !== undefined && !word.startsWith('-') && !known(top, word);
}

/** commander's "too many arguments", with the words it did not take named, so a misplaced value is found. */
function strayWords(command: Command): string {
  const n = command.registeredArguments.length;
  const stray = command.args.slice(n);
  return `too many arguments for '${command.name()}': ${stray.map((w) => `'${w}'`).join(' ')} ` +
    `(it takes ${n === 0 ? 'none' : `at most ${n}`}; a flag's value goes right after the flag: --flag VALUE or --flag=VALUE)`;
}

/**
 * `rnnlab cache` alone: commander would print the group's help and throw its internal 'commander.help' error, whose
 * message is '(outputHelp)'. A group that takes no argument of its own needs one of its commands, named here as
 * `rnnlab experiment` names its experiments. (experiment takes its name as an argument and says so itself.)
 */
function missingSubcommand(target: { command: Command; path: string } | null, rest: readonly string[]): string | null {
  if (!target || !target.command.commands.length || target.command.registeredArguments.length || rest.length) return null;
  return `name a ${target.path} command: ${namesOf(target.command)}`;
}

function usage(ctx: CliContext, message: string, command: string | null): number {
  const cmd = command ? `rnnlab ${command}` : 'rnnlab';
  ctx.err.write(`${cmd}: error: ${message}\nRun '${cmd} --help' for usage.\n`);
  return 2;
}

export async function main(argv: string[], io: Pick<CliContext, 'out' | 'err'> = processContext()): Promise<number> {
  const ctx: CliContext = { out: io.out, err: io.err };
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    ctx.out.write(program.helpInformation());
    return 2;
  }
  // commander's own `help` knows one level; `rnnlab help experiment digitwise` must show the sub-command's help.
  if (argv[0] === 'help' && argv.length > 1) {
    const problem = helpProblem(program, argv.slice(1));
    if (problem) return usage(ctx, problem, null);
    argv = [...argv.slice(1), '--help'];
  }
  // commander prints the version whatever follows; words after it would be dropped unread.
  if ((argv[0] === '-v' || argv[0] === '--version') && argv.length > 1) return usage(ctx, `${argv[0]} takes nothing after it, got '${argv.slice(1).join(' ')}'`, null);
  if (namesUnknownCommand(program, argv)) argv = argv.filter((w) => !HELP_AND_VERSION_FLAGS.has(w));
  const target = commandOf(program, argv);
  const where = target?.path ?? null;
  const noSubcommand = missingSubcommand(target, argv.slice(where?.split(' ').length ?? 0));
  if (noSubcommand) return usage(ctx, noSubcommand, where);
  try {
    for (const warning of checkEnv()) ctx.err.write(`${warning}\n`);
    const depth = where?.split(' ').length ?? 0;
    const args = target ? [...argv.slice(0, depth), ...booleanValues(target.command, argv.slice(depth), target.path)] : argv;
    await program.parseAsync(args, { from: 'user' });
    if (isProfiling()) writeProfile(ctx.err);
    return ctx.exitCode ?? 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(ctx, e.message, e.command ?? where);
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      const message = e.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)');
      // `rnnlab cache bogus` lists cache's own commands (ls, clean), not the top-level ones.
      const parent = target && target.command.commands.length ? target.command : program;
      if (e.code === 'commander.excessArguments' && target) return usage(ctx, strayWords(target.command), where);
      return usage(ctx, e.code === 'commander.unknownCommand' ? `${message.replace(/\.$/, '')}; commands are ${namesOf(parent)}` : message, where);
    }
    const err = e as Error;
    const kind = failureKind(e);
    ctx.err.write(`${where ? `rnnlab ${where}` : 'rnnlab'}: ${kind}: ${err?.message ?? String(e)}\n`);
    if (!(e instanceof EnvError) && envFlag('RNNLAB_DEBUG') && err?.stack) ctx.err.write(`${err.stack}\n`);
    return 1;
  }
}
