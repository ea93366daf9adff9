/**
 * What `rnnlab train` and `rnnlab evaluate` share: the CLI context (declared here until src/cli/context.ts lands),
 * flag parsers, the data-reading flags, and turning task errors into messages that name the flag.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DataError } from '../data/errors.js';
import { TEXT_FORMATS, type TextFormat } from '../data/text_dataset.js';
import { TextOptionError } from '../tasks/text_model.js';
import type { CliContext } from './context.js';


export function kebab(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a positive integer, got '${v}'`);
    return n;
  };
}

export function fraction(flag: string, open = true) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1 || (open && n === 0)) {
      throw new InvalidArgumentError(`${flag} takes a number in ${open ? '(0, 1)' : '[0, 1)'}, got '${v}'`);
    }
    return n;
  };
}

export function nameList(flag: string) {
  return (v: string): string[] => {
    const names = v.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) throw new InvalidArgumentError(`${flag} takes comma-separated names, e.g. pos,neg; got '${v}'`);
    return names;
  };
}

/** --data and the flags that say how to read it. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--data <path>', 'CSV/TSV with a header, JSON Lines (.jsonl), or a folder of class subfolders of .txt files')
    .option('--text-column <name>', 'the text column / field (default: the first of text, sentence, review, content, body, tweet, ...)')
    .option('--label-column <name>', 'the label column / field (default: the first of label, sentiment, class, category, target, ...)')
    .option('--classes <a,b,...>', 'folder data: the class subfolders to read (e.g. pos,neg for aclImdb)', nameList('--classes'))
    .option('--skip-bad-rows', 'skip rows that cannot be read (and count them) instead of stopping at the first')
    .addOption(choice('--format <kind>', 'how to read --data (default from its name: a folder, .jsonl/.json, .tsv, else CSV)', TEXT_FORMATS));
}

export interface DataFlags { data: string; textColumn?: string; labelColumn?: string; classes?: string[]; skipBadRows?: boolean; format?: TextFormat }

export function dataOptions(f: DataFlags) {
  return { textColumn: f.textColumn ?? null, labelColumn: f.labelColumn ?? null, classes: f.classes ?? null, skipBadRows: !!f.skipBadRows, format: f.format };
}

export function choice(flags: string, help: string, values: readonly string[]): Option {
  return new Option(flags, help).choices(values);
}

/** Reports a failed command: bad option values exit 2 naming the flag, data problems 1. */
export function reportFailure(ctx: CliContext, command: string, e: unknown): void {
  if (e instanceof TextOptionError) {
    ctx.err.write(`rnnlab ${command}: error: ${kebab(e.option)}: ${e.message.slice(e.option.length + 2)}\n`);
    ctx.exitCode = 2;
    return;
  }
  const kind = e instanceof DataError ? 'data error' : 'error';
  ctx.err.write(`rnnlab ${command}: ${kind}: ${(e as Error)?.message ?? String(e)}\n`);
  ctx.exitCode = 1;
}
