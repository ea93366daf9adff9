/**
 * Fuzzing the command line: seeded random argument lists for every command. Parsing must end in a value or a
 * UsageError; running a command (the cheap ones, and the IMDb ones with no data to be found) must end with exit
 * code 0, 1 or 2 and a message, never an exception, a stack trace or a crash. FUZZ_ITERATIONS and FUZZ_SEED as
 * in files.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDITION_COMMAND_FLAGS } from '../../src/cli/addition.js';
import { COMPARE_FLAGS } from '../../src/cli/compare.js';
import { UsageError } from '../../src/cli/context.js';
import { EXPERIMENTS } from '../../src/cli/experiment.js';
import { parseFlags, type Flags } from '../../src/cli/flags.js';
import { IMDB_FLAGS } from '../../src/cli/imdb.js';
import { main } from '../../src/cli/main.js';
import { PREDICT_FLAGS } from '../../src/cli/predict.js';
import { TOKENIZE_FLAGS } from '../../src/cli/tokenize.js';
import { backendInfo, setThreads } from '../../src/backend/index.js';
import { Random } from '../../src/random.js';
import { envForFile } from '../helpers/env.js';
import { removeDir, tempDir } from '../io/helpers.js';

const ITER = Number(process.env.FUZZ_ITERATIONS ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const root = tempDir('rnnlab-fuzz-cli-');
const junk = join(root, 'junk.tar.gz');
const SURPRISES = /TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|undefined is not (a function|an object|iterable)|Maximum call stack|\[object Object\]|\n\s+at /;

const threads = backendInfo().threads;
// No IMDb data anywhere and no downloads: the IMDb commands fail fast at loading, after parsing and checks.
envForFile(() => ({ RNNLAB_OFFLINE: '1', RNNLAB_CACHE: join(root, 'cache'), RNNLAB_DATA: undefined }));
beforeAll(() => {
  writeFileSync(junk, 'not a tarball '.repeat(100));
});
afterAll(() => {
  setThreads(threads);
  removeDir(root);
});

const NUMBERS = ['0', '-1', '1', '2', '3', '1.5', '1e3', '1e400', 'NaN', 'Infinity', '-0', '0x10', '99999999999999999999', '', ' ', 'abc', '--', '-', '5e-1', '100001'];
const PATHS = () => [join(root, 'nope'), root, junk, '', '.', '/dev/null', join(root, 'cache')];
const WORDS = ['lstm', 'gru', 'cnn', 'bogus', 'adam', 'sgd', 'rmsprop', 'pre', 'post', 'true', 'false', 'yes', 'x,y', 'lstm,cnn', ',', 'simple_rnn'];

function valueFor(kind: string, r: Random, choices?: readonly string[]): string {
  const pick = <T>(a: readonly T[]) => a[r.int(a.length)];
  if (r.next() < 0.15) return pick([...NUMBERS, ...WORDS]);
  switch (kind) {
    case 'int': case 'number': return pick(NUMBERS);
    case 'bool': return pick(['true', 'false', 'yes', 'no', '1', '0', 'maybe']);
    case 'choice': return choices && r.next() < 0.6 ? pick(choices) : pick(WORDS);
    case 'list': return choices && r.next() < 0.6 ? Array.from({ length: 1 + r.int(3) }, () => pick(choices)).join(',') : pick(WORDS);
    case 'path': return pick(PATHS());
    default: return pick(WORDS);
  }
}

/** A random argument list for spec: known flags with odd values, in odd spellings, plus stray tokens. */
function randomArgs(flags: Flags, r: Random): string[] {
  const names = Object.keys(flags);
  const out: string[] = [];
  const k = r.int(6);
  for (let i = 0; i < k; i++) {
    const roll = r.next();
    if (roll < 0.08) { out.push(['--bogus', '-x', '--', '-', '--=', '--help'][r.int(6)]); continue; }
    if (roll < 0.15) { out.push(WORDS[r.int(WORDS.length)]); continue; }
    const name = names[r.int(names.length)];
    const f = flags[name];
    // --threads is real: keep it to values that cannot start a thousand threads.
    const v = name === 'threads' ? ['0', '1', '2', 'x', '-3', ''][r.int(6)] : valueFor(f.kind, r, f.choices);
    const form = r.int(4);
    if (form === 0) out.push(`--${name}=${v}`);
    else if (form === 1 && f.kind === 'bool') out.push(r.next() < 0.5 ? `--${name}` : `--no-${name}`);
    else if (form === 2 && r.next() < 0.3) out.push(`--${name}`);
    else out.push(`--${name}`, v);
  }
  // Every --out goes to the scratch folder.
  for (let i = 0; i < out.length; i++) if (out[i] === '--out') out[i + 1] = join(root, 'out');
  return out.map((a) => (a.startsWith('--out=') ? `--out=${join(root, 'out')}` : a));
}

const SPECS: [string, Flags, boolean][] = [
  // name, flags, whether main() may run it (the others would train a model when the arguments happen to be valid)
  ['imdb', IMDB_FLAGS, true], ['compare', COMPARE_FLAGS, true], ['tokenize', TOKENIZE_FLAGS, true], ['predict', PREDICT_FLAGS, true],
  ['addition', ADDITION_COMMAND_FLAGS, false],
  ...Object.entries(EXPERIMENTS).map(([n, e]) => [`experiment ${n}`, e.spec.flags, false] as [string, Flags, boolean]),
];

describe('fuzz the command line', () => {
  it(`parses ${ITER} random argument lists per command into values or UsageErrors`, () => {
    const r = new Random(SEED);
    for (const [name, spec] of SPECS) {
      for (let i = 0; i < ITER; i++) {
        const argv = randomArgs(spec, r);
        try {
          parseFlags(spec, argv, name);
        } catch (e) {
          if (!(e instanceof UsageError) || SURPRISES.test((e as Error).message)) {
            throw new Error(`${name} ${JSON.stringify(argv)} (seed ${SEED}, iteration ${i}): ${(e as Error).name}: ${(e as Error).message}`);
          }
        }
      }
    }
  });

  it(`runs ${ITER} random command lines to an exit code and a message`, async () => {
    const r = new Random(SEED + 7);
    const codes = { 0: 0, 1: 0, 2: 0 } as Record<number, number>;
    const runnable = SPECS.filter(([, , run]) => run);
    for (let i = 0; i < ITER; i++) {
      let argv: string[];
      const roll = r.next();
      if (roll < 0.05) argv = [['bogus', '--version', '', 'help', 'experiment', '-z'][r.int(6)], ...randomArgs(IMDB_FLAGS, r)];
      else {
        const [name, spec] = runnable[r.int(runnable.length)];
        argv = [name, ...randomArgs(spec, r)];
        if (name === 'tokenize' || name === 'predict') argv.push(['a great film', '', 'ÿþ bad', 'x'.repeat(300)][r.int(4)]);
        // Never let the IMDb commands find data: --data, when given, names nothing usable.
        if (name === 'imdb' || name === 'compare') argv = argv.map((a, j) => (argv[j - 1] === '--data' && a === root ? join(root, 'nope') : a));
      }
      let out = '', err = '';
      let code: number;
      try {
        code = await main(argv, { out: { write: (s: string) => { out += s; return true; } }, err: { write: (s: string) => { err += s; return true; } } });
      } catch (e) {
        throw new Error(`main threw for ${JSON.stringify(argv)} (seed ${SEED + 7}, iteration ${i}): ${(e as Error).stack}`);
      }
      const where = `${JSON.stringify(argv)} (seed ${SEED + 7}, iteration ${i}) -> ${code}\n${err}`;
      expect([0, 1, 2], where).toContain(code);
      codes[code]++;
      if (code !== 0) {
        expect(err, where).toMatch(/^rnnlab( [\w ]+)?: (data )?error: \S/);
        expect(err, where).not.toMatch(SURPRISES);
      }
    }
    expect(codes[2]).toBeGreaterThan(0);
    expect(codes[1] + codes[2]).toBeGreaterThan(ITER / 2);
  });
});
