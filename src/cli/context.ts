/**
 * What every command file gets from main: where to print, and where to leave its exit code. A command file
 * exports `register(program, ctx)`, adds one commander command, and its action sets `ctx.exitCode`
 * (0 done, 1 failed; usage errors throw UsageError, which main turns into exit code 2).
 */
import { DataError } from '../data/errors.js';
import { CheckpointError, ModelFormatError } from '../io/errors.js';

export interface Writer { write(s: string): unknown; isTTY?: boolean }

export interface CliContext {
  out: Writer;
  err: Writer;
  exitCode?: number;
}

/** A bad flag, value or argument: main prints it with a pointer to --help and exits with code 2. */
export class UsageError extends Error {
  /** command: the command path after "rnnlab" ("imdb", "experiment reverse"), for the pointer to its --help. */
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * How a failure (exit code 1) is labelled: bad input files (data, a damaged or unusable checkpoint, a damaged model
 * folder: model.json, its weights, rnnlab-input.json), named in the message, are data errors; the rest errors.
 */
export function failureKind(e: unknown): 'data error' | 'error' {
  return e instanceof DataError || e instanceof CheckpointError || e instanceof ModelFormatError ? 'data error' : 'error';
}

export const processContext = (): CliContext => ({ out: process.stdout, err: process.stderr });

/** The signals a long command (a sweep, a worker) treats as Ctrl-C: the first stops it cleanly, the second at once. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
