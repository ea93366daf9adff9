/**
 * Sizes the data could not hold, and a commutativity run with nothing to compare, are usage errors before any
 * work: exit code 2, the flag named, nothing printed on stdout and no run folder written.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDITION_COMMAND_FLAGS } from '../../src/cli/addition.js';
import { UsageError } from '../../src/cli/context.js';
import { EXPERIMENTS } from '../../src/cli/experiment.js';
import { parseFlags } from '../../src/cli/flags.js';
import { MAX_TRAINING_SIZE } from '../../src/data/addition.js';
import { digitwiseExperiment } from '../../src/experiments/digitwise.js';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

afterAll(cleanup);

const outIn = () => path.join(tempDir(), 'run');

describe('--training-size over the addition data maximum', () => {
  for (const cmd of ['addition', 'experiment reverse', 'experiment commutativity']) {
    it(`${cmd}: refused naming --training-size and ${MAX_TRAINING_SIZE}`, async () => {
      const out = outIn();
      const r = await run([...cmd.split(' '), '--training-size', String(MAX_TRAINING_SIZE + 1), '--digits', '7', '--out', out]);
      expectRefused(r, cmd, new RegExp(`--training-size .*${MAX_TRAINING_SIZE}.*got '${MAX_TRAINING_SIZE + 1}'`), out);
    });
  }

  it('the limit itself is accepted by the flag parser', () => {
    const { flags: f } = parseFlags(ADDITION_COMMAND_FLAGS, ['--training-size', String(MAX_TRAINING_SIZE), '--digits', '7'], 'addition');
    expect(f.trainingSize).toBe(MAX_TRAINING_SIZE);
  });
});

describe('experiment digitwise sizes bounded by the digit steps held in memory', () => {
  it('--training-size over 5,000,000 / (--digits + 1) is refused naming the flag and the limit', async () => {
    const out = outIn();
    const r = await run(['experiment', 'digitwise', '--training-size', '100000000', '--out', out]);
    expectRefused(r, 'experiment digitwise', /--training-size 100000000 is over 1,250,000, the most sums that fit in memory with --digits 3/, out);
  });

  it('--test-size over 5,000,000 / (--test-digits + 1) is refused naming the flag and the limit', async () => {
    const out = outIn();
    const r = await run(['experiment', 'digitwise', '--test-digits', '9', '--test-size', '500001', '--out', out]);
    expectRefused(r, 'experiment digitwise', /--test-size 500001 is over 500,000, the most sums that fit in memory with --test-digits 9/, out);
  });

  it('the limit follows the lengths: the largest allowed size passes the check, one more does not', () => {
    const check = EXPERIMENTS.digitwise.check!;
    const flags = (o: Record<string, number>) => ({ digits: 3, testDigits: 6, trainingSize: 16000, testSize: 1000, ...o });
    expect(() => check(flags({ digits: 1, testDigits: 1, trainingSize: 2_500_000, testSize: 2_500_000 }), () => false)).not.toThrow();
    expect(() => check(flags({ digits: 1, testDigits: 1, trainingSize: 2_500_001 }), () => false)).toThrow(/--training-size 2500001 is over 2,500,000/);
    expect(() => check(flags({ digits: 4, trainingSize: 1_000_000 }), () => false)).not.toThrow();
    expect(() => check(flags({ digits: 4, trainingSize: 1_000_001 }), () => false)).toThrow(UsageError);
    expect(() => check(flags({ testDigits: 99, testSize: 50_000 }), () => false)).not.toThrow();
    expect(() => check(flags({ testDigits: 99, testSize: 50_001 }), () => false)).toThrow(/--test-size 50001 is over 50,000/);
  });

  it('library callers get a RangeError before anything is allocated', async () => {
    await expect(digitwiseExperiment({ trainingSize: 1_250_001, trainDigits: 3, verbose: 0 })).rejects.toThrow(/^digitwise: trainingSize 1250001 is over 1250000/);
    await expect(digitwiseExperiment({ testSize: 100_000, testDigits: 99, trainDigits: 3, verbose: 0 })).rejects.toThrow(/^digitwise: testSize 100000 is over 50000/);
  });
});

describe('experiment commutativity with no a != b pair in the validation set', () => {
  // Seed 9 with 10 one-digit questions leaves one validation question, 8+8.
  for (const reverse of [[], ['--reverse']]) {
    it(`is refused before training, naming --training-size${reverse.length ? ' (reversed queries)' : ''}`, async () => {
      const out = outIn();
      const r = await run(['experiment', 'commutativity', '--digits', '1', '--training-size', '10', '--seed', '9', '--epochs', '1', '--hidden', '4', '--verbose', '0', ...reverse, '--out', out]);
      expectRefused(r, 'experiment commutativity', /--training-size 10 leaves 1 validation question\(s\) and none with a != b .*raise --training-size/, out);
    });
  }

  it('a seed whose validation set has a pair passes the check, which hands the questions to the run', () => {
    const flags = { digits: 1, trainingSize: 10, reverse: false };
    const data = EXPERIMENTS.commutativity.check!({ ...flags, seed: 1 }, () => false) as { val: { questions: string[] } };
    expect(data.val.questions).toHaveLength(1);
    const [a, b] = data.val.questions[0].trim().split('+').map(Number);
    expect(a).not.toBe(b);
    expect(() => EXPERIMENTS.commutativity.check!({ ...flags, seed: 9 }, () => false)).toThrow(UsageError);
  });
});
