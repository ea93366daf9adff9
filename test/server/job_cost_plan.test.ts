/**
 * job_cost.ts estimates a dashboard job's batch from the lab's own layers (lab_models.ts) planned by planStack, each
 * layer's FLOPs from the input and output shapes the plan gives it. The fixture holds what the estimate said when it
 * kept its own copy of the models' shapes, over a grid of every field that sets the cost (job_cost_grid.ts):
 * deriving the shapes changed no number.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imdbLayers } from '../../src/experiments/lab_models.js';
import { planStack } from '../../src/models/param_plan.js';
import { batchCostProblem, batchGflops } from '../../src/server/job_cost.js';
import { jobModelParams, maxModelParamsProblem } from '../../src/server/job_params.js';
import { jobPlan } from '../../src/server/job_plan.js';
import { additionJob, costGrid, imdbJob } from './job_cost_grid.js';

const before = JSON.parse(readFileSync(new URL('./job_cost_plan.fixture.json', import.meta.url), 'utf8')) as number[];
/** batchGflops of a one-row batch, from its forward multiply-adds: 2 FLOPs each, and backward twice the forward. */
const ofRow = (macs: number) => (6 * macs * 1) / 1e9;

describe('a dashboard job batch cost, from the planned lab models', () => {
  it('is what the estimate with its own copy of the shapes said, for every config of the grid', () => {
    const grid = costGrid();
    expect(grid).toHaveLength(before.length);
    expect(grid.map((c) => batchGflops(c))).toEqual(before);
  });

  it('counts each layer from the shapes the lab model gives it (hand counts)', () => {
    // ff_raw: Dense(3) on the 7 raw ids, Dense(1) on 3; the Dropout multiplies nothing.
    expect(batchGflops(imdbJob({ model: 'ff_raw', maxlen: 7, embeddingDim: 100, units: 3, dropout: 0.5 }))).toBe(ofRow(7 * 3 + 3));
    // ff_embed: Flatten makes 7 steps × 100 dims one row of 700 for Dense(3).
    expect(batchGflops(imdbJob({ model: 'ff_embed', maxlen: 7, embeddingDim: 100, units: 3 }))).toBe(ofRow(700 * 3 + 3));
    // cnn_lstm: Conv1D(32, 3, same) over 7 steps of 1 dim; MaxPooling1D(2) leaves 3 steps for three stacked LSTM(3),
    // the first reading 32 channels, the others 3 units.
    const conv = 7 * 3 * 1 * 32, lstm1 = 3 * 4 * (32 + 3) * 3, lstmNext = 3 * 4 * (3 + 3) * 3;
    expect(batchGflops(imdbJob({ model: 'cnn_lstm', maxlen: 7, embeddingDim: 1, units: 3, layers: 3, dropout: 0.5 }))).toBe(ofRow(conv + lstm1 + 2 * lstmNext + 3));
    // bilstm, two layers: each runs an LSTM(3) both ways; the second reads the first's 6 concatenated units.
    const bi1 = 2 * 2 * 4 * (1 + 3) * 3, bi2 = 2 * 2 * 4 * (6 + 3) * 3;
    expect(batchGflops(imdbJob({ model: 'bilstm', maxlen: 2, embeddingDim: 1, units: 3, layers: 2 }))).toBe(ofRow(bi1 + bi2 + 6));
    // Addition, 1 digit, GRU(1) × 2 decoder layers: the encoder reads 3 one-hot steps of 12 chars, each decoder 2
    // steps of 1 unit, and TimeDistributed(Dense(12)) maps each of the 2 steps.
    const encoder = 3 * 3 * (12 + 1) * 1, decoder = 2 * 3 * (1 + 1) * 1;
    expect(batchGflops(additionJob({ rnn: 'gru', digits: 1, hidden: 1, layers: 2 }))).toBe(ofRow(encoder + 2 * decoder + 2 * 1 * 12));
  });

  it('prices and sizes one plan of the job: the plan passed in is the one used', () => {
    const c = imdbJob({ model: 'lstm', maxlen: 7, embeddingDim: 2, units: 3 });
    const plan = jobPlan(c);
    expect(batchGflops(c, plan)).toBe(batchGflops(c));
    expect(plan.params).toBe(jobModelParams(c));
    expect(maxModelParamsProblem(c, plan.params - 1, plan)).toBe(maxModelParamsProblem(c, plan.params - 1));
    // A plan of another model (units 30, not 3) is what gets priced and sized, so the caller must pass the job's own.
    const other = jobPlan({ ...c, units: 30 });
    expect(batchGflops(c, other)).toBe(batchGflops({ ...c, units: 30 }));
    expect(maxModelParamsProblem(c, plan.params, other)).toMatch(/makes a model of [\d,]+ parameters/);
    expect(batchCostProblem(c, plan)).toBeNull();
  });

  it('names the layer whose input has an axis of unknown size', () => {
    const c = imdbJob({ model: 'lstm', maxlen: 7, embeddingDim: 2, units: 3 });
    // Steps left free, as a model built for bucketed batches has them: the LSTM's cost per row is unknown.
    const free = planStack(imdbLayers('lstm', { freeLength: true, embeddingDim: 2, units: 3 }), [null, null]);
    expect(() => batchGflops(c, free)).toThrow(/^job_cost: lstm\S* \(LSTM\) takes input \(None, None, 2\), with an axis of unknown size/);
  });
});
