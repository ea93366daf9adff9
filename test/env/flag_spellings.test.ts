/**
 * One on/off rule everywhere: native/build.mjs (which runs before dist exists, so it keeps its own copy) reads
 * RNNLAB_REQUIRE_NATIVE exactly as src/env.ts's envFlag does, value for value and message for message; and the
 * public readers (rl.environment) refuse a name rnnlab does not read, or a variable read as the wrong kind.
 * build.mjs reads every value in one process (test/env/build_flag_reader.mjs), and a few in processes of their own.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environment as env, EnvError, envFlag } from '../../src/env.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const SPELLINGS = ['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'];
const CASES = SPELLINGS.flatMap((s) => [s, s.toUpperCase(), s[0].toUpperCase() + s.slice(1), ` ${s}\t`]);
const NOT_FLAGS = ['maybe', '2', '-1', '01', '1.0', 'y', 'n', 't', 'f', 'enable', 'o n', 'truee', 'ｏｎ', ' Maybe ', '"1"'];
const UNSET = [undefined, '', '   '];

const BUILD = path.join(REPO_ROOT, 'native/build.mjs');
/** A node-gyp that does not exist: a build that fails, and never one that rebuilds the addon. */
const NO_GYP = path.join(REPO_ROOT, 'no-such-node-gyp.js');

interface BuildRun { status: number | null; stderr: string; spawned: string[] | null }

/** What build.mjs makes of one run: the refusal message, else whether the failed build fails the install. */
function verdict(r: BuildRun, spawnedGyp = true): boolean | string {
  const refused = /^rnnlab: (RNNLAB_REQUIRE_NATIVE=.*)$/m.exec(r.stderr);
  if (refused) {
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('the native addon did not build');
    // Refused before any build is tried.
    if (spawnedGyp) expect(r.spawned).toBeNull();
    return refused[1];
  }
  if (spawnedGyp) expect(r.spawned).toEqual([process.execPath, NO_GYP, 'rebuild']);
  expect(r.stderr).toContain('the native addon did not build');
  return r.status === 1;
}

/** build.mjs run in a process of its own with the value, as npm runs it. */
function buildReads(value: string | undefined): boolean | string {
  const e: NodeJS.ProcessEnv = { ...process.env, npm_config_node_gyp: NO_GYP };
  delete e.RNNLAB_REQUIRE_NATIVE;
  if (value !== undefined) e.RNNLAB_REQUIRE_NATIVE = value;
  const r = spawnSync(process.execPath, [BUILD], { env: e, encoding: 'utf8' });
  return verdict({ status: r.status, stderr: r.stderr, spawned: null }, false);
}

/** build.mjs run for every value in one process (test/env/build_flag_reader.mjs), in order. */
function buildReadsAll(values: readonly (string | undefined)[]): BuildRun[] {
  const harness = path.join(REPO_ROOT, 'test/env/build_flag_reader.mjs');
  const r = spawnSync(process.execPath, [harness, BUILD, JSON.stringify(values.map((v) => v ?? null))],
    { env: { ...process.env, npm_config_node_gyp: NO_GYP }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const runs = JSON.parse(r.stdout) as BuildRun[];
  expect(runs).toHaveLength(values.length);
  return runs;
}

function libraryReads(value: string | undefined): boolean | string {
  try {
    return envFlag('RNNLAB_REQUIRE_NATIVE', value === undefined ? {} : { RNNLAB_REQUIRE_NATIVE: value });
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as Error).message;
  }
}

describe('native/build.mjs and src/env.ts read an on/off variable alike', () => {
  const VALUES = [...CASES, ...NOT_FLAGS, ...UNSET];
  let runs: BuildRun[] = [];
  beforeAll(() => { runs = buildReadsAll(VALUES); }, 60_000);

  it.each(VALUES.map((v, i) => [JSON.stringify(v) ?? 'unset', v, i] as const))('%s', (_, value, i) => {
    const library = libraryReads(value);
    expect(verdict(runs[i])).toEqual(library);
    if (typeof library === 'string') expect(library).toMatch(/^RNNLAB_REQUIRE_NATIVE=".*" is not valid: RNNLAB_REQUIRE_NATIVE accepts 1, true, yes, on or 0, false, no, off \(/);
  });

  // The one-process runs stand in for npm's: a few values, one of each outcome, run as npm runs build.mjs agree.
  it.each([['"Yes"', 'Yes'], ['"off"', 'off'], ['" Maybe "', ' Maybe '], ['unset', undefined]] as const)('%s in a process of its own reads the same', (_, value) => {
    expect(buildReads(value)).toEqual(verdict(runs[VALUES.indexOf(value)]));
  });

  it('the spellings are the ones of docs/ENVIRONMENT.md', () => {
    expect(CASES.map(libraryReads)).toEqual(SPELLINGS.flatMap((s) => Array(4).fill(SPELLINGS.indexOf(s) < 4)));
  });
});

describe('rl.environment', () => {
  it('reads with the library rules', () => {
    expect(env.flag('RNNLAB_LAB_QUICK', { RNNLAB_LAB_QUICK: 'Yes' })).toBe(true);
    expect(env.flag('RNNLAB_LAB_QUICK', {})).toBe(false);
    expect(() => env.flag('RNNLAB_LAB_QUICK', { RNNLAB_LAB_QUICK: 'quick' })).toThrow(/^RNNLAB_LAB_QUICK="quick" is not valid: RNNLAB_LAB_QUICK accepts 1, true, yes, on or 0, false, no, off \(the lab port/);
    expect(env.int('RNNLAB_THREADS', { RNNLAB_THREADS: '3' })).toBe(3);
    expect(env.choice('RNNLAB_BACKEND', { RNNLAB_BACKEND: 'reference' })).toBe('reference');
    expect(env.path('RNNLAB_DATA', { RNNLAB_DATA: ' data ' })).toBe('data');
    expect(env.text('RNNLAB_TOKEN', { RNNLAB_TOKEN: 'abc' })).toBe('abc');
    expect(() => env.check({ RNNLAB_THREADS: 'all' })).toThrow(/RNNLAB_THREADS="all"/);
  });

  it('refuses a variable it does not read, or one read as the wrong kind, even when it is unset', () => {
    const anyName = env.flag as (name: string, e?: NodeJS.ProcessEnv) => boolean;
    expect(() => anyName('RNNLAB_QUIK', {})).toThrow(/^rnnlab reads no environment variable "RNNLAB_QUIK"; it reads RNNLAB_DATA, .*RNNLAB_LAB_QUICK/);
    expect(() => anyName('HOME', { HOME: '1' })).toThrow(EnvError);
    expect(() => anyName('RNNLAB_THREADS', { RNNLAB_THREADS: '1' })).toThrow(/^RNNLAB_THREADS is not read as flag: read it with rl\.environment\.int$/);
    const anyInt = env.int as (name: string, e?: NodeJS.ProcessEnv) => number | undefined;
    expect(() => anyInt('RNNLAB_OFFLINE', {})).toThrow(/^RNNLAB_OFFLINE is not read as int: read it with rl\.environment\.flag$/);
  });
});
