/**
 * Where a crossentropy loss folds the model's final sigmoid or softmax in, the metrics get the probabilities back
 * from the logits; they must be the ones predict returns on the backend and precision in force, so every metric
 * comes out as it does on the same model compiled with a loss that folds nothing (here meanSquaredError):
 * - native float32: the softmax kernel's exp floor makes [-100, 0] 1.18e-38, where an exact exp gives 3.8e-44;
 * - float64 (rl.setPrecision(64)): a logit pair [0, 1e-8] is 0.5000000025 > 0.5, which float32 rounds to 0.5, so
 *   precision, recall and binary accuracy at the 0.5 threshold counted it on the wrong side.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const backends = rl.backendInfo().addon ? ['native', 'reference'] as const : ['reference'] as const;

afterEach(() => {
  rl.setPrecision(32);
  rl.setBackend(backends[0]);
});

interface Seen { metrics: number[]; seen: number[]; predicted: number[]; folds: boolean }

/** A Dense layer whose outputs are its inputs (identity kernel, zero bias) through activation, evaluated under loss. */
function evaluateUnder(loss: string, activation: 'sigmoid' | 'softmax', x: number[][], y: number[][]): Seen {
  const units = x[0].length;
  const m = rl.sequential();
  m.add(rl.layers.dense({ units, inputShape: [units], activation, kernelInitializer: units === 1 ? 'ones' : 'identity', biasInitializer: 'zeros' }));
  let seen: number[] = [];
  const capture = (_y: rl.Tensor, p: rl.Tensor): rl.Tensor => { seen = Array.from(p.dataSync()); return rl.mean(p); };
  m.compile({ loss, optimizer: 'sgd', metrics: ['mae', 'binaryAccuracy', 'precision', 'recall', 'auc', capture] });
  const ev = m.evaluate(rl.tensor2d(x), rl.tensor2d(y), { batchSize: x.length }) as rl.Tensor[];
  return { metrics: ev.slice(1).map((t) => t.dataSync()[0]), seen, predicted: Array.from(m.predict(rl.tensor2d(x)).dataSync()), folds: m.foldsActivation };
}

/** The folded model's metrics, and the same model's under a loss that folds nothing. */
function bothWays(activation: 'sigmoid' | 'softmax', x: number[][], y: number[][]): { folded: Seen; plain: Seen } {
  const folded = evaluateUnder(activation === 'sigmoid' ? 'binaryCrossentropy' : 'categoricalCrossentropy', activation, x, y);
  const plain = evaluateUnder('meanSquaredError', activation, x, y);
  expect([folded.folds, plain.folds]).toEqual([true, false]);
  expect(plain.seen).toEqual(plain.predicted);
  expect(folded.predicted).toEqual(plain.predicted);
  return { folded, plain };
}

describe('metrics over a folded activation equal metrics over predict\'s probabilities', () => {
  for (const backend of backends) {
    for (const precision of [32, 64] as const) {
      const where = `${backend}, float${precision}`;

      it(`softmax at extreme logits (${where})`, () => {
        rl.setBackend(backend);
        rl.setPrecision(precision);
        const { folded, plain } = bothWays('softmax', [[-100, 0], [0, -100], [-200, 0]], [[0, 1], [1, 0], [0, 1]]);
        expect(folded.seen).toEqual(plain.predicted);
        expect(folded.metrics).toEqual(plain.metrics);
        // The tail predict gives on this backend: the native float32 exp's floor, else the exact e^-100 / (1 + e^-100).
        const tail = plain.predicted[0], exact = Math.exp(-100) / (1 + Math.exp(-100));
        if (rl.getBackend() === 'native') expect(tail).toBeGreaterThan(1e-38);
        else expect(tail).toBe(precision === 64 ? exact : Math.fround(exact));
        expect(folded.metrics[0]).toBeGreaterThan(0);
      });

      it(`softmax and sigmoid at the 0.5 threshold (${where})`, () => {
        rl.setBackend(backend);
        rl.setPrecision(precision);
        const soft = bothWays('softmax', [[-100, 0], [0, -100], [0, 1e-8]], [[0, 1], [1, 0], [0, 1]]);
        expect(soft.folded.seen).toEqual(soft.plain.predicted);
        expect(soft.folded.metrics).toEqual(soft.plain.metrics);
        const sig = bothWays('sigmoid', [[-100], [-80], [1e-8], [100]], [[0], [0], [1], [1]]);
        expect(sig.folded.seen).toEqual(sig.plain.predicted);
        expect(sig.folded.metrics).toEqual(sig.plain.metrics);
        // [binaryAccuracy, precision, recall]: float32 rounds the tie to 0.5, not above it (tfjs's count); float64 does not.
        if (precision === 64) {
          expect(soft.folded.metrics.slice(1, 4)).toEqual([1, 1, 1]);
          expect(sig.folded.metrics.slice(1, 4)).toEqual([1, 1, 1]);
        } else {
          expect(soft.folded.metrics.slice(1, 4)).toEqual([5 / 6, 1, 2 / 3].map(Math.fround));
          expect(sig.folded.metrics.slice(1, 4)).toEqual([3 / 4, 1, 1 / 2]);
        }
      });
    }
  }
});
