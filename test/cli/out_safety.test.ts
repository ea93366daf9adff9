/**
 * What the commands do with the paths they are given: --out never costs the user a file rnnlab did not write, a bad
 * --out (empty, a file, below a file) is refused before any work with exit code 2, default run folders never
 * collide, and an input that is a folder where a file is expected is a usage error naming the flag and the path.
 * Everything runs the real CLI (in-process) on small generated data, in a temporary working folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDir, defaultOutDir } from '../../src/report/run.js';
import { envForFile } from '../helpers/env.js';
import { cleanup, readResults, requireData, run, tempDir, type RunResult } from './helpers.js';

const TINY = ['--epochs', '1', '--units', '4', '--embedding-dim', '4'];
const S2S_TINY = ['--epochs', '1', '--units', '4', '--embedding-dim', '4', '--samples', '0', '--verbose', '0'];

let root = '', csv = '', pairs = '', model = '', s2s = '', savedCwd = '';

/** A 60-row `review,sentiment` CSV. */
function sentimentCsv(file: string): string {
  const pos = ['great', 'wonderful', 'loved', 'excellent'], neg = ['awful', 'boring', 'hated', 'terrible'];
  const rows = ['review,sentiment'];
  for (let i = 0; i < 60; i++) {
    const w = i % 2 ? pos : neg;
    rows.push(`this film was ${w[i % 4]} and ${w[(i + 1) % 4]},${i % 2 ? 'positive' : 'negative'}`);
  }
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

function pairsTsv(file: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) lines.push(`w${i} x\tx w${i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** A usage error: exit code 2, `rnnlab CMD: error: ...` matching each pattern, and the pointer to --help. */
function expectUsage(r: RunResult, command: string, ...patterns: (string | RegExp)[]): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toMatch(new RegExp(`^rnnlab ${command}: error: `));
  for (const p of patterns) typeof p === 'string' ? expect(r.err).toContain(p) : expect(r.err).toMatch(p);
  expect(r.err).toContain(`Run 'rnnlab ${command} --help' for usage.`);
  expect(r.out).toBe('');
}

/** A folder with files of the user's, to check after a run. */
function userFolder(dir: string, files: Record<string, string>): Record<string, string> {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return files;
}

function expectIntact(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) expect(readFileSync(path.join(dir, name), 'utf8'), name).toBe(text);
}

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

root = tempDir('rnnlab-out-safety-');
// IMDb runs below: their parsed cache in a scratch folder, and never a download.
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1', RNNLAB_DATA: undefined }));

beforeAll(async () => {
  // Default run folders (runs/...) and a stray ./model would land in the working folder: make it a scratch one.
  savedCwd = process.cwd();
  const cwd = path.join(root, 'cwd');
  mkdirSync(cwd);
  process.chdir(cwd);
  csv = sentimentCsv(path.join(root, 'sent.csv'));
  pairs = pairsTsv(path.join(root, 'pairs.tsv'));
  model = path.join(root, 'model-run');
  const t = await run(['train', '--data', csv, ...TINY, '--out', model]);
  expect(t.err).toBe('');
  expect(t.code).toBe(0);
  s2s = path.join(root, 's2s-run');
  const s = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', s2s]);
  expect(s.err).toBe('');
  expect(s.code).toBe(0);
}, 120_000);

afterAll(() => {
  process.chdir(savedCwd);
  cleanup();
});

describe('--out never replaces files rnnlab did not write', () => {
  it('train refuses a folder holding the user\'s model/my_model.py and results.json, before training, and changes nothing', async () => {
    const dir = path.join(root, 'user-train');
    const mine = userFolder(dir, { 'model/my_model.py': 'print("mine")\n', 'results.json': '{"mine": true}\n' });
    const r = await run(['train', '--data', csv, ...TINY, '--out', dir]);
    expectUsage(r, 'train', `--out: ${dir} already holds`, "'results.json'", "'model/my_model.py'", 'nothing was changed');
    expectIntact(dir, mine);
    expect(tree(dir)).toEqual(['model/my_model.py', 'results.json']);
  });

  it('train refuses to replace model/ when it holds a file of the user\'s, even in an earlier run\'s folder', async () => {
    const dir = path.join(root, 'earlier-plus-mine');
    const first = await run(['train', '--data', csv, ...TINY, '--out', dir]);
    expect(first.code).toBe(0);
    const before = readFileSync(path.join(dir, 'results.json'), 'utf8');
    const mine = userFolder(dir, { 'model/notes.md': 'my notes\n' });
    const r = await run(['train', '--data', csv, ...TINY, '--out', dir]);
    expectUsage(r, 'train', "'model/notes.md'");
    expectIntact(dir, mine);
    expect(readFileSync(path.join(dir, 'results.json'), 'utf8')).toBe(before);
    expect(tree(path.join(dir, 'model'))).toEqual(['model.json', 'notes.md', 'rnnlab-text.json', 'weights.bin']);
  });

  it('train into an earlier run\'s folder replaces that run\'s outputs and keeps every other file', async () => {
    const dir = path.join(root, 'rerun');
    expect((await run(['train', '--data', csv, ...TINY, '--out', dir])).code).toBe(0);
    const startedBefore = readResults(dir).startedAt;
    const mine = userFolder(dir, { 'notes.txt': 'keep me\n' });
    await new Promise((res) => setTimeout(res, 5));
    const r = await run(['train', '--data', csv, ...TINY, '--out', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readResults(dir).startedAt).not.toBe(startedBefore);
    expectIntact(dir, mine);
    expect(tree(dir)).toEqual(['model/model.json', 'model/rnnlab-text.json', 'model/weights.bin', 'notes.txt', 'report.html', 'report.png', 'results.json']);
  });

  it('an earlier run\'s folder whose report is a link is refused: the run would write where the link leads', async () => {
    const dir = path.join(root, 'linked');
    expect((await run(['train', '--data', csv, ...TINY, '--out', dir])).code).toBe(0);
    const victim = path.join(root, 'victim.html');
    writeFileSync(victim, 'mine\n');
    rmSync(path.join(dir, 'report.html'));
    symlinkSync(victim, path.join(dir, 'report.html'));
    expectUsage(await run(['train', '--data', csv, ...TINY, '--out', dir]), 'train', "'report.html'");
    expect(readFileSync(victim, 'utf8')).toBe('mine\n');
  });

  it('evaluate and tokenize refuse a results.json or report that is not an earlier run\'s', async () => {
    const dir = path.join(root, 'user-reports');
    const mine = userFolder(dir, { 'results.json': '[1, 2, 3]\n', 'report.html': '<p>mine</p>\n' });
    expectUsage(await run(['evaluate', '--model', model, '--data', csv, '--out', dir]), 'evaluate', `--out: ${dir} already holds`, "'results.json'", "'report.html'");
    expectUsage(await run(['tokenize', '--out', dir, 'great film']), 'tokenize', "'results.json'", "'report.html'");
    expectIntact(dir, mine);
  });

  it('seq2seq refuses model/ with a file of the user\'s, and --generate refuses the user\'s pairs.tsv', async () => {
    const dir = path.join(root, 'user-s2s');
    const mine = userFolder(dir, { 'model/keep.txt': 'mine\n' });
    expectUsage(await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', dir]), 'seq2seq', "'model/keep.txt'");
    expectIntact(dir, mine);
    expect(tree(dir)).toEqual(['model/keep.txt']);
    const gen = path.join(root, 'user-gen');
    const theirs = userFolder(gen, { 'pairs.tsv': 'my own pairs\n' });
    expectUsage(await run(['seq2seq', '--generate', 'date', '--count', '40', ...S2S_TINY, '--out', gen]), 'seq2seq', "'pairs.tsv'");
    expectIntact(gen, theirs);
    // The same file given as --data, with --out its folder, is read, not replaced.
    const own = path.join(root, 'own-pairs');
    const data = userFolder(own, { 'pairs.tsv': readFileSync(pairs, 'utf8') });
    const r = await run(['seq2seq', '--data', path.join(own, 'pairs.tsv'), ...S2S_TINY, '--out', own]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expectIntact(own, data);
  });

  it('seq2seq into its own earlier run\'s folder replaces the model', async () => {
    const dir = path.join(root, 's2s-again');
    expect((await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', dir])).code).toBe(0);
    const r = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', dir, '--seed', '7']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readResults(dir).config.seed).toBe(7);
    expect(tree(path.join(dir, 'model'))).toEqual(['model.json', 'rnnlab-seq2seq.json', 'weights.bin']);
  });
});

describe('a bad --out is refused up front', () => {
  it('--out "" exits 2 naming --out on every command that takes it, and writes nothing', async () => {
    const cases: [string, string[]][] = [
      ['train', ['train', '--data', csv, ...TINY]],
      ['evaluate', ['evaluate', '--model', model, '--data', csv]],
      ['tokenize', ['tokenize', 'great film']],
      ['seq2seq', ['seq2seq', '--data', pairs, ...S2S_TINY]],
      ['imdb', ['imdb', '--model', 'lstm']],
      ['compare', ['compare']],
      ['addition', ['addition']],
      ['experiment params', ['experiment', 'params']],
      ['export', ['export', '--model', model]],
    ];
    for (const [command, args] of cases) {
      const r = await run([...args, '--out', '']);
      expectUsage(r, command, /--out expects a (path|folder|file), got ''/);
    }
    expect(readdirSync(process.cwd())).toEqual([]);
  });

  it('--out naming a file (or a path below a file, or a link to nothing) exits 2 naming --out and the path, and the file is kept', async () => {
    const file = path.join(root, 'a-file.txt');
    writeFileSync(file, 'mine\n');
    const cases: [string, string[]][] = [
      ['train', ['train', '--data', csv, ...TINY]],
      ['evaluate', ['evaluate', '--model', model, '--data', csv]],
      ['tokenize', ['tokenize', 'great film']],
      ['seq2seq', ['seq2seq', '--data', pairs, ...S2S_TINY]],
      ['addition', ['addition']],
      ['experiment params', ['experiment', 'params']],
    ];
    const dangling = path.join(root, 'dangling-link');
    symlinkSync(path.join(root, 'nowhere'), dangling);
    for (const [command, args] of cases) {
      expectUsage(await run([...args, '--out', file]), command, `--out: ${file} is a file, not a folder`);
      expectUsage(await run([...args, '--out', path.join(file, 'sub')]), command, `--out: cannot make the folder ${path.join(file, 'sub')}: ${file} is a file`);
      expectUsage(await run([...args, '--out', dangling]), command, `--out: ${dangling} is a link to ${path.join(root, 'nowhere')}, which does not exist; give a folder`);
    }
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(root, 'nowhere'))).toBe(false);
  });
});

describe('default run folders', () => {
  it('createRunDir takes a free name with one mkdir: dir, dir-2, dir-3', () => {
    const base = path.join(root, 'names', 'x-evaluate');
    expect(createRunDir(base)).toBe(base);
    expect(createRunDir(base)).toBe(`${base}-2`);
    expect(createRunDir(base)).toBe(`${base}-3`);
    expect(readdirSync(path.dirname(base)).sort()).toEqual(['x-evaluate', 'x-evaluate-2', 'x-evaluate-3']);
  });

  it('evaluate started in the same second as another run gets a folder of its own', async () => {
    // Another run's folders for this second and the next few: the new run must not write into any of them.
    const now = Date.now();
    const taken = Array.from({ length: 6 }, (_, k) => defaultOutDir('evaluate', new Date(now + k * 1000)));
    for (const d of new Set(taken)) userFolder(d, { 'results.json': '{"another run": true}\n' });
    const r = await run(['evaluate', '--model', model, '--data', csv, '--worst', '1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const d of new Set(taken)) expectIntact(d, { 'results.json': '{"another run": true}\n' });
    const made = readdirSync('runs').filter((n) => n.endsWith('-evaluate-2'));
    expect(made).toHaveLength(1);
    expect(readResults(path.join('runs', made[0]))).toMatchObject({ command: 'evaluate', status: 'completed' });
    expect(r.out).toContain(`Wrote ${path.join('runs', made[0], 'results.json')}`);
  });

  it('two evaluate runs at once write two folders', async () => {
    const before = new Set(existsSync('runs') ? readdirSync('runs') : []);
    const [a, b] = await Promise.all([
      run(['evaluate', '--model', model, '--data', csv, '--worst', '1']),
      run(['evaluate', '--model', model, '--data', csv, '--worst', '1']),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const fresh = readdirSync('runs').filter((n) => !before.has(n));
    expect(fresh).toHaveLength(2);
    for (const d of fresh) expect(readResults(path.join('runs', d)).command).toBe('evaluate');
  });
});

describe('default run folders of imdb', () => {
  const IMDB_TINY = ['--model', 'lstm', '--limit', '40', '--epochs', '1', '--maxlen', '20', '--units', '4', '--embedding-dim', '4', '--verbose', '0'];

  it('imdb started in the same second as another run gets a folder of its own, checkpoint and model included', async () => {
    const now = Date.now();
    const taken = Array.from({ length: 8 }, (_, k) => defaultOutDir('imdb-lstm', new Date(now + k * 1000)));
    for (const d of new Set(taken)) userFolder(d, { 'results.json': '{"another run": true}\n' });
    const r = await run(['imdb', ...IMDB_TINY, '--data', requireData()]);
    expect(r.code, r.err).toBe(0);
    for (const d of new Set(taken)) expect(tree(d)).toEqual(['results.json']);
    const made = readdirSync('runs').filter((n) => n.endsWith('-imdb-lstm-2'));
    expect(made).toHaveLength(1);
    const files = tree(path.join('runs', made[0]));
    expect(files).toContain('results.json');
    expect(files).toContain('model/model.json');
    expect(files.some((f) => f.startsWith('checkpoint/'))).toBe(true);
  });

  it('an imdb run that fails before training leaves no empty default folder behind', async () => {
    const before = readdirSync('runs').sort();
    const r = await run(['imdb', ...IMDB_TINY]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/RNNLAB_OFFLINE|offline|download/i);
    expect(readdirSync('runs').sort()).toEqual(before);
  });
});

describe('inputs that cannot be read as files', () => {
  it('a folder given where a file is expected exits 2 naming the flag and the folder', async () => {
    const dir = path.join(root, 'a-folder');
    mkdirSync(dir, { recursive: true });
    expectUsage(await run(['predict', '--model', model, '--file', dir]), 'predict', `--file: ${dir} is a folder, not a file`);
    expectUsage(await run(['translate', '--model', s2s, '--file', dir]), 'translate', `--file: ${dir} is a folder, not a file`);
    expectUsage(await run(['seq2seq', '--data', dir, ...S2S_TINY]), 'seq2seq', `--data: ${dir} is a folder, not a file`);
    expectUsage(await run(['train', '--data', dir, '--format', 'csv', ...TINY]), 'train', `--data: ${dir} is a folder, but --format csv reads a file`);
    expectUsage(await run(['evaluate', '--model', model, '--data', dir, '--format', 'tsv']), 'evaluate', `--data: ${dir} is a folder, but --format tsv reads a file`);
    expectUsage(await run(['train', '--data', csv, '--format', 'folder', ...TINY]), 'train', `--data: ${csv} is a file, but --format folder reads a folder`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing --data or --validation exits 2 naming the flag and the path', async () => {
    const none = path.join(root, 'none.csv');
    expectUsage(await run(['train', '--data', none, ...TINY]), 'train', `--data: no such file or folder: ${none}`);
    expectUsage(await run(['train', '--data', csv, '--validation', none, ...TINY]), 'train', `--validation: no such file or folder: ${none}`);
    expectUsage(await run(['evaluate', '--model', model, '--data', none]), 'evaluate', `--data: no such file or folder: ${none}`);
    expect(existsSync('runs') ? readdirSync('runs').filter((n) => n.includes('-train-')) : []).toEqual([]);
  });
});

describe('tokenize --help and export --out', () => {
  it('tokenize --help says it writes nothing without --out', async () => {
    const r = await run(['tokenize', '--help']);
    expect(r.code).toBe(0);
    const out = r.out.slice(r.out.indexOf('--out'), r.out.indexOf('--out') + 200).replace(/\s+/g, ' ');
    expect(out).toContain('default: print only, write nothing');
    expect(out).not.toContain('runs/<timestamp>');
    const before = readdirSync(process.cwd()).sort();
    expect((await run(['tokenize', 'great film'])).code).toBe(0);
    expect(readdirSync(process.cwd()).sort()).toEqual(before);
  });

  it('export replaces an existing file whole, and refuses a folder up front', async () => {
    const dir = path.join(root, 'export');
    mkdirSync(dir);
    const file = path.join(dir, 'm.onnx');
    writeFileSync(file, 'old bytes');
    const r = await run(['export', '--model', model, '--out', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(100);
    expect(bytes.toString('latin1')).toContain('rnnlab');
    expect(readdirSync(dir)).toEqual(['m.onnx']);
    expectUsage(await run(['export', '--model', model, '--out', dir]), 'export', `--out: ${dir} is a folder`);
    const none = await run(['export', '--model', model, '--out', path.join(root, 'no-dir', 'm.onnx')]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/cannot write/);
    expect(readFileSync(file)).toEqual(bytes);
  });

  it('serve refuses a --runs that is a file before starting', async () => {
    const file = path.join(root, 'runs-file.txt');
    writeFileSync(file, 'mine');
    expectUsage(await run(['serve', '--port', '0', '--runs', file]), 'serve', `--runs: ${file} is a file, not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('seq2seq blames the length limit the user set, and a JSON Lines pairs file gets examples of its own columns', async () => {
    const len = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--max-target-len', '1', '--out', path.join(root, 's2s-len')]);
    expect(len.code, len.err).toBe(2);
    expect(len.err).toMatch(/error: --max-target-len: no training pair is within \d+ source and 1 target tokens/);
    const jsonl = path.join(root, 'pairs.jsonl');
    writeFileSync(jsonl, '{"source":"a b","target":"b a"}\n[1,2]\n');
    const r = await run(['seq2seq', '--data', jsonl, ...S2S_TINY, '--out', path.join(root, 's2s-jsonl')]);
    expect(r.err).toContain('pairs.jsonl:2: expected a JSON object like {"source": "...", "target": "..."}');
  });
});
