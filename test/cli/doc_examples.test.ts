/**
 * The example command lines of the docs run as written. For imdb, compare, addition, experiment, tokenize, export,
 * sweep, worker, cache and version: every line of a fenced block or sample marker in docs/CLI.md, README.md and
 * docs/SCALING.md, and every example under a command's --help, is parsed by the real program (every flag exists,
 * every value passes its flag's check, required flags are there). The cheap samples, which need no data, are run
 * in full and must print what the doc shows; the sweep spec the doc and --help show must be a valid spec.
 * The lines of train, evaluate, predict, seq2seq, translate and serve are run in full in a scratch folder, after
 * making the small files they name (doc_example_inputs.ts), and must make what the doc says: the files of the
 * run, and output of the shape the doc's block shows. Their training is shrunk (shrink()) to keep this file short.
 * (test/docs/cli_flags.test.ts checks the flag lists themselves against the parser.)
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFiles, findSamples, normaliseOutput, renderSample, splitArgs } from '../../scripts/docs_samples.mjs';
import { UsageError } from '../../src/cli/context.js';
import { booleanValues } from '../../src/cli/flags.js';
import { buildProgram, main } from '../../src/cli/main.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { envForFile } from '../helpers/env.js';
import { REPO_ROOT } from '../helpers/imdb.js';
import { run } from './helpers.js';
import { flagValue, makeInputs, shrink } from './doc_example_inputs.js';

const OWNED = new Set(['imdb', 'compare', 'addition', 'experiment', 'tokenize', 'export', 'sweep', 'worker', 'cache', 'version']);
const read = (rel: string) => readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const CLI_MD = read('docs/CLI.md');
const silent = { write: () => true };

interface Example { where: string; line: string }

/** `rnnlab ...` (or `node bin/rnnlab.js ...`, `npx rnnlab ...`) lines of fenced blocks and sample markers, for the given commands. */
export function docExamples(file: string, text: string, commands: ReadonlySet<string> = OWNED): Example[] {
  const out: Example[] = [];
  let fenced = false;
  text.split('\n').forEach((l, i) => {
    if (l.startsWith('```')) { fenced = !fenced; return; }
    const m = fenced ? /^\s*(?:\$ )?(?:node bin\/rnnlab\.js|npx rnnlab|rnnlab)\s+(.*)$/.exec(l) : /<!-- sample[^:]*: rnnlab (.*) -->/.exec(l);
    // A shell comment after the command (README's block) is not an argument.
    const line = m?.[1].replace(/\s+#\s.*$/, '').trim();
    if (line && commands.has(line.split(/\s+/)[0])) out.push({ where: `${file}:${i + 1}`, line });
  });
  return out;
}

/** The program with every command's action replaced by nothing: parsing alone, as main does it. */
function dryProgram(): Command {
  const program = buildProgram({ out: silent, err: silent });
  const stub = (c: Command) => { for (const sub of c.commands) sub.commands.length ? stub(sub) : sub.action(() => undefined); };
  stub(program);
  return program;
}

/** What the parser says against argv (a usage error's message), or null when every flag and value is accepted. */
async function parseProblem(argv: string[]): Promise<string | null> {
  const program = dryProgram();
  const top = program.commands.find((c) => c.name() === argv[0]);
  const sub = top?.commands.find((c) => c.name() === argv[1]);
  const target = sub ?? top;
  if (!target) return `no command ${argv[0]}`;
  const depth = sub ? 2 : 1;
  try {
    const args = [...argv.slice(0, depth), ...booleanValues(target, argv.slice(depth), argv.slice(0, depth).join(' '))];
    await program.parseAsync(args, { from: 'user' });
    return null;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CommanderError) return e.message;
    throw e;
  }
}

/** README's placeholders, as a reader fills them in. */
const filled = (line: string) => line.replace(/<run>/g, 'imdb-lstm').replace(/\bHOST\b/g, 'queue-host');

let cwd: string;
const savedCwd = process.cwd();
beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'rnnlab-doc-examples-'));
  // What the examples name: the tarball, a saved run, the spec file of the sweep sample.
  copyFileSync(inject('syntheticImdbTarball'), path.join(cwd, 'aclImdb_v1.tar.gz'));
  mkdirSync(path.join(cwd, 'runs', 'imdb-lstm'), { recursive: true });
  for (const f of findFiles(CLI_MD)) writeFileSync(path.join(cwd, f.name), f.content);
  process.chdir(cwd);
});
afterAll(() => {
  process.chdir(savedCwd);
  rmSync(cwd, { recursive: true, force: true });
});
envForFile(() => ({ RNNLAB_CACHE: path.join(cwd, 'cache'), RNNLAB_OFFLINE: '1', RNNLAB_THREADS: '1', RNNLAB_DATA: undefined }));

describe('the docs\' example command lines', () => {
  const examples = [...docExamples('docs/CLI.md', CLI_MD), ...docExamples('README.md', read('README.md')), ...docExamples('docs/SCALING.md', read('docs/SCALING.md'))];

  it('finds the examples of every owned command that has one', () => {
    const commands = new Set(examples.map((e) => e.line.split(/\s+/)[0]));
    expect([...commands].sort()).toEqual([...OWNED].sort());
    expect(examples.length).toBeGreaterThan(25);
  });

  it('each parses: its flags exist, its values are accepted, required flags are given', async () => {
    const wrong: string[] = [];
    for (const e of examples) {
      // A sample documented to fail shows a refused value; it must be refused, by the parser.
      const expectedExit = /<!-- sample exit (\d+)/.exec(CLI_MD.split('\n').find((l) => l.includes(`: rnnlab ${e.line} -->`)) ?? '')?.[1];
      const problem = await parseProblem(splitArgs(filled(e.line)));
      if (expectedExit === '2' ? problem === null : problem !== null) wrong.push(`${e.where}: rnnlab ${e.line}: ${problem ?? 'accepted, but documented as a usage error'}`);
    }
    expect(wrong).toEqual([]);
  });

  it("README's notes beside its commands name flags of that command (--resume, --out, --queue)", () => {
    const program = dryProgram();
    const optionsOf = (c: Command): string[] => [...c.options.map((o) => o.long!), ...c.commands.flatMap(optionsOf)];
    const wrong: string[] = [];
    let checked = 0;
    for (const l of read('README.md').split('\n')) {
      const m = /^node bin\/rnnlab\.js (\S+).*?\s#\s(.*)$/.exec(l);
      if (!m || !(OWNED.has(m[1]) || RUN_IN_FULL.has(m[1]))) continue;
      // The program's own --version ("the version (also --version)") counts too.
      const known = [...optionsOf(program.commands.find((c) => c.name() === m[1])!), ...program.options.map((o) => o.long!)];
      for (const f of m[2].match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? []) {
        checked++;
        if (!known.includes(f)) wrong.push(`rnnlab ${m[1]}: ${f}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });

  it('catches a made-up flag, a bad value and a missing required flag', async () => {
    expect(await parseProblem(['imdb', '--model', 'lstm', '--epoch', '3'])).toMatch(/unknown option '--epoch'/);
    expect(await parseProblem(['worker', '--queue', 'redis://h:1', '--concurrency', '0'])).toMatch(/--concurrency must be/);
    expect(await parseProblem(['imdb', '--epochs', '3'])).toMatch(/--model/);
    expect(await parseProblem(['cache', 'ls', '--cache', 'x'])).toBeNull();
    expect(docExamples('x.md', '```sh\nnode bin/rnnlab.js cache ls   # the cache\nrnnlab serve\n```\n<!-- sample: rnnlab version -->'))
      .toEqual([{ where: 'x.md:2', line: 'cache ls' }, { where: 'x.md:5', line: 'version' }]);
  });
});

describe('the examples under each command\'s --help', () => {
  it('each parses as written', async () => {
    const wrong: string[] = [];
    let count = 0;
    for (const name of [...OWNED, 'experiment reverse', 'experiment commutativity', 'experiment digitwise', 'experiment gradients', 'experiment shapes', 'experiment params', 'cache ls', 'cache clean']) {
      let help = '';
      expect(await main([...name.split(' '), '--help'], { out: { write: (s: string) => (help += s) }, err: silent })).toBe(0);
      const block = help.split('\nExamples:\n')[1] ?? '';
      for (const l of block.split('\n').filter((x) => x.startsWith('  rnnlab '))) {
        count++;
        const problem = await parseProblem(splitArgs(l.trim()).slice(1));
        if (problem) wrong.push(`rnnlab ${name} --help: ${l.trim()}: ${problem}`);
      }
    }
    expect(count).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });

  it('the spec rnnlab sweep --help shows, and the one docs/CLI.md runs, are valid specs', async () => {
    let help = '';
    await main(['sweep', '--help'], { out: { write: (s: string) => (help += s) }, err: silent });
    const lines = help.split('\n');
    const start = lines.findIndex((l) => l.startsWith('  command: '));
    const spec = lines.slice(start, lines.findIndex((l, i) => i > start && !l.startsWith('  '))).map((l) => l.replace(/\s+#.*$/, '').slice(2)).join('\n');
    expect(parseSpec(spec)).toMatchObject({ command: 'imdb', metric: 'test_accuracy', attempts: 3, seeds: [1, 2, 3] });
    const doc = findFiles(CLI_MD).find((f) => f.name === 'sweep.yaml')!;
    expect(parseSpec(doc.content)).toMatchObject({ command: 'addition', metric: 'perCharAccuracy', seeds: [1, 2] });
  });
});

describe('docs/CLI.md\'s samples that need no data', () => {
  // The others train on the real tarball (npm run docs runs them all); these print the same anywhere.
  for (const sample of findSamples(CLI_MD).filter((s) => /^rnnlab (version|tokenize|experiment params)\b/.test(s.command))) {
    it(`${sample.command} prints what the doc shows`, async () => {
      let output = '';
      const write = { write: (s: string) => (output += s) };
      const code = await main(splitArgs(sample.command).slice(1), { out: write, err: write });
      const marker = CLI_MD.split('\n').find((l) => l.startsWith('<!-- sample') && l.endsWith(`: ${sample.command} -->`))!;
      const block = CLI_MD.split(`${marker}\n`)[1].split('\n<!-- /sample -->')[0];
      const today = new Date().toISOString().slice(0, 10);
      expect(renderSample(sample, normaliseOutput(output, { scratchDirs: [cwd], today }), code)).toBe(block);
    });
  }
});

// ---- The commands whose lines need files: run in full. ----

const RUN_IN_FULL = new Set(['train', 'evaluate', 'predict', 'seq2seq', 'translate', 'serve']);
/** Lines that make a run come first, so the lines using it find it; serve last, to list them. */
const ORDER = ['train', 'seq2seq', 'evaluate', 'predict', 'translate', 'serve'];
const DOCS = [['docs/CLI.md', CLI_MD], ['README.md', read('README.md')], ['docs/SCALING.md', read('docs/SCALING.md')]] as const;
// A line shown twice (a sample's marker and its block, README's two `serve`) runs once.
const fullExamples = DOCS.flatMap(([f, t]) => docExamples(f, t, RUN_IN_FULL))
  .filter((e, i, all) => all.findIndex((x) => x.line === e.line) === i)
  .sort((a, b) => ORDER.indexOf(a.line.split(/\s+/)[0]) - ORDER.indexOf(b.line.split(/\s+/)[0]));
const allExamples = DOCS.flatMap(([f, t]) => docExamples(f, t, new Set([...OWNED, ...RUN_IN_FULL])));

/** What the doc shows after `$ rnnlab LINE` in its fenced block, up to the next command or the block's end; [] if nothing. */
function shownOutput(line: string): string[] {
  for (const [, text] of DOCS) {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l === `$ rnnlab ${line}`);
    if (at < 0) continue;
    const end = lines.findIndex((l, i) => i > at && (l.startsWith('```') || l.startsWith('$ ')));
    return lines.slice(at + 1, end).filter((l, i, all) => !(l === '' && i === all.length - 1));
  }
  return [];
}

/** A printed line with its numbers (and predict's polarity) masked: what stays is what the doc promises of every run. */
const shape = (l: string) => l.trimEnd().replace(/\d+(?:[.,]\d+)*/g, '#').replace(/\b(positive|negative)\b/g, 'POLARITY');

/** The run folder a --model names (the run, its model/ or model.json). */
const runOf = (model: string) => model.replace(/\/model(\.json)?\/?$|\/$/, '');

/** The run folders under runs/ made since `before`, for lines without --out. */
const newRuns = (before: readonly string[]) => readdirSync('runs').filter((d) => !before.includes(d)).map((d) => path.join('runs', d));

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

function expectRunFiles(dir: string, model: string[]): Record<string, any> {
  for (const f of ['results.json', 'report.html', 'report.png', ...model.map((m) => `model/${m}`)]) expect(existsSync(path.join(dir, f)), `${dir}/${f}`).toBe(true);
  const record = readJson(path.join(dir, 'results.json'));
  expect(record.status).toBe('completed');
  return record;
}

/** A --model no line run so far made: made by the doc line whose --out it is (imdb's sample, for predict's), shrunk. */
async function ensureModel(model: string): Promise<void> {
  const folder = runOf(model);
  if (existsSync(path.join(folder, 'results.json'))) return;
  const maker = allExamples.find((e) => { const a = splitArgs(filled(e.line)); return ['imdb', 'train', 'seq2seq'].includes(a[0]) && flagValue(a, '--out') === folder; });
  expect(maker, `no doc line makes ${folder} (--out ${folder})`).toBeDefined();
  const argv = shrink(splitArgs(filled(maker!.line)));
  makeInputs(argv, process.cwd());
  const r = await run(argv);
  expect(r.code, `${maker!.where}: rnnlab ${argv.join(' ')}\n${r.err}`).toBe(0);
}

/** The texts a predict / translate line gives: its arguments after the flags, or its --file's lines. */
function inputsOf(argv: string[], flagsWithValue: Set<string>): string[] {
  const file = flagValue(argv, '--file');
  if (file) return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const texts: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--') { texts.push(...argv.slice(i + 1)); break; }
    if (argv[i].startsWith('--')) { if (flagsWithValue.has(argv[i])) i++; continue; }
    texts.push(argv[i]);
  }
  return texts;
}

/** What each command's line must make and print; shown: the output the doc's block shows for the line, if any. */
const checks: Record<string, (argv: string[], r: { out: string; err: string }, made: string[], shown: string[]) => Promise<void> | void> = {
  train(argv, r, made) {
    const out = flagValue(argv, '--out') ?? made[0];
    const record = expectRunFiles(out, ['model.json', 'weights.bin', 'rnnlab-text.json']);
    // What the doc says it prints, and what it says results.json holds.
    // --classes gives the classes' order (Keras's class_names); without it they are sorted.
    const classes = flagValue(argv, '--classes')?.split(',') ?? ['neg', 'pos'];
    const two = classes.length === 2;
    expect(r.out).toMatch(new RegExp(`^Validation accuracy: \\d+\\.\\d\\d% {2}\\(loss \\d+\\.\\d{4}${two ? ', ROC AUC \\d\\.\\d{4}' : ''}\\)$`, 'm'));
    expect(r.out).toContain(`Classes: ${classes.join(', ')} (${two ? 'sigmoid' : 'softmax'} head)`);
    expect(r.out).toMatch(/^Examples: \d+ train, \d+ validation$/m);
    expect(r.out).toMatch(/^Model: \w+, \d{1,3}(,\d{3})* parameters, vocabulary \d+, maxlen \d+; \d+ epoch\(s\) in [\d.]+ s$/m);
    expect(record.metrics.validationAccuracy).toBeGreaterThanOrEqual(0);
    for (const k of ['precision', 'recall', 'f1']) expect(Object.keys(record.metrics[k]).sort(), k).toEqual([...classes].sort());
    expect(record.details.confusion).toHaveLength(classes.length);
    // What scoring raw text needs: the class names and the vectorizer, with the line's --maxlen.
    const spec = readJson(path.join(out, 'model', 'rnnlab-text.json'));
    expect(spec.classes).toEqual(classes);
    const maxlen = flagValue(argv, '--maxlen');
    if (maxlen && maxlen !== 'auto') expect(spec.vectorizer.maxlen).toBe(Number(maxlen));
    expect(r.out).toMatch(/Epoch 1\//);
  },
  evaluate(argv, r, made) {
    // The doc's order: accuracy first, then the loss, per-class scores with their averages, the confusion matrix,
    // the ROC AUC (two classes) and the 10 worst-scored examples.
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^Accuracy: \d+\.\d\d%$/);
    const order = [/^Loss: /, /^\s+precision\s+recall\s+f1\s+support$/, /^macro avg /, /^weighted avg /, /^Confusion matrix/, /^ROC AUC /, /^Worst-scored examples/];
    const at = order.map((re) => lines.findIndex((l) => re.test(l)));
    expect(at.every((x, i) => x > (at[i - 1] ?? 0)), `${at}`).toBe(true);
    expect(lines.slice(at[6] + 1).filter((l) => /^ {2}\d\.\d{4} {2}true /.test(l))).toHaveLength(Math.min(10, Number(/^Examples: (\d+)/m.exec(r.out)![1])));
    const record = expectRunFiles(flagValue(argv, '--out') ?? made.find((d) => /-evaluate(-\d+)?$/.test(d))!, []);
    expect(record.metrics.testAccuracy).toBeGreaterThanOrEqual(0);
  },
  seq2seq(argv, r, made, shown) {
    const out = flagValue(argv, '--out') ?? made[0];
    const record = expectRunFiles(out, ['model.json', 'weights.bin', 'rnnlab-seq2seq.json']);
    const beam = flagValue(argv, '--beam');
    for (const k of ['validationPerToken', 'validationExact', ...(beam ? ['beamPerToken', 'beamExact'] : [])]) expect(record.metrics[k], k).toBeGreaterThanOrEqual(0);
    // results.json's samples and the first held-out pair's attention matrix (none without attention).
    expect(record.samples.length).toBeGreaterThan(0);
    if (flagValue(argv, '--attention') !== 'none') expect(record.details.attention).toBeDefined();
    if (flagValue(argv, '--generate')) expect(readFileSync(path.join(out, 'pairs.tsv'), 'utf8').trimEnd().split('\n')).toHaveLength(Number(flagValue(argv, '--count')));
    const printed = r.out.split('\n').map(shape);
    expect(r.out).toMatch(/^Question .+ True .+ Guess .* [☑☒]$/m);
    const promised = ['Validation per-token accuracy (greedy): #%', 'Validation exact-match accuracy (greedy): #%',
      ...(beam ? ['Validation per-token accuracy (beam #): #%', 'Validation exact-match accuracy (beam #): #%'] : [])];
    // The doc's block shows them too (after its samples): every line it shows but the samples is printed, in shape.
    const rest = shown.filter((l) => l !== '...' && !l.startsWith('Question '));
    for (const l of [...promised, ...rest.map(shape)]) expect(printed, l).toContain(l);
  },
  predict(argv, r, _made, shown) {
    const texts = inputsOf(argv, new Set(['--model', '--file', '--format', '--top-k', '--input-format', '--text-column', '--threads']));
    const lines = r.out.trimEnd().split('\n');
    if (shown.length) expect(lines.map(shape)).toEqual(shown.map(shape));
    // The IMDb model's table (the sample's): a line naming the model, the table's header, then a line per text, in order.
    expect(lines[0]).toMatch(/^Model: \w+ \(vocab \d+, maxlen \d+, test accuracy \d+\.\d\d%\)$/);
    expect(lines[1]).toMatch(/^prob {4}label {5}text$/);
    expect(lines.slice(2).map((l) => /^\d\.\d{4} {2}(positive|negative) {2}"(.*)" {2}\(\d+ known words?\)$/.exec(l)?.[2])).toEqual(texts);
  },
  translate(argv, r, _made, shown) {
    const texts = inputsOf(argv, new Set(['--model', '--file', '--format', '--beam', '--threads']));
    const lines = r.out.split('\n');
    if (flagValue(argv, '--format') === 'tsv') {
      expect(lines.slice(0, -1).map((l) => l.split('\t')[0])).toEqual(texts);
      if (shown.length) expect(shown.map((l) => l.split('\t')[0])).toEqual(texts);
    } else if (argv.includes('--show-attention')) {
      // Per input: the output, the source tokens across (a space drawn ␣), a rule, a row per output token, a blank line.
      let i = 0;
      for (const t of texts) {
        i++;
        expect(lines[i]).toMatch(new RegExp(`^\\s*│${t.replace(/ /g, '␣').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
        expect(lines[i + 1]).toMatch(/^─+┼─+$/);
        i += 2;
        const rows = lines.slice(i, lines.indexOf('', i));
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(row).toMatch(new RegExp(`│[ ░▒▓█]{${[...t].length}}$`));
        i += rows.length + 1;
      }
      if (shown.length) expect(shown[1]).toMatch(new RegExp(`│${texts[0].replace(/ /g, '␣')}$`));
    } else {
      expect(lines.slice(0, -1)).toHaveLength(texts.length);
    }
  },
  serve(_argv, r) {
    // Checked while it runs (below); here: it stopped cleanly.
    expect(r.out).toMatch(/^rnnlab dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(r.out).toMatch(/Stopping/);
  },
};

/** Runs `serve` (on a free port unless the line names one), checks the page and the runs it lists, then stops it as Ctrl-C does. */
async function runServe(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const args = flagValue(argv, '--port') === undefined ? [...argv, '--port', '0'] : argv;
  const runsDir = flagValue(args, '--runs') ?? 'runs';
  mkdirSync(runsDir, { recursive: true });
  const before = process.listeners('SIGINT');
  let out = '', err = '';
  let ended = false;
  const running = main(args, { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } })
    .finally(() => (ended = true));
  for (let i = 0; i < 600 && !ended && !/rnnlab dashboard: (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /rnnlab dashboard: (\S+)/.exec(out)?.[1];
  try {
    expect(url, `serve printed no URL: ${err}`).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect(await (await fetch(new URL('/api/health', url))).json()).toMatchObject({ ok: true, jobs: 0 });
    // It lists the runs in its --runs folder (runs/ by default: the runs the lines above made).
    const listed = await (await fetch(new URL('/api/runs', url))).json() as { runs: { id: string }[] };
    const made = readdirSync(runsDir).filter((d) => existsSync(path.join(runsDir, d, 'results.json')));
    expect(listed.runs.map((x) => x.id).sort()).toEqual(made.sort());
  } finally {
    // Ctrl-C, as the doc says stops it: the handler serve added (not this test runner's own).
    for (const l of process.listeners('SIGINT').filter((x) => !before.includes(x))) (l as () => void)();
  }
  return { code: await running, out, err };
}

describe('the docs\' lines that need example files, run in full', () => {
  it('finds lines of every such command', () => {
    expect(new Set(fullExamples.map((e) => e.line.split(/\s+/)[0]))).toEqual(RUN_IN_FULL);
    // docs/CLI.md's blocks of predict, seq2seq and translate show output to compare with.
    expect(new Set(fullExamples.filter((e) => shownOutput(e.line).length).map((e) => e.line.split(/\s+/)[0]))).toEqual(new Set(['predict', 'seq2seq', 'translate']));
  });

  for (const e of fullExamples) {
    it(`${e.where}: rnnlab ${e.line}`, async () => {
      const argv = shrink(splitArgs(filled(e.line)));
      // train's --model is the architecture; the others' a saved model.
      const model = argv[0] === 'train' ? undefined : flagValue(argv, '--model');
      if (model) await ensureModel(model);
      makeInputs(argv, process.cwd());
      const before = existsSync('runs') ? readdirSync('runs') : [];
      const r = argv[0] === 'serve' ? await runServe(argv) : await run(argv);
      expect(r.code, `rnnlab ${argv.join(' ')}\n${r.err}`).toBe(0);
      await checks[argv[0]](argv, r, newRuns(before), shownOutput(e.line));
    });
  }
});
