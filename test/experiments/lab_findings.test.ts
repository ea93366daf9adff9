/**
 * A reproduction of CS109B Lab 8 through the CLI: the parameter counts printed for every lab model are
 * Keras's model.summary() totals, and the findings of the exercises say only what their runs measured.
 */
import { describe, expect, it } from 'vitest';
import { sampleLine } from '../../src/experiments/addition_result.js';
import { trainAddition } from '../../src/experiments/addition_task.js';
import { loadImdbArrays } from '../../src/experiments/imdb_task.js';
import { datasets } from '../../src/data/index.js';
import { DATA, isolatedCache, readResults, run, tempDir } from '../cli/helpers.js';

isolatedCache();

/** Keras's "Total params" for the lab's six models at vocabulary 10000, 500 ids, embedding 100 (the lab's text). */
const KERAS_TOTALS: [string, string][] = [
  ['ff_raw', '125,501'], ['ff_embed', '13,500,501'], ['cnn', '13,560,701'],
  ['simple_rnn', '1,020,201'], ['lstm', '1,080,501'], ['cnn_lstm', '1,062,933'],
];

describe('parameter counts against Keras', () => {
  it('experiment params: every lab model and the addition seq2seq count what Keras counts', async () => {
    const out = tempDir();
    const r = await run(['experiment', 'params', '--out', out]);
    expect(r.code).toBe(0);
    for (const [model, total] of [...KERAS_TOTALS, ['addition', '205,324']]) {
      expect(r.out).toContain(`${model}: ${total} parameters by hand, ${total} reported by countParams() ☑`);
    }
    expect(readResults(out).finding).toContain("the lab's first exercise, the feed-forward net on 500 raw ids, has (500 + 1) x 250 + (250 + 1) x 1 = 125,501 parameters");
  });

  it('experiment params --units 64: the finding does not give the lab\'s exercise the count of another size', async () => {
    // Before: "the lab's first exercise, the feed-forward net on 500 raw ids, has ... x 64 ... = 32,129 parameters".
    const out = tempDir();
    const r = await run(['experiment', 'params', '--units', '64', '--out', out]);
    expect(r.code).toBe(0);
    const finding = readResults(out).finding as string;
    expect(finding).not.toContain("the lab's first exercise, the feed-forward net");
    expect(finding).toContain("the lab's first exercise at these sizes (the lab's own, 500 ids and 250 units, has 125,501), the feed-forward net on 500 raw ids, has (500 + 1) x 64 + (64 + 1) x 1 = 32,129 parameters");
  });

  it('compare at the lab\'s sizes prints Keras\'s "Total params" for each of the six models, in the lab\'s order', async () => {
    const out = tempDir();
    const r = await run(['compare', '--limit', '8', '--epochs', '1', '--verbose', '0', '--data', DATA, '--out', out]);
    expect(r.code).toBe(0);
    expect([...r.out.matchAll(/^Total params: ([\d,]+)$/gm)].map((m) => m[1])).toEqual(KERAS_TOTALS.map(([, t]) => t));
    const models = readResults(out).models as { name: string; params: number }[];
    expect(models.map((m) => [m.name, m.params.toLocaleString('en-US')])).toEqual(KERAS_TOTALS);
  }, 120_000);
});

describe('findings say what the run measured', () => {
  it('commutativity: a model that answers nothing right is not credited with "the same answer for both orders"', async () => {
    // Before: "... gets 0.00% of answers exactly right ... and gives the same answer for both orders 100.00% of the time."
    const out = tempDir();
    const r = await run(['experiment', 'commutativity', '--training-size', '500', '--epochs', '1', '--hidden', '8', '--pairs', '5', '--verbose', '0', '--out', out]);
    expect(r.code).toBe(0);
    const res = readResults(out);
    expect(Math.max(res.metrics.exactOriginal, res.metrics.exactSwapped)).toBeLessThan(0.05);
    expect(res.metrics.distinctAnswers).toBeGreaterThanOrEqual(1);
    expect(res.metrics.distinctAnswers).toBeLessThanOrEqual(10);
    expect(res.finding).toMatch(new RegExp(`of the time, but it has not learned to add yet \\(under 5\\.00% of answers right; ${res.metrics.distinctAnswers} distinct answer\\(s\\) to 10 questions\\), so the answers say nothing about commutativity \\(train longer\\)\\.$`));
    const again = tempDir();
    await run(['experiment', 'commutativity', '--training-size', '500', '--epochs', '1', '--hidden', '8', '--pairs', '5', '--verbose', '0', '--out', again]);
    expect(readResults(again).metrics).toEqual(res.metrics);
  }, 60_000);

  it('addition samples keep a guess\'s leading spaces, so a wrong guess never prints as the true answer', async () => {
    // Before: guesses were trimmed on both sides, so '  3' printed as '3' (and ' 18 ' would print as the truth '18').
    const run1 = await trainAddition({ digits: 2, trainingSize: 400, hidden: 16, epochs: 1, samples: 40, verbose: 0 });
    const leading = run1.samples.filter((s) => s.guess !== s.guess.trimStart());
    expect(leading.length).toBeGreaterThan(0);
    for (const s of run1.samples) {
      expect(s.correct).toBe(s.guess === s.truth);
      expect(sampleLine(s, 2)).toContain(`Guess ${s.guess.padEnd(3)} ${s.correct ? '☑' : '☒'}`);
    }
  }, 60_000);

  it('gradients: the LSTM cell finding gives the measured shrink per step and forget gate, not an assumed 0.73 per step', async () => {
    // Before: "each forget gate is about sigmoid(1) = 0.73 ..., so the gradient along the cell shrinks by about that factor
    // per step", while the measured per-step factor here is about 0.84; and it said "at initialisation" after training too.
    const common = ['experiment', 'gradients', '--models', 'simple_rnn,lstm', '--limit', '32', '--maxlen', '50', '--batch-size', '16', '--batches', '1',
      '--units', '8', '--embedding-dim', '8', '--long-range-epochs', '0', '--verbose', '0', '--data', DATA];
    const out = tempDir();
    expect((await run([...common, '--out', out])).code).toBe(0);
    const res = readResults(out);
    const lstm = (res.details.profiles as { model: string; cellNorms?: number[]; meanForgetGate?: number }[]).find((p) => p.model === 'lstm')!;
    const c = lstm.cellNorms!;
    const perStep = (c[0] / c[c.length - 1]) ** (1 / (c.length - 1));
    expect(Math.abs(perStep - 0.73)).toBeGreaterThan(0.05);
    expect(lstm.meanForgetGate).toBeGreaterThan(0.6);
    expect(lstm.meanForgetGate).toBeLessThan(0.85);
    expect(res.finding).toContain(`a factor of ${perStep.toFixed(2)} per step on average over 49 steps; its mean forget gate on these reviews is ${lstm.meanForgetGate!.toFixed(2)} (the unit forget bias starts it near sigmoid(1) = 0.73)`);
    expect(res.finding).not.toMatch(/shrinks by about that factor/);

    const trained = tempDir();
    expect((await run([...common, '--epochs', '1', '--out', trained])).code).toBe(0);
    const after = readResults(trained).finding as string;
    expect(after).toMatch(/after 1 epoch\(s\) of training/);
    expect(after).toMatch(/its mean forget gate on these reviews is \d\.\d\d: along the cell/);
    expect(after).not.toMatch(/initiali[sz]ation|unit forget bias/);
  }, 120_000);
});

describe('experiment gradients --verbose', () => {
  // Before: the long-range task trained with verbose 0 whatever --verbose said, so with --epochs 0 the flag changed nothing.
  const tiny = ['experiment', 'gradients', '--models', 'lstm', '--limit', '16', '--maxlen', '20', '--batch-size', '16', '--batches', '1',
    '--units', '4', '--embedding-dim', '4', '--data', DATA];

  it('shows the long-range training progress (one line per epoch with --verbose 2, none with 0)', async () => {
    const quiet = await run([...tiny, '--long-range-epochs', '2', '--verbose', '0', '--out', tempDir()]);
    const loud = await run([...tiny, '--long-range-epochs', '2', '--verbose', '2', '--out', tempDir()]);
    expect(quiet.code).toBe(0);
    expect(loud.code).toBe(0);
    expect(quiet.out).not.toMatch(/^Epoch \d\/2$/m);
    // Two cells (SimpleRNN and LSTM), two epochs each.
    expect(loud.out.match(/^Epoch \d\/2$/gm)).toHaveLength(4);
    expect(loud.out.match(/^\d+\/\d+ - .* - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/gm)).toHaveLength(4);
    // Progress is all it changes: the finding is the same.
    expect(loud.out.match(/^Finding: .*$/m)![0]).toBe(quiet.out.match(/^Finding: .*$/m)![0]);
  }, 120_000);

  it('is refused by name when nothing trains (--epochs 0 and --long-range-epochs 0), except --verbose 0', async () => {
    const out = tempDir();
    const r = await run([...tiny, '--long-range-epochs', '0', '--verbose', '2', '--out', `${out}/run`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rnnlab experiment gradients: error: --verbose 2 shows training progress, but nothing is trained: --epochs and --long-range-epochs are 0/);
    expect(r.out).toBe('');
    expect((await run([...tiny, '--long-range-epochs', '0', '--verbose', '0', '--out', tempDir()])).code).toBe(0);
    expect((await run([...tiny, '--long-range-epochs', '0', '--out', tempDir()])).code).toBe(0);
  }, 60_000);
});

describe("the lab's IMDb pipeline (imdb, compare, gradients): pad_sequences' defaults", () => {
  it("pads at the front and, for a long review, keeps its last maxlen ids (padding='pre', truncating='pre')", async () => {
    const maxlen = 120, vocab = 10000;
    const arrays = await loadImdbArrays({ vocab, maxlen, limit: 40, data: DATA });
    const raw = await datasets.imdb.load({ numWords: vocab, path: DATA });
    let padded = 0, cut = 0;
    for (let i = 0; i < 40; i++) {
      const review = Array.from(raw.train.x[i]);
      const row = Array.from(arrays.xTrain.values.subarray(i * maxlen, (i + 1) * maxlen));
      const kept = review.slice(-maxlen);
      expect(row).toEqual([...new Array(maxlen - kept.length).fill(0), ...kept]);
      if (review.length < maxlen) padded++;
      else if (review.length > maxlen) cut++;
      // Keras's ids: 1 starts each review, words at or above num_words become 2 (out of vocabulary).
      expect(review[0]).toBe(1);
      expect(Math.max(...review)).toBeLessThan(vocab);
      expect(arrays.yTrain.values[i]).toBe(raw.train.y[i]);
    }
    // Both cases are exercised.
    expect(padded).toBeGreaterThan(0);
    expect(cut).toBeGreaterThan(0);
  }, 120_000);
});

describe('experiment gradients with fewer reviews than --batch-size x --batches', () => {
  it('says how many it measured instead of shrinking the batches silently', async () => {
    // Before: --limit 24 --batch-size 16 --batches 4 measured one batch of 16 and printed nothing about the rest.
    const out = tempDir();
    const r = await run(['experiment', 'gradients', '--models', 'lstm', '--limit', '24', '--maxlen', '20', '--batch-size', '16', '--batches', '4',
      '--units', '4', '--embedding-dim', '4', '--long-range-epochs', '0', '--data', DATA, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(--batch-size 16 x --batches 4 asked; the 24 training reviews loaded hold 1 batch(es) of 16)');
    expect(readResults(out).config).toMatchObject({ batchSize: 16, batches: 1 });
    const full = await run(['experiment', 'gradients', '--models', 'lstm', '--limit', '32', '--maxlen', '20', '--batch-size', '16', '--batches', '2',
      '--units', '4', '--embedding-dim', '4', '--long-range-epochs', '0', '--data', DATA, '--out', tempDir()]);
    expect(full.out).not.toContain('asked;');
  }, 120_000);
});
