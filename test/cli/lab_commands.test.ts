/**
 * The lab's commands as a user drives them: flags refused before any work when their combination cannot be
 * honoured, and small runs whose printed numbers hold no NaN and repeat with the seed.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, readResults, run, tempDir } from './helpers.js';

afterAll(cleanup);

const TINY_ADDITION = ['--digits', '1', '--epochs', '1', '--hidden', '4', '--verbose', '0'];
const TINY_DIGITWISE = ['--digits', '2', '--test-digits', '3', '--hidden', '4', '--test-size', '20', '--epochs', '1', '--verbose', '0'];

/** The printed output without the run folder line, which differs per run. */
const printed = (out: string) => out.replace(/^Wrote .*$/m, '');

describe('rnnlab experiment: combinations refused before any work (exit 2, naming the flags)', () => {
  it.each([
    ['digitwise --test-digits below --digits', ['experiment', 'digitwise', '--digits', '3', '--test-digits', '2'], /--test-digits 2 is below --digits 3/],
    ['digitwise --training-size below --digits', ['experiment', 'digitwise', '--digits', '3', '--training-size', '2'], /--training-size 2 is below --digits 3/],
    ['gradients --lr with --epochs 0', ['experiment', 'gradients', '--lr', '0.1'], /--lr sets the training of --epochs, but --epochs is 0/],
    ['gradients --optimizer with --epochs 0', ['experiment', 'gradients', '--optimizer', 'sgd'], /--optimizer sets the training of --epochs, but --epochs is 0/],
    ['gradients both', ['experiment', 'gradients', '--lr', '0.1', '--optimizer', 'sgd', '--epochs', '0'], /--lr and --optimizer set the training of --epochs/],
    ['shapes --verbose (shapes trains nothing)', ['experiment', 'shapes', '--verbose', '0'], /unknown option '--verbose'/],
    ['params --verbose (params trains nothing)', ['experiment', 'params', '--verbose', '2'], /unknown option '--verbose'/],
  ])('%s', async (_, argv, message) => {
    const out = tempDir();
    const r = await run([...argv, '--out', path.join(out, 'run')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(existsSync(path.join(out, 'run'))).toBe(false);
  });
});

describe('rnnlab experiment digitwise', () => {
  it('trains on exactly --training-size sums, repeats with the seed and prints no NaN', async () => {
    const a = await run(['experiment', 'digitwise', ...TINY_DIGITWISE, '--training-size', '41', '--out', tempDir()]);
    const b = await run(['experiment', 'digitwise', ...TINY_DIGITWISE, '--training-size', '41', '--out', tempDir()]);
    const c = await run(['experiment', 'digitwise', ...TINY_DIGITWISE, '--training-size', '41', '--seed', '2', '--out', tempDir()]);
    for (const r of [a, b, c]) expect(r.code).toBe(0);
    expect(a.out).toContain('on 41 sums of numbers of 1 to 2 digits (2 to 3 steps)');
    expect(printed(a.out)).toBe(printed(b.out));
    expect(printed(a.out)).not.toBe(printed(c.out));
    expect(a.out).not.toMatch(/NaN|undefined|\[object Object\]/);
    // One epoch of 4 units does not learn addition: the finding says so rather than "learns".
    expect(a.out).toMatch(/^Finding: .* has not learned, after 1 epoch\(s\), addition from numbers of up to 2 digits/m);
  });

  it('--test-digits equal to --digits evaluates only the trained lengths', async () => {
    const out = tempDir();
    const r = await run(['experiment', 'digitwise', '--digits', '2', '--test-digits', '2', '--hidden', '4', '--training-size', '20', '--test-size', '5', '--epochs', '1', '--verbose', '0', '--out', out]);
    expect(r.code).toBe(0);
    expect(readResults(out).metrics.testDigits).toBe(2);
  });
});

describe('rnnlab experiment commutativity', () => {
  it('with one validation pair there is no random baseline: "-" and no NaN, not a pair compared with itself', async () => {
    // 10 questions of 1 digit: 1 is held out for validation.
    const out = tempDir();
    const r = await run(['experiment', 'commutativity', ...TINY_ADDITION, '--training-size', '10', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/NaN|undefined|\[object Object\]/);
    expect(r.out).toMatch(/^a\+b vs a random pair +0 +- +- +- +- +-$/m);
    expect(r.out).toMatch(/Finding: With a single validation pair there is no random baseline/);
    expect(r.out).toContain('(--pairs 500 asked; the validation set has only 1 question(s) with a != b)');
    const res = readResults(out);
    expect(res.metrics.meanCosineRandom).toBeUndefined();
    expect(res.metrics.pairs).toBe(1);
  });

  it('says when --pairs asks for more pairs than the validation set has', async () => {
    const r = await run(['experiment', 'commutativity', ...TINY_ADDITION, '--training-size', '40', '--pairs', '100', '--out', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/, (\d) validation pairs \(--pairs 100 asked; the validation set has only \1 question\(s\) with a != b\)/);
    expect(r.out).toMatch(/^a\+b vs a random pair +\d +-?\d/m);
  });
});

describe('rnnlab addition --samples', () => {
  it('says when it asks for more samples than the validation set holds, and repeats with the seed', async () => {
    const a = await run(['addition', ...TINY_ADDITION, '--training-size', '40', '--samples', '100', '--out', tempDir()]);
    const b = await run(['addition', ...TINY_ADDITION, '--training-size', '40', '--samples', '100', '--out', tempDir()]);
    expect(a.code).toBe(0);
    expect(a.out).toContain('(--samples 100 asked; the validation set holds 4 question(s), so 4 are shown)');
    expect(a.out.match(/^Question /gm)).toHaveLength(4);
    // The numbers, not the summary: layer names count up within one process, as in Keras.
    const numbers = (out: string) => out.split('\n').filter((l) => /^(Question|The model|Validation)/.test(l));
    expect(numbers(a.out).length).toBe(7);
    expect(numbers(a.out)).toEqual(numbers(b.out));
    expect(a.out).not.toMatch(/NaN|undefined|\[object Object\]/);
  });
});

describe('rnnlab tokenize --fit: Keras Tokenizer and pad_sequences semantics', () => {
  const texts = ["Don't stop! Hello, world. hello", 'a b c d e f hello hello'];

  it('num_words (--vocab) drops the words of index >= vocab, as Keras does without an oov_token', async () => {
    const r = await run(['tokenize', '--fit', '--vocab', '4', '--maxlen', '4', '--padding', 'post', '--truncating', 'post', ...texts]);
    expect(r.code).toBe(0);
    // Keras: hello (4 uses) = 1, then first-seen order among ties: don't, stop, world, a, ...; num_words=4 keeps 1..3.
    expect(r.out).toContain("Word index: hello-1, don't-2, stop-3, world-4, a-5");
    expect(r.out).toContain('Ids:     [2, 3, 1, 1]');
    expect(r.out).toContain("Padded:  [1 1 0 0]  (maxlen 4, padding 'post')");
  });

  it('--oov is the oov_token: index 1, standing in for words beyond --vocab', async () => {
    const out = tempDir();
    const r = await run(['tokenize', '--fit', '--oov', '<OOV>', '--vocab', '4', '--maxlen', '4', '--truncating', 'post', '--out', out, ...texts]);
    expect(r.code).toBe(0);
    // Keras: word_index {'<OOV>': 1, 'hello': 2, "don't": 3, 'stop': 4, ...}; index >= 4 becomes 1.
    expect(r.out).toContain("Word index: <OOV>-1, hello-2, don't-3, stop-4");
    expect(r.out).toContain('Ids:     [3, 1, 2, 1, 2]');
    expect(r.out).toContain("Padded:  [3 1 2 1]  (maxlen 4, padding 'pre'; 1 id(s) cut at the end)");
    expect(r.out).toContain('Ids:     [1, 1, 1, 1, 1, 1, 2, 2]');
    expect(r.out).toContain("Padded:  [1 1 1 1]  (maxlen 4, padding 'pre'; 4 id(s) cut at the end)");
    expect(readResults(out).config).toMatchObject({ fit: true, oov: '<OOV>', vocab: 4 });
  });

  it('truncating pre (Keras default) cuts the front', async () => {
    const r = await run(['tokenize', '--fit', '--maxlen', '2', 'x y z']);
    expect(r.out).toContain("Padded:  [2 3]  (maxlen 2, padding 'pre'; 1 id(s) cut at the front)");
  });

  it.each([
    ['--oov without --fit', ['tokenize', '--oov', '<OOV>', 'a film'], /--oov sets the fitted Tokenizer's oov_token and needs --fit/],
    ['an empty --oov', ['tokenize', '--fit', '--oov', ' ', 'a film'], /--oov expects a token, got ' '/],
  ])('%s is a usage error', async (_, argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('rnnlab evaluate --model', () => {
  it('a folder without a saved model is a usage error naming --model, before --data is read', async () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const data = path.join(dir, 'd.csv');
    writeFileSync(data, 'text,label\ngood,pos\nbad,neg\n');
    const missing = await run(['evaluate', '--model', path.join(dir, 'nope'), '--data', path.join(dir, 'no-data.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/rnnlab evaluate: error: --model: no such file or folder: .*nope/);
    const noModel = await run(['evaluate', '--model', empty, '--data', data, '--out', path.join(dir, 'run')]);
    expect(noModel.code).toBe(2);
    expect(noModel.err).toMatch(/--model: .*empty: no saved model here/);
    expect(existsSync(path.join(dir, 'run'))).toBe(false);
  });
});
