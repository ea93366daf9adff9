// The benchmark scripts as run: a bad command line exits 2 with one line naming the flag and nothing on stdout
// (nothing was timed); --help prints the flags; --vs-torch's checks of the PyTorch reference, and its ratios,
// which are never computed from a figure that was not measured.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helpText } from '../../bench/flags.mjs';
import * as specs from '../../bench/specs.mjs';
import { checkTorch, DEFAULT_TORCH_SCRIPT, PYTHON, ratioLines, runTorch } from '../../bench/vs_torch.mjs';
import { bf16Support } from '../../src/backend/index.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bench(script: string, args: string[], env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const r = spawnSync(process.execPath, [join('bench', script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: merged });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

/** An executable shell script standing in for python3: prints `out` on stdout, `err` on stderr (no single quotes), exits with `code`. */
function fakePython(name: string, out: string, err = '', code = 0): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\nprintf '%s' '${out}'\nprintf '%s' '${err}' >&2\nexit ${code}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('bench scripts refuse a bad command line before timing anything', () => {
  const cases: [string, string[], RegExp][] = [
    ['run.mjs', ['--steps', '0'], /^bench\/run\.mjs: --steps must be an integer >= 1, got '0'/],
    ['run.mjs', ['--models', 'lstm,transformer'], /--models must be .*'transformer' is not/],
    ['run.mjs', ['--budget'], /--budget needs a value/],
    ['run.mjs', ['--vs-torch', '--torch-script', 'no/such/torch_reference.py'], /--torch-script: no file at no\/such\/torch_reference\.py/],
    ['run.mjs', ['--soak', '--models', 'lstm'], /--soak takes no other flag \(got --models\)/],
    ['run.mjs', ['--fit', '--inference'], /--fit and --inference are two different benchmarks/],
    ['run.mjs', ['--fit', '--vs-torch'], /^bench\/fit\.mjs: unknown flag --vs-torch/],
    ['run.mjs', ['--inference', '--threads', '-2'], /^bench\/inference\.mjs: --threads must be an integer >= 1, got '-2'/],
    ['fit.mjs', ['--steps', 'abc'], /--steps must be an integer >= 4, got 'abc'/],
    ['recurrent.mjs', ['--reps', 'NaN'], /--reps must be an integer >= 1, got 'NaN'/],
    ['recurrent.mjs', ['--against', 'no/such/old.node'], /--against: no file at no\/such\/old\.node/],
    ['recurrent.mjs', ['--addon', 'package.json'], /--addon: package\.json is not a build of the addon/],
    ['gemm.mjs', ['128x50000x250'], /unexpected argument '128x50000x250'/],
    ['gemm.mjs', ['--shapes', '8x8x8', '--against', 'no/such/old.node'], /--against: no file at/],
    ['bf16_step.mjs', ['--top', '0'], /--top must be an integer >= 1, got '0'/],
    ['bf16_step.mjs', ['--warmup', '-1'], /--warmup must be an integer >= 0, got '-1'/],
    ['bf16_gradients.mjs', ['--data', 'no/such/aclImdb_v1.tar.gz'], /--data: no file or folder at/],
    ['sweep.mjs', ['--data', 'package.json', '--spec-flags', '{"unitz":3}'], /--spec-flags: .*'unitz' is not a flag of rnnlab imdb/],
    ['soak.mjs', ['--epochs', '5'], /unknown flag --epochs/],
    // A folder that exists but holds no tarball: refused as `rnnlab imdb --data` and `npm run lab -- --data` refuse it.
    ['sweep.mjs', ['--data', dir], /^bench\/sweep\.mjs: --data: a folder without aclImdb_v1\.tar\.gz: /],
    ['bf16_gradients.mjs', ['--data', dir], /^bench\/bf16_gradients\.mjs: --data: a folder without aclImdb_v1\.tar\.gz: /],
    // Values as `rnnlab imdb` reads them, not only the names: each would fail every timed run.
    ['sweep.mjs', ['--data', 'package.json', '--spec-flags', '{"epochs":0}'], /^bench\/sweep\.mjs: --spec-flags: .*--epochs must be a positive integer, got '0'/],
    ['sweep.mjs', ['--data', 'package.json', '--spec-flags', '{"model":"transformer"}'], /--spec-flags: .*--model must be one of .*, got 'transformer'/],
    ['sweep.mjs', ['--data', 'package.json', '--spec-flags', '{"units":"abc"}'], /--spec-flags: .*--units expects an integer .*, got 'abc'/],
  ];
  for (const [script, args, message] of cases) {
    it(`${script} ${args.join(' ')}`, () => {
      const r = bench(script, args, { RNNLAB_DATA: undefined });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n')).toHaveLength(1); // a message, not a stack trace
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
    });
  }

  it('bf16_step.mjs stops where mixed_bfloat16 would fall back to float32, instead of timing float32 twice', () => {
    // The portable kernels have no bf16 products on any CPU.
    const r = bench('bf16_step.mjs', ['--models', 'lstm', '--steps', '1'], { RNNLAB_ISA: 'portable' });
    expect(r.stderr).toMatch(/^bench\/bf16_step\.mjs: mixed_bfloat16 cannot run here \(it needs .*\); nothing to compare$/);
    expect([r.code, r.stdout]).toEqual([2, '']);
  });

  it('a data path from RNNLAB_DATA is checked like --data, and named as such', () => {
    const r = bench('sweep.mjs', [], { RNNLAB_DATA: 'no/such/data.tgz' });
    expect([r.code, r.stderr]).toEqual([2, 'bench/sweep.mjs: RNNLAB_DATA: no file or folder at no/such/data.tgz']);
  });

  it('--help prints the flag table and exits 0, through npm run bench\'s modes too', () => {
    for (const [script, args, spec] of [['run.mjs', [], specs.RUN], ['run.mjs', ['--fit'], specs.FIT], ['run.mjs', ['--inference'], specs.INFERENCE],
      ['recurrent.mjs', [], specs.RECURRENT], ['gemm.mjs', [], specs.GEMM], ['sweep.mjs', [], specs.SWEEP]] as const) {
      const r = bench(script, [...args, '--help']);
      expect([r.code, r.stdout.trim()]).toEqual([0, helpText(spec)]);
    }
  });
});

describe('bench/bf16_step.mjs', () => {
  const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
  it.skipIf(!bf16Support().ok)('--rounds takes turns between the precisions: each round\'s figure, their median, the median speedup', () => {
    const r = bench('bf16_step.mjs', ['--models', 'lstm', '--steps', '1', '--warmup', '1', '--rounds', '3', '--top', '2', '--wall']);
    expect(r.code, r.stderr).toBe(0);
    const [f32, bf16, ...rest] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rest).toEqual([]);
    expect([f32.model, f32.precision, bf16.model, bf16.precision]).toEqual(['lstm', 'float32', 'lstm', 'mixed_bfloat16']);
    for (const line of [f32, bf16]) {
      expect(line.rounds).toHaveLength(3);
      expect(line.msPerStep).toBeCloseTo(median(line.rounds), 1);
      expect(line.warmup).toBe(1);
      expect(Object.keys(line).filter((k) => !['model', 'precision', 'warmup', 'msPerStep', 'rounds', 'speedup', 'other'].includes(k))).toHaveLength(2);
    }
    expect(f32.speedup).toBeUndefined();
    expect(bf16.speedup).toBeCloseTo(median(f32.rounds.map((v: number, i: number) => v / bf16.rounds[i])), 1);
    // One round and five warm-up steps (the defaults): no list of rounds.
    const one = bench('bf16_step.mjs', ['--models', 'lstm', '--steps', '1', '--top', '1', '--wall']);
    expect(one.code, one.stderr).toBe(0);
    const lines = one.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.precision, l.warmup, 'rounds' in l, 'speedup' in l])).toEqual([['float32', 5, false, false], ['mixed_bfloat16', 5, false, true]]);
  });
});

describe('bench/gemm.mjs', () => {
  it('times the --addon build on the default shapes too, per CPU-second with --cpu (both were ignored without --shapes)', () => {
    // A stand-in build whose info() names it: the printed isa shows which build ran.
    const fake = join(dir, 'fake_addon.cjs');
    writeFileSync(fake, "module.exports = { info: () => ({ threads: 1, isa: 'fake-isa' }), setThreads() {}, gemm() {} };\n");
    const r = bench('gemm.mjs', ['--addon', fake, '--cpu']);
    expect(r.code, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ isa: 'fake-isa', per: 'cpu second', addon: fake });
    expect(Object.keys(line.gflops)).toEqual(['2048x2048x2048', '64x200x400', '32000x100x400']);
  });
});

describe('bench --vs-torch', () => {
  it('looks for the reference beside the checkout, in the course material', () => {
    expect(DEFAULT_TORCH_SCRIPT).toBe(join(REPO_ROOT, '..', 'shared', 'reference', 'torch_reference.py'));
  });

  it('refuses, naming --vs-torch, when the script, python3 or torch is missing', () => {
    const script = join(dir, 'torch_reference.py');
    writeFileSync(script, '');
    expect(() => checkTorch({ script: join(dir, 'none.py') })).toThrow(/--vs-torch needs the PyTorch reference script, and there is none at .*none\.py \(pass --torch-script PATH\)/);
    expect(() => checkTorch({ script, python: join(dir, 'no-python3') })).toThrow(/--vs-torch runs .*no-python3, which is not installed \(apt-get install -y python3-torch/);
    const noTorch = fakePython('python-without-torch', '', 'ModuleNotFoundError: No module named torch', 1);
    expect(() => checkTorch({ script, python: noTorch })).toThrow(/--vs-torch needs torch for .*: ModuleNotFoundError: No module named torch \(apt-get/);
    expect(checkTorch({ script, python: fakePython('python-with-torch', '1.13.0') })).toBe('1.13.0');
  });

  it('stops on reference output that lacks a model or is not JSON, instead of printing no ratio', () => {
    const script = join(dir, 'torch_reference.py');
    writeFileSync(script, '');
    const partial = fakePython('python-partial', '{"model":"addition","ms_per_step":30}');
    expect(runTorch({ script, python: partial, steps: 1, budget: 1, names: ['addition'] })).toEqual([{ model: 'addition', ms_per_step: 30 }]);
    expect(() => runTorch({ script, python: partial, steps: 1, budget: 1, names: ['addition', 'lstm'] })).toThrow(/gave no figures for lstm/);
    expect(() => runTorch({ script, python: fakePython('python-noise', 'Warning: slow BLAS'), steps: 1, budget: 1, names: ['lstm'] })).toThrow(/not JSON: Warning: slow BLAS/);
    expect(() => runTorch({ script, python: fakePython('python-fails', '', 'Traceback: boom', 3), steps: 1, budget: 1, names: ['lstm'] })).toThrow(/failed \(exit 3\):\nTraceback: boom/);
  });

  it('computes ratios from measured figures only', () => {
    const ours = { lstm: { ms_per_step: 30, train_on_batch_ms_per_step: 24, s_per_epoch: 11.7 } };
    const gemm = { gflops: { '64x200x400': 90 } };
    const theirs = [{ model: 'lstm', ms_per_step: 120, s_per_epoch: 46.9 }, { model: 'gemm', gflops: { '64x200x400': 100 } }];
    expect(ratioLines({ ours, gemm, theirs, targets: { lstm: 0.3 }, gemmTarget: 0.8 })).toEqual([
      { ratio: 'lstm', rnnlab_s_per_epoch: 11.7, torch_s_per_epoch: 46.9, rnnlab_over_torch: 0.25, train_on_batch_over_torch: 0.2, target: '<= 0.3', met: true },
      { ratio: 'gemm', shape: '64x200x400', rnnlab_gflops: 90, torch_gflops: 100, rnnlab_over_torch: 0.9, target: '>= 0.8', met: true },
    ]);
    const bad: [typeof ours, Record<string, unknown>[], RegExp][] = [
      [ours, [{ model: 'lstm', ms_per_step: 0 }], /no ratio for lstm \(torch ms_per_step\): the figure is 0/],
      [ours, [{ model: 'lstm' }], /no ratio for lstm \(torch ms_per_step\): the figure is undefined/],
      [{ lstm: { ...ours.lstm, ms_per_step: NaN } }, [{ model: 'lstm', ms_per_step: 120 }], /no ratio for lstm \(rnnlab ms_per_step\): the figure is NaN/],
      [ours, [{ model: 'gemm', gflops: { '2048x2048x2048': 100 } }], /no ratio for gemm 64x200x400 \(torch\)/],
    ];
    for (const [o, t, message] of bad) expect(() => ratioLines({ ours: o, gemm, theirs: t, targets: { lstm: 0.3 }, gemmTarget: 0.8 })).toThrow(message);
  });

  // End to end with the real reference, where this machine has it (Debian's python3-torch and the course material).
  const haveTorch = existsSync(DEFAULT_TORCH_SCRIPT) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!haveTorch)('npm run bench -- --vs-torch prints the ratio of the two measured step times', () => {
    const r = bench('run.mjs', ['--vs-torch', '--models', 'addition', '--steps', '1', '--budget', '0.05', '--fit-seconds', '0.01', '--no-gemm', '--no-recurrent'], { RNNLAB_THREADS: '1' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const ours = lines.find((l) => l.model === 'addition' && l.engine.startsWith('rnnlab'));
    const theirs = lines.find((l) => l.model === 'addition' && l.engine.startsWith('torch'));
    const ratio = lines.find((l) => l.ratio === 'addition');
    expect(theirs.ms_per_step).toBeGreaterThan(0);
    expect(ratio.rnnlab_over_torch).toBeCloseTo(ours.ms_per_step / theirs.ms_per_step, 3);
    expect(ratio.train_on_batch_over_torch).toBeCloseTo(ours.train_on_batch_ms_per_step / theirs.ms_per_step, 3);
    expect(lines.at(-1).machine).toBeDefined();
  });
});

describe('bench/sweep.mjs cleans up and times only completed runs', () => {
  const haveRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  /** A TMPDIR of its own, so the script's rnnlab-bench-sweep-* folder can be watched. */
  const ownTmp = () => mkdtempSync(join(dir, 'tmp-'));
  // package.json passes --data's check (a file) and fails in the run, when the loader reads it as the tarball.
  const args = ['--data', 'package.json', '--runs', '1', '--workers', '1'];

  it.skipIf(!haveRedis)('a failed run ends the benchmark (exit 1, naming the run and why) instead of printing its throughput', () => {
    const tmp = ownTmp();
    const r = bench('sweep.mjs', args, { TMPDIR: tmp, RNNLAB_CACHE: undefined });
    expect(r.stderr).toMatch(/^bench\/sweep\.mjs: warm-up: run seed-0 failed \(exit 1\): .*package\.json.*; nothing timed$/);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(readdirSync(tmp)).toEqual([]); // the folder with its IMDb cache is gone
  });

  it.skipIf(!haveRedis)('SIGTERM stops the run under way and removes the folder', async () => {
    const tmp = ownTmp();
    const child = spawn(process.execPath, [join('bench', 'sweep.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    const ended = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Sent once the warm-up's folder exists: its run (a node process loading the data) is then under way.
    const t0 = Date.now();
    while (!readdirSync(tmp).some((f) => existsSync(join(tmp, f, 'warm'))) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    expect(await ended).toBe(143);
    expect(stderr.trim()).toBe('bench/sweep.mjs: stopped by SIGTERM; nothing reported');
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);
});
