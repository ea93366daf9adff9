/**
 * Small fits whose every number the fit-loop tests pin: a recorder callback keeps each hook's logs, and the
 * final weights are kept whole, so any change to batching, metrics or callbacks shows up to the last bit.
 */
import * as rl from '../../src/index.js';
import { binaryLabels, oneHot } from '../io/helpers.js';

export interface FitTrace {
  /** Every hook call in order: [hook, index, logs]. */
  calls: [string, number | null, Record<string, number>][];
  history: Record<string, number[]>;
  weights: number[][];
}

/** A callback that keeps a copy of every hook's arguments. */
export function recorder(calls: FitTrace['calls']): rl.Callback {
  const keep = (hook: string) => (a?: number | Record<string, number>, b?: Record<string, number>) => {
    calls.push(typeof a === 'number' ? [hook, a, { ...(b ?? {}) }] : [hook, null, { ...(a ?? {}) }]);
  };
  return {
    onTrainBegin: keep('onTrainBegin'), onTrainEnd: keep('onTrainEnd'), onEpochBegin: keep('onEpochBegin'),
    onEpochEnd: keep('onEpochEnd'), onBatchBegin: keep('onBatchBegin'), onBatchEnd: keep('onBatchEnd'),
  };
}

/** Ids [n, T] pre-padded to T: row i keeps 1 + (i * 7) % T real ids in [1, vocab). */
export function paddedIds(n: number, T: number, vocab: number, seed: number, padding: 'pre' | 'post' = 'pre'): rl.Tensor {
  const r = new rl.Random(seed);
  const ids = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    const len = 1 + ((i * 7) % T);
    const from = padding === 'pre' ? T - len : 0;
    for (let t = 0; t < len; t++) ids[i * T + from + t] = 1 + r.int(vocab - 1);
  }
  return rl.tensor(ids, [n, T], 'int32');
}

/** An encoder-decoder like the adder's (one-hot in, softmax per step out), with accuracy. */
export function seqModel(): rl.Sequential {
  rl.setSeed(11);
  const m = rl.sequential({ layers: [
    rl.layers.lstm({ units: 8, inputShape: [5, 6] }),
    rl.layers.repeatVector({ n: 3 }),
    rl.layers.lstm({ units: 8, returnSequences: true }),
    rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 6, activation: 'softmax' }) }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  m.build([null, 5, 6]);
  return m;
}

/** A masked text classifier with threshold metrics (their probabilities undo the folded sigmoid). */
export function textModel(inputLength: number | undefined = 9): rl.Sequential {
  rl.setSeed(12);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 30, outputDim: 4, inputLength, maskZero: true }),
    rl.layers.lstm({ units: 6 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.rmsprop(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy', 'precision', 'auc'] });
  m.build([null, inputLength ?? 9]);
  return m;
}

export const seqData = () => ({ x: oneHot(37, 5, 6, 1), y: oneHot(37, 3, 6, 2) });
export const textData = () => ({ x: paddedIds(41, 9, 30, 3), y: binaryLabels(41, 4) });

/** fit with a recorder, from a fixed seed; the trace of everything it reported. */
export async function traceFit(model: rl.Sequential, x: rl.Tensor, y: rl.Tensor, args: rl.FitArgs): Promise<FitTrace> {
  const calls: FitTrace['calls'] = [];
  rl.setSeed(5);
  const h = await model.fit(x, y, { verbose: 0, ...args, callbacks: [recorder(calls)] });
  return { calls, history: h.history, weights: model.getWeights().map((w) => Array.from(w.values)) };
}

/** The fixture's scenarios: shuffled with a partial last batch and a validation split; unshuffled with validation data. */
export async function fixtureTraces(): Promise<Record<string, FitTrace>> {
  const s = seqData(), t = textData();
  return {
    seq: await traceFit(seqModel(), s.x, s.y, { epochs: 2, batchSize: 8, validationSplit: 0.25 }),
    text: await traceFit(textModel(), t.x, t.y, { epochs: 2, batchSize: 6, shuffle: false, validationData: [t.x, t.y] }),
  };
}
