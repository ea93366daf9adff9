import { afterAll, describe, expect, it } from 'vitest';
import { checkCommonResults, checkReport, cleanup, readResults, run, tempDir } from './helpers.js';

afterAll(cleanup);

describe('rnnlab addition', () => {
  it('trains the seq2seq with stacked decoder layers and prints the lab\'s sample lines and both accuracies', async () => {
    const out = tempDir();
    const r = await run(['addition', '--digits', '2', '--training-size', '1000', '--epochs', '1', '--hidden', '16', '--layers', '2',
      '--batch-size', '64', '--samples', '5', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Training data: X (900, 5, 12), Y (900, 3, 12); validation: 100 questions');
    // Encoder, RepeatVector(3), two decoder LSTMs, TimeDistributed(Dense(12)).
    expect(r.out.match(/^lstm(_\d+)? \(LSTM\) +\(None, (3, )?16\)/gm)).toHaveLength(3);
    expect(r.out).toMatch(/^repeat_vector(_\d+)? \(RepeatVector\) +\(None, 3, 16\)/m);
    expect(r.out).toMatch(/^time_distributed(_\d+)? \(TimeDis[a-z]*\s*\(None, 3, 12\)/m);
    const samples = r.out.split('\n').filter((l) => l.startsWith('Question '));
    expect(samples).toHaveLength(5);
    for (const s of samples) expect(s).toMatch(/^Question \d{1,2}\+\d{1,2} +True \d{1,3} +Guess [\d+ ]* [☑☒]$/);
    expect(r.out).toMatch(/^Validation accuracy per character \(Keras\): \d+\.\d\d%$/m);
    expect(r.out).toMatch(/^Validation exact-match accuracy \(whole answer right\): \d+\.\d\d%$/m);

    const res = readResults(out);
    checkCommonResults(res, 'addition');
    expect(res.config).toMatchObject({ digits: 2, trainingSize: 1000, reverse: false, rnn: 'lstm', hidden: 16, layers: 2, epochs: 1, batchSize: 64 });
    expect(res.models[0].history.val_accuracy).toHaveLength(1);
    expect(res.models[0].history.val_exact).toHaveLength(1);
    expect(res.metrics.perCharAccuracy).toBeCloseTo(res.models[0].history.val_accuracy[0], 5);
    expect(res.metrics.exactMatchAccuracy).toBeLessThanOrEqual(res.metrics.perCharAccuracy);
    expect(res.samples).toHaveLength(5);
    checkReport(out);
  });

  it('reverses the queries and switches the RNN', async () => {
    const out = tempDir();
    const r = await run(['addition', '--digits', '1', '--training-size', '50', '--epochs', '1', '--hidden', '8', '--rnn', 'gru', '--reverse', '--samples', '3', '--out', out, '--verbose', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gru(_\d+)? \(GRU\)/m);
    expect(r.out).toContain('(queries reversed)');
    // Sample questions are shown the way a person reads them, even when the model read them reversed.
    for (const s of r.out.split('\n').filter((l) => l.startsWith('Question '))) expect(s).toMatch(/^Question \d\+\d /);
    // The training data's sample is the input as the model reads it (reversed), followed by the question it asks.
    const m = /^Sample question \(decoded\): '(.*)' \(reversed input of (\d\+\d)\)  answer: '(.*)'$/m.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect([...m![1]].reverse().join('').trim()).toBe(m![2]);
    const [a, b] = m![2].split('+').map(Number);
    expect(Number(m![3].trim())).toBe(a + b);
    expect(readResults(out).config).toMatchObject({ reverse: true, rnn: 'gru' });
  });
});
