/**
 * The rnnlab command. main(argv) runs one command and resolves to its exit code: 0 done, 1 failed,
 * 2 usage error (a bad flag or value, named in the message).
 */
import { DataError } from '../data/index.js';
import { checkEnv, envFlag, EnvError } from '../env.js';
import { rnnlabVersion } from '../report/run.js';
import { additionSpec, runAddition } from './addition.js';
import { helpText, parseArgs, UsageError, type CommandSpec, type Parsed } from './args.js';
import { compareSpec, runCompare } from './compare.js';
import { EXPERIMENTS, experimentSpec, runExperiment } from './experiment.js';
import { imdbSpec, runImdb } from './imdb.js';
import { processIo, type Io } from './io.js';
import { predictSpec, runPredict } from './predict.js';
import { runTokenize, tokenizeSpec } from './tokenize.js';
import { serveSpec } from '../server/spec.js';

export type { Io, Writer } from './io.js';

interface Command { spec: CommandSpec; run: (parsed: Parsed, io: Io, argv: readonly string[]) => Promise<number> }

const COMMANDS: Record<string, Command> = {
  imdb: { spec: imdbSpec, run: runImdb },
  compare: { spec: compareSpec, run: runCompare },
  addition: { spec: additionSpec, run: runAddition },
  tokenize: { spec: tokenizeSpec, run: runTokenize },
  predict: { spec: predictSpec, run: (p, io) => runPredict(p, io) },
  serve: { spec: serveSpec, run: async (p, io) => (await import('../server/index.js')).runServe(p, io) },
};

export function mainHelp(): string {
  const rows: [string, string][] = [
    ['imdb --model NAME', imdbSpec.summary],
    ['compare [--models a,b]', compareSpec.summary],
    ['addition', additionSpec.summary],
    ['experiment NAME', `${experimentSpec.summary} (${Object.keys(EXPERIMENTS).join(', ')})`],
    ['tokenize "text"', tokenizeSpec.summary],
    ['predict --model DIR "text"', predictSpec.summary],
    ['serve [--port 8787]', serveSpec.summary],
  ];
  return [
    `rnnlab ${rnnlabVersion()}: recurrent neural networks in TypeScript, and CS109B Lab 8 on real data.`,
    '',
    'Usage: rnnlab <command> [options]',
    '',
    'Commands:',
    ...rows.map(([c, s]) => `  ${c.padEnd(28)} ${s}`),
    '',
    'Every training run writes results.json, report.html and report.png to --out (default runs/<timestamp>-<name>/).',
    'rnnlab <command> --help shows a command\'s options; rnnlab --version its version.',
  ].join('\n');
}

function usage(io: Io, err: UsageError): number {
  const cmd = err.command ? `rnnlab ${err.command}` : 'rnnlab';
  io.err.write(`${cmd}: error: ${err.message}\nRun '${cmd} --help' for usage.\n`);
  return 2;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    for (const warning of checkEnv()) io.err.write(`${warning}\n`);
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      if (name === 'help' && rest[0] && (COMMANDS[rest[0]] || rest[0] === 'experiment')) return main([rest[0], '--help'], io);
      io.out.write(`${mainHelp()}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      io.out.write(`${rnnlabVersion()}\n`);
      return 0;
    }
    if (name === 'experiment') {
      const first = rest[0];
      if (first === undefined || first === '--help' || first === '-h') {
        if (first === undefined) throw new UsageError(`name an experiment: ${Object.keys(EXPERIMENTS).join(', ')}`, 'experiment');
        io.out.write(`${helpText(experimentSpec)}\n`);
        return 0;
      }
      const e = EXPERIMENTS[first];
      if (!e) {
        throw new UsageError(first.startsWith('-') ? `the experiment name comes first: rnnlab experiment NAME [options] (${Object.keys(EXPERIMENTS).join(', ')})`
          : `unknown experiment '${first}'; choose one of ${Object.keys(EXPERIMENTS).join(', ')}`, 'experiment');
      }
      const parsed = parseArgs(e.spec, rest.slice(1));
      if (parsed.help) { io.out.write(`${helpText(e.spec)}\n`); return 0; }
      return await runExperiment(first, e, parsed, io, argv);
    }
    const cmd = COMMANDS[name];
    if (!cmd) {
      throw new UsageError(name.startsWith('-') ? `unknown option '${name}'; give a command first: ${[...Object.keys(COMMANDS), 'experiment'].join(', ')}`
        : `unknown command '${name}'; commands are ${[...Object.keys(COMMANDS), 'experiment'].join(', ')}`);
    }
    const parsed = parseArgs(cmd.spec, rest);
    if (parsed.help) { io.out.write(`${helpText(cmd.spec)}\n`); return 0; }
    return await cmd.run(parsed, io, argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e);
    const err = e as Error;
    const where = name && (COMMANDS[name] || name === 'experiment') ? `rnnlab ${name}` : 'rnnlab';
    io.err.write(`${where}: ${e instanceof DataError ? 'data error' : 'error'}: ${err?.message ?? String(e)}\n`);
    if (!(e instanceof EnvError) && envFlag('RNNLAB_DEBUG') && err?.stack) io.err.write(`${err.stack}\n`);
    return 1;
  }
}
