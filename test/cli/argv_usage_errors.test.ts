/**
 * The command line itself, before any command runs: `rnnlab help NAME`, words after --version, an unknown
 * sub-command, a flag where a value is expected, a list naming an item twice, --threads past RNNLAB_THREADS's bound.
 * Each is a usage error (exit code 2) naming what is wrong, rather than help, a dropped word or a misread value.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

const dir = tempDir('rnnlab-argv-');
afterAll(cleanup);

const data = path.join(dir, 'reviews.csv');
writeFileSync(data, `text,label\n${Array.from({ length: 20 }, (_, i) => (i % 2 ? `a fine film ${i},pos` : `a dull film ${i},neg`)).join('\n')}\n`);
// Never made: the flags are read before any path is looked at.
const classifier = path.join(dir, 'classifier');
const pairsModel = path.join(dir, 'pairs');
const SMALL = ['--units', '4', '--embedding-dim', '4', '--epochs', '1'];

describe('an unknown sub-command', () => {
  it("lists the parent command's own commands", async () => {
    const r = await run(['cache', 'lss']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab cache: error: unknown command 'lss'.*; commands are ls, clean\n/);
  });
});

describe('rnnlab help NAME and --version', () => {
  it.each([
    [['help', 'bogus'], /^rnnlab: error: help: unknown command 'bogus'; commands are imdb, compare, /],
    [['help', 'cache', 'lss'], /^rnnlab: error: help: unknown command 'cache lss'; cache's commands are ls, clean\n/],
    [['help', 'imdb', 'extra'], /^rnnlab: error: help takes a command, got 'extra' after 'imdb'\n/],
    [['--version', 'extra'], /^rnnlab: error: --version takes nothing after it, got 'extra'\n/],
    [['help', '--models', 'x'], /^rnnlab: error: help takes a command, got '--models x'\n/],
  ])('%j is a usage error, not a help or version that drops the rest', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  it('help --help shows the program\'s help', async () => {
    const r = await run(['help', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: rnnlab <command>/);
  });

  it.each([['help', 'cache', 'ls'], ['help', 'experiment', 'digitwise'], ['help', 'train']])('%j shows that command\'s help', async (...argv) => {
    const r = await run(argv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: rnnlab ${argv.slice(1).join(' ')} `));
  });
});

describe('a flag where a value is expected', () => {
  it.each([
    [['train', '--data', data, '--out', '--epochs', '1'], 'train', '--out', '--epochs'],
    [['tokenize', '--oov', '--fit', 'a b'], 'tokenize', '--oov', '--fit'],
    [['translate', '--model', pairsModel, '--file', '--beam=2', 'ab1'], 'translate', '--file', '--beam'],
    [['evaluate', '--model', classifier, '--data', data, '--label-map', '-h'], 'evaluate', '--label-map', '-h'],
  ])('%j names both flags instead of taking the second for a value', async (argv, cmd, flag, next) => {
    const r = await run(argv);
    expectRefused(r, cmd, new RegExp(`^rnnlab ${cmd}: error: ${flag} expects a value, but the flag ${next} follows it \\(for a value that starts with -, write ${flag}=`));
  });

  it('takes a value that starts with - written --flag=VALUE, and a negative number as it is', async () => {
    const r = await run(['tokenize', '--fit', '--oov=--fit', '--vocab', '2', 'a b']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Word index: --fit-1, a-2, b-3');
    const seed = await run(['train', '--data', data, '--seed', '-3', ...SMALL, '--out', path.join(dir, 'negative-seed')]);
    expect(seed.code, seed.err).toBe(0);
  }, 60_000);
});

describe('a list flag naming one item twice', () => {
  it.each([
    [['compare', '--models', 'lstm,gru,lstm'], 'compare', /--models names 'lstm' twice; give each once/],
    [['experiment', 'gradients', '--models', 'lstm, lstm'], 'experiment gradients', /--models names 'lstm' twice/],
    [['train', '--data', data, '--classes', 'pos,neg,pos'], 'train', /--classes names 'pos' twice/],
  ])('%j is refused before anything runs', async (argv, cmd, message) => {
    expectRefused(await run(argv), cmd, message);
  });
});

describe('--threads above what RNNLAB_THREADS takes', () => {
  // sweep and worker hand --threads to their runs as RNNLAB_THREADS, which refuses more than 256: every run would fail.
  it.each([
    [['imdb', '--model', 'lstm'], 'imdb'],
    [['sweep', data], 'sweep'],
    [['worker', '--queue', 'redis://127.0.0.1:1'], 'worker'],
    [['serve'], 'serve'],
  ])('%j --threads 257 is refused with the same bound', async (argv, cmd) => {
    expectRefused(await run([...argv, '--threads', '257']), cmd, /--threads must be an integer from 1 to 256, got '257'/);
  });

  it('is the bound of RNNLAB_THREADS itself', async () => {
    const { envInt } = await import('../../src/env.js');
    expect(envInt('RNNLAB_THREADS', { RNNLAB_THREADS: '256' })).toBe(256);
    expect(() => envInt('RNNLAB_THREADS', { RNNLAB_THREADS: '257' })).toThrow(/RNNLAB_THREADS accepts an integer from 1 to 256/);
  });
});
