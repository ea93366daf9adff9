/**
 * Flags as data: each command declares its flags once (kind, range, default, help) and addFlags turns them
 * into commander options whose parsers throw a UsageError naming the flag and what it accepts.
 */
import { existsSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { imdbPathProblem } from '../data/imdb_source.js';
import { isDecimalNumber } from '../data/text_labels.js';
import { OPTIMIZERS } from '../experiments/imdb_task.js';
import { IMDB_RUN_DEFAULTS } from '../experiments/lab_models.js';
import { UsageError, type CliContext } from './context.js';
import { POLICY_NAMES, checkPolicyName, setGlobalPolicy, type PolicyName } from '../mixed_precision.js';
import { checkRunFolder, type RunFolderWrites } from './paths.js';
import { ENV_VARS } from '../env.js';
import { float32Holds } from '../optimizers/float32.js';

export type FlagKind = 'int' | 'number' | 'string' | 'bool' | 'choice' | 'list' | 'path';

export interface FlagSpec {
  kind: FlagKind;
  help: string;
  /** Inclusive bounds for int and number. */
  min?: number;
  max?: number;
  /** Exclusive lower bound for number (e.g. a learning rate > 0). */
  above?: number;
  /** Exclusive upper bound for number (e.g. a fraction < 1). */
  below?: number;
  /** number: held in float32, as an optimizer holds its hyperparameters (Keras too): one float32 cannot hold is refused. */
  float32?: boolean;
  /** Allowed values of a choice, or of each item of a list. */
  choices?: readonly string[];
  /**
   * choice: why a value that is not a choice is refused, when there is more to say than the choices (else undefined).
   * path: why a path that exists cannot be used (a folder without the file the flag wants), else undefined.
   */
  whyNot?: (raw: string) => string | undefined;
  default?: string | number | boolean | string[];
  /** For help: the value's name (--epochs N). */
  metavar?: string;
  /** path: the file or folder must exist. */
  mustExist?: boolean;
  /** path: a run folder the command writes (--out), checked up front by checkRunFolder (src/cli/paths.ts). */
  runFolder?: RunFolderWrites;
  required?: boolean;
}

export type Flags = Record<string, FlagSpec>;

export function describeRange(f: Omit<FlagSpec, 'help'>): string {
  const range = numberRange(f);
  return f.float32 ? `${range} that float32 holds (about 3.4e38 at most)` : range;
}

function numberRange(f: Omit<FlagSpec, 'help'>): string {
  const isInt = f.kind === 'int';
  const what = isInt ? 'an integer' : 'a number';
  if (f.above !== undefined || f.below !== undefined) {
    const lo = f.above !== undefined ? `(${f.above}` : f.min !== undefined ? `[${f.min}` : null;
    const hi = f.below !== undefined ? `${f.below})` : f.max !== undefined ? `${f.max}]` : null;
    if (lo && hi) return `${what} in ${lo}, ${hi}`;
    if (f.above !== undefined) return `${what} > ${f.above}`;
    return `${what} < ${f.below}`;
  }
  if (f.min !== undefined && f.max !== undefined) return `${isInt ? 'an integer' : 'a number'} from ${f.min} to ${f.max}`;
  if (f.min === 1 && isInt) return 'a positive integer';
  if (f.min === 0 && isInt) return 'a non-negative integer';
  if (f.min !== undefined) return `${isInt ? 'an integer' : 'a number'} >= ${f.min}`;
  if (f.max !== undefined) return `${isInt ? 'an integer' : 'a number'} <= ${f.max}`;
  return isInt ? 'an integer' : 'a number';
}

/** The value of --name raw, checked against its spec; cmd names the command in the error (main's default: the one run). */
export function convertFlag(name: string, f: Omit<FlagSpec, 'help'>, raw: string, cmd?: string): unknown {
  const bad = (what: string) => new UsageError(`--${name} ${what}, got '${raw}'`, cmd);
  switch (f.kind) {
    case 'int':
    case 'number': {
      const ok = f.kind === 'int' ? /^[+-]?\d+$/.test(raw.trim()) : isDecimalNumber(raw);
      const v = Number(raw);
      if (!ok || !Number.isFinite(v)) throw bad(`expects ${describeRange(f)}`);
      // Past 2^53 - 1 a written integer no longer names one number (9007199254740993 reads as ...992).
      if (f.kind === 'int' && !Number.isSafeInteger(v)) throw bad(`must be an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
      if ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max) || (f.above !== undefined && !(v > f.above)) || (f.below !== undefined && !(v < f.below))
        || (f.float32 && !float32Holds(v))) {
        throw bad(`must be ${describeRange(f)}`);
      }
      return v;
    }
    case 'choice': {
      if (f.choices!.includes(raw)) return raw;
      const why = f.whyNot?.(raw);
      if (why !== undefined) throw new UsageError(`--${name}: ${why}`, cmd);
      throw bad(`must be one of ${f.choices!.join(', ')}`);
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim());
      if (items.every((i) => i === '')) throw bad('expects a comma-separated list');
      // 'lstm,' or 'lstm,,gru' is most likely a name left out, not one to drop unsaid.
      if (items.includes('')) throw bad('has an empty item (a comma with no name after or before it); give the names separated by single commas');
      // A name given twice would be run once: said, rather than dropped unsaid.
      const twice = items.find((item, i) => items.indexOf(item) !== i);
      if (twice !== undefined) throw new UsageError(`--${name} names '${twice}' twice; give each once`, cmd);
      if (f.choices) {
        const unknown = items.filter((i) => !f.choices!.includes(i));
        if (unknown.length) throw new UsageError(`--${name}: unknown value${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; choose from ${f.choices.join(', ')}`, cmd);
      }
      return items;
    }
    case 'path': {
      if (raw === '') throw bad('expects a path');
      if (f.mustExist && !existsSync(raw)) throw new UsageError(`--${name}: no such file or folder: ${raw}`, cmd);
      const why = f.whyNot?.(raw);
      if (why !== undefined) throw new UsageError(`--${name}: ${why}: ${raw}`, cmd);
      if (f.runFolder) checkRunFolder(raw, cmd, f.runFolder, `--${name}`);
      return raw;
    }
    default:
      return raw;
  }
}

function metavar(f: FlagSpec): string {
  return f.metavar ?? (f.kind === 'int' || f.kind === 'number' ? 'N' : f.kind === 'choice' ? f.choices!.join('|') : f.kind === 'list' ? 'A,B,...' : 'VALUE');
}

/** Adds the flags to a commander command; `cmd` names the command in error messages ("imdb", "experiment reverse"). */
export function addFlags(command: Command, flags: Flags, cmd: string): Command {
  for (const [name, f] of Object.entries(flags)) {
    if (f.kind === 'bool') {
      const on = new Option(`--${name}`, f.help);
      if (f.default !== undefined) on.default(f.default);
      command.addOption(on);
      command.addOption(new Option(`--no-${name}`, `turn --${name} off`).hideHelp());
      continue;
    }
    const choices = f.kind === 'list' && f.choices ? ` [${f.choices.join(', ')}]` : '';
    const o = new Option(`--${name} <${metavar(f)}>`, `${f.help}${choices}`).argParser((raw: string) => convertFlag(name, f, raw, cmd));
    if (f.default !== undefined) o.default(f.default, Array.isArray(f.default) ? f.default.join(',') : String(f.default));
    if (f.required) o.makeOptionMandatory();
    command.addOption(o);
  }
  return command;
}

/** Description and examples under a command's --help. */
export function helpExtras(command: Command, o: { description?: string[]; examples?: string[] }): Command {
  const parts: string[] = [];
  if (o.description?.length) parts.push('', ...o.description);
  if (o.examples?.length) parts.push('', 'Examples:', ...o.examples.map((e) => `  ${e}`));
  if (parts.length) command.addHelpText('after', parts.join('\n'));
  return command;
}

// Flag groups the commands share.

export const OUT_FLAG: Flags = {
  out: { kind: 'path', metavar: 'DIR', runFolder: {}, help: 'where results.json, report.html and report.png go (default runs/<timestamp>-<name>/)' },
};

/**
 * The most kernel threads a flag takes: RNNLAB_THREADS's bound, since sweep and worker pass --threads to their runs
 * as RNNLAB_THREADS, which refuses more (every run would fail).
 */
export const MAX_THREADS = ENV_VARS.RNNLAB_THREADS.max;

export const VERBOSE_FLAG: Flags = {
  verbose: { kind: 'int', min: 0, max: 2, default: 1, help: 'training output: 0 silent, 1 Keras progress, 2 one line per epoch' },
  threads: { kind: 'int', min: 1, max: MAX_THREADS, help: 'kernel threads (default: all cores, or RNNLAB_THREADS)' },
};

/** Every --lr's range: an optimizer's rate is > 0 and held in float32. */
export const LR_RANGE = { kind: 'number', above: 0, float32: true } as const satisfies Omit<FlagSpec, 'help'>;

export const TRAIN_FLAGS: Flags = {
  epochs: { kind: 'int', min: 1, help: 'training epochs' },
  'batch-size': { kind: 'int', min: 1, help: 'samples per batch' },
  lr: { ...LR_RANGE, help: 'learning rate (optimizer default: 0.001 for adam, rmsprop and adamw, 0.01 for sgd)' },
  optimizer: { kind: 'choice', choices: OPTIMIZERS, default: IMDB_RUN_DEFAULTS.optimizer, help: 'optimizer' },
  seed: { kind: 'int', default: IMDB_RUN_DEFAULTS.seed, help: 'random seed for weights, shuffles and generated data' },
};

/** The training commands' compute precision (imdb, compare, addition, train, seq2seq); applyPrecision sets it. */
export const PRECISION_FLAG: Flags = {
  precision: { kind: 'choice', choices: POLICY_NAMES, default: 'float32', whyNot: unsupportedPolicy,
    help: 'float32, or mixed_bfloat16 (Keras\'s policy: bf16 products, fp32 sums and weights; float32 without AVX512-BF16)' },
};

/** Keras's policies rnnlab does not run (mixed_float16, bfloat16, ...) get the library's reason and what to use instead. */
function unsupportedPolicy(raw: string): string | undefined {
  try {
    checkPolicyName(raw, 'policy');
  } catch (e) {
    const message = (e as Error).message;
    return message.includes('is not supported') ? message : undefined;
  }
  return undefined;
}

/**
 * Sets the mixed precision policy --precision names (recorded as environment.engine.precision); a fallback is said on
 * stderr. Returns the precision in force, float32 where mixed_bfloat16 falls back.
 */
export function applyPrecision(flags: Record<string, unknown>, ctx: CliContext): PolicyName {
  return setGlobalPolicy(flags.precision === 'mixed_bfloat16' ? 'mixed_bfloat16' : 'float32', { warn: (m) => ctx.err.write(`${m}\n`) }).name;
}

export const IMDB_DATA_FLAGS: Flags = {
  vocab: { kind: 'int', min: 4, max: 100000, default: IMDB_RUN_DEFAULTS.vocab, help: 'vocabulary size: ids >= vocab become <UNK> (Keras num_words)' },
  maxlen: { kind: 'int', min: 1, max: 100000, default: IMDB_RUN_DEFAULTS.maxlen, help: 'review length after padding / truncation' },
  limit: { kind: 'int', min: 1, help: 'use only the first N training and N test reviews (quick runs)' },
  // The loader's own test, so a folder without the tarball is refused here naming --data, not later naming RNNLAB_DATA.
  data: { kind: 'path', mustExist: true, whyNot: imdbPathProblem, metavar: 'PATH', help: 'aclImdb_v1.tar.gz or a folder holding it (else RNNLAB_DATA, the cache, a download)' },
};

export const IMDB_MODEL_FLAGS: Flags = {
  'embedding-dim': { kind: 'int', min: 1, max: 100000, default: IMDB_RUN_DEFAULTS.embeddingDim, help: 'embedding size' },
  units: { kind: 'int', min: 1, max: 100000, help: 'recurrent units (100) or hidden Dense width of the feed-forward/CNN models (250)' },
  'mask-zero': { kind: 'bool', default: false, help: 'treat id 0 as padding the recurrent layers skip' },
  validate: { kind: 'bool', help: 'evaluate on the test set after every epoch (default: as the seed, only ff_raw and ff_embed)' },
};

export const BUCKET_FLAG: Flags = {
  bucket: { kind: 'bool', default: false, help: 'length-bucketed batches, each trimmed to its longest text (needs --mask-zero and a recurrent model; seeded)' },
};

/** Parses argv against flags alone (no action runs): the values commander would hand a command, or a UsageError. */
export function parseFlags(flags: Flags, argv: readonly string[], cmd: string): { flags: Record<string, unknown>; args: string[] } {
  const c = addFlags(new Command(cmd), flags, cmd).argument('[args...]').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  try {
    c.parse(booleanValues(c, argv, cmd), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new UsageError(e.message.replace(/^error: /, ''), cmd);
    throw e;
  }
  return { flags: c.opts(), args: c.args };
}

/**
 * Every boolean flag of every command (and a flag whose value is optional, such as train's --early-stopping) gets
 * its hidden `--no-<flag>`, as docs/CLI.md promises, unless the command declares one itself.
 */
export function addNegations(command: Command): void {
  for (const sub of command.commands) addNegations(sub);
  const declared = new Set(command.options.map((o) => o.long));
  for (const o of [...command.options]) {
    if (o.negate || !o.long || !(o.isBoolean() || o.optional)) continue;
    const no = `--no-${o.long.slice(2)}`;
    if (declared.has(no)) continue;
    command.addOption(new Option(no, `turn ${o.long} off`).hideHelp());
    declared.add(no);
  }
}

/** Whether `arg` is one of the command's flags (its long or short name, or help), as commander would read it. */
function isFlagOf(command: Command, arg: string): boolean {
  if (arg === '--help' || arg === '-h') return true;
  const name = arg.startsWith('--') ? arg.split('=')[0] : arg;
  return command.options.some((o) => o.long === name || o.short === name);
}

/**
 * A flag that takes a value given twice (`--epochs 3 ... --epochs 5`) is a usage error naming it, rather than
 * silently the last; so are a flag's on and off forms together (`--mask-zero --no-mask-zero`, or `--no-early-stopping`
 * after `--early-stopping 2`), which would keep the last one unsaid. A boolean said twice the same way is harmless.
 * Stops at `--`.
 */
export function checkRepeatedFlags(command: Command, argv: readonly string[], cmd: string): void {
  const seen = new Set<string>();
  const switched = new Map<string, { arg: string; on: boolean }>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const long = eq < 0 ? a : a.slice(0, eq);
    const o = command.options.find((x) => x.long === long);
    if (!o) continue;
    const on = switchedOn(o, eq < 0 ? undefined : a.slice(eq + 1));
    if (on !== undefined) {
      const key = o.negate ? `--${long.slice(5)}` : long;
      const before = switched.get(key);
      if (before && before.on !== on) throw new UsageError(`${before.arg} and ${a} contradict each other; give one of them`, cmd);
      switched.set(key, { arg: a, on });
    }
    if (o.negate || o.isBoolean()) continue;
    if (seen.has(long)) throw new UsageError(`${long} is given more than once; give it once`, cmd);
    seen.add(long);
    // commander would take the next flag as this one's value (`--out --epochs 3`: --out '--epochs', 3 a stray argument).
    const next = eq < 0 && o.required ? argv[i + 1] : undefined;
    if (next !== undefined && isFlagOf(command, next)) {
      throw new UsageError(`${long} expects a value, but the flag ${next.split('=')[0]} follows it (for a value that starts with -, write ${long}=${next})`, cmd);
    }
    if (eq < 0 && (o.required || (o.optional && i + 1 < argv.length && !argv[i + 1].startsWith('-')))) i++;
  }
}

const TRUE = ['1', 'true', 'yes', 'on'], FALSE = ['0', 'false', 'no', 'off'];

/**
 * Whether the argument turns its flag on or off, for the flags that have an off form (booleans and flags whose
 * value is optional); undefined for other flags and for values other checks refuse.
 */
function switchedOn(o: Option, value: string | undefined): boolean | undefined {
  if (o.negate) return false;
  if (!o.isBoolean() && !o.optional) return undefined;
  // Digits are an optional flag's own value (--early-stopping=0: patience 0), as booleanValues reads them.
  if (o.optional && value !== undefined && /^\d/.test(value)) return true;
  const v = value?.toLowerCase();
  if (v === undefined || TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  // An optional flag's own value (--early-stopping=3) turns it on; a boolean's stray word is refused elsewhere.
  return o.optional ? true : undefined;
}

/**
 * A boolean flag takes its value only after `=`: in `--fit false` commander turns --fit on and reads 'false' as an
 * argument (a text to tokenize, or a stray one). So a word that reads as a boolean right after a boolean flag (or
 * after a flag whose value is optional, when the word is not its number) is refused, naming the form it takes.
 */
export function checkSeparateBooleanWords(command: Command, argv: readonly string[], cmd: string): void {
  const end = argv.indexOf('--');
  const last = end < 0 ? argv.length : end;
  for (let i = 0; i + 1 < last; i++) {
    const a = argv[i], word = argv[i + 1].toLowerCase();
    if (!/^--[^=]+$/.test(a) || !(TRUE.includes(word) || FALSE.includes(word))) continue;
    const o = command.options.find((x) => x.long === a);
    if (!o || !(o.negate || o.isBoolean() || (o.optional && !/^\d/.test(word)))) continue;
    const texts = command.registeredArguments.length > 0 ? `; a text '${argv[i + 1]}' goes before ${a} or after --` : '';
    if (o.negate) throw new UsageError(`${a} takes no value, got '${a} ${argv[i + 1]}'; write ${a} alone (or --${a.slice(5)}=false)${texts}`, cmd);
    const name = a.slice(2);
    throw new UsageError(`${a} takes its value after '=', got '${a} ${argv[i + 1]}'; write --${name}=${argv[i + 1]}, or ${TRUE.includes(word) ? a : `--no-${name}`}${texts}`, cmd);
  }
}

/**
 * `--flag=true` / `--flag=no` as commander's `--flag` / `--no-flag`, for the boolean flags of command; first, a
 * value-taking flag given twice is refused (checkRepeatedFlags), and so is `--flag false` (checkSeparateBooleanWords).
 */
export function booleanValues(command: Command, argv: readonly string[], cmd: string): string[] {
  checkRepeatedFlags(command, argv, cmd);
  checkSeparateBooleanWords(command, argv, cmd);
  const end = argv.indexOf('--');
  return argv.map((a, i) => {
    if (end >= 0 && i > end) return a;
    const neg = /^--no-([^=]+)=/.exec(a);
    if (neg && command.options.some((o) => o.long === `--no-${neg[1]}` && o.negate)) {
      throw new UsageError(`--no-${neg[1]} takes no value; write --no-${neg[1]} or --${neg[1]}=false`, cmd);
    }
    const m = /^--([^=]+)=(.*)$/.exec(a);
    const opt = m ? command.options.find((o) => o.long === `--${m[1]}` && !o.negate) : undefined;
    if (!m || !opt) return a;
    const v = m[2].toLowerCase();
    // A flag whose value is optional (train's --early-stopping [patience]) is switched by the words too; digits stay its value.
    if (opt.optional && !/^\d/.test(v)) {
      if (TRUE.includes(v)) return `--${m[1]}`;
      if (FALSE.includes(v) && command.options.some((o) => o.long === `--no-${m[1]}` && o.negate)) return `--no-${m[1]}`;
      return a;
    }
    if (!opt.isBoolean()) return a;
    if (TRUE.includes(v)) return `--${m[1]}`;
    if (FALSE.includes(v)) return `--no-${m[1]}`;
    throw new UsageError(`--${m[1]} expects true or false, got '${m[2]}'`, cmd);
  });
}
