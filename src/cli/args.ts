/**
 * Flag parsing and validation for the rnnlab command. Every bad value becomes a UsageError that names the
 * flag and what it accepts; main prints it with a pointer to --help and exits with code 2.
 */
import { existsSync } from 'node:fs';

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagKind = 'int' | 'number' | 'string' | 'bool' | 'choice' | 'list' | 'path';

export interface FlagSpec {
  kind: FlagKind;
  help: string;
  /** Inclusive bounds for int and number. */
  min?: number;
  max?: number;
  /** Exclusive lower bound for number (e.g. a learning rate > 0). */
  above?: number;
  /** Allowed values of a choice, or of each item of a list. */
  choices?: readonly string[];
  default?: string | number | boolean | string[];
  /** For help: the value's name (--epochs N). */
  metavar?: string;
  /** path: the file or folder must exist. */
  mustExist?: boolean;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line after "rnnlab ". */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments, for help. */
  positionals?: { name: string; help: string }[];
  /** Longer description printed under the usage line. */
  description?: string[];
  examples?: string[];
}

export interface Parsed {
  /** camelCase keys; defaults filled in. */
  flags: Record<string, unknown>;
  positionals: string[];
  help: boolean;
  /** camelCase names of the flags given on the command line. */
  given: Set<string>;
}

export const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function describeRange(f: FlagSpec): string {
  const isInt = f.kind === 'int';
  if (f.above !== undefined) return `a number > ${f.above}`;
  if (f.min !== undefined && f.max !== undefined) return `${isInt ? 'an integer' : 'a number'} from ${f.min} to ${f.max}`;
  if (f.min === 1 && isInt) return 'a positive integer';
  if (f.min === 0 && isInt) return 'a non-negative integer';
  if (f.min !== undefined) return `${isInt ? 'an integer' : 'a number'} >= ${f.min}`;
  if (f.max !== undefined) return `${isInt ? 'an integer' : 'a number'} <= ${f.max}`;
  return isInt ? 'an integer' : 'a number';
}

function convert(name: string, f: FlagSpec, raw: string, cmd: string): unknown {
  const bad = (what: string) => new UsageError(`--${name} ${what}, got '${raw}'`, cmd);
  switch (f.kind) {
    case 'int':
    case 'number': {
      const ok = f.kind === 'int' ? /^[+-]?\d+$/.test(raw.trim()) : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim());
      const v = Number(raw);
      if (!ok || !Number.isFinite(v) || (f.kind === 'int' && !Number.isSafeInteger(v))) throw bad(`expects ${describeRange(f)}`);
      if ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max) || (f.above !== undefined && !(v > f.above))) {
        throw bad(`must be ${describeRange(f)}`);
      }
      return v;
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw bad('expects true or false');
    }
    case 'choice':
      if (!f.choices!.includes(raw)) throw bad(`must be one of ${f.choices!.join(', ')}`);
      return raw;
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) throw bad('expects a comma-separated list');
      if (f.choices) {
        const unknown = items.filter((i) => !f.choices!.includes(i));
        if (unknown.length) throw new UsageError(`--${name}: unknown value${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; choose from ${f.choices.join(', ')}`, cmd);
      }
      return items;
    }
    case 'path':
      if (raw === '') throw bad('expects a path');
      if (f.mustExist && !existsSync(raw)) throw new UsageError(`--${name}: no such file or folder: ${raw}`, cmd);
      return raw;
    default:
      return raw;
  }
}

/** Parses argv (after the command name) against a spec. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags: Record<string, unknown> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  const cmd = spec.name;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (tok === '-h' || tok === '--help') { help = true; continue; }
    if (!tok.startsWith('-') || tok === '-' || /^-\d/.test(tok)) { positionals.push(tok); continue; }
    if (!tok.startsWith('--')) throw new UsageError(`unknown option '${tok}' (options are spelled --name)`, cmd);
    const eq = tok.indexOf('=');
    let name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
    let value: string | undefined = eq >= 0 ? tok.slice(eq + 1) : undefined;
    let f = spec.flags[name];
    if (!f && name.startsWith('no-') && spec.flags[name.slice(3)]?.kind === 'bool' && value === undefined) {
      name = name.slice(3);
      f = spec.flags[name];
      value = 'false';
    }
    if (!f) {
      const close = Object.keys(spec.flags).filter((k) => k.startsWith(name.slice(0, 3)) || name.startsWith(k.slice(0, 3)));
      throw new UsageError(`unknown option '--${name}' for 'rnnlab ${cmd}'${close.length ? ` (did you mean ${close.map((c) => `--${c}`).join(' or ')}?)` : ''}`, cmd);
    }
    if (value === undefined) {
      if (f.kind === 'bool') value = 'true';
      else {
        if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) throw new UsageError(`--${name} needs a value (${valueHint(f)})`, cmd);
        value = argv[++i];
      }
    }
    flags[camel(name)] = convert(name, f, value, cmd);
    given.add(camel(name));
  }
  if (!help) {
    for (const [name, f] of Object.entries(spec.flags)) {
      const key = camel(name);
      if (!(key in flags) && f.default !== undefined) flags[key] = f.default;
      if (f.required && !(key in flags)) throw new UsageError(`--${name} is required (${valueHint(f)})`, cmd);
    }
  }
  return { flags, positionals, help, given };
}

function valueHint(f: FlagSpec): string {
  if (f.kind === 'choice' || (f.kind === 'list' && f.choices)) return `one of ${f.choices!.join(', ')}`;
  if (f.kind === 'int' || f.kind === 'number') return describeRange(f);
  if (f.kind === 'path') return 'a path';
  return 'a value';
}

/** The --help text of a command. */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: rnnlab ${spec.usage}`, '', spec.summary];
  if (spec.description?.length) lines.push('', ...spec.description);
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.help}`);
  }
  const entries = Object.entries(spec.flags);
  if (entries.length) {
    lines.push('', 'Options:');
    for (const [name, f] of entries) {
      const mv = f.kind === 'bool' ? '' : ` ${f.metavar ?? (f.kind === 'int' || f.kind === 'number' ? 'N' : f.kind === 'choice' ? f.choices!.join('|') : f.kind === 'list' ? 'A,B,...' : 'VALUE')}`;
      const left = `  --${name}${mv}`;
      const def = f.default !== undefined && f.default !== false ? ` (default: ${Array.isArray(f.default) ? f.default.join(',') : String(f.default)})` : '';
      const choices = f.kind === 'list' && f.choices ? ` [${f.choices.join(', ')}]` : '';
      lines.push(left.length > 30 ? `${left}\n${' '.repeat(31)}${f.help}${choices}${def}` : `${left.padEnd(30)} ${f.help}${choices}${def}`);
    }
    lines.push(`  ${'--help'.padEnd(28)} show this help`);
  }
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

// Flag groups the commands share.

export const OUT_FLAG: Record<string, FlagSpec> = {
  out: { kind: 'path', metavar: 'DIR', help: 'where results.json, report.html and report.png go (default runs/<timestamp>-<name>/)' },
};

export const VERBOSE_FLAG: Record<string, FlagSpec> = {
  verbose: { kind: 'int', min: 0, max: 2, default: 1, help: 'training output: 0 silent, 1 Keras progress, 2 one line per epoch' },
  threads: { kind: 'int', min: 1, max: 1024, help: 'kernel threads (default: all cores, or RNNLAB_THREADS)' },
};

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  epochs: { kind: 'int', min: 1, help: 'training epochs' },
  'batch-size': { kind: 'int', min: 1, help: 'samples per batch' },
  lr: { kind: 'number', above: 0, help: 'learning rate (optimizer default: 0.001 for adam and rmsprop, 0.01 for sgd)' },
  optimizer: { kind: 'choice', choices: ['adam', 'rmsprop', 'sgd'], default: 'adam', help: 'optimizer' },
  seed: { kind: 'int', default: 1, help: 'random seed for weights, shuffles and generated data' },
};

export const IMDB_DATA_FLAGS: Record<string, FlagSpec> = {
  vocab: { kind: 'int', min: 4, max: 100000, default: 10000, help: 'vocabulary size: ids >= vocab become <UNK> (Keras num_words)' },
  maxlen: { kind: 'int', min: 1, max: 100000, default: 500, help: 'review length after padding / truncation' },
  limit: { kind: 'int', min: 1, help: 'use only the first N training and N test reviews (quick runs)' },
  data: { kind: 'path', mustExist: true, metavar: 'PATH', help: 'aclImdb_v1.tar.gz or a folder holding it (else RNNLAB_DATA, the cache, a download)' },
};

export const IMDB_MODEL_FLAGS: Record<string, FlagSpec> = {
  'embedding-dim': { kind: 'int', min: 1, max: 100000, default: 100, help: 'embedding size' },
  units: { kind: 'int', min: 1, max: 100000, help: 'recurrent units (100) or hidden Dense width of the feed-forward/CNN models (250)' },
  'mask-zero': { kind: 'bool', default: false, help: 'treat id 0 as padding the recurrent layers skip' },
  validate: { kind: 'bool', help: 'evaluate on the test set after every epoch (default: as the seed, only ff_raw and ff_embed)' },
};
