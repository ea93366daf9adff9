/**
 * The lab's TypeScript port runs end to end in quick mode on a small synthetic aclImdb tarball, so the
 * examples never rot: they compile against the public API, every section runs, and each prints what the
 * notebook prints.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTarGz, removeDir, reviewEntries, tempDir, writeFixture } from '../data/fixtures.js';
import { REPO_ROOT } from '../helpers/imdb.js';
import { LAB_SECTIONS, labSections } from '../../examples/lab8/sections.js';

const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
const RUNNER = join(REPO_ROOT, 'scripts/lab.mjs');
let dir = '';
let tarball = '';

function lab(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, RNNLAB_CACHE: join(dir, 'cache'), RNNLAB_OFFLINE: '1' };
  delete env.RNNLAB_DATA;
  delete env.RNNLAB_LAB_QUICK;
  Object.assign(env, extraEnv);
  return spawnSync(process.execPath, [RUNNER, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  const built = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.examples.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(built.stdout + built.stderr, 'the examples compile against the public API').toBe('');
  dir = tempDir('rnnlab-lab8-');
  // 2 reviews per folder is too few for "first and fifth review"; 6 per folder gives 12 per split.
  tarball = writeFixture(dir, 'aclImdb_v1.tar.gz', makeTarGz(reviewEntries(6)));
}, 120_000);

afterAll(() => removeDir(dir));

describe('examples/lab8 in quick mode', () => {
  it('runs every section in order and prints what the notebook prints', () => {
    const r = lab(['--quick', '--data', tarball]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const out = r.stdout;
    for (const s of LAB_SECTIONS) expect(out).toContain(`=== ${s.id}. ${s.title}`);
    // Tokenization of the lab's toy corpus: 'books' is the most frequent word.
    expect(out).toContain('i have books - [4, 5, 1]');
    expect(out).toContain('Number of reviews 12');
    expect(out).toContain('Length of first and fifth review after padding 100 100');
    // Six IMDb models, each with its summary and the lab's accuracy line.
    expect(out.match(/^Accuracy: \d+\.\d\d%$/gm)).toHaveLength(6);
    expect(out).toContain('Total params: 25,501');
    expect(out).toContain('Total addition questions: 2000');
    expect(out).toContain('X :  [ 1800, 7, 12 ]');
    expect(out).toContain('Shape of output :  [ 1, 3, 8 ]');
    expect(out).toContain('Shape of output :  [ 1, 3, 6 ]');
    // As the lab's input_array[0] / output_array[0]: the example without its batch axis.
    expect(out).toMatch(/^Input : {2}\[\n +\d+,/m);
    expect(out).toMatch(/^Output : {2}\[\n {2}\[\n +-?\d/m);
    // The vanishing-gradient cells of Models 3 and 4: finite norms at the first, middle and last of 100 steps.
    for (const cell of ['SimpleRNN', 'LSTM']) {
      const m = out.match(new RegExp(`^${cell}, \\|\\|d loss / d h_t\\|\\| at t = 1: (\\S+), t = 50: (\\S+), t = 100: (\\S+) \\(first / last (\\S+)\\)$`, 'm'));
      expect(m, cell).not.toBeNull();
      const [first, , last, ratio] = m!.slice(1).map(Number);
      expect(first).toBeGreaterThan(0);
      // printed to 3 significant digits each, so the ratio agrees with first / last to about 1 %
      expect(Math.abs(ratio / (first / last) - 1)).toBeLessThan(0.02);
    }
    // The lab's own question, answered by the trained adder, padding shown.
    expect(out).toMatch(/^'231\+432' -> '[ 0-9+]{4}' {2}\(true: '663 '\)$/m);
    expect(out.match(/^Question \S+ +True \S+ +Guess .* (Good job|Fail)$/gm)).toHaveLength(20);
    expect(out).toMatch(/^The model scored \d+\.\d % in its test\.$/m);
    expect(out.match(/per character \d+\.\d\d%, whole answers \d+\.\d\d%/g)).toHaveLength(5);
    // Quick mode trains each exercise variant one epoch: said in the singular.
    expect(out).toMatch(/^GRU, 1 decoder layer, 1 epoch: \d+ params, /m);
    expect(out).not.toMatch(/\b1 epochs\b/);
    expect(out).toMatch(/a\+b vs b\+a: +0\.\d{3}|a\+b vs b\+a: +1\.000/);
    expect(out).toMatch(/^whole answers right: a\+b \d+\.\d\d%, b\+a \d+\.\d\d%$/m);
    expect(out).toMatch(/6-digit numbers: \d+\.\d\d% of sums exactly right/);
    expect(out).toContain('lab: 15 section(s)');
  }, 120_000);

  it('runs one section with the sections it builds on', () => {
    const r = lab(['--quick', '--data', tarball, '4']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('=== 4. Model 1B');
    expect(r.stdout).not.toContain('=== 3. Model 1A');
    // Section 4 imports the data section: it runs first, under its own header, and its printout stays there.
    const data = r.stdout.indexOf('=== 2. Load and preprocess IMDb (examples/lab8/02_load_imdb.ts) [needed by 4] ===');
    expect(data).toBeGreaterThanOrEqual(0);
    expect(data).toBeLessThan(r.stdout.indexOf('Number of reviews 12'));
    expect(r.stdout.indexOf('Number of reviews 12')).toBeLessThan(r.stdout.indexOf('=== 4. Model 1B'));
    expect(r.stdout.indexOf('=== 4. Model 1B')).toBeLessThan(r.stdout.indexOf('Accuracy:'));
    expect(r.stdout).toContain('lab: 2 section(s)');
    // A section pulls in the data it needs, never another model's training.
    const rnn = lab(['--quick', '--data', tarball, '6']);
    expect(rnn.status).toBe(0);
    expect(rnn.stdout.match(/^Accuracy: /gm)).toHaveLength(1);
    const reversed = lab(['--quick', '--data', tarball, '13']);
    expect(reversed.status).toBe(0);
    expect(reversed.stdout).not.toContain('decoder layer');
    expect(reversed.stdout).toContain('reversed questions: per character');
  }, 60_000);

  it('rejects unknown flags, bad sections and a --data path without the tarball with exit 2', () => {
    // A folder without aclImdb_v1.tar.gz is the user's --data mistake, not RNNLAB_DATA's (which lab.mjs sets from it).
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    for (const [args, message] of [[['--fast'], 'unknown flag --fast'], [['16'], "section '16'"], [['0'], "section '0'"],
      [['--data'], '--data needs a path'], [['--data', join(dir, 'nope.tar.gz')], `--data: no such file or folder: ${join(dir, 'nope.tar.gz')}`],
      // As rnnlab's --data says it: the loader's own test (imdbPathProblem), imported from dist/.
      [['--data', empty, '2'], `--data: a folder without aclImdb_v1.tar.gz: ${empty}`],
      [[`--data=${empty}`, '2'], `--data: a folder without aclImdb_v1.tar.gz: ${empty}`],
      // Digits only: Number() would read these as 1, 2 and 3.
      [['1e0'], "section '1e0'"], [['0x2'], "section '0x2'"], [[' 3'], "section ' 3'"]] as const) {
      const r = lab([...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr, args.join(' ')).not.toContain('RNNLAB_DATA');
    }
  });

  it('takes --data as the folder holding the tarball, and leaves a user-set RNNLAB_DATA to the loader', () => {
    const r = lab(['--quick', '--data', dir, '2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Number of reviews 12');
    // No --data: the variable is the user's, so the loader's error names it.
    const empty = join(dir, 'empty-var');
    mkdirSync(empty, { recursive: true });
    const v = lab(['--quick', '2'], { RNNLAB_DATA: empty });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/^lab: section 2 \(examples\/lab8\/02_load_imdb\.ts\): data error: IMDb data not found/);
    expect(v.stderr).toContain(`RNNLAB_DATA: ${empty} (a folder without aclImdb_v1.tar.gz)`);
  });

  it('reports a section that fails on bad data in one line, exit 1, naming the section (the stack only with RNNLAB_DEBUG=1)', () => {
    const junk = writeFixture(dir, 'junk.tar.gz', Buffer.from('not a tarball\n'));
    const r = lab(['--quick', '--data', junk, '3']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lab: section 2 \(examples\/lab8\/02_load_imdb\.ts\): data error: .*junk\.tar\.gz/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toContain('=== 3. Model 1A');
    const debug = spawnSync(process.execPath, [RUNNER, '--quick', '--data', junk, '3'],
      { cwd: REPO_ROOT, env: { ...process.env, RNNLAB_DEBUG: '1', RNNLAB_OFFLINE: '1', RNNLAB_CACHE: join(dir, 'cache') }, encoding: 'utf8', timeout: 60_000 });
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('lists the sections with their sources for the dashboard', () => {
    const sections = labSections();
    expect(sections.map((s) => s.id)).toEqual(LAB_SECTIONS.map((_, i) => i + 1));
    for (const s of sections) {
      expect(s.source).toBe(readFileSync(join(REPO_ROOT, 'examples/lab8', s.file), 'utf8'));
      expect(s.source, s.file).toMatch(/^import \* as rl from 'rnnlab';$/m);
      // Plain public API only: nothing from the library's internals.
      expect(s.source, s.file).not.toMatch(/from '(\.\.\/)+src\//);
    }
  });
});

describe('examples/lab8.ipynb', () => {
  it('is generated from the section files (no drift)', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/lab_notebook.mjs'), '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const nb = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/lab8.ipynb'), 'utf8'));
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code').map((c: { source: string[] }) => c.source.join(''));
    // One shared scope: rnnlab is imported once, and no cell imports another section or exports.
    expect(code.filter((s: string) => s.includes("from 'rnnlab'"))).toHaveLength(1);
    for (const s of code) expect(s).not.toMatch(/^(export |import .* from '\.\/\d)/m);
    expect(nb.metadata.kernelspec.name).toBe('deno');
  });

  it('refuses an argument it does not know before writing anything, and answers --help', () => {
    const nbPath = join(REPO_ROOT, 'examples/lab8.ipynb');
    const before = statSync(nbPath).mtimeMs;
    for (const arg of ['--chek', '-c', 'check']) {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/lab_notebook.mjs'), arg], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(r.stderr.split('\n')[0]).toBe(`lab_notebook: unknown argument '${arg}'`);
      expect([r.status, r.stdout]).toEqual([2, '']);
    }
    const help = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/lab_notebook.mjs'), '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: node scripts\/lab_notebook\.mjs \[--check\]/);
    expect(help.stdout).toContain('--check');
    // Not rewritten: the old script took any argument but --check as "write the notebook".
    expect(statSync(nbPath).mtimeMs).toBe(before);
  });
});
