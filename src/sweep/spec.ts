/**
 * A sweep spec (YAML or JSON): a base command, fixed flags, the axes to vary (a grid, random samples or an
 * explicit list), seeds, and the metric that ranks the runs. Parsing checks every key and names the bad one,
 * so a typo never silently turns into a default.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export type FlagValue = string | number | boolean;

/** The commands a sweep can run (each writes a results.json with final metrics). */
export const SWEEP_COMMANDS = ['imdb', 'addition', 'train', 'seq2seq'] as const;
export type SweepCommand = (typeof SWEEP_COMMANDS)[number];

/** Flags a sweep sets itself for every run; a spec may not set them. */
const RESERVED_FLAGS = ['out', 'seed', 'resume', 'threads', 'verbose', 'help'];

export interface SweepSpec {
  command: SweepCommand;
  flags: Record<string, FlagValue>;
  /** Every combination of these values (a grid), or values to sample from (random), or none. */
  grid: Record<string, FlagValue[]>;
  /** Random search: draw this many combinations from `grid` (without repeats), seeded by `sampleSeed`. */
  samples: number | null;
  sampleSeed: number;
  /** Explicit combinations, tried as listed (instead of, or added to, the grid). */
  list: Record<string, FlagValue>[];
  seeds: number[];
  /** The metric that ranks runs, as results.json names it (snake_case or camelCase). */
  metric: string;
  /** 'max' for accuracies, 'min' for losses; default from the metric's name. */
  goal: 'max' | 'min';
  /** How many times a failed run is tried in all (a queue retries it on another worker). */
  attempts: number;
}

export class SweepSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepSpecError';
  }
}

const KNOWN_KEYS = ['command', 'flags', 'grid', 'samples', 'sample_seed', 'sampleSeed', 'list', 'seeds', 'metric', 'goal', 'attempts'];

function isFlagValue(v: unknown): v is FlagValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flag names as the CLI spells them: snake_case and camelCase both become kebab-case. */
export function flagName(key: string): string {
  return key.replace(/_/g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function checkFlagKey(where: string, key: string): string {
  const name = flagName(key);
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new SweepSpecError(`${where}: '${key}' is not a flag name`);
  if (RESERVED_FLAGS.includes(name)) {
    throw new SweepSpecError(`${where}: '${key}' is set by the sweep itself (${name === 'seed' ? 'use the top-level seeds list' : 'each run gets its own'})`);
  }
  return name;
}

function flagObject(where: string, v: unknown): Record<string, FlagValue> {
  if (!isPlainObject(v)) throw new SweepSpecError(`${where} must be a mapping of flag: value`);
  const out: Record<string, FlagValue> = {};
  for (const [k, val] of Object.entries(v)) {
    const name = checkFlagKey(where, k);
    if (!isFlagValue(val)) throw new SweepSpecError(`${where}.${k} must be a string, a number or true/false`);
    out[name] = val;
  }
  return out;
}

function positiveInt(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SweepSpecError(`${where} must be a positive whole number, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks a parsed document (the object form of the YAML/JSON) and fills in defaults. */
export function validateSpec(doc: unknown, source = 'sweep spec'): SweepSpec {
  if (!isPlainObject(doc)) throw new SweepSpecError(`${source}: the spec must be a mapping (command, flags, grid, seeds, metric)`);
  for (const k of Object.keys(doc)) {
    if (!KNOWN_KEYS.includes(k)) throw new SweepSpecError(`${source}: unknown key '${k}' (known: ${KNOWN_KEYS.filter((x) => x !== 'sampleSeed').join(', ')})`);
  }
  const command = doc.command;
  if (typeof command !== 'string' || !(SWEEP_COMMANDS as readonly string[]).includes(command)) {
    throw new SweepSpecError(`${source}: command must be one of ${SWEEP_COMMANDS.join(', ')}, got ${JSON.stringify(command)}`);
  }
  const flags = doc.flags === undefined ? {} : flagObject(`${source}: flags`, doc.flags);

  const grid: Record<string, FlagValue[]> = {};
  if (doc.grid !== undefined) {
    if (!isPlainObject(doc.grid)) throw new SweepSpecError(`${source}: grid must be a mapping of flag: [values]`);
    for (const [k, vals] of Object.entries(doc.grid)) {
      const name = checkFlagKey(`${source}: grid`, k);
      if (!Array.isArray(vals) || vals.length === 0) throw new SweepSpecError(`${source}: grid.${k} must be a non-empty list of values`);
      vals.forEach((v, i) => { if (!isFlagValue(v)) throw new SweepSpecError(`${source}: grid.${k}[${i}] must be a string, a number or true/false`); });
      if (new Set(vals.map(String)).size !== vals.length) throw new SweepSpecError(`${source}: grid.${k} lists a value twice`);
      if (name in flags) throw new SweepSpecError(`${source}: grid.${k} also appears in flags; a flag is either fixed or varied`);
      grid[name] = vals as FlagValue[];
    }
  }

  const list: Record<string, FlagValue>[] = [];
  if (doc.list !== undefined) {
    if (!Array.isArray(doc.list) || doc.list.length === 0) throw new SweepSpecError(`${source}: list must be a non-empty list of flag mappings`);
    doc.list.forEach((item, i) => {
      const f = flagObject(`${source}: list[${i}]`, item);
      for (const k of Object.keys(f)) if (k in flags) throw new SweepSpecError(`${source}: list[${i}].${k} also appears in flags; a flag is either fixed or varied`);
      list.push(f);
    });
  }

  let samples: number | null = null;
  if (doc.samples !== undefined) {
    samples = positiveInt(`${source}: samples`, doc.samples);
    if (Object.keys(grid).length === 0) throw new SweepSpecError(`${source}: samples draws from grid, but there is no grid`);
  }
  const sampleSeedRaw = doc.sample_seed ?? doc.sampleSeed ?? 1;
  if (typeof sampleSeedRaw !== 'number' || !Number.isInteger(sampleSeedRaw)) throw new SweepSpecError(`${source}: sample_seed must be a whole number`);

  let seeds = [1];
  if (doc.seeds !== undefined) {
    if (!Array.isArray(doc.seeds) || doc.seeds.length === 0) throw new SweepSpecError(`${source}: seeds must be a non-empty list of whole numbers`);
    seeds = doc.seeds.map((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new SweepSpecError(`${source}: seeds[${i}] must be a whole number ≥ 0, got ${JSON.stringify(s)}`);
      return s;
    });
    if (new Set(seeds).size !== seeds.length) throw new SweepSpecError(`${source}: seeds lists a seed twice`);
  }

  const metric = doc.metric ?? defaultMetric(command as SweepCommand);
  if (typeof metric !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(metric)) throw new SweepSpecError(`${source}: metric must be a metric name such as test_accuracy`);
  const goalRaw = doc.goal ?? (/loss|error/i.test(metric) ? 'min' : 'max');
  if (goalRaw !== 'max' && goalRaw !== 'min') throw new SweepSpecError(`${source}: goal must be max or min, got ${JSON.stringify(goalRaw)}`);
  const attempts = doc.attempts === undefined ? 3 : positiveInt(`${source}: attempts`, doc.attempts);

  return { command: command as SweepCommand, flags, grid, samples, sampleSeed: sampleSeedRaw, list, seeds, metric, goal: goalRaw, attempts };
}

export function defaultMetric(command: SweepCommand): string {
  return command === 'addition' || command === 'seq2seq' ? 'exact_match_accuracy' : 'test_accuracy';
}

/** Parses spec text; YAML is a superset of JSON, so one parser reads both, with line numbers in its errors. */
export function parseSpec(text: string, source = 'sweep spec'): SweepSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new SweepSpecError(`${source}: not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateSpec(doc, source);
}

export function readSpec(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SweepSpecError(`${file}: cannot read the sweep spec (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSpec(text, file);
}
