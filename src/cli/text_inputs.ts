/** What `rnnlab predict` and `rnnlab translate` share: texts as arguments, or read from --file PATH ('-' for stdin). */
import type { Command } from 'commander';
import { UsageError } from './context.js';
import { addFlags, helpExtras, type Flags } from './flags.js';
import { checkInputFile } from './paths.js';

export interface TextInputCommand {
  name: string;
  summary: string;
  usage: string;
  /** The help of the [text...] argument. */
  textsHelp: string;
  flags: Flags;
  examples: string[];
}

/** Declares the command: its [text...] argument, its flags and a help that tells how to pass a text starting with "-". */
export function textInputCommand(program: Command, c: TextInputCommand): Command {
  const cmd = program.command(c.name).summary(c.summary).description(c.summary).usage(c.usage).argument('[text...]', c.textsHelp);
  addFlags(cmd, c.flags, c.name);
  return helpExtras(cmd, {
    description: ['A text that starts with "-" would be taken for a flag: put -- before it, or use --file.'],
    examples: c.examples,
  });
}

/** Usage errors: texts given both ways or neither (`missing` says what to give), or a --file that is missing, a folder or unreadable. */
export function checkTextInputs(command: string, texts: string[], file: string | undefined, missing: string): void {
  if (file !== undefined && texts.length) throw new UsageError('give texts as arguments or --file, not both', command);
  if (file === undefined && texts.length === 0) throw new UsageError(missing, command);
  if (file !== undefined && file !== '-') checkInputFile('--file', file, command);
}
