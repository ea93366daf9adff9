// The benchmark scripts' command lines, parsed without running a kernel: every numeric flag refuses 0, negatives,
// NaN and words; unknown flags, missing values and stray arguments are refused naming the flag; --help lists
// exactly the flags the parser reads; and every command line docs/ shows parses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, parseFlags, UsageError, type ScriptSpec } from '../../bench/flags.mjs';
import * as specs from '../../bench/specs.mjs';
import { REPO_ROOT } from '../helpers/imdb.js';

const ALL: ScriptSpec[] = [specs.RUN, specs.SOAK, specs.FIT, specs.INFERENCE, specs.RECURRENT, specs.GEMM, specs.BF16_STEP, specs.BF16_GRADIENTS, specs.SWEEP];

function refusal(spec: ScriptSpec, argv: string[]): string {
  try {
    parseFlags(spec, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error(`${spec.name} accepted ${argv.join(' ')}`);
}

describe('bench flag parsing', () => {
  it('gives the documented defaults and reads each kind of value', () => {
    expect(parseFlags(specs.RUN, []).opts).toMatchObject({ steps: 20, budget: 30, fitSeconds: 3, models: specs.RUN_MODELS, vsTorch: false, noGemm: false });
    const { opts, given } = parseFlags(specs.RUN, ['--models', 'lstm,cnn', '--steps=5', '--budget', '0.5', '--no-gemm']);
    expect(opts).toMatchObject({ models: ['lstm', 'cnn'], steps: 5, budget: 0.5, noGemm: true, noRecurrent: false });
    expect([...given].sort()).toEqual(['budget', 'models', 'no-gemm', 'steps']);
    expect(parseFlags(specs.INFERENCE, ['--batches', '1,32']).opts.batches).toEqual([1, 32]);
    expect(parseFlags(specs.RECURRENT, ['--mask', '0.56']).opts.mask).toBe(0.56);
    expect(parseFlags(specs.SWEEP, ['--spec-flags', '{"limit":10}']).opts.specFlags).toEqual({ limit: 10 });
    expect(parseFlags(specs.GEMM, ['--shapes', '8x4x2t,3x2x1T']).opts.shapes).toEqual(['8x4x2t', '3x2x1T']);
  });

  it('refuses 0, negatives, NaN, words and fractions for every numeric flag of every script, naming the flag', () => {
    let checked = 0;
    for (const spec of ALL) {
      for (const [name, f] of Object.entries(spec.flags)) {
        if (!['int', 'positive', 'fraction'].includes(f.kind)) continue;
        const needs = (f.needs ?? []).flatMap((n) => [`--${n}`, ...(spec.flags[n].kind === 'bool' ? [] : [n === 'shapes' ? '8x8x8' : 'x'])]);
        const bad = ['-1', 'NaN', 'abc', '', 'Infinity', ...(f.kind === 'int' ? ['2.5', String((f.min ?? 0) - 1)] : []),
          ...(f.kind === 'positive' ? ['0'] : []), ...(f.kind === 'fraction' ? ['1'] : [])];
        for (const v of bad) {
          expect(refusal(spec, [...needs, `--${name}`, v])).toMatch(new RegExp(`^${spec.name}: --${name} must be .*got '${v}'`));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(80);
    // The smallest value each allows is taken.
    expect(parseFlags(specs.FIT, ['--steps', '4']).opts.steps).toBe(4);
    expect(refusal(specs.FIT, ['--steps', '3'])).toContain('--steps must be an integer >= 4');
  });

  it('refuses hex, binary and octal spellings as the CLI does, and still reads decimal ones', () => {
    for (const v of ['0x10', '0b11', '0o7', '0X1F']) expect(refusal(specs.RUN, ['--steps', v])).toMatch(/--steps/);
    expect(refusal(specs.RUN, ['--budget', '0x10'])).toMatch(/--budget/);
    expect(refusal(specs.RECURRENT, ['--mask', '0x0'])).toMatch(/--mask/);
    expect(parseFlags(specs.RUN, ['--steps', '016', '--budget', '1e1']).opts).toMatchObject({ steps: 16, budget: 10 });
    expect(parseFlags(specs.RECURRENT, ['--mask', '.5']).opts.mask).toBe(0.5);
  });

  it('refuses unknown flags, missing values, stray arguments, repeats and names outside the lists', () => {
    expect(refusal(specs.RUN, ['--vs-torh'])).toBe('bench/run.mjs: unknown flag --vs-torh (--help lists the flags)');
    expect(refusal(specs.RUN, ['--models'])).toContain('--models needs a value (NAME,...)');
    expect(refusal(specs.RUN, ['--steps', '--no-gemm'])).toContain('--steps needs a value (N)');
    expect(refusal(specs.RUN, ['lstm'])).toContain("unexpected argument 'lstm'");
    expect(refusal(specs.RUN, ['--steps', '3', '--steps', '4'])).toContain('--steps is given twice');
    expect(refusal(specs.RUN, ['--no-gemm=1'])).toContain('--no-gemm takes no value');
    expect(refusal(specs.RUN, ['--models', 'lstm,gru'])).toContain("--models must be a comma-separated list of ff_raw, ff_embed, cnn, simple_rnn, lstm, cnn_lstm, addition ('gru' is not)");
    expect(refusal(specs.RUN, ['--models', 'lstm,,cnn'])).toContain('an empty item');
    expect(refusal(specs.RUN, ['--models', 'lstm,lstm'])).toContain('each at most once');
    expect(refusal(specs.RECURRENT, ['--case', 'LSTM'])).toContain("--case must be a comma-separated list of lstm, gru, simpleRnn, addition, got 'LSTM' (");
    expect(refusal(specs.GEMM, ['--shapes', '8x8'])).toMatch(/T \(B transposed\), got '8x8' \(--help/);
    expect(refusal(specs.INFERENCE, ['--batches', '1,0'])).toContain("--batches must be a comma-separated list of integers >= 1 ('0' is not)");
    expect(refusal(specs.BF16_STEP, ['--models', 'ff_raw'])).toContain("bilstm, got 'ff_raw' (--help");
    expect(refusal(specs.SWEEP, ['--spec-flags', '[1]'])).toContain('--spec-flags must be a JSON object');
    expect(refusal(specs.SOAK, ['--epochs', '3'])).toContain('unknown flag --epochs');
  });

  it('refuses a flag whose companion is missing', () => {
    expect(refusal(specs.RUN, ['--torch-script', 'ref.py'])).toContain('--torch-script needs --vs-torch');
    expect(refusal(specs.GEMM, ['--against', 'old.node'])).toContain('--against needs --shapes');
    expect(refusal(specs.GEMM, ['--shapes', '8x8x8', '--rounds', '3'])).toContain('--rounds needs --against');
    expect(refusal(specs.RECURRENT, ['--rounds', '3'])).toContain('--rounds needs --against');
  });

  it('--help states each integer flag\'s lower bound, the one the parser enforces', () => {
    expect(helpText(specs.FIT)).toMatch(/^ {2}--steps N +batches per timed loop \(at least 4; default 40\)$/m);
    for (const spec of ALL) {
      for (const [name, f] of Object.entries(spec.flags) as [string, { kind: string; min?: number }][]) {
        if (f.kind !== 'int' || f.min === undefined) continue;
        expect(helpText(spec)).toMatch(new RegExp(`^ {2}--${name} N .*\\(at least ${f.min}[;)]`, 'm'));
        expect(refusal(spec, [`--${name}`, String(f.min - 1)])).toContain(`--${name} must be an integer >= ${f.min}`);
      }
    }
  });

  it('a one-item list names the bad value once', () => {
    expect(refusal(specs.FIT, ['--models', 'foo'])).toBe("bench/fit.mjs: --models must be a comma-separated list of addition, imdb_lstm, got 'foo' (--help lists the flags)");
  });

  it('--help lists exactly the flags each parser takes', () => {
    for (const spec of ALL) {
      const listed = [...helpText(spec).matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
      expect(listed).toEqual([...Object.keys(spec.flags), 'help']);
      for (const name of Object.keys(spec.flags)) expect(() => parseFlags(spec, [`--${name}`])).not.toThrow(/unknown flag/);
    }
  });
});

// Every `npm run bench ...` and `node bench/NAME.mjs ...` in fenced blocks and inline code of the docs.
function documentedCommands(file: string): { script: string; argv: string[] }[] {
  const doc = readFileSync(join(REPO_ROOT, file), 'utf8');
  const spans: string[] = [];
  doc.split(/^```.*$/m).forEach((part, i) => {
    if (i % 2 === 1) for (const line of part.split('\n')) spans.push(line.replace(/\s#\s.*$/, ''));
    else part.split('`').forEach((s, j) => { if (j % 2 === 1) spans.push(s.replace(/\s*\n\s*/g, ' ')); });
  });
  const out = [];
  for (const s of spans) {
    const m = /(npm run bench|node bench\/(\w+)\.mjs)(.*)$/.exec(s);
    if (!m) continue;
    // Shell words: '...' quotes one; [--flag VALUE] marks an optional part, which must parse too.
    const words = [...m[3].matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2].replace(/[[\]]/g, ''));
    if (m[2]) out.push({ script: m[2], argv: words });
    else out.push({ script: 'run', argv: words[0] === '--' ? words.slice(1) : words });
  }
  return out;
}

describe('the command lines in the docs', () => {
  const byScript: Record<string, ScriptSpec> = { run: specs.RUN, soak: specs.SOAK, fit: specs.FIT, inference: specs.INFERENCE, recurrent: specs.RECURRENT,
    gemm: specs.GEMM, bf16_step: specs.BF16_STEP, bf16_gradients: specs.BF16_GRADIENTS, sweep: specs.SWEEP };
  // Placeholders the prose uses for a value: an example that parses stands in.
  // --help is answered before parsing (parseOrExit), so it is left out here.
  const example = (argv: string[]) => argv.map((w, i) => (w === '...' && argv[i - 1] === '--shapes' ? '64x64x64' : w === 'CASES' ? 'lstm' : w))
    .filter((w) => w !== '--help');

  for (const file of ['docs/BENCHMARKS.md', 'docs/SCALING.md', 'docs/RESULTS.md', 'README.md']) {
    it(`${file}: every benchmark command parses with the flags it shows`, () => {
      const commands = documentedCommands(file);
      if (file === 'docs/BENCHMARKS.md') expect(commands.length).toBeGreaterThan(80);
      for (const { script, argv } of commands) {
        let spec = byScript[script], args = example(argv);
        expect(spec, `bench/${script}.mjs`).toBeDefined();
        // npm run bench -- --fit / --inference / hand the rest to those scripts, as bench/run.mjs does.
        for (const mode of ['fit', 'inference'] as const) {
          if (script === 'run' && args.includes(`--${mode}`)) { spec = byScript[mode]; args = args.filter((a) => a !== `--${mode}`); }
        }
        expect(() => parseFlags(spec, args), `${script}: ${argv.join(' ')}`).not.toThrow();
      }
    });
  }
});
