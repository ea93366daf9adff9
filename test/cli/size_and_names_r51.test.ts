/**
 * A model too large to build is refused naming only the sizing flags the command itself takes, read from its flag
 * table (--layers by imdb and compare, never by the experiments, which have none); and every path flag given a name
 * no file system takes (300 bytes) is a usage error naming that flag, exit code 2, with nothing made: serve's --runs,
 * cache's --cache and export's --out too, which let such a name through (cache listed it as an empty folder, serve and
 * export failed later with exit code 1).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/context.js';
import { COMPARE_FLAGS } from '../../src/cli/compare.js';
import { EXPERIMENTS } from '../../src/cli/experiment.js';
import type { Flags } from '../../src/cli/flags.js';
import { checkModelSizes, IMDB_EXERCISE_FLAGS, IMDB_FLAGS, modelSizeProblem } from '../../src/cli/imdb.js';
import type { ImdbModelName } from '../../src/experiments/lab_models.js';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

// A 100,000 × 100,000 embedding: past the longest array, whatever the machine's memory.
const HUGE = { vocab: 100000, embeddingDim: 100000, maxlen: 100, units: 4, maskZero: false };
const HUGE_ARGS = ['--vocab', '100000', '--embedding-dim', '100000', '--limit', '10'];

/** The flags a size refusal asks to lower: the list after "lower ". */
function lowered(message: string): string[] {
  const m = /: lower (.*)$/.exec(message);
  expect(m, message).not.toBeNull();
  return m![1].split(/, | or /);
}

describe('a size refusal names only the flags of its command', () => {
  const commands: [string, Flags][] = [
    ['imdb', IMDB_FLAGS], ['compare', COMPARE_FLAGS],
    ['experiment gradients', EXPERIMENTS.gradients.spec.flags], ['experiment params', EXPERIMENTS.params.spec.flags],
  ];
  const models: ImdbModelName[] = ['ff_raw', 'ff_embed', 'lstm'];

  it.each(commands)('%s: every flag it names is one of its own, --layers exactly where it takes it', (_cmd, flags) => {
    for (const m of models) {
      const f = m === 'ff_raw' ? { ...HUGE, maxlen: 100000, units: 100000 } : HUGE;
      const named = lowered(modelSizeProblem(m, f, 'build', flags)!);
      expect(named.length, m).toBeGreaterThan(1);
      for (const flag of named) expect(Object.hasOwn(flags, flag.slice(2)), `${m}: ${flag}`).toBe(true);
      if (m === 'lstm') expect(named.includes('--layers')).toBe(Object.hasOwn(flags, 'layers'));
    }
  });

  it('a command is known by its flags, not its name: one that takes --layers has it named', () => {
    const withLayers: Flags = { ...EXPERIMENTS.gradients.spec.flags, layers: IMDB_EXERCISE_FLAGS.layers };
    const refuse = (takes: Flags) => { try { checkModelSizes(['lstm'], HUGE, 'experiment gradients', takes, 'gradients'); } catch (e) { return e; } return null; };
    const e = refuse(withLayers);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/: lower --vocab, --embedding-dim, --units or --layers$/);
    expect((refuse(EXPERIMENTS.gradients.spec.flags) as Error).message).toMatch(/: lower --vocab, --embedding-dim or --units$/);
  });

  describe('on the command line', () => {
    afterAll(cleanup);
    const dir = tempDir('rnnlab-size-names-');
    // Not a tarball: the refusals come before it is read.
    beforeAll(() => {
      writeFileSync(path.join(dir, 'aclImdb_v1.tar.gz'), 'not a tarball');
    });

    it('experiment gradients (no --layers) never names --layers', async () => {
      const r = await run(['experiment', 'gradients', '--models', 'lstm', ...HUGE_ARGS, '--data', dir, '--out', path.join(dir, 'g')]);
      expectRefused(r, 'experiment gradients', /lstm's layer \S+ would hold a weight of 100,000 × 100,000 = 10,000,000,000 numbers, .*: lower --vocab, --embedding-dim or --units$/m, path.join(dir, 'g'));
      expect(r.err).not.toContain('--layers');
    });

    it('compare (which takes --layers) names it', async () => {
      const r = await run(['compare', '--models', 'lstm', ...HUGE_ARGS, '--data', dir, '--out', path.join(dir, 'c')]);
      expectRefused(r, 'compare', /lstm's layer \S+ would hold a weight of 100,000 × 100,000 = 10,000,000,000 numbers, .*: lower --vocab, --embedding-dim, --units or --layers$/m, path.join(dir, 'c'));
    });
  });
});

describe('every path flag refuses a name no file system takes', () => {
  const LONG = 'a'.repeat(300);
  const WORDS = 'the file name is too long (300 bytes; file systems take 255 at most)';
  let root = '', data = '', spec = '', model = '';
  beforeAll(async () => {
    root = tempDir('rnnlab-long-names-');
    data = path.join(root, 'd.csv');
    const rows = ['review,sentiment'];
    for (let i = 0; i < 20; i++) rows.push(`this film was ${i % 2 ? 'great fun' : 'dull and slow'},${i % 2 ? 'positive' : 'negative'}`);
    writeFileSync(data, rows.join('\n') + '\n');
    spec = path.join(root, 'spec.yaml');
    writeFileSync(spec, 'command: addition\nflags:\n  epochs: 1\n');
    // A saved model, for predict's --file.
    model = path.join(root, 'trained');
    const r = await run(['train', '--data', data, '--epochs', '1', '--units', '2', '--embedding-dim', '2', '--threads', '1', '--out', model]);
    expect(r.code, r.err).toBe(0);
  }, 120_000);
  afterAll(cleanup);

  /** Exit 2, one line naming `flag` (and the name's length where it is one to write), nothing new in root. */
  async function refused(cmd: string, argv: string[], flag: string, written: boolean): Promise<void> {
    const before = readdirSync(root).sort();
    const long = path.join(root, LONG);
    const r = await run(argv.map((a) => (a === 'LONG' ? long : a)));
    expectRefused(r, cmd, new RegExp(`error: ${flag}\\b`));
    if (written) expect(r.err).toContain(`${long}: ${WORDS}`);
    expect(readdirSync(root).sort()).toEqual(before);
  }

  it.each([
    ['serve', '--runs', ['serve', '--port', '0', '--runs', 'LONG']],
    ['cache ls', '--cache', ['cache', 'ls', '--cache', 'LONG']],
    ['cache clean', '--cache', ['cache', 'clean', '--cache', 'LONG']],
    ['export', '--out', ['export', '--model', 'ROOT', '--out', 'LONG']],
    ['imdb', '--out', ['imdb', '--model', 'lstm', '--out', 'LONG']],
    ['compare', '--out', ['compare', '--out', 'LONG']],
    ['addition', '--out', ['addition', '--out', 'LONG']],
    ['experiment params', '--out', ['experiment', 'params', '--out', 'LONG']],
    ['tokenize', '--out', ['tokenize', 'hi', '--out', 'LONG']],
    ['train', '--out', ['train', '--data', 'DATA', '--out', 'LONG']],
    ['seq2seq', '--out', ['seq2seq', '--generate', 'reverse-words', '--out', 'LONG']],
    ['sweep', '--out', ['sweep', 'SPEC', '--out', 'LONG']],
  ])('%s %s: a usage error naming it and the length', async (cmd, flag, argv) => {
    await refused(cmd, argv.map((a) => (a === 'ROOT' ? root : a === 'DATA' ? data : a === 'SPEC' ? spec : a)), flag, true);
  });

  // What is read must exist: such a name never does, and is refused as any missing input.
  it.each([
    ['imdb', '--data', ['imdb', '--model', 'lstm', '--data', 'LONG']],
    ['imdb', '--resume', ['imdb', '--model', 'lstm', '--resume', 'LONG']],
    ['serve', '--data', ['serve', '--port', '0', '--data', 'LONG']],
    ['train', '--data', ['train', '--data', 'LONG']],
    ['train', '--validation', ['train', '--data', 'DATA', '--validation', 'LONG']],
    ['evaluate', '--model', ['evaluate', '--model', 'LONG', '--data', 'DATA']],
    ['predict', '--model', ['predict', '--model', 'LONG', 'hi']],
    ['translate', '--model', ['translate', '--model', 'LONG', 'hi']],
    ['export', '--model', ['export', '--model', 'LONG', '--out', 'x.onnx']],
    ['seq2seq', '--data', ['seq2seq', '--data', 'LONG']],
    ['predict', '--file', ['predict', '--model', 'MODEL', '--file', 'LONG']],
  ])('%s %s: a usage error naming it', async (cmd, flag, argv) => {
    await refused(cmd, argv.map((a) => (a === 'DATA' ? data : a === 'MODEL' ? model : a)), flag, false);
  });

  it('a folder name past 255 bytes inside the path is named as the folder it is', async () => {
    const runs = path.join(root, LONG, 'runs');
    const r = await run(['serve', '--port', '0', '--runs', runs]);
    expectRefused(r, 'serve', new RegExp(`^rnnlab serve: error: --runs: cannot make the folder ${runs}: the folder name '${LONG}' is too long \\(300 bytes; file systems take 255 at most\\)$`, 'm'));
  });

  it('a path past PATH_MAX, each name short, is refused too', async () => {
    const deep = path.join(root, ...Array.from({ length: 30 }, () => 'b'.repeat(200)));
    const r = await run(['cache', 'ls', '--cache', deep]);
    expectRefused(r, 'cache ls', /^rnnlab cache ls: error: --cache: cannot make the folder \S+: the path is too long for the file system$/m);
  });
});
