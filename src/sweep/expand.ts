/**
 * Expands a spec into its runs. A run's id is derived from its settings alone, so expanding the same spec
 * again (to resume, or on another machine) names every run the same way and finds its folder.
 */
import { createHash } from 'node:crypto';
import { Random } from '../random.js';
import { gridCount, gridSize, SweepSpecError, type FlagValue, type SweepCommand, type SweepSpec } from './spec.js';

export interface SweepRun {
  /** Folder name under <sweep>/runs/, stable across expansions. */
  id: string;
  command: SweepCommand;
  /** The varied settings (axis → value), without the seed. */
  axes: Record<string, FlagValue>;
  seed: number;
  /** Every flag the run gets from the spec: fixed flags, then its axis values. */
  flags: Record<string, FlagValue>;
}

function cartesian(grid: Record<string, FlagValue[]>): Record<string, FlagValue>[] {
  let combos: Record<string, FlagValue>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return combos;
}

/** Up to this many combinations, a sample is drawn from a permutation of all of them (as before); above, by index. */
const PERMUTE_LIMIT = 1_000_000;


/** The i-th combination of the grid in cartesian() order (the first axis varies slowest), without building the grid. */
function gridAt(grid: Record<string, FlagValue[]>, i: number): Record<string, FlagValue> {
  const axes = Object.entries(grid);
  const out: Record<string, FlagValue> = {};
  for (let k = axes.length - 1; k >= 0; k--) {
    const [name, values] = axes[k];
    out[name] = values[i % values.length];
    i = Math.floor(i / values.length);
  }
  return Object.fromEntries(axes.map(([name]) => [name, out[name]]));
}

/** gridAt for a grid too large for a double to index exactly (over Number.MAX_SAFE_INTEGER combinations). */
function gridAtBig(grid: Record<string, FlagValue[]>, i: bigint): Record<string, FlagValue> {
  const axes = Object.entries(grid);
  const out: Record<string, FlagValue> = {};
  for (let k = axes.length - 1; k >= 0; k--) {
    const [name, values] = axes[k];
    const n = BigInt(values.length);
    out[name] = values[Number(i % n)];
    i /= n;
  }
  return Object.fromEntries(axes.map(([name]) => [name, out[name]]));
}

/** A uniform draw from [0, n) of any size: 32-bit words enough to cover n, the draws at or above n rejected (no bias). */
function bigBelow(rng: Random, n: bigint): bigint {
  const bits = (n - 1n).toString(2).length;
  // Only the low bits that n needs: otherwise most draws of a top word would be rejected.
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    let r = 0n;
    for (let w = 0; w < Math.ceil(bits / 32); w++) r = (r << 32n) | BigInt(rng.nextUint32());
    if ((r & mask) < n) return r & mask;
  }
}

/**
 * What a spec asks that its runs cannot give, said rather than silently narrowed: `samples` above the grid's size
 * runs the whole grid (each setting once, in grid order, so sample_seed picks nothing).
 */
export function specNotes(spec: SweepSpec): string[] {
  const total = Object.keys(spec.grid).length ? gridSize(spec.grid) : 0;
  if (spec.samples === null || spec.samples <= total) return [];
  return [`(samples: ${spec.samples} asked; the grid holds ${total} setting(s), so all ${total} are run and sample_seed picks none)`];
}

/** The combinations a spec asks for, in a stable order: grid (or its random sample), then the list. */
export function combinations(spec: SweepSpec): Record<string, FlagValue>[] {
  const hasGrid = Object.keys(spec.grid).length > 0;
  // (validateSpec has refused a grid that would give more than MAX_SETTINGS runs.)
  const total = hasGrid ? gridSize(spec.grid) : 0;
  let fromGrid: Record<string, FlagValue>[];
  if (spec.samples === null || spec.samples >= total) fromGrid = hasGrid ? cartesian(spec.grid) : [];
  else if (total <= PERMUTE_LIMIT) {
    const picked = Array.from(new Random(spec.sampleSeed).permutation(total).subarray(0, spec.samples)).sort((a, b) => a - b);
    fromGrid = picked.map((i) => gridAt(spec.grid, i));
  } else if (total > Number.MAX_SAFE_INTEGER) {
    // Past what a double counts exactly: the same draw of distinct indices, in BigInt.
    const rng = new Random(spec.sampleSeed);
    const count = gridCount(spec.grid);
    const picked = new Set<bigint>();
    while (picked.size < spec.samples) picked.add(bigBelow(rng, count));
    fromGrid = [...picked].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((i) => gridAtBig(spec.grid, i));
  } else {
    // A huge grid: draw distinct indices (few compared with the grid, so repeats are rare) and decode each.
    const rng = new Random(spec.sampleSeed);
    const picked = new Set<number>();
    while (picked.size < spec.samples) picked.add(Math.floor(rng.next() * total));
    fromGrid = [...picked].sort((a, b) => a - b).map((i) => gridAt(spec.grid, i));
  }
  const all = [...fromGrid, ...spec.list];
  if (all.length === 0) all.push({});
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = sameRunKey(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function canonical(o: Record<string, FlagValue>): string {
  return JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/**
 * Settings that give the same command line are one setting: a list entry `{ units: "32" }` repeats grid units 32
 * (each run would train the same model twice). canonical() stays as it was: it names existing runs' folders.
 */
export function sameRunKey(o: Record<string, FlagValue>): string {
  return JSON.stringify(Object.keys(o).sort().map((k) => [k, runKeyValue(o[k])]));
}

/** A value as sameRunKey compares it: a boolean as itself, anything else as its text. */
const runKeyValue = (v: FlagValue): FlagValue => (typeof v === 'boolean' ? v : String(v));

/** Whether two values are written alike, as sameRunKey tells runs apart ("16" and 16 are; 16 and "016" are not). */
export function writtenAlike(a: FlagValue, b: FlagValue): boolean {
  return runKeyValue(a) === runKeyValue(b);
}

function slug(v: FlagValue): string {
  return String(v).replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'x';
}

/** The longest file name (in bytes) common file systems allow: a run's folder name may be no longer. */
export const MAX_RUN_ID_BYTES = 255;

/**
 * The spec's runs. A run whose folder name would be too long for the file system is refused here, naming its entry
 * (`source` names the spec file): otherwise its run, or the sweep, would fail with ENAMETOOLONG mid-way.
 */
export function expandRuns(spec: SweepSpec, source = 'sweep spec'): SweepRun[] {
  const runs: SweepRun[] = [];
  const used = new Set<string>();
  for (const axes of combinations(spec)) {
    for (const seed of spec.seeds) {
      const parts = Object.entries(axes).map(([k, v]) => `${k}-${slug(v)}`);
      let id = [...parts, `seed-${seed}`].join('_');
      // Distinct values can slug alike ("a/b", "a_b"): the settings' hash keeps their folders apart.
      if (used.has(id)) id += `_${createHash('sha256').update(canonical({ ...axes, seed })).digest('hex').slice(0, 8)}`;
      const bytes = Buffer.byteLength(id);
      if (bytes > MAX_RUN_ID_BYTES) {
        const listed = spec.list.indexOf(axes);
        throw new SweepSpecError(`${source}: ${listed >= 0 ? `list[${listed}]` : 'grid'} gives a run whose folder name is ${bytes} bytes ` +
          `(${id.slice(0, 60)}...); a file name may have at most ${MAX_RUN_ID_BYTES}: use fewer or shorter flag names or values`);
      }
      used.add(id);
      runs.push({ id, command: spec.command, axes, seed, flags: { ...spec.flags, ...axes } });
    }
  }
  return runs;
}

/**
 * The command line of one run (without the program name): `imdb --model lstm --units 32 --seed 1 ...`. A value that
 * starts with '-' is joined to its flag (`--data=-x.csv`): as an argument of its own the run would read it as a flag.
 */
export function runArgv(run: SweepRun, outDir: string, threads: number): string[] {
  const argv: string[] = [run.command];
  for (const [name, value] of Object.entries(run.flags)) {
    if (value === true) argv.push(`--${name}`);
    else if (value === false) argv.push(`--no-${name}`);
    else if (String(value).startsWith('-')) argv.push(`--${name}=${value}`);
    else argv.push(`--${name}`, String(value));
  }
  argv.push('--seed', String(run.seed), '--out', outDir, '--threads', String(threads), '--verbose', '2');
  return argv;
}
