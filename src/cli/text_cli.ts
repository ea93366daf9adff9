/**
 * What `rnnlab train` and `rnnlab evaluate` share: flag parsers, the data-reading flags, and turning task errors
 * into messages that name the flag.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { TEXT_FORMATS, type TextFormat } from '../data/text_dataset.js';
import { MAX_MAXLEN } from '../data/text_vectorizer.js';
import { labelValue, sameNumberLabels } from '../data/text_labels.js';
import type { OptionNames } from '../data/text_options.js';
import { TextOptionError } from '../tasks/text_model.js';
import { SEQ2SEQ_SPEC_FILE } from '../seq2seq/store.js';
import { envFlag, EnvError } from '../env.js';
import { failureKind, UsageError, type CliContext } from './context.js';
import { convertFlag, type FlagSpec } from './flags.js';

type NumberSpec = Pick<FlagSpec, 'min' | 'max' | 'above' | 'below'> & { kind?: 'int' | 'number' };

export function kebab(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Sizes that allocate memory in proportion (maxlen, units, embedding size) stop here, as on rnnlab imdb; the
 * vectorizer's own cap, so --maxlen auto stops where a given --maxlen does.
 */
export const MAX_SIZE = MAX_MAXLEN;

// The value parsers are convertFlag's (flags.ts), as on the other commands: a bad value throws UsageError, which main
// prints as `rnnlab train: error: --maxlen must be ...`, exit code 2.

function numberFlag(flag: string, spec: NumberSpec) {
  return (v: string): number => convertFlag(flag.replace(/^--/, ''), { kind: 'int', ...spec }, v) as number;
}

export function positiveInt(flag: string, max?: number) {
  return numberFlag(flag, { min: 1, max });
}

/** 0 or more (train's --early-stopping patience: Keras's default patience is 0). */
export function nonNegativeInt(flag: string) {
  return numberFlag(flag, { min: 0 });
}

/** Any integer (a seed: 0 and negative ones too, as on the other commands). */
export function integer(flag: string) {
  return numberFlag(flag, {});
}

/** A size or 'auto' (train's --maxlen, seq2seq's --max-source-len): 'auto', or a positive integer up to max. */
export function sizeOrAuto(flag: string, max: number) {
  const size = numberFlag(flag, { min: 1, max });
  return (v: string): number | 'auto' => {
    if (v === 'auto') return 'auto';
    try {
      return size(v);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const tooLarge = /^\s*\+?\d+\s*$/.test(v) && Number(v) > max;
      throw new UsageError(`${flag} ${tooLarge ? `must be a positive integer up to ${max}` : 'expects a positive integer'} or auto, got '${v}'`, e.command);
    }
  };
}

/** A fraction in (0, 1), or [0, 1) when `open` is false. */
export function fraction(flag: string, open = true) {
  return numberFlag(flag, { kind: 'number', below: 1, ...(open ? { above: 0 } : { min: 0 }) });
}

export function nameList(flag: string) {
  return (v: string): string[] => {
    const names = v.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) throw new UsageError(`${flag} takes comma-separated names, e.g. pos,neg; got '${v}'`);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new UsageError(`${flag} names '${twice}' twice; give each once`);
    return names;
  };
}

/**
 * --classes: as nameList, and names that are all numbers are read by value, as labels are (text_labels.ts: a file's
 * labels 1 and 1.0 are one class), so two spellings of one number would name one class twice.
 */
export function classNameList(flag: string) {
  const list = nameList(flag);
  return (v: string): string[] => {
    const names = list(v);
    const same = names.every((n) => labelValue(n) !== null) ? sameNumberLabels(names) : null;
    if (same) {
      throw new UsageError(`${flag} names '${same[0]}' and '${same[1]}', two spellings of one number: class names that are all numbers are read by value, ` +
        `as labels are, so they would be one class; give it once`);
    }
    return names;
  };
}

/** --data and the flags that say how to read it. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--data <path>', 'CSV/TSV with a header, JSON Lines (.jsonl), or a folder of class subfolders of .txt files')
    .option('--text-column <name>', 'the text column / field (default: the first of text, sentence, review, content, body, tweet, ...)')
    .option('--label-column <name>', 'the label column / field (default: the first of label, sentiment, class, category, target, ...)')
    .option('--classes <a,b,...>', 'folder data: the class subfolders to read (e.g. pos,neg for aclImdb)', classNameList('--classes'))
    .option('--skip-bad-rows', 'skip rows that cannot be read (and count them) instead of stopping at the first')
    .addOption(choice('--format <kind>', 'how to read --data (default from its name: a folder, .jsonl/.json, .tsv, else CSV)', TEXT_FORMATS));
}

/** Why the model in `dir` (a model folder) is no classifier, or null: a seq2seq model is one for rnnlab translate. */
export function notAClassifier(dir: string): string | null {
  return existsSync(path.join(dir, SEQ2SEQ_SPEC_FILE)) ? `${dir} holds a seq2seq model (rnnlab seq2seq), not a text classifier; decode texts with rnnlab translate` : null;
}

/**
 * Flags that apply to one kind of --data only: --classes picks class subfolders (with a file it would be found
 * wrong only once read), and --text-column / --label-column name columns of a file (a folder's texts are its files and
 * its labels the subfolder names, so they would do nothing). `others`: more data paths the flags apply to (train's
 * --validation, which may be a file where --data is a folder). Also --text-column and --label-column naming one column.
 */
export function checkDataKindFlags(f: DataFlags, command: string, others: readonly (string | undefined)[] = []): void {
  const isFolder = (p: string) => statSync(p).isDirectory();
  if (f.classes !== undefined && !isFolder(f.data)) {
    throw new UsageError(`--classes picks class subfolders of a folder --data, but ${f.data} is a file; keep only the rows you want in it instead`, command);
  }
  // Both given as one name: a conflict of the flags, seen without reading the data (a name that differs only in case
  // may be two columns, 'Text' and 'text', so only the same spelling is refused here).
  if (f.textColumn !== undefined && f.textColumn === f.labelColumn) {
    throw new UsageError(`--text-column and --label-column both name the column '${f.textColumn}'; the text and the label must be two columns`, command);
  }
  const column = f.textColumn !== undefined ? '--text-column' : f.labelColumn !== undefined ? '--label-column' : null;
  if (column && [f.data, ...others].every((p) => p === undefined || isFolder(p))) {
    throw new UsageError(`${column} names a column of a CSV, TSV or JSON Lines file, but ${f.data} is a folder: its texts are its files and its labels the subfolder names`, command);
  }
}

export interface DataFlags { data: string; textColumn?: string; labelColumn?: string; classes?: string[]; skipBadRows?: boolean; format?: TextFormat }

/** How data messages name train's options (it has no --label-map). */
export const TRAIN_OPTION_NAMES: OptionNames = {
  textColumn: '--text-column', labelColumn: '--label-column', skipBadRows: '--skip-bad-rows', format: '--format', classes: '--classes',
  labelMap: null, validationSplit: '--validation-split', validation: '--validation', limit: '--limit',
};

/** How data messages name evaluate's options (no split, no limit). */
export const EVALUATE_OPTION_NAMES: OptionNames = {
  ...TRAIN_OPTION_NAMES, labelMap: '--label-map', validationSplit: null, validation: null, limit: null,
};

export function dataOptions(f: DataFlags, optionNames: OptionNames) {
  return { textColumn: f.textColumn ?? null, labelColumn: f.labelColumn ?? null, classes: f.classes ?? null, skipBadRows: !!f.skipBadRows, format: f.format, optionNames };
}

export function choice(flags: string, help: string, values: readonly string[]): Option {
  return new Option(flags, help).choices(values);
}

/** Reports a failed command: bad option values exit 2 naming the flag, data problems 1. */
export function reportFailure(ctx: CliContext, command: string, e: unknown): void {
  if (e instanceof TextOptionError) {
    ctx.err.write(`rnnlab ${command}: error: ${kebab(e.option)}: ${e.message.slice(e.option.length + 2)}\nRun 'rnnlab ${command} --help' for usage.\n`);
    ctx.exitCode = 2;
    return;
  }
  ctx.err.write(`rnnlab ${command}: ${failureKind(e)}: ${(e as Error)?.message ?? String(e)}\n`);
  // As main's handler does for the other commands (docs/CLI.md's exit codes): the stack on request.
  const stack = (e as Error)?.stack;
  if (!(e instanceof EnvError) && envFlag('RNNLAB_DEBUG') && stack) ctx.err.write(`${stack}\n`);
  ctx.exitCode = 1;
}
