/**
 * Dashboard IMDb jobs take the lab's `layers` and `dropout` (as `rnnlab imdb --layers/--dropout`): checked as the CLI
 * checks them, refused naming the field, and trained into the model the CLI would build. The refusals of options a
 * model would not use come from the one function the CLI uses, worded with the job's field names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMDB_FLAGS } from '../../src/cli/imdb.js';
import { parseFlags } from '../../src/cli/flags.js';
import { unusedModelOptions } from '../../src/experiments/lab_models.js';
import { commandLine, parseJobSpec } from '../../src/server/job_spec.js';
import { finished, imdbDataPath, post, useTestServer } from './helpers.js';

describe('layers and dropout in a job spec', () => {
  it('are kept as given, absent when not given (the lab model), and shown on the command line the CLI accepts', () => {
    const plain = parseJobSpec({ task: 'imdb', model: 'lstm' }).config;
    expect(plain).not.toHaveProperty('layers');
    expect(plain).not.toHaveProperty('dropout');
    expect(commandLine(plain)).not.toMatch(/--layers|--dropout/);
    const spec = parseJobSpec({ task: 'imdb', model: 'gru', layers: 3, dropout: 0.25, units: 16 });
    expect(spec.config).toMatchObject({ layers: 3, dropout: 0.25 });
    const cli = parseFlags(IMDB_FLAGS, commandLine(spec.config).split(' ').slice(2), 'imdb');
    expect(cli.flags).toMatchObject({ model: 'gru', layers: 3, dropout: 0.25, units: 16 });
    // Dropout applies to every model (a Dropout after the hidden Dense of the feed-forward ones), as in the CLI.
    expect(parseJobSpec({ task: 'imdb', model: 'ff_raw', dropout: 0.5 }).config).toMatchObject({ dropout: 0.5 });
    // A form sends numbers as typed text at times; the checker reads them as numbers.
    expect(parseJobSpec({ task: 'imdb', model: 'lstm', layers: '2', dropout: '0.1' }).config).toMatchObject({ layers: 2, dropout: 0.1 });
  });

  it.each([
    ['dropout 1 (it would drop every input)', { model: 'lstm', dropout: 1 }, 'dropout must be from 0 up to but not including 1, got 1'],
    ['negative dropout', { model: 'lstm', dropout: -0.1 }, 'dropout must be from 0 up to but not including 1, got -0.1'],
    ['dropout as a word', { model: 'lstm', dropout: 'some' }, 'dropout must be a number from 0 up to but not including 1, got "some"'],
    ['layers 0', { model: 'lstm', layers: 0 }, 'layers must be from 1 to 4, got 0'],
    ['fractional layers', { model: 'lstm', layers: 1.5 }, 'layers must be an integer from 1 to 4, got 1.5'],
    ['layers for a model without a recurrent layer', { model: 'cnn', layers: 2 }, 'layers changes nothing for cnn: no recurrent layer to stack (it applies to simple_rnn, lstm, cnn_lstm, gru, bilstm)'],
    ['embeddingDim for ff_raw (it has no Embedding)', { model: 'ff_raw', embeddingDim: 8 }, 'embeddingDim changes nothing for ff_raw: it has no Embedding layer (it feeds the raw word ids to a Dense layer)'],
    ['maskZero for cnn', { model: 'cnn', maskZero: true }, 'maskZero changes nothing for cnn: no layer of it reads the padding mask (it applies to simple_rnn, lstm, gru, bilstm)'],
  ])('refuses %s, naming the field', (_what, fields, message) => {
    expect(() => parseJobSpec({ task: 'imdb', ...fields })).toThrow(message);
  });

  it('refuses dropout for the addition task, which has no such option', () => {
    expect(() => parseJobSpec({ task: 'addition', dropout: 0.2 })).toThrow('unknown field in the job: dropout');
  });
});

describe('unusedModelOptions words both spellings', () => {
  it('names CLI flags by default (the CLI messages unchanged) and job fields when asked', () => {
    const o = { maskZero: true, embeddingDimGiven: true, layers: 2 };
    expect(unusedModelOptions(['ff_raw'], o)).toEqual([
      '--mask-zero changes nothing for ff_raw: no layer of it reads the padding mask (it applies to simple_rnn, lstm, gru, bilstm)',
      '--embedding-dim changes nothing for ff_raw: it has no Embedding layer (it feeds the raw word ids to a Dense layer)',
      '--layers changes nothing for ff_raw: no recurrent layer to stack (it applies to simple_rnn, lstm, cnn_lstm, gru, bilstm)',
    ]);
    expect(unusedModelOptions(['ff_raw'], o, 'field')).toEqual([
      'maskZero changes nothing for ff_raw: no layer of it reads the padding mask (it applies to simple_rnn, lstm, gru, bilstm)',
      'embeddingDim changes nothing for ff_raw: it has no Embedding layer (it feeds the raw word ids to a Dense layer)',
      'layers changes nothing for ff_raw: no recurrent layer to stack (it applies to simple_rnn, lstm, cnn_lstm, gru, bilstm)',
    ]);
    expect(unusedModelOptions(['ff_raw', 'cnn'], { maskZero: true }, 'field')[0]).toMatch(/^maskZero changes nothing for ff_raw, cnn: no layer of them/);
  });
});

describe('a dashboard job with layers and dropout', () => {
  const s = useTestServer();

  it.skipIf(imdbDataPath() === undefined)('trains a stacked LSTM with input dropout and saves that model', async () => {
    const r = await post(s.base, '/api/jobs', { task: 'imdb', model: 'lstm', layers: 2, dropout: 0.3, units: 4, embeddingDim: 4, limit: 40, maxlen: 12, vocab: 200,
      epochs: 1, batchSize: 20, validate: false, name: 'stacked' });
    expect(r.status).toBe(202);
    expect(r.body.job.command).toMatch(/--layers 2 --dropout 0\.3/);
    const job = await finished(s.base, r.body.job.id, 120000);
    expect(job.status).toBe('completed');
    const model = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'model', 'model.json'), 'utf8'));
    const layers = model.modelTopology.model_config?.config?.layers ?? model.modelTopology.config.layers;
    const lstms = layers.filter((l: { class_name: string }) => l.class_name === 'LSTM');
    expect(lstms.map((l: { config: { return_sequences: boolean; dropout: number } }) => [l.config.return_sequences, l.config.dropout])).toEqual([[true, 0.3], [false, 0.3]]);
    const input = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'model', 'rnnlab-input.json'), 'utf8'));
    expect(input.options).toMatchObject({ layers: 2, dropout: 0.3 });
    const record = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
    expect(record.config).toMatchObject({ layers: 2, dropout: 0.3 });
  }, 150000);

  it('answers a refused field with a 400 that names it', async () => {
    const r = await post(s.base, '/api/jobs', { task: 'imdb', model: 'lstm', dropout: 1.5 });
    expect([r.status, r.body.error]).toEqual([400, 'dropout must be from 0 up to but not including 1, got 1.5']);
  });
});
