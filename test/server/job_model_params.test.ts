/**
 * A dashboard job whose model would be larger than --max-model-params is refused when submitted (422, naming the
 * fields and the cap), since "Try it" would refuse to load what it trained. The count is the built model's own
 * (the embedding's vocab × embeddingDim included), checked here against countParams() of every model kind.
 */
import { describe, expect, it } from 'vitest';
import { additionModel, IMDB_MODELS, imdbModel, MASK_READING_MODELS, type ImdbModelName } from '../../src/experiments/lab_models.js';
import { layers as L } from '../../src/layers/index.js';
import { startDashboard } from '../../src/server/index.js';
import { jobModelParams } from '../../src/server/job_params.js';
import { parseJobSpec, RNN_KINDS, type AdditionJobConfig, type ImdbJobConfig } from '../../src/server/job_spec.js';
import { post, tempDir } from './helpers.js';

const imdb = (body: Record<string, unknown>) => parseJobSpec({ task: 'imdb', ...body }).config as ImdbJobConfig;

describe('a job model\'s parameter count', () => {
  it('is what the built IMDb model counts, for every model kind, stacked and with its own units', () => {
    const shapes = [{ vocab: 50, maxlen: 9, embeddingDim: 5 }, { vocab: 37, maxlen: 12, embeddingDim: 3, units: 7 }];
    for (const model of IMDB_MODELS as readonly ImdbModelName[]) {
      for (const shape of shapes) {
        const stacked = ['simple_rnn', 'lstm', 'gru', 'bilstm', 'cnn_lstm'].includes(model) ? [undefined, 2] : [undefined];
        for (const layers of stacked) {
          // ff_raw has no embedding: the field is refused for it.
          const { embeddingDim, ...rest } = shape;
          // Dropout adds a layer (ff models) or an option (recurrent ones) but no weights; maskZero changes none either.
          const extras = { dropout: 0.25, ...(MASK_READING_MODELS.includes(model) ? { maskZero: true } : {}) };
          for (const extra of [{}, extras]) {
            const c = imdb({ model, ...rest, ...(model === 'ff_raw' ? {} : { embeddingDim }), ...(layers ? { layers } : {}), ...extra });
            const built = imdbModel(model, { vocab: c.vocab, maxlen: c.maxlen, embeddingDim: c.embeddingDim, units: c.units, layers: c.layers, dropout: c.dropout, maskZero: c.maskZero });
            expect(jobModelParams(c), `${model} ${JSON.stringify({ ...shape, ...extra })} layers ${layers ?? 1}`).toBe(built.countParams());
          }
        }
      }
    }
  });

  it('is what the built adder counts, for every cell and depth', () => {
    for (const rnn of RNN_KINDS) {
      for (const layers of [1, 3]) {
        const c = parseJobSpec({ task: 'addition', rnn, hidden: 9, layers, digits: 2 }).config as AdditionJobConfig;
        expect(jobModelParams(c), `${rnn} layers ${layers}`).toBe(additionModel({ rnn, hidden: 9, layers, digits: 2 }).countParams());
      }
    }
  });

  it('is counted from the lab\'s layers without building them or taking the names of the layers made after it', () => {
    const next = () => L.lstm({ units: 1 }).name;
    const n = Number(next().split('_')[1] ?? 0);
    // 133 million weights, over 500 MB built (a job this dear per batch is refused before its size is counted).
    const big: ImdbJobConfig = { ...imdb({ model: 'bilstm' }), vocab: 88588, embeddingDim: 1024, maxlen: 50, units: 1024, layers: 2 };
    const before = process.memoryUsage();
    expect(jobModelParams(big)).toBe(88588 * 1024 + 2 * (4 * 1024 * (1024 + 1024) + 4 * 1024) + 2 * (4 * 1024 * (2048 + 1024) + 4 * 1024) + 2049);
    const after = process.memoryUsage();
    expect(after.external - before.external).toBeLessThan(64 * 2 ** 20);
    expect(next()).toBe(`lstm_${n + 1}`);
  });

  it('counts the embedding: the largest vocabulary at embeddingDim 1024 is 90 million parameters in it alone', () => {
    const c = imdb({ vocab: 88588, embeddingDim: 1024, maxlen: 50, batchSize: 32 });
    // 88588 × 1024 + LSTM(100) on 1024 features + Dense(1).
    expect(jobModelParams(c)).toBe(88588 * 1024 + 4 * 100 * (1024 + 100) + 4 * 100 + 101);
  });
});

describe('submitting a job over --max-model-params', () => {
  const big = { task: 'imdb', vocab: 88588, embeddingDim: 1024, maxlen: 50, batchSize: 32 };

  it('is a 422 naming the fields, the count and the cap; at the cap it is accepted', () => {
    const n = jobModelParams(imdb(big));
    let caught: unknown;
    try {
      parseJobSpec(big, 50_000_000);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ status: 422 });
    expect((caught as Error).message).toMatch(/^vocab 88588 × embeddingDim 1024 on lstm, units 100, layers 1 makes a model of 91,164,213 parameters \(90,714,112 of them in the embedding\)/);
    expect((caught as Error).message).toContain('at most 50,000,000 (--max-model-params)');
    expect(n).toBe(91_164_213);
    expect(parseJobSpec(big, n).config).toMatchObject({ vocab: 88588 });
    expect(() => parseJobSpec(big, n - 1)).toThrow(/makes a model of 91,164,213 parameters/);
    // The adder names its own fields.
    expect(() => parseJobSpec({ task: 'addition', hidden: 64 }, 1000)).toThrow(/^lstm, hidden 64, layers 1 makes a model of [\d,]+ parameters; .* at most 1,000 .*lower hidden or layers/);
  });

  it('is refused by the server with 422 before anything is queued, demo jobs and startup checks included', async () => {
    const runsDir = tempDir();
    const d = await startDashboard({ port: 0, runsDir, maxModelParams: 1000, dataPath: tempDir('rnnlab-no-imdb-') });
    try {
      const base = `http://127.0.0.1:${d.port}`;
      const r = await post(base, '/api/jobs', { task: 'imdb', model: 'lstm', vocab: 100, embeddingDim: 16, maxlen: 20 });
      expect(r.status).toBe(422);
      expect(r.body.error).toMatch(/vocab 100 × embeddingDim 16 on lstm.* makes a model of 48,501 parameters.*at most 1,000 \(--max-model-params\)/);
      const demo = await post(base, '/api/demo', { task: 'addition' });
      expect(demo.status).toBe(422);
      expect(d.jobs.list()).toEqual([]);
    } finally {
      await d.close();
    }
    await expect(startDashboard({ port: 0, runsDir, maxModelParams: 1000, demoJobs: { addition: { hidden: 8 } } })).rejects.toThrow(/^demoJobs\.addition: lstm, hidden 8, layers 1 makes a model of 1,324 parameters/);
  });
});
