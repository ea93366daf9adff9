/**
 * Every RNNLAB_* environment variable rnnlab reads, in one table, each with one typed reader. An invalid
 * value is an error naming the variable and what it accepts: a typo never silently falls back to a default.
 * docs/ENVIRONMENT.md documents the same table.
 */

export class EnvError extends Error {
  override name = 'EnvError';
}

type Kind = 'flag' | 'choice' | 'int' | 'path' | 'text';

/** Variables as process.env holds them (unset: undefined), spelled here so that rnnlab's declarations need no Node types. */
export type EnvVars = Record<string, string | undefined>;

export interface EnvVarSpec {
  kind: Kind;
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Who reads it: users, the build, or the test suite and benchmarks only. */
  audience: 'user' | 'build' | 'tests';
  help: string;
}

const FLAG_TRUE = ['1', 'true', 'yes', 'on'];
const FLAG_FALSE = ['0', 'false', 'no', 'off'];

export const ENV_VARS = {
  RNNLAB_DATA: { kind: 'path', audience: 'user', help: 'aclImdb_v1.tar.gz, or a folder holding it' },
  RNNLAB_CACHE: { kind: 'path', audience: 'user', help: 'the cache folder: the downloaded tarball and the encoded IMDb arrays (default $XDG_CACHE_HOME/rnnlab or ~/.cache/rnnlab)' },
  RNNLAB_OFFLINE: { kind: 'flag', audience: 'user', help: 'never download the IMDb tarball' },
  RNNLAB_LAB_QUICK: { kind: 'flag', audience: 'user', help: 'the lab port (examples/lab8) runs on a small slice with few epochs' },
  RNNLAB_THREADS: { kind: 'int', min: 1, max: 256, audience: 'user', help: 'kernel threads (default: the number of cores)' },
  RNNLAB_BACKEND: { kind: 'choice', choices: ['native', 'reference'], audience: 'user', help: 'reference runs every kernel in TypeScript' },
  RNNLAB_ISA: { kind: 'choice', choices: ['avx512', 'avx2', 'portable', 'auto'], audience: 'user', help: 'the SIMD path every native kernel uses (auto: the best the CPU has); an ISA the CPU lacks is an error' },
  RNNLAB_PROFILE: { kind: 'flag', audience: 'user', help: 'time every kernel call (rl.profileReport())' },
  RNNLAB_DEBUG: { kind: 'flag', audience: 'user', help: 'the CLI prints stack traces with its errors' },
  // The dashboard checks the token's characters itself (src/server), naming RNNLAB_TOKEN.
  RNNLAB_TOKEN: { kind: 'text', audience: 'user', help: "the dashboard's access token when --token is not given" },
  RNNLAB_REQUIRE_NATIVE: { kind: 'flag', audience: 'build', help: '`npm install` fails when the native addon does not build' },
  RNNLAB_ALLOW_NO_NATIVE: { kind: 'flag', audience: 'tests', help: 'the kernel tests skip, instead of failing, when the addon is missing' },
  RNNLAB_TEST_NO_IMDB: { kind: 'flag', audience: 'tests', help: 'the dashboard tests run as on a machine without the IMDb tarball' },
  RNNLAB_SCREENSHOT_DIR: { kind: 'path', audience: 'tests', help: 'the browser tests keep their screenshots here (docs/screenshots)' },
  RNNLAB_E2E_RUNS: { kind: 'path', audience: 'tests', help: 'a runs folder for the browser tests to serve instead of an empty one' },
  RNNLAB_RNN_SPLIT: { kind: 'choice', choices: ['serial', 'batch', 'unit'], audience: 'tests', help: 'forces how the recurrent kernels share work between threads (test hook)' },
  RNNLAB_SOAK_CHILD: { kind: 'text', audience: 'tests', help: "bench/soak.mjs's options for its child process (set by the benchmark itself)" },
  RNNLAB_TORCH_PYTHON: { kind: 'path', audience: 'tests', help: 'the Python interpreter (with torch) that `bench/run.mjs --vs-torch` runs the PyTorch reference with (default /usr/bin/python3)' },
  RNNLAB_QUEUE_CONNECT_MS: { kind: 'int', min: 1, max: 3_600_000, audience: 'tests', help: 'how long `sweep --queue` and `worker` wait for Redis before giving up, in ms (default 10000)' },
  RNNLAB_RECORD_FIT_FIXTURE: { kind: 'flag', audience: 'tests', help: 'test/model/fit_identity.test.ts rewrites its fixture (only when the arithmetic is meant to change)' },
} as const satisfies Record<string, EnvVarSpec>;

export type EnvName = keyof typeof ENV_VARS;
type NamesOf<K extends Kind> = { [N in EnvName]: (typeof ENV_VARS)[N]['kind'] extends K ? N : never }[EnvName];

/**
 * The name's row, checked: the readers are public (rl.environment), and a caller in JavaScript can pass any string, or read
 * a variable as the wrong kind, which the table would otherwise answer with undefined.
 */
function spec(name: string, kind: Kind): EnvVarSpec {
  const s = (ENV_VARS as Record<string, EnvVarSpec>)[name];
  if (s === undefined) throw new EnvError(`rnnlab reads no environment variable ${JSON.stringify(name)}; it reads ${Object.keys(ENV_VARS).join(', ')}`);
  if (s.kind !== kind) throw new EnvError(`${name} is not read as ${kind}: read it with rl.environment.${s.kind}`);
  return s;
}

function raw(name: EnvName, kind: Kind, env: EnvVars): string | undefined {
  spec(name, kind);
  const v = env[name];
  // `VAR=` in a shell means "not set".
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function invalid(name: EnvName, value: string, accepted: string): EnvError {
  return new EnvError(`${name}=${JSON.stringify(value)} is not valid: ${name} accepts ${accepted} (${ENV_VARS[name].help})`);
}

/** On/off variables: 1, true, yes, on / 0, false, no, off (any case); unset is off. */
export function envFlag(name: NamesOf<'flag'>, env: EnvVars = process.env): boolean {
  const v = raw(name, 'flag', env);
  if (v === undefined) return false;
  if (FLAG_TRUE.includes(v.toLowerCase())) return true;
  if (FLAG_FALSE.includes(v.toLowerCase())) return false;
  throw invalid(name, v, `${FLAG_TRUE.join(', ')} or ${FLAG_FALSE.join(', ')}`);
}

export function envChoice<N extends NamesOf<'choice'>>(name: N, env: EnvVars = process.env): (typeof ENV_VARS)[N]['choices'][number] | undefined {
  const v = raw(name, 'choice', env);
  if (v === undefined) return undefined;
  const choices: readonly string[] = ENV_VARS[name].choices;
  if (!choices.includes(v)) throw invalid(name, v, `one of ${choices.join(', ')}`);
  return v as (typeof ENV_VARS)[N]['choices'][number];
}

export function envInt(name: NamesOf<'int'>, env: EnvVars = process.env): number | undefined {
  const v = raw(name, 'int', env);
  if (v === undefined) return undefined;
  const { min, max } = ENV_VARS[name];
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw invalid(name, v, `an integer from ${min} to ${max}`);
  return n;
}

/** A path as given (callers resolve it and say what they expected to find there). */
export function envPath(name: NamesOf<'path'>, env: EnvVars = process.env): string | undefined {
  const v = raw(name, 'path', env);
  if (v !== undefined && v.includes('\0')) throw invalid(name, v, 'a file or folder path');
  return v;
}

export function envText(name: NamesOf<'text'>, env: EnvVars = process.env): string | undefined {
  return raw(name, 'text', env);
}

function read(name: EnvName, env: EnvVars): unknown {
  const kind: Kind = ENV_VARS[name].kind;
  if (kind === 'flag') return envFlag(name as NamesOf<'flag'>, env);
  if (kind === 'choice') return envChoice(name as NamesOf<'choice'>, env);
  if (kind === 'int') return envInt(name as NamesOf<'int'>, env);
  if (kind === 'path') return envPath(name as NamesOf<'path'>, env);
  return envText(name as NamesOf<'text'>, env);
}

/**
 * The variables the native addon reads itself: checked in JS before it loads, since C++ would ignore a typo. Each is
 * then written back as it was read (trimmed; a blank one removed): C++ takes getenv's text as it is, so " avx2" or
 * a blank RNNLAB_ISA, which the check passes, would stop the addon, and " batch" would be ignored by the kernels.
 */
export function checkNativeEnv(env: EnvVars = process.env): void {
  for (const name of ['RNNLAB_THREADS', 'RNNLAB_ISA', 'RNNLAB_RNN_SPLIT'] as const) {
    read(name, env);
    const v = raw(name, ENV_VARS[name].kind, env);
    if (v === undefined) delete env[name];
    else if (env[name] !== v) env[name] = v;
  }
}

/**
 * Checks every RNNLAB_* variable that is set: throws one EnvError listing each invalid value, and returns a
 * warning for each RNNLAB_* name rnnlab does not know (a typo, or a variable of another version).
 */
export function checkEnv(env: EnvVars = process.env): string[] {
  const errors: string[] = [];
  const warnings: string[] = [];
  const known = Object.keys(ENV_VARS) as EnvName[];
  for (const name of Object.keys(env).filter((k) => k.startsWith('RNNLAB_')).sort()) {
    if (!(known as string[]).includes(name)) {
      warnings.push(`rnnlab: warning: ignoring unknown environment variable ${name}; rnnlab reads ${known.join(', ')}`);
      continue;
    }
    try {
      read(name as EnvName, env);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) throw new EnvError(errors.join('\n'));
  return warnings;
}

/**
 * rl.environment: rnnlab's variables read by rnnlab's own rules, for scripts that honour them too (examples/lab8 reads
 * RNNLAB_LAB_QUICK with rl.environment.flag). Each reader takes only a variable of its kind from the table above.
 */
export const environment = { flag: envFlag, choice: envChoice, int: envInt, path: envPath, text: envText, check: checkEnv } as const;
