/**
 * A job reads a cancel only between batches, so a batch is how long a cancel waits: a dashboard job's estimated cost
 * per training batch (job_cost.ts) is capped. Every job
 * the dashboard offers fits (the seed defaults of each model, the form's empty defaults, the demo jobs); jobs made
 * dear by units, layers, embeddingDim, hidden or batch size are refused naming the fields and the estimate.
 */
import { describe, expect, it } from 'vitest';
import { IMDB_DEFAULTS, IMDB_MODELS } from '../../src/experiments/lab_models.js';
import { batchGflops, MAX_BATCH_GFLOPS } from '../../src/server/job_cost.js';
import { DEMO_JOBS, parseJobSpec, RNN_KINDS } from '../../src/server/job_spec.js';

const gflops = (body: Record<string, unknown>) => batchGflops(parseJobSpec(body).config);
const TAIL = `a dashboard job takes at most ${MAX_BATCH_GFLOPS} (a cancel waits for the batch in progress)`;

describe('the cost of a dashboard job batch', () => {
  it('admits every job the dashboard offers: each model at its seed settings, the form defaults, the demo jobs', () => {
    for (const model of IMDB_MODELS) expect(parseJobSpec({ task: 'imdb', model }).config).toMatchObject({ batchSize: IMDB_DEFAULTS[model].batchSize, maxlen: 500 });
    for (const rnn of RNN_KINDS) expect(parseJobSpec({ task: 'addition', rnn }).config).toMatchObject({ rnn, hidden: 128, batchSize: 128 });
    expect(parseJobSpec({ task: 'imdb' }).config.task).toBe('imdb');
    for (const demo of Object.values(DEMO_JOBS)) expect(parseJobSpec(demo).name).toBe(demo.name);
  });

  it('estimates 6 × the forward multiply-adds of the real batch (hand counts of the lab models)', () => {
    // LSTM(100) over 500 steps of 100-wide embeddings: 4 gates × (100 + 100) × 100 per step, plus Dense(1) on 100 units.
    const lstmRow = 500 * 4 * 200 * 100 + 100;
    expect(gflops({ task: 'imdb', model: 'lstm' })).toBeCloseTo((6 * 64 * lstmRow) / 1e9, 9);
    // A GRU has three gate matrices, a SimpleRNN one; a BiLSTM runs the LSTM both ways into a Dense on 200.
    expect(gflops({ task: 'imdb', model: 'gru' })).toBeCloseTo((6 * 64 * (500 * 3 * 200 * 100 + 100)) / 1e9, 9);
    expect(gflops({ task: 'imdb', model: 'bilstm' })).toBeCloseTo((6 * 64 * (2 * 500 * 4 * 200 * 100 + 200)) / 1e9, 9);
    // A second layer reads the first's 100 units; cnn: Conv1D(200, 3) on 100 dims, then Dense(250) on 250 × 200 pooled.
    expect(gflops({ task: 'imdb', model: 'lstm', layers: 2 })).toBeCloseTo((6 * 64 * (lstmRow + 500 * 4 * 200 * 100)) / 1e9, 9);
    expect(gflops({ task: 'imdb', model: 'cnn' })).toBeCloseTo((6 * 128 * (500 * 3 * 100 * 200 + 250 * 200 * 250 + 250)) / 1e9, 9);
    // Addition, 3 digits, LSTM(128): the encoder reads 7 one-hot steps of 12 chars, the decoder 4 steps of 128.
    const addRow = 7 * 4 * (12 + 128) * 128 + 4 * 4 * (128 + 128) * 128 + 4 * 128 * 12;
    expect(gflops({ task: 'addition' })).toBeCloseTo((6 * 128 * addRow) / 1e9, 9);
  });

  it('counts only the rows a batch can hold: an IMDb limit or a small training set makes every batch smaller', () => {
    expect(gflops({ task: 'imdb', batchSize: 4096, limit: 100, maxlen: 200 })).toBeCloseTo(gflops({ task: 'imdb', batchSize: 100, maxlen: 200 }), 12);
    expect(() => parseJobSpec({ task: 'imdb', batchSize: 4096, limit: 5000, maxlen: 200 })).toThrow(/^batchSize 4096 × maxlen 200 on lstm/);
    expect(() => parseJobSpec({ task: 'imdb', batchSize: 4096, limit: 2000, maxlen: 200 })).toThrow(/^batchSize 4096 \(2000 rows: limit 2000\) × maxlen 200/);
    expect(gflops({ task: 'addition', batchSize: 4096, trainingSize: 50 })).toBeCloseTo(gflops({ task: 'addition', batchSize: 50, trainingSize: 50 }), 12);
  });

  it('refuses a dear IMDb batch, naming the fields that set its cost and the estimate', () => {
    expect(() => parseJobSpec({ task: 'imdb', batchSize: 128, maxlen: 500, units: 1024, layers: 4 })).toThrow(
      `batchSize 128 × maxlen 500 on lstm, units 1024, layers 4, embeddingDim 100 costs about 11432 GFLOPs per training batch; ${TAIL}: `
      + 'lower batchSize, maxlen, units, layers or embeddingDim, or run it from the terminal (rnnlab imdb)');
    expect(() => parseJobSpec({ task: 'imdb', batchSize: 4096, maxlen: 200 })).toThrow(/^batchSize 4096 × maxlen 200 on lstm, units 100, layers 1, embeddingDim 100 costs about 393 GFLOPs/);
    // Each field alone can make a seed setting too dear.
    expect(() => parseJobSpec({ task: 'imdb', model: 'gru', units: 1024 })).toThrow(/on gru, units 1024, .* costs about 663 GFLOPs/);
    expect(() => parseJobSpec({ task: 'imdb', model: 'cnn', embeddingDim: 1024 })).toThrow(/^batchSize 128 × maxlen 500 on cnn, units 250, embeddingDim 1024 costs about 246 GFLOPs/);
    expect(() => parseJobSpec({ task: 'imdb', model: 'lstm', layers: 3 })).toThrow(/layers 3, embeddingDim 100 costs about 46 GFLOPs/);
    expect(() => parseJobSpec({ task: 'imdb', model: 'lstm', maxlen: 2500 })).toThrow(/^batchSize 64 × maxlen 2500 on lstm/);
  });

  it('refuses a dear addition batch, which had no cap at all', () => {
    expect(() => parseJobSpec({ task: 'addition', hidden: 1024, batchSize: 4096, layers: 4 })).toThrow(
      `batchSize 4096 on lstm, hidden 1024, layers 4, digits 3 costs about 4030 GFLOPs per training batch; ${TAIL}: lower batchSize, hidden or layers, or run it from the terminal (rnnlab addition)`);
    expect(() => parseJobSpec({ task: 'addition', hidden: 1024 })).toThrow(/^batchSize 128 on lstm, hidden 1024, layers 1, digits 3 costs about 49 GFLOPs/);
    expect(gflops({ task: 'addition', rnn: 'gru', hidden: 1024 })).toBeLessThanOrEqual(MAX_BATCH_GFLOPS);
  });
});
