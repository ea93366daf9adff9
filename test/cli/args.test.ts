import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { UsageError } from '../../src/cli/context.js';
import { booleanValues, convertFlag, IMDB_DATA_FLAGS, parseFlags, type Flags } from '../../src/cli/flags.js';
import { imdbPathProblem } from '../../src/data/imdb_source.js';
import { cleanup, expectRefused, REPO_ROOT, run, tempDir } from './helpers.js';

describe('rnnlab usage errors exit with code 2 and name the flag', () => {
  it.each([
    ['an unknown model', ['imdb', '--model', 'transformer'], /--model must be one of ff_raw, ff_embed, cnn, simple_rnn, lstm, cnn_lstm, gru, bilstm, got 'transformer'/],
    ['negative epochs', ['imdb', '--model', 'lstm', '--epochs', '-3'], /--epochs must be a positive integer, got '-3'/],
    ['zero epochs', ['addition', '--epochs', '0'], /--epochs must be a positive integer, got '0'/],
    ['a non-numeric batch size', ['imdb', '--model', 'cnn', '--batch-size', 'many'], /--batch-size expects a positive integer, got 'many'/],
    ['a fractional value for an integer', ['compare', '--maxlen', '12.5'], /--maxlen expects an integer from 1 to 100000, got '12.5'/],
    ['a non-numeric learning rate', ['imdb', '--model', 'lstm', '--lr', 'fast'], /--lr expects a number > 0 that float32 holds \(about 3\.4e38 at most\), got 'fast'/],
    ['a zero learning rate', ['addition', '--lr', '0'], /--lr must be a number > 0 that float32 holds \(about 3\.4e38 at most\), got '0'/],
    ['--digits 0', ['addition', '--digits', '0'], /--digits must be an integer from 1 to 7, got '0'/],
    ['--digits 0 in digitwise', ['experiment', 'digitwise', '--digits', '0'], /--digits must be an integer from 1 to 50, got '0'/],
    ['a missing data file', ['imdb', '--model', 'lstm', '--data', 'no/such/aclImdb_v1.tar.gz'], /--data: no such file or folder: no\/such\/aclImdb_v1.tar.gz/],
    ['a missing data file (compare)', ['compare', '--data', 'missing.tar.gz'], /--data: no such file or folder: missing.tar.gz/],
    ['a missing --model', ['imdb', '--epochs', '1'], /required option '--model <[^>]+>' not specified/],
    ['a flag without its value', ['imdb', '--model'], /option '--model <[^>]+>' argument missing/],
    ['an unknown option', ['addition', '--digit', '3'], /rnnlab addition: error: unknown option '--digit' \(did you mean --digits\?\)/],
    ['an unknown model in a list', ['compare', '--models', 'lstm,rnn'], /--models: unknown value 'rnn'; choose from/],
    ['an unknown command', ['bogus'], /unknown command 'bogus'; commands are imdb, compare, addition/],
    ['an option before the experiment name', ['experiment', '--epochs', '2'], /the experiment name comes first/],
    ['an unknown experiment', ['experiment', 'attention'], /unknown experiment 'attention'; choose one of reverse, commutativity, digitwise, gradients, shapes, params/],
    ['no experiment', ['experiment'], /name an experiment/],
    ['too many questions for the digits', ['addition', '--digits', '1', '--training-size', '100'], /--training-size 100 is more than the 55 distinct questions --digits 1 allows/],
    ['a bad choice', ['addition', '--rnn', 'transformer'], /--rnn must be one of lstm, gru, simple_rnn, got 'transformer'/],
    ['tokenize without text', ['tokenize'], /give the text to tokenize/],
    ['tokenize of an empty text', ['tokenize', '--fit', ''], /the text given is empty or only spaces: nothing to tokenize; give a text with words/],
    ['tokenize of blank texts', ['tokenize', ' ', ''], /all 2 texts given are empty or only spaces/],
    ['predict without a model folder', ['predict', '--model', 'no-such-dir', 'great film'], /--model: no such file or folder: no-such-dir/],
    ['a stray argument', ['addition', 'now'], /too many arguments for 'addition'/],
    ['a stray argument after an experiment name', ['experiment', 'shapes', 'extra'], /too many arguments for 'shapes'/],
    ['a boolean with a value that is not one', ['addition', '--reverse=maybe'], /--reverse expects true or false, got 'maybe'/],
  ])('%s', async (_what, argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/Run 'rnnlab[a-z ]* --help' for usage\./);
    expect(r.out).toBe('');
  });
});

describe('help and version', () => {
  it('--version prints package.json\'s version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });

  it('--help lists every command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['imdb', 'compare', 'addition', 'experiment', 'tokenize', 'predict']) expect(r.out).toMatch(new RegExp(`^  ${c}`, 'm'));
  });

  it('no command prints the help and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/Usage: rnnlab <command>/);
  });

  it.each(['imdb', 'compare', 'addition', 'tokenize', 'predict', 'experiment', 'experiment digitwise'])('rnnlab %s --help', async (cmd) => {
    const r = await run([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: rnnlab /);
  });

  it('imdb --help shows the seed defaults and every hyper-parameter flag', async () => {
    const r = await run(['imdb', '--help']);
    expect(r.out).toMatch(/simple_rnn 20 epochs, batch 16/);
    for (const f of ['--epochs', '--batch-size', '--vocab', '--maxlen', '--embedding-dim', '--units', '--lr', '--optimizer', '--seed', '--mask-zero', '--limit', '--data', '--out']) {
      expect(r.out).toContain(f);
    }
  });
});

describe('parseFlags', () => {
  const flags: Flags = {
    n: { kind: 'int', min: 0, default: 3, help: '' },
    'batch-size': { kind: 'int', min: 1, help: '' },
    flag: { kind: 'bool', default: false, help: '' },
    lr: { kind: 'number', above: 0, help: '' },
    list: { kind: 'list', choices: ['a', 'b'], help: '' },
  };
  it('reads --name value, --name=value, booleans, --no-name, camelCase keys and defaults', () => {
    const p = parseFlags(flags, ['--batch-size=7', '--flag', '--lr', '1e-3', 'pos', '--list', 'a,b'], 't');
    expect(p.flags).toEqual({ batchSize: 7, flag: true, lr: 0.001, list: ['a', 'b'], n: 3 });
    expect(p.args).toEqual(['pos']);
    expect(parseFlags(flags, ['--no-flag'], 't').flags.flag).toBe(false);
    expect(parseFlags(flags, ['--', '--flag'], 't').args).toEqual(['--flag']);
  });
  it('throws UsageError for bad values', () => {
    expect(() => parseFlags(flags, ['--n', '-1'], 't')).toThrow(UsageError);
    expect(() => parseFlags(flags, ['--n', '1e3'], 't')).toThrow(/--n expects a non-negative integer/);
    expect(() => parseFlags(flags, ['--flag=maybe'], 't')).toThrow(/--flag expects true or false, got 'maybe'/);
    expect(parseFlags(flags, ['--flag=yes'], 't').flags.flag).toBe(true);
    expect(parseFlags(flags, ['--flag=off'], 't').flags.flag).toBe(false);
    expect(() => parseFlags(flags, ['-x'], 't')).toThrow(/unknown option '-x'/);
  });
  it("refuses a flag's on and off forms together, in any spelling; the same form twice is harmless", () => {
    for (const [a, b] of [['--flag', '--no-flag'], ['--no-flag', '--flag'], ['--flag=true', '--flag=false'], ['--flag=no', '--flag=yes'], ['--flag', '--flag=off']]) {
      expect(() => parseFlags(flags, [a, '--n', '2', b], 't')).toThrow(new UsageError(`${a} and ${b} contradict each other; give one of them`, 't'));
    }
    expect(parseFlags(flags, ['--flag', '--flag=yes'], 't').flags.flag).toBe(true);
    expect(parseFlags(flags, ['--no-flag', '--no-flag'], 't').flags.flag).toBe(false);
    // After --, words are arguments, not flags.
    expect(parseFlags(flags, ['--flag', '--', '--no-flag'], 't').flags.flag).toBe(true);
  });
  it('refuses turning off a flag whose value is optional after giving it a value', () => {
    const c = new Command('t').option('--stop [patience]').option('--no-stop');
    expect(() => booleanValues(c, ['--stop', '2', '--no-stop'], 't')).toThrow(/--stop and --no-stop contradict each other/);
    expect(() => booleanValues(c, ['--stop=3', '--stop=false'], 't')).toThrow(/--stop=3 and --stop=false contradict each other/);
    expect(booleanValues(c, ['--stop=false'], 't')).toEqual(['--no-stop']);
    // Digits are the flag's value, not on/off: 0 is a patience, turned off after by --no-stop all the same.
    expect(() => booleanValues(c, ['--stop=0', '--no-stop'], 't')).toThrow(/--stop=0 and --no-stop contradict each other/);
    expect(() => booleanValues(c, ['--stop=1', '--stop=off'], 't')).toThrow(/--stop=1 and --stop=off contradict each other/);
    expect(booleanValues(c, ['--stop=0'], 't')).toEqual(['--stop=0']);
  });
});

describe('--data of the IMDb commands and serve: the loader\'s test, up front', () => {
  afterAll(cleanup);
  const dir = tempDir('rnnlab-data-flag-');
  const empty = path.join(dir, 'empty');
  mkdirSync(empty);
  const holding = path.join(dir, 'holding');
  mkdirSync(holding);
  // Not a tarball: the flag check looks at names only, and the loader is what finds it unreadable.
  const junk = path.join(holding, 'aclImdb_v1.tar.gz');
  writeFileSync(junk, 'not a tarball');
  // serve refuses a file as --runs after its flags are read: were --data let through, the error would name --runs
  // (and the server never starts).
  const runsFile = path.join(dir, 'runs-file');
  writeFileSync(runsFile, '');

  it.each([
    ['imdb', ['imdb', '--model', 'lstm', '--limit', '2']],
    ['compare', ['compare', '--limit', '2']],
    ['experiment gradients', ['experiment', 'gradients', '--limit', '2']],
  ])('%s: a folder without the tarball is a usage error naming --data; nothing is written', async (cmd, argv) => {
    const out = path.join(dir, `out-${cmd.replace(' ', '-')}`);
    const r = await run([...argv, '--data', empty, '--out', out]);
    expectRefused(r, cmd, new RegExp(`--data: a folder without aclImdb_v1\\.tar\\.gz: ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), out);
  });

  it('serve: a folder without the tarball is a usage error naming --data, before the server starts', async () => {
    const r = await run(['serve', '--port', '0', '--runs', runsFile, '--data', empty]);
    expectRefused(r, 'serve', /--data: a folder without aclImdb_v1\.tar\.gz: /);
    expect(r.err).not.toContain('--runs');
  });

  it('a folder holding the tarball, or the file, passes the flag check without the tarball being read', async () => {
    for (const p of [holding, junk]) expect(convertFlag('data', IMDB_DATA_FLAGS.data, p, 'imdb')).toBe(p);
    const served = await run(['serve', '--port', '0', '--runs', runsFile, '--data', holding]);
    expectRefused(served, 'serve', /--runs: .* is a file, not a folder/);
    // The loader then reads it, and says it is not the tarball: a data error (exit 1), not --data's usage error.
    const r = await run(['imdb', '--model', 'ff_raw', '--limit', '2', '--epochs', '1', '--data', holding, '--out', path.join(dir, 'out-junk')]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(junk);
    expect(r.err).not.toMatch(/--data:|RNNLAB_DATA/);
  });

  it('imdbPathProblem says why a path cannot hold the data', () => {
    expect(imdbPathProblem(holding)).toBeUndefined();
    expect(imdbPathProblem(junk)).toBeUndefined();
    expect(imdbPathProblem(empty)).toBe('a folder without aclImdb_v1.tar.gz');
    expect(imdbPathProblem(path.join(dir, 'nothing'))).toBe('no such file or folder');
    // A path through a file (ENOTDIR) is missing too, as the loader reads it.
    expect(imdbPathProblem(path.join(junk, 'x'))).toBe('no such file or folder');
  });

  it.skipIf(process.platform === 'win32')('a FIFO is neither a file nor a folder', () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(existsSync(fifo)).toBe(true);
    expect(imdbPathProblem(fifo)).toBe('neither a file nor a folder');
  });
});
