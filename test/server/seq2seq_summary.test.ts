/** The Runs table's row of a `rnnlab seq2seq` record: its greedy exact match in the exact-match column, its decoder settings side by side. */
import { describe, expect, it } from 'vitest';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { summarize } from '../../src/server/runs.js';

function record(command: string, config: Record<string, unknown>, metrics: Record<string, number>) {
  const start = startRecord({ command, argv: [], source: 'cli', runName: command, startedAt: new Date(), config });
  return finishRecord(start, { config, data: null, models: [{ name: command, params: 10, history: { val_accuracy: [0.5, 0.75] }, secondsPerEpoch: [1, 3] }], metrics, finding: '' });
}

describe('run summary', () => {
  it('takes a seq2seq run\'s exact match from validationExact and lists its attention, tokens and beam', () => {
    const r = record('seq2seq', { rnn: 'gru', attention: 'bahdanau', tokens: 'word', bidirectionalEncoder: true, units: 32, beam: 4, seed: 1 },
      { validationPerToken: 0.9, validationExact: 0.625, beamPerToken: 0.92, beamExact: 0.7 });
    const s = summarize('s2s', '.', r);
    expect(s.exactMatch).toBe(0.625);
    expect(s.bestValAccuracy).toBe(0.75);
    expect(s.settings).toBe('rnn=gru attention=bahdanau tokens=word bidirectionalEncoder=true units=32 beam=4 seed=1 precision=float32');
  });

  it('takes an evaluate of a seq2seq model\'s exact match from testExact', () => {
    expect(summarize('ev', '.', record('evaluate', { beam: 2 }, { testPerToken: 0.8, testExact: 0.4, beamPerToken: 0.82, beamExact: 0.45 })).exactMatch).toBe(0.4);
  });

  it('keeps the adder\'s exactMatchAccuracy', () => {
    expect(summarize('add', '.', record('addition', { rnn: 'lstm' }, { exactMatchAccuracy: 0.5, perCharAccuracy: 0.8 })).exactMatch).toBe(0.5);
    expect(summarize('imdb', '.', record('imdb', { model: 'lstm' }, { testAccuracy: 0.8 })).exactMatch).toBeNull();
  });
});
