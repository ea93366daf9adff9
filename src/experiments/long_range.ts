/**
 * The long-range task where gates matter: the sign shown at step 1 must survive T-1 steps of strong noise on the
 * same input channel, with a flag marking step 1. An LSTM learns to open its input gate there and keep its cell;
 * a SimpleRNN adds every input into its state. Used to measure gradients on a network that has learned to remember.
 */
import { offsetSeed, Random, setSeed } from '../random.js';
import { Tensor } from '../tensor.js';
import { sequential, type Sequential } from '../models/sequential.js';
import { layers } from '../layers/index.js';
import { train } from '../optimizers/index.js';
import { evaluateModel } from '../models/training.js';
import type { RunIo } from './types.js';
import { modelSummary, type ModelRecord } from '../report/record.js';
import { EpochTimer } from './train_hooks.js';

export type LongRangeCell = 'lstm' | 'simpleRNN';

/** out and verbose: the training progress (silent unless asked, as the dashboard's inspector trains it unseen). */
export interface LongRangeOptions extends Pick<RunIo, 'out' | 'verbose'> {
  steps?: number;
  samples?: number;
  noise?: number;
  units?: number;
  epochs?: number;
  /** s (default 1): training sequences from seed s, held-out ones from s + 1, initial weights from s + 2. */
  seed?: number;
}

export interface LongRangeData { x: Tensor; y: Tensor; steps: number }

/** samples sequences [N, T, 2]: channel 0 holds the sign at t = 1, then noise; channel 1 flags t = 1. */
export function longRangeData(seed: number, o: LongRangeOptions = {}): LongRangeData {
  const T = o.steps ?? 50, N = o.samples ?? 2000, noise = o.noise ?? 3;
  const r = new Random(seed);
  const x = new Float32Array(N * T * 2), y = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const s = r.int(2);
    y[i] = s;
    x[i * T * 2] = s ? 1 : -1;
    x[i * T * 2 + 1] = 1;
    for (let t = 1; t < T; t++) x[(i * T + t) * 2] = noise * r.normal();
  }
  return { x: new Tensor(x, [N, T, 2], 'float32'), y: new Tensor(y, [N, 1], 'float32'), steps: T };
}

/** The seeds of the training sequences, the held-out sequences and the initial weights (LongRangeOptions.seed). */
export function longRangeSeeds(o: LongRangeOptions = {}): { train: number; heldOut: number; weights: number } {
  const s = o.seed ?? 1;
  return { train: s, heldOut: offsetSeed(s, 1), weights: offsetSeed(s, 2) };
}

export function longRangeModel(cell: LongRangeCell, o: LongRangeOptions = {}): Sequential {
  setSeed(longRangeSeeds(o).weights);
  const m = sequential({ layers: [layers[cell]({ units: o.units ?? 16, inputShape: [o.steps ?? 50, 2] }), layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: train.adam(0.003), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Trains on the training sequences and returns the model with its accuracy on the held-out ones (longRangeSeeds). */
export async function trainLongRange(cell: LongRangeCell, o: LongRangeOptions = {}): Promise<{ model: Sequential; accuracy: number; heldOut: LongRangeData; record: ModelRecord }> {
  const seeds = longRangeSeeds(o);
  const trainSet = longRangeData(seeds.train, o), heldOut = longRangeData(seeds.heldOut, o);
  const model = longRangeModel(cell, o);
  const timer = new EpochTimer();
  const h = await model.fit(trainSet.x, trainSet.y, { epochs: o.epochs ?? 30, batchSize: 32, verbose: o.verbose ?? 0, out: o.out, callbacks: [timer] });
  const accuracy = (await evaluateModel(model, heldOut.x, heldOut.y, {}))[1];
  const record = { name: `long-range ${cell}`, params: model.countParams(), history: h.history, secondsPerEpoch: timer.seconds, metrics: { heldOutAccuracy: accuracy }, summary: modelSummary(model) };
  return { model, accuracy, heldOut, record };
}
