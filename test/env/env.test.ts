import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveCacheDir, resolveImdbTarball } from '../../src/data/imdb_source.js';
import { checkEnv, checkNativeEnv, ENV_VARS, envChoice, EnvError, envFlag, envInt, envPath } from '../../src/env.js';
import { run } from '../cli/helpers.js';
import { REPO_ROOT } from '../helpers/imdb.js';

describe('the typed readers', () => {
  it('reads on/off variables in any case, unset or empty as off', () => {
    for (const on of ['1', 'true', 'YES', 'On']) expect(envFlag('RNNLAB_OFFLINE', { RNNLAB_OFFLINE: on })).toBe(true);
    for (const off of ['0', 'false', 'No', 'off', '', '  ']) expect(envFlag('RNNLAB_OFFLINE', { RNNLAB_OFFLINE: off })).toBe(false);
    expect(envFlag('RNNLAB_OFFLINE', {})).toBe(false);
  });

  it('names the variable, the value and what it accepts when a value is invalid', () => {
    expect(() => envFlag('RNNLAB_DEBUG', { RNNLAB_DEBUG: 'maybe' })).toThrow(/^RNNLAB_DEBUG="maybe" is not valid: RNNLAB_DEBUG accepts 1, true, yes, on or 0, false, no, off/);
    expect(() => envChoice('RNNLAB_BACKEND', { RNNLAB_BACKEND: 'fast' })).toThrow(/RNNLAB_BACKEND="fast" .* accepts one of native, reference/);
    expect(() => envChoice('RNNLAB_ISA', { RNNLAB_ISA: 'AVX2' })).toThrow(/accepts one of avx512, avx2, portable/);
    for (const bad of ['0', '257', '4x', '-1', '2.5', 'eight']) {
      expect(() => envInt('RNNLAB_THREADS', { RNNLAB_THREADS: bad }), bad).toThrow(/RNNLAB_THREADS=.* accepts an integer from 1 to 256/);
    }
    expect(() => envPath('RNNLAB_CACHE', { RNNLAB_CACHE: 'a\0b' })).toThrow(EnvError);
  });

  it('returns valid values typed', () => {
    expect(envChoice('RNNLAB_BACKEND', { RNNLAB_BACKEND: 'reference' })).toBe('reference');
    expect(envChoice('RNNLAB_RNN_SPLIT', {})).toBeUndefined();
    expect(envInt('RNNLAB_THREADS', { RNNLAB_THREADS: ' 8 ' })).toBe(8);
    expect(envPath('RNNLAB_DATA', { RNNLAB_DATA: 'data/aclImdb_v1.tar.gz' })).toBe('data/aclImdb_v1.tar.gz');
  });
});

describe('checkEnv', () => {
  it('passes a clean environment and lists every invalid value in one error', () => {
    expect(checkEnv({ PATH: '/bin', RNNLAB_THREADS: '2', RNNLAB_OFFLINE: 'yes' })).toEqual([]);
    let error: Error | undefined;
    try {
      checkEnv({ RNNLAB_THREADS: 'all', RNNLAB_PROFILE: 'y', RNNLAB_DATA: 'x' });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect(error!.message.split('\n')).toEqual([expect.stringMatching(/^RNNLAB_PROFILE="y"/), expect.stringMatching(/^RNNLAB_THREADS="all"/)]);
  });

  it('warns about an RNNLAB_* name it does not know, listing the ones it does', () => {
    const [warning] = checkEnv({ RNNLAB_THREAD: '4' });
    expect(warning).toMatch(/unknown environment variable RNNLAB_THREAD; rnnlab reads RNNLAB_DATA, .*RNNLAB_THREADS/);
  });

  it('checks the variables only the native addon reads', () => {
    expect(() => checkNativeEnv({ RNNLAB_ISA: 'sse' })).toThrow(/RNNLAB_ISA="sse"/);
    expect(() => checkNativeEnv({ RNNLAB_RNN_SPLIT: 'rows' })).toThrow(/serial, batch, unit/);
    expect(() => checkNativeEnv({ RNNLAB_THREADS: '4', RNNLAB_ISA: 'portable' })).not.toThrow();
  });

  it('has a help line for every variable', () => {
    for (const [name, spec] of Object.entries(ENV_VARS)) expect(spec.help.length, name).toBeGreaterThan(10);
  });
});

describe('the call sites', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('RNNLAB_') && !(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    vi.resetModules();
  });

  it('the IMDb source rejects a bad RNNLAB_OFFLINE or RNNLAB_CACHE instead of guessing', async () => {
    await expect(resolveImdbTarball({ env: { RNNLAB_OFFLINE: 'sometimes' } })).rejects.toThrow(/RNNLAB_OFFLINE="sometimes"/);
    expect(resolveCacheDir({ env: { RNNLAB_CACHE: 'some/cache' } })).toMatch(/some\/cache$/);
  });

  it('the CLI reports an invalid variable as an error, and warns about an unknown one', async () => {
    process.env.RNNLAB_DEBUG = 'verbose';
    const bad = await run(['--version']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^rnnlab: error: RNNLAB_DEBUG="verbose" is not valid/);
    delete process.env.RNNLAB_DEBUG;
    process.env.RNNLAB_OFLINE = '1';
    const typo = await run(['--version']);
    expect(typo.code).toBe(0);
    expect(typo.err).toMatch(/unknown environment variable RNNLAB_OFLINE/);
  });

  it('the backend refuses a bad RNNLAB_BACKEND or RNNLAB_ISA when it loads, and RNNLAB_PROFILE=yes turns profiling on', async () => {
    process.env.RNNLAB_BACKEND = 'fast';
    await expect(import('../../src/backend/index.js')).rejects.toThrow(/RNNLAB_BACKEND="fast"/);
    vi.resetModules();
    process.env.RNNLAB_BACKEND = 'reference';
    process.env.RNNLAB_ISA = 'avx3';
    await expect(import('../../src/backend/index.js')).rejects.toThrow(/RNNLAB_ISA="avx3"/);
    vi.resetModules();
    delete process.env.RNNLAB_ISA;
    process.env.RNNLAB_PROFILE = 'yes';
    const backend = await import('../../src/backend/index.js');
    expect(backend.getBackend()).toBe('reference');
    backend.kernels().sumSquares(new Float32Array([1, 2]));
    expect(backend.profileReport().length).toBeGreaterThan(0);
  });
});

describe('one table for every variable', () => {
  const NOT_VARIABLES = ['RNNLAB_VERSION']; // a constant in src/io, not read from the environment
  const files = (dir: string): string[] => readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|js|cc|h|py)$|^run$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    // This file names wrong variables on purpose.
    .filter((f) => !f.startsWith(join(REPO_ROOT, 'test/env')));
  const mentioned = new Set<string>();
  for (const dir of ['src', 'native', 'bench', 'test', 'web', 'bin', '.ci']) {
    for (const f of files(dir)) for (const m of readFileSync(f, 'utf8').matchAll(/RNNLAB_[A-Z0-9_]+/g)) mentioned.add(m[0]);
  }

  it('every RNNLAB_* name in the code is in ENV_VARS', () => {
    expect([...mentioned].filter((n) => !(n in ENV_VARS) && !NOT_VARIABLES.includes(n)).sort()).toEqual([]);
  });

  it('docs/ENVIRONMENT.md documents every variable of ENV_VARS', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/ENVIRONMENT.md'), 'utf8');
    expect(Object.keys(ENV_VARS).filter((n) => !doc.includes(`| \`${n}\` |`))).toEqual([]);
  });

  it('src/ reads RNNLAB_* variables only through src/env.ts', () => {
    const direct = files('src')
      .filter((f) => !f.endsWith(join('src', 'env.ts')))
      .filter((f) => /env(\.|\[['"])RNNLAB_/.test(readFileSync(f, 'utf8')));
    expect(direct.map((f) => f.slice(REPO_ROOT.length + 1))).toEqual([]);
  });
});
