/**
 * A sweep spec (YAML or JSON): a base command, fixed flags, the axes to vary (a grid, random samples or an
 * explicit list), seeds, and the metric that ranks the runs. Parsing checks every key and names the bad one,
 * so a typo never silently turns into a default.
 */
import { parse as parseYaml } from 'yaml';
import { nearName } from '../near_name.js';
import { isPlainObject } from '../plain_object.js';
import { metricKey } from './outcome.js';

export type FlagValue = string | number | boolean;

/** The commands a sweep can run (each writes a results.json with final metrics and takes the sweep's per-run flags). */
export const SWEEP_COMMANDS = ['imdb', 'addition'] as const;
export type SweepCommand = (typeof SWEEP_COMMANDS)[number];

/** The final metrics each command's results.json reports (camelCase), so a misspelt `metric` is refused up front. */
export const COMMAND_METRICS: Record<SweepCommand, readonly string[]> = {
  imdb: ['testAccuracy', 'testLoss', 'trainAccuracy', 'trainLoss'],
  addition: ['perCharAccuracy', 'exactMatchAccuracy', 'trainAccuracy', 'valLoss'],
};

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** The most settings a sweep runs (a grid without samples may not expand to more). */
export const MAX_SETTINGS = 100_000;

/**
 * The most runs (settings × seeds): each run is an entry of sweep.json, which is rewritten as the sweep goes; a few
 * lines of seeds would otherwise expand to millions of runs, and gigabytes, before the first one started.
 */
export const MAX_RUNS = 100_000;

/** The number of combinations a grid expands to (not exact above Number.MAX_SAFE_INTEGER: gridCount is). */
export function gridSize(grid: Record<string, FlagValue[]>): number {
  return Object.values(grid).reduce((n, v) => n * v.length, 1);
}

/** The exact number of combinations a grid expands to, however large: sampling a few from 10^18 needs no more. */
export function gridCount(grid: Record<string, FlagValue[]>): bigint {
  return Object.values(grid).reduce((n, v) => n * BigInt(v.length), 1n);
}

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

/** Why a value is not a flag value: YAML's .nan and .inf are numbers, just not finite ones. */
function flagValueProblem(v: unknown): string {
  return typeof v === 'number' ? `must be a finite number, got ${v}` : 'must be a string, a number or true/false';
}

/** Flag names as the CLI spells them: snake_case and camelCase both become kebab-case. */
export function flagName(key: string): string {
  return key.replace(/_/g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The flag names each command takes (kebab-case), when the caller knows them: spec flags are checked against them. */
export type CommandFlagNames = Partial<Record<SweepCommand, readonly string[]>>;

function checkFlagKey(where: string, key: string, known?: readonly string[], command?: string): string {
  const name = flagName(key);
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new SweepSpecError(`${where}: '${key}' is not a flag name`);
  if (RESERVED_FLAGS.includes(name)) {
    throw new SweepSpecError(`${where}: '${key}' is set by the sweep itself (${name === 'seed' ? 'use the top-level seeds list' : 'each run gets its own'})`);
  }
  if (known && !known.includes(name)) {
    const near = nearName(name, known.filter((n) => !RESERVED_FLAGS.includes(n)));
    throw new SweepSpecError(`${where}: '${key}' is not a flag of rnnlab ${command}${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  return name;
}

/** Two keys that spell one flag (rnn and RNN, training-size and training_size) are refused, naming both. */
function claim(seen: Map<string, string>, where: string, key: string, name: string): void {
  const other = seen.get(name);
  if (other !== undefined) throw new SweepSpecError(`${where}: '${other}' and '${key}' both name the flag --${name}; keep one`);
  seen.set(name, key);
}

function flagObject(where: string, v: unknown, known?: readonly string[], command?: string): Record<string, FlagValue> {
  if (!isPlainObject(v)) throw new SweepSpecError(`${where} must be a mapping of flag: value`);
  const out: Record<string, FlagValue> = {};
  const seen = new Map<string, string>();
  for (const [k, val] of Object.entries(v)) {
    const name = checkFlagKey(where, k, known, command);
    claim(seen, where, k, name);
    if (!isFlagValue(val)) throw new SweepSpecError(`${where}.${k} ${flagValueProblem(val)}`);
    out[name] = val;
  }
  return out;
}

function positiveInt(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SweepSpecError(`${where} must be a positive whole number, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks a parsed document (the object form of the YAML/JSON) and fills in defaults. */
export function validateSpec(doc: unknown, source = 'sweep spec', commandFlags: CommandFlagNames = {}): SweepSpec {
  if (!isPlainObject(doc)) throw new SweepSpecError(`${source}: the spec must be a mapping (command, flags, grid, seeds, metric)`);
  for (const k of Object.keys(doc)) {
    if (!KNOWN_KEYS.includes(k)) throw new SweepSpecError(`${source}: unknown key '${k}' (known: ${KNOWN_KEYS.filter((x) => x !== 'sampleSeed').join(', ')})`);
  }
  const command = doc.command;
  if (typeof command !== 'string' || !(SWEEP_COMMANDS as readonly string[]).includes(command)) {
    throw new SweepSpecError(`${source}: command must be one of ${SWEEP_COMMANDS.join(', ')}, got ${JSON.stringify(command)}`);
  }
  const known = commandFlags[command as SweepCommand];
  const flags = doc.flags === undefined ? {} : flagObject(`${source}: flags`, doc.flags, known, command);

  const grid: Record<string, FlagValue[]> = {};
  if (doc.grid !== undefined) {
    if (!isPlainObject(doc.grid)) throw new SweepSpecError(`${source}: grid must be a mapping of flag: [values]`);
    // An empty grid varies nothing: as likely a mistake as an empty list, refused alike.
    if (Object.keys(doc.grid).length === 0) throw new SweepSpecError(`${source}: grid must name at least one flag to vary (leave it out to run the flags alone)`);
    const seen = new Map<string, string>();
    for (const [k, vals] of Object.entries(doc.grid)) {
      const name = checkFlagKey(`${source}: grid`, k, known, command);
      claim(seen, `${source}: grid`, k, name);
      if (!Array.isArray(vals) || vals.length === 0) throw new SweepSpecError(`${source}: grid.${k} must be a non-empty list of values`);
      vals.forEach((v, i) => { if (!isFlagValue(v)) throw new SweepSpecError(`${source}: grid.${k}[${i}] ${flagValueProblem(v)}`); });
      const firstAt = new Map<string, number>();
      vals.forEach((v, i) => {
        const first = firstAt.get(String(v));
        if (first !== undefined) throw new SweepSpecError(`${source}: grid.${k} lists a value twice (${JSON.stringify(vals[first])} and ${JSON.stringify(v)})`);
        firstAt.set(String(v), i);
      });
      if (name in flags) throw new SweepSpecError(`${source}: grid.${k} also appears in flags; a flag is either fixed or varied`);
      grid[name] = vals as FlagValue[];
    }
  }

  const list: Record<string, FlagValue>[] = [];
  if (doc.list !== undefined) {
    if (!Array.isArray(doc.list) || doc.list.length === 0) throw new SweepSpecError(`${source}: list must be a non-empty list of flag mappings`);
    doc.list.forEach((item, i) => {
      const f = flagObject(`${source}: list[${i}]`, item, known, command);
      for (const k of Object.keys(f)) if (k in flags) throw new SweepSpecError(`${source}: list[${i}].${k} also appears in flags; a flag is either fixed or varied`);
      list.push(f);
    });
  }

  let samples: number | null = null;
  if (doc.samples !== undefined) {
    samples = positiveInt(`${source}: samples`, doc.samples);
    if (Object.keys(grid).length === 0) throw new SweepSpecError(`${source}: samples draws from grid, but there is no grid`);
  }
  const combos = gridSize(grid);
  if (Object.keys(grid).length && Math.min(samples ?? combos, combos) > MAX_SETTINGS) {
    throw new SweepSpecError(`${source}: grid has ${gridCount(grid).toLocaleString('en-US')} combinations${samples === null ? '' : ` and samples asks for ${samples.toLocaleString('en-US')}`}; ` +
      `a sweep runs at most ${MAX_SETTINGS.toLocaleString('en-US')} settings${samples === null ? ' (samples: N draws N of them)' : ''}`);
  }
  if (doc.sample_seed !== undefined && doc.sampleSeed !== undefined) throw new SweepSpecError(`${source}: 'sample_seed' and 'sampleSeed' are one key; keep one`);
  // `!== undefined`, not `??`: a key given as null is given, and refused below rather than read as left out.
  const sampleSeedKey = doc.sampleSeed !== undefined ? 'sampleSeed' : 'sample_seed';
  const sampleSeedGiven = doc.sample_seed !== undefined ? doc.sample_seed : doc.sampleSeed;
  // A seed with nothing to draw would be accepted and ignored.
  if (sampleSeedGiven !== undefined && samples === null) throw new SweepSpecError(`${source}: ${sampleSeedKey} picks the samples drawn from grid, but there is no samples`);
  const sampleSeedRaw = sampleSeedGiven === undefined ? 1 : sampleSeedGiven;
  // As seeds: a whole number a double holds exactly (1e20 would reach the sampler as another number, and be refused there).
  if (typeof sampleSeedRaw !== 'number' || !Number.isSafeInteger(sampleSeedRaw)) {
    throw new SweepSpecError(`${source}: ${sampleSeedKey} must be a whole number from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(sampleSeedRaw)}`);
  }

  let seeds = [1];
  if (doc.seeds !== undefined) {
    if (!Array.isArray(doc.seeds) || doc.seeds.length === 0) throw new SweepSpecError(`${source}: seeds must be a non-empty list of whole numbers`);
    seeds = doc.seeds.map((s, i) => {
      // As the commands' --seed reads it: any integer a double holds exactly (1e20 would reach the run as 100000000000000000000 and be refused there).
      if (typeof s !== 'number' || !Number.isSafeInteger(s)) {
        throw new SweepSpecError(`${source}: seeds[${i}] must be a whole number from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(s)}`);
      }
      return s;
    });
    const again = seeds.find((seed, i) => seeds.indexOf(seed) < i);
    if (again !== undefined) throw new SweepSpecError(`${source}: seeds lists a seed twice (${again})`);
  }
  const settings = (Object.keys(grid).length ? Math.min(samples ?? combos, combos) : 0) + list.length || 1;
  if (settings * seeds.length > MAX_RUNS) {
    const n = (v: number) => v.toLocaleString('en-US');
    throw new SweepSpecError(`${source}: ${n(settings)} setting(s) × ${n(seeds.length)} seed(s) make ${n(settings * seeds.length)} runs; ` +
      `a sweep runs at most ${n(MAX_RUNS)} (fewer seeds${Object.keys(grid).length ? ', or samples: N to draw fewer settings' : ''})`);
  }

  const metric = doc.metric === undefined ? defaultMetric(command as SweepCommand) : doc.metric;
  if (typeof metric !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(metric)) throw new SweepSpecError(`${source}: metric must be a metric name such as test_accuracy, got ${JSON.stringify(metric)}`);
  const metrics = COMMAND_METRICS[command as SweepCommand];
  if (!metrics.includes(metricKey(metric))) {
    const names = metrics.map(snake);
    const near = nearName(snake(metric), names);
    throw new SweepSpecError(`${source}: metric '${metric}' is not reported by rnnlab ${command}${near ? ` (did you mean '${near}'?)` : ''}; it reports ${names.join(', ')}`);
  }
  const goalRaw = doc.goal === undefined ? (/loss|error/i.test(metric) ? 'min' : 'max') : doc.goal;
  if (goalRaw !== 'max' && goalRaw !== 'min') throw new SweepSpecError(`${source}: goal must be max or min, got ${JSON.stringify(goalRaw)}`);
  const attempts = doc.attempts === undefined ? 3 : positiveInt(`${source}: attempts`, doc.attempts);

  return { command: command as SweepCommand, flags, grid, samples, sampleSeed: sampleSeedRaw, list, seeds, metric, goal: goalRaw, attempts };
}

export function defaultMetric(command: SweepCommand): string {
  return command === 'addition' ? 'exact_match_accuracy' : 'test_accuracy';
}

/** Parses spec text; YAML is a superset of JSON, so one parser reads both, with line numbers in its errors. */
export function parseSpec(text: string, source = 'sweep spec', commandFlags: CommandFlagNames = {}): SweepSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    // The parser's whole message: its first line ends in "at line 2, column 1:", and the lines after show that line.
    throw new SweepSpecError(`${source}: not valid YAML or JSON: ${(e as Error).message.trimEnd()}`);
  }
  return validateSpec(doc, source, commandFlags);
}
