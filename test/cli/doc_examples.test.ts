/**
 * The example command lines of the docs run as written. For imdb, compare, addition, experiment, tokenize, export,
 * sweep, worker, cache and version: every line of a fenced block or sample marker in docs/CLI.md, README.md and
 * docs/SCALING.md, and every example under a command's --help, is parsed by the real program (every flag exists,
 * every value passes its flag's check, required flags are there). The cheap samples, which need no data, are run
 * in full and must print what the doc shows; the sweep spec the doc and --help show must be a valid spec.
 * (test/docs/cli_flags.test.ts checks the flag lists themselves against the parser.)
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const OWNED = new Set(['imdb', 'compare', 'addition', 'experiment', 'tokenize', 'export', 'sweep', 'worker', 'cache', 'version']);
const read = (rel: string) => readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const CLI_MD = read('docs/CLI.md');
const silent = { write: () => true };

interface Example { where: string; line: string }

/** `rnnlab ...` (or `node bin/rnnlab.js ...`, `npx rnnlab ...`) lines of fenced blocks and sample markers, for the owned commands. */
export function docExamples(file: string, text: string): Example[] {
  const out: Example[] = [];
  let fenced = false;
  text.split('\n').forEach((l, i) => {
    if (l.startsWith('```')) { fenced = !fenced; return; }
    const m = fenced ? /^\s*(?:\$ )?(?:node bin\/rnnlab\.js|npx rnnlab|rnnlab)\s+(.*)$/.exec(l) : /<!-- sample[^:]*: rnnlab (.*) -->/.exec(l);
    // A shell comment after the command (README's block) is not an argument.
    const line = m?.[1].replace(/\s+#\s.*$/, '').trim();
    if (line && OWNED.has(line.split(/\s+/)[0])) out.push({ where: `${file}:${i + 1}`, line });
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
      if (!m || !OWNED.has(m[1])) continue;
      // The program's own --version ("the version (also --version)") counts too.
      const known = [...optionsOf(program.commands.find((c) => c.name() === m[1])!), ...program.options.map((o) => o.long!)];
      for (const f of m[2].match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? []) {
        checked++;
        if (!known.includes(f)) wrong.push(`rnnlab ${m[1]}: ${f}`);
      }
    }
    expect(checked).toBeGreaterThan(2);
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
